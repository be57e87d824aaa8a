#include "server/apiserver/write_pipeline.h"

#include "api/defaults/defaults.h"
#include "api/registry/crd_resources.h"
#include "base/log.h"
#include "server/apiserver/admission.h"
#include "server/apiserver/strategy.h"

namespace kite::apiserver {

Result<WriteOptions> write_options(const Request& req) {
  WriteOptions w;
  std::string v = req.query_value("fieldValidation");
  if (!v.empty()) {
    auto mode = api::parse_field_validation(v);
    if (!mode) return std::unexpected(mode.error());
    w.mode = *mode;
  }
  base::Status err;
  w.dry_run = is_dry_run(req, &err);
  if (!err.is_ok()) return base::error(err);
  return w;
}

Result<json> decode_object(const Scope& s, WriteOptions& w) {
  auto body = decode_body(s.req, s.registry);
  if (!body) return std::unexpected(body.error());
  json& obj = *body;
  if (!obj.is_object()) return base::error(bad_request("the request body must be a JSON object"));
  std::string ct = s.req.header("content-type");
  bool is_json = ct.empty() || ct.starts_with("application/json");
  if (is_json && w.mode != api::FieldValidation::Ignore) {
    auto dups = api::find_duplicate_fields(s.req.body);
    if (!dups) return std::unexpected(dups.error());
    if (!dups->empty()) {
      if (w.mode == api::FieldValidation::Strict) {
        std::string msg = "strict decoding error: ";
        for (size_t i = 0; i < dups->size(); ++i) msg += (i ? ", " : "") + (*dups)[i];
        return base::error(bad_request(msg));
      }
      w.warnings.insert(w.warnings.end(), dups->begin(), dups->end());
    }
  }
  const auto& r = *s.resource;
  if (!obj.contains("apiVersion") || obj["apiVersion"] == "") obj["apiVersion"] = r.api_version();
  if (!obj.contains("kind") || obj["kind"] == "") obj["kind"] = r.kind;
  if (!obj["apiVersion"].is_string() || !obj["kind"].is_string()) {
    return base::error(bad_request("apiVersion and kind must be strings"));
  }
  if (obj["kind"] != r.kind || obj["apiVersion"] != r.api_version()) {
    return base::error(bad_request("the object has kind " + obj["kind"].get<std::string>() + " (" +
                                   obj["apiVersion"].get<std::string>() + ") but the request is for " + r.kind +
                                   " (" + r.api_version() + ")"));
  }
  if (!obj.contains("metadata") || obj["metadata"].is_null()) obj["metadata"] = json::object();
  if (!obj["metadata"].is_object()) return base::error(bad_request("metadata must be an object"));
  return obj;
}

Result<void> default_and_validate(const Scope& s, json& obj, WriteOptions& w) {
  api::apply_defaults(*s.resource, obj);
  auto warnings = api::validate_object(*s.resource, obj, w.mode);
  if (!warnings) return std::unexpected(warnings.error());
  w.warnings.insert(w.warnings.end(), warnings->begin(), warnings->end());
  if (s.resource->schema) api::prune_unknown_fields(*s.resource->schema, obj);
  return {};
}

Response with_warnings(Response r, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    std::string text;
    for (char c : w) {
      if (c == '"' || c == '\\') text.push_back('\\');
      if (c == '\n' || c == '\r') c = ' ';
      text.push_back(c);
    }
    r.set_header("Warning", "299 - \"" + text + "\"");
  }
  return r;
}

namespace {

json without_rv(json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) obj["metadata"].erase("resourceVersion");
  return obj;
}

bool finalizers_empty(const json& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return true;
  auto f = m->find("finalizers");
  return f == m->end() || !f->is_array() || f->empty();
}

// Namespaces are also held by spec.finalizers (emptied through the finalize subresource).
bool spec_finalizers_empty(const api::ResourceInfo& r, const json& obj) {
  if (!r.group.empty() || r.kind != "Namespace") return true;
  auto spec = obj.find("spec");
  if (spec == obj.end() || !spec->is_object()) return true;
  auto f = spec->find("finalizers");
  return f == spec->end() || !f->is_array() || f->empty();
}

}  // namespace

