// CREATE and UPDATE (PUT) of a resource and of its status subresource.
#include "base/ids.h"
#include "server/apiserver/admission.h"
#include "server/apiserver/strategy.h"
#include "server/apiserver/write_pipeline.h"

namespace kite::apiserver {

namespace {

// CustomResourceDefinitions are served as soon as they are created: their status says so.
void establish_crd(json& crd) {
  const json& spec = crd["spec"];
  json names = spec.value("names", json::object());
  std::string storage;
  for (const auto& v : spec.value("versions", json::array())) {
    if (v.value("storage", false)) storage = v.value("name", "");
  }
  std::string now = base::rfc3339(std::chrono::system_clock::now());
  crd["status"] = {
      {"acceptedNames", names},
      {"conditions",
       json::array({{{"type", "NamesAccepted"}, {"status", "True"}, {"lastTransitionTime", now},
                     {"reason", "NoConflicts"}, {"message", "no conflicts found"}},
                    {{"type", "Established"}, {"status", "True"}, {"lastTransitionTime", now},
                     {"reason", "InitialNamesAccepted"}, {"message", "the initial names have been accepted"}}})},
      {"storedVersions", storage.empty() ? json::array() : json::array({storage})}};
}

}  // namespace

Response rest_create(ServerState& st, Scope& s) {
  const auto& r = *s.resource;
  if (!s.info.name.empty() && s.info.subresource.empty()) return status_response(method_not_supported(s));
  auto w = write_options(s.req);
  if (!w) return status_response(w.error());
  auto decoded = decode_object(s, *w);
  if (!decoded) return status_response(decoded.error());
  json obj = std::move(*decoded);
  auto& meta = obj["metadata"];

  if (r.namespaced) {
    std::string ns = meta.value("namespace", "");
    if (!ns.empty() && ns != s.info.namespace_) {
      return status_response(bad_request("the namespace of the provided object does not match the namespace sent "
                                         "on the request"));
    }
    if (s.info.namespace_.empty()) return status_response(bad_request("a namespace is required to create " + r.plural));
    meta["namespace"] = s.info.namespace_;
  } else {
    meta.erase("namespace");
  }
  std::string name = meta.value("name", "");
  if (name.empty() && meta.contains("generateName") && meta["generateName"].is_string() &&
      !meta["generateName"].get<std::string>().empty()) {
    name = meta["generateName"].get<std::string>() + base::random_name_suffix();
    meta["name"] = name;
  }
  if (auto a = admit_namespace(st, s, s.info.namespace_); !a) return status_response(a.error());
  if (auto a = admit_mutations(st, s, obj, true); !a) return status_response(a.error());
  prepare_for_create(r, obj);
  meta["uid"] = base::new_uuid();
  meta["creationTimestamp"] = base::rfc3339(std::chrono::system_clock::now());
  generate_job_selector(r, obj);
  if (r.group == "apiextensions.k8s.io" && r.kind == "CustomResourceDefinition") establish_crd(obj);
  std::vector<std::string> reserved;  // Service IPs/ports reserved for this object
  if (is_service(r) && !w->dry_run && st.services) {
    auto made = st.services->allocate(obj, nullptr);
    if (!made) return status_response(made.error());
    reserved = std::move(*made);
  }
  if (auto v = default_and_validate(s, obj, *w); !v) {
    if (st.services) st.services->release_keys(reserved);
    return status_response(v.error());
  }

  if (w->dry_run) return with_warnings(json_response(201, obj), w->warnings);
  auto created = create_object(st, r, object_key(s, name), std::move(obj));
  if (!created) {
    if (st.services) st.services->release_keys(reserved);
    return status_response(created.error());
  }
  if (r.group == "apiextensions.k8s.io" && r.kind == "CustomResourceDefinition") {
    sync_crd_registration(st, *created, false);
  }
  return with_warnings(json_response(201, *created), w->warnings);
}

Response rest_update(ServerState& st, Scope& s) {
  bool status = s.info.subresource == "status";
  if (!s.info.subresource.empty() && !status) return status_response(method_not_supported(s));
  auto w = write_options(s.req);
  if (!w) return status_response(w.error());
  auto decoded = decode_object(s, *w);
  if (!decoded) return status_response(decoded.error());
  UpdatePlan plan;
  plan.status_subresource = status;
  plan.mutate = [body = std::move(*decoded)](const json&) -> Result<json> { return body; };
  return run_update(st, s, plan, *w);
}

}  // namespace kite::apiserver
