// DELETE and DELETECOLLECTION: preconditions, graceful deletion of pods, finalizers
// (propagationPolicy recorded as the foregroundDeletion / orphan finalizers), and the
// namespace finalizer that keeps a deleted namespace Terminating until it is empty.
#include <charconv>

#include "base/ids.h"
#include "server/apiserver/rest.h"
#include "server/apiserver/selection.h"
#include "server/apiserver/write_pipeline.h"

namespace kite::apiserver {

namespace {

struct DeleteOptions {
  std::optional<int64_t> grace_period;
  std::string propagation;  // "", Orphan, Background, Foreground
  std::string uid_precondition;
  std::string rv_precondition;
  bool dry_run = false;
};

Result<DeleteOptions> parse_delete_options(const Request& req) {
  DeleteOptions o;
  json body = json::object();
  if (!req.body.empty()) {
    auto decoded = decode_body(req, nullptr, "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions");
    if (!decoded) return std::unexpected(decoded.error());
    body = std::move(*decoded);
    if (!body.is_object()) return base::error(bad_request("DeleteOptions must be a JSON object"));
  }
  auto read_int = [](const std::string& text, int64_t* out) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
    return ec == std::errc() && p == text.data() + text.size();
  };
  if (body.contains("gracePeriodSeconds") && !body["gracePeriodSeconds"].is_null()) {
    if (!body["gracePeriodSeconds"].is_number_integer()) return base::error(bad_request("gracePeriodSeconds must be an integer"));
    o.grace_period = body["gracePeriodSeconds"].get<int64_t>();
  } else if (std::string g = req.query_value("gracePeriodSeconds"); !g.empty()) {
    int64_t v = 0;
    if (!read_int(g, &v)) return base::error(bad_request("invalid gracePeriodSeconds: " + g));
    o.grace_period = v;
  }
  o.propagation = body.value("propagationPolicy", req.query_value("propagationPolicy"));
  if (body.value("orphanDependents", query_flag(req, "orphanDependents"))) {
    if (!o.propagation.empty() && o.propagation != "Orphan") {
      return base::error(Reason::Invalid, "orphanDependents and propagationPolicy cannot both be set");
    }
    o.propagation = "Orphan";
  }
  if (!o.propagation.empty() && o.propagation != "Orphan" && o.propagation != "Background" &&
      o.propagation != "Foreground") {
    return base::error(Reason::Invalid, "propagationPolicy: Unsupported value: \"" + o.propagation +
                                            "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  }
  if (auto p = body.find("preconditions"); p != body.end() && p->is_object()) {
    o.uid_precondition = p->value("uid", "");
    o.rv_precondition = p->value("resourceVersion", "");
  }
  base::Status err;
  o.dry_run = is_dry_run(req, &err);
  if (!err.is_ok()) return base::error(err);
  if (auto d = body.find("dryRun"); d != body.end() && d->is_array()) {
    for (const auto& v : *d) {
      if (v == "All") o.dry_run = true;
    }
  }
  return o;
}

void add_finalizer(json& meta, const std::string& f) {
  auto& list = meta["finalizers"];
  if (!list.is_array()) list = json::array();
  for (const auto& x : list) {
    if (x == f) return;
  }
  list.push_back(f);
}

bool has_finalizers(const json& obj) {
  const auto& m = obj["metadata"];
  return m.contains("finalizers") && m["finalizers"].is_array() && !m["finalizers"].empty();
}

// The grace period a pod deletion waits for its node agent to confirm; 0 = delete now.
int64_t pod_grace_period(const json& pod, const DeleteOptions& o) {
  const json& spec = pod.value("spec", json::object());
  std::string phase = pod.value("status", json::object()).value("phase", "");
  if (spec.value("nodeName", "").empty() || phase == "Succeeded" || phase == "Failed") return 0;
  int64_t grace = o.grace_period.value_or(spec.value("terminationGracePeriodSeconds", int64_t{30}));
  return grace < 0 ? 0 : grace;
}

// Deletes one object. Returns the response body (the object as it now is or was).
Result<json> delete_one(ServerState& st, Scope& s, const std::string& name, const DeleteOptions& o) {
  const auto& r = *s.resource;
  const std::string key = object_key(s, name);
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto current = read_object(st, r, key, name);
    if (!current) return std::unexpected(current.error());
    json obj = current->object;
    auto& meta = obj["metadata"];
    if (!o.uid_precondition.empty() && o.uid_precondition != meta.value("uid", "")) {
      return base::error(conflict(r, name, "Precondition failed: UID in precondition: " + o.uid_precondition +
                                               ", UID in object meta: " + meta.value("uid", "")));
    }
    if (!o.rv_precondition.empty() && o.rv_precondition != meta.value("resourceVersion", "")) {
      return base::error(conflict(r, name, "Precondition failed: ResourceVersion in precondition: " +
                                               o.rv_precondition + ", ResourceVersion in meta: " +
                                               meta.value("resourceVersion", "")));
    }
    bool already_deleting = meta.contains("deletionTimestamp");
    auto now = std::chrono::system_clock::now();
    if (o.propagation == "Foreground") add_finalizer(meta, "foregroundDeletion");
    if (o.propagation == "Orphan") add_finalizer(meta, "orphan");

    int64_t grace = 0;
    if (r.group.empty() && r.kind == "Pod") grace = pod_grace_period(obj, o);
    bool namespace_pending = r.group.empty() && r.kind == "Namespace" && obj.contains("spec") &&
                             obj["spec"].contains("finalizers") && !obj["spec"]["finalizers"].empty();

    if (grace > 0 || has_finalizers(obj) || namespace_pending) {
      // Deletion is pending: mark it and let the finalizers / the node agent finish it.
      if (!already_deleting || (grace > 0 && grace < meta.value("deletionGracePeriodSeconds", int64_t{1} << 40))) {
        meta["deletionTimestamp"] = base::rfc3339(now + std::chrono::seconds(grace));
        meta["deletionGracePeriodSeconds"] = grace;
      }
      if (namespace_pending) obj["status"]["phase"] = "Terminating";
      if (obj == current->object) return obj;  // nothing new to record
      if (o.dry_run) return obj;
      auto written = update_object(st, r, key, obj, current->mod_revision);
      if (!written) {
        if (written.error().reason() == Reason::Conflict) continue;
        return std::unexpected(written.error());
      }
      if (r.group == "apiextensions.k8s.io") sync_crd_registration(st, *written, false);
      return *written;
    }
    if (o.dry_run) return obj;
    auto d = delete_object(st, r, key, name, current->mod_revision);
    if (!d) {
      if (d.error().reason() == Reason::Conflict && o.rv_precondition.empty()) continue;
      return std::unexpected(d.error());
    }
    if (r.group == "apiextensions.k8s.io" && r.kind == "CustomResourceDefinition") {
      sync_crd_registration(st, obj, true);
    }
    if (is_service(r) && st.services) st.services->release(obj);
    return obj;
  }
  return base::error(conflict(r, name, "the object kept changing; please try again"));
}

}  // namespace

Response rest_delete(ServerState& st, Scope& s) {
  if (!s.info.subresource.empty()) return status_response(method_not_supported(s));
  auto o = parse_delete_options(s.req);
  if (!o) return status_response(o.error());
  auto result = delete_one(st, s, s.info.name, *o);
  if (!result) return status_response(result.error());
  return json_response(200, *result);
}

Response rest_delete_collection(ServerState& st, Scope& s) {
  auto o = parse_delete_options(s.req);
  if (!o) return status_response(o.error());
  auto selection = parse_selection(s);
  if (!selection) return status_response(selection.error());
  if (auto r = st.cache->sync_to_latest(st.read_timeout); !r) return status_response(r.error());
  std::string prefix = s.resource->storage_prefix + "/";
  if (s.resource->namespaced && !s.info.namespace_.empty()) prefix += s.info.namespace_ + "/";
  auto page = st.cache->list(prefix, selection->filter, "", 0);
  json items = json::array();
  for (const auto& e : page.items) {
    json obj = json::parse(*e->bytes, nullptr, false);
    if (!obj.is_object()) continue;
    Scope one{s.req, s.info, s.resource, s.user, s.registry};
    one.info.namespace_ = obj["metadata"].value("namespace", "");
    std::string name = obj["metadata"].value("name", "");
    auto result = delete_one(st, one, name, *o);
    if (!result) {
      if (result.error().reason() == Reason::NotFound) continue;  // gone meanwhile
      return status_response(result.error());
    }
    items.push_back(std::move(*result));
  }
  json list = {{"kind", s.resource->list_kind},
               {"apiVersion", s.resource->api_version()},
               {"metadata", {{"resourceVersion", std::to_string(st.cache->revision())}}},
               {"items", std::move(items)}};
  return json_response(200, list);
}

}  // namespace kite::apiserver