Response run_update(ServerState& st, Scope& s, const UpdatePlan& plan, WriteOptions& w) {
  const auto& r = *s.resource;
  const std::string key = object_key(s, s.info.name);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = read_object(st, r, key, s.info.name);
    if (!current) return status_response(current.error());
    const json& old = current->object;
    auto desired = plan.mutate(old);
    if (!desired) return status_response(desired.error());
    json obj = std::move(*desired);
    if (!obj.is_object()) return status_response(bad_request("the resulting object is not a JSON object"));
    if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
    auto& meta = obj["metadata"];
    std::string name = meta.value("name", "");
    if (name.empty()) meta["name"] = name = s.info.name;
    if (name != s.info.name) {
      return status_response(bad_request("the name of the object (" + name +
                                         ") does not match the name on the URL (" + s.info.name + ")"));
    }
    if (r.namespaced) {
      std::string ns = meta.value("namespace", "");
      if (!ns.empty() && ns != s.info.namespace_) {
        return status_response(bad_request("the namespace of the object (" + ns +
                                           ") does not match the namespace on the request (" + s.info.namespace_ + ")"));
      }
      meta["namespace"] = s.info.namespace_;
    } else {
      meta.erase("namespace");
    }
    std::string precondition;
    if (meta.contains("resourceVersion") && meta["resourceVersion"].is_string()) {
      precondition = meta["resourceVersion"].get<std::string>();
    }
    if (!precondition.empty() && precondition != std::to_string(current->mod_revision)) {
      return status_response(conflict(r, name, "the object has been modified; please apply your changes to the "
                                               "latest version and try again"));
    }
    if (auto a = admit_mutations(st, s, obj, false); !a) return status_response(a.error());
    prepare_for_update(r, old, obj, plan.status_subresource);
    std::vector<std::string> reserved;  // Service IPs/ports newly reserved by this update
    if (is_service(r) && !plan.status_subresource && !w.dry_run && st.services) {
      auto made = st.services->allocate(obj, &old);
      if (!made) return status_response(made.error());
      reserved = std::move(*made);
    }
    auto release = [&] {
      if (st.services) st.services->release_keys(reserved);
    };
    if (auto v = default_and_validate(s, obj, w); !v) {
      release();
      return status_response(v.error());
    }
    update_generation(r, old, obj);
    if (!plan.status_subresource) {
      if (auto v = api::validate_update(r, old, obj); !v) {
        release();
        return status_response(v.error());
      }
    }
    // An object being deleted goes away once its last finalizer is removed, as Kubernetes'
    // ShouldDeleteDuringUpdate decides: only when no grace period is pending (a pod waiting for
    // its node keeps deletionGracePeriodSeconds > 0 until the node confirms), and a namespace
    // only once its spec.finalizers are empty too.
    if (old["metadata"].contains("deletionTimestamp") && finalizers_empty(obj) && !w.dry_run &&
        old["metadata"].value("deletionGracePeriodSeconds", int64_t{0}) == 0 && spec_finalizers_empty(r, obj)) {
      release();
      auto d = delete_object(st, r, key, name, current->mod_revision);
      if (!d) {
        if (d.error().reason() == Reason::Conflict && precondition.empty()) continue;
        return status_response(d.error());
      }
      if (is_service(r) && st.services) st.services->release(old);
      if (r.group == "apiextensions.k8s.io") sync_crd_registration(st, obj, true);
      return with_warnings(json_response(200, obj), w.warnings);
    }
    if (without_rv(obj) == without_rv(old)) {
      release();
      return with_warnings(json_response(200, old), w.warnings);  // nothing changed: no write
    }
    if (w.dry_run) {
      obj["metadata"]["resourceVersion"] = std::to_string(current->mod_revision);
      return with_warnings(json_response(200, obj), w.warnings);
    }
    auto written = update_object(st, r, key, std::move(obj), current->mod_revision);
    if (!written) {
      release();
      if (written.error().reason() == Reason::Conflict && precondition.empty()) continue;
      return status_response(written.error());
    }
    if (r.group == "apiextensions.k8s.io" && r.kind == "CustomResourceDefinition") {
      sync_crd_registration(st, *written, false);
    }
    return with_warnings(json_response(200, *written), w.warnings);
  }
  return status_response(conflict(r, s.info.name, "the object kept changing; please try again"));
}

void sync_crd_registration(ServerState& st, const json& crd, bool deleted) {
  const json& spec = crd.value("spec", json::object());
  std::string group = spec.value("group", "");
  std::string plural = spec.value("names", json::object()).value("plural", "");
  if (group.empty() || plural.empty()) return;
  st.registry->remove_custom(group, plural);
  if (deleted || crd["metadata"].contains("deletionTimestamp")) return;
  auto infos = api::resources_from_crd(crd);
  if (!infos) {
    KITE_LOG(warn, "apiserver") << "CustomResourceDefinition " << plural << "." << group
                                << " not served: " << infos.error().message();
    return;
  }
  for (auto& info : *infos) st.registry->add(info);
}

}  // namespace kite::apiserver
