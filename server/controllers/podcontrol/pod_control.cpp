#include "server/controllers/podcontrol/pod_control.h"

#include <algorithm>

#include "server/controllers/podcontrol/object_fields.h"

namespace kite::controllers::podcontrol {

json pod_from_template(const json& pod_template, const json& owner, const json& controller_ref) {
  json meta = json::object();
  for (const char* key : {"labels", "annotations"}) {
    const json& v = field(pod_template, {"metadata", key});
    if (v.is_object() && !v.empty()) meta[key] = v;
  }
  const json& finalizers = field(pod_template, {"metadata", "finalizers"});
  if (finalizers.is_array() && !finalizers.empty()) meta["finalizers"] = finalizers;
  meta["generateName"] = name_of(owner) + "-";
  if (!controller_ref.is_null()) meta["ownerReferences"] = json::array({controller_ref});
  json spec = field(pod_template, {"spec"});
  if (!spec.is_object()) spec = json::object();
  return json{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}, {"spec", std::move(spec)}};
}

json with_kind(const json& obj, const OwnerKind& kind) {
  json out = obj;
  if (!out.contains("apiVersion") || !out["apiVersion"].is_string()) out["apiVersion"] = kind.api_version;
  if (!out.contains("kind") || !out["kind"].is_string()) out["kind"] = kind.kind;
  return out;
}

bool is_namespace_terminating(const base::Status& status) {
  return std::any_of(status.causes().begin(), status.causes().end(),
                     [](const base::StatusCause& c) { return c.type == "NamespaceTerminating"; });
}

base::Result<json> PodControl::create_pod(const std::string& ns, const json& pod_template, const json& owner,
                                          const json& controller_ref) {
  json pod = pod_from_template(pod_template, owner, controller_ref);
  if (!pod["metadata"].contains("labels")) {
    return base::error(base::Reason::Invalid, "unable to create pods, no labels");
  }
  auto created = client_.create(client::resources::kPods, ns, pod);
  if (!created) {
    if (!is_namespace_terminating(created.error())) {
      recorder_.event(owner, "Warning", "FailedCreate", "Error creating: " + created.error().message());
    }
    return created;
  }
  recorder_.event(owner, "Normal", "SuccessfulCreate", "Created pod: " + name_of(*created));
  return created;
}

base::Result<void> PodControl::delete_pod(const std::string& ns, const std::string& name, const json& owner) {
  auto removed = client_.remove(client::resources::kPods, ns, name);
  if (!removed) {
    if (removed.error().reason() == base::Reason::NotFound) return base::error(removed.error());
    recorder_.event(owner, "Warning", "FailedDelete", "Error deleting: " + removed.error().message());
    return base::error(base::Status(removed.error().reason(), "unable to delete pods: " + removed.error().message()));
  }
  recorder_.event(owner, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
  return {};
}

SlowStartResult slow_start_batch(int count, int initial_batch_size, const std::function<base::Result<void>()>& fn) {
  SlowStartResult result;
  int remaining = count;
  for (int batch = std::min(remaining, initial_batch_size); batch > 0; batch = std::min(2 * batch, remaining)) {
    int errors = 0;
    for (int i = 0; i < batch; ++i) {
      auto r = fn();
      if (!r) {
        if (errors++ == 0) result.first_error = r.error();
      }
    }
    result.successes += batch - errors;
    if (errors > 0) return result;
    remaining -= batch;
  }
  return result;
}

}  // namespace kite::controllers::podcontrol
