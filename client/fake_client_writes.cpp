// FakeClient's write rules, mirroring server/apiserver: update (resourceVersion precondition,
// status subresource, no-op writes, deletion once the last finalizer is gone), delete
// (preconditions, propagation finalizers, graceful deletion of pods bound to a node), pod
// binding and eviction (guarded by PodDisruptionBudgets).
#include "base/ids.h"
#include "client/fake_client_state.h"

namespace kite::client {

using fake::ObjectPtr;

namespace {

std::string key_of(const std::string& ns, const std::string& name) { return ns.empty() ? name : ns + "/" + name; }

json without_rv(json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) obj["metadata"].erase("resourceVersion");
  return obj;
}

void add_finalizer(json& meta, const std::string& f) {
  auto& list = meta["finalizers"];
  if (!list.is_array()) list = json::array();
  for (const auto& x : list) {
    if (x == f) return;
  }
  list.push_back(f);
}

bool namespace_pending(const ResourceRef& r, const json& obj) {
  if (!fake::is_kind(r, "namespaces")) return false;
  auto spec = obj.find("spec");
  if (spec == obj.end() || !spec->is_object()) return false;
  auto f = spec->find("finalizers");
  return f != spec->end() && f->is_array() && !f->empty();
}

// The grace period a pod deletion waits for its node agent to confirm; 0 = delete now.
int64_t pod_grace_period(const json& pod, const DeleteOptions& o) {
  const json& spec = pod.value("spec", json::object());
  std::string phase = pod.value("status", json::object()).value("phase", "");
  if (spec.value("nodeName", "").empty() || phase == "Succeeded" || phase == "Failed") return 0;
  int64_t grace = o.grace_period_seconds.value_or(spec.value("terminationGracePeriodSeconds", int64_t{30}));
  return grace < 0 ? 0 : grace;
}

json success_status(int code) {
  json status = base::Status().to_json();
  status["code"] = code;
  return status;
}

}  // namespace

base::Result<json> FakeClient::State::update_locked(const ResourceRef& r, json obj, const std::string& subresource) {
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  auto& meta = obj["metadata"];
  std::string name = meta.value("name", "");
  std::string ns = r.namespaced ? meta.value("namespace", "") : "";
  if (name.empty()) return base::error(base::Reason::BadRequest, "metadata.name is required for an update");
  if (r.namespaced && ns.empty()) return base::error(base::Reason::BadRequest, "metadata.namespace is required for an update");
  if (!r.namespaced) meta.erase("namespace");
  bool status_only = subresource == "status";
  bool finalize = subresource == "finalize" && fake::is_kind(r, "namespaces");
  if (!subresource.empty() && !status_only && !finalize) {
    return base::error(base::Reason::NotFound, "the server could not find the requested resource (put " +
                                                   r.resource + "/" + subresource + ")");
  }
  std::string rid = fake::resource_id(r);
  std::string key = key_of(ns, name);
  ObjectPtr current = find(rid, key);
  if (!current) return base::error(fake::not_found(r, name));
  const json& old = *current;
  std::string current_rv = old["metadata"].value("resourceVersion", "");
  std::string precondition = meta.contains("resourceVersion") && meta["resourceVersion"].is_string()
                                 ? meta["resourceVersion"].get<std::string>()
                                 : "";
  if (!precondition.empty() && precondition != current_rv) {
    return base::error(fake::conflict(r, name, "the object has been modified; please apply your changes to the "
                                               "latest version and try again"));
  }
  if (finalize) {
    json next = old;
    next["spec"]["finalizers"] = obj.value("spec", json::object()).value("finalizers", json::array());
    obj = std::move(next);
  } else {
    auto info = fake::resource_info(r);
    if (auto a = fake::admit_mutations(r, obj, false); !a.is_ok()) return base::error(a);
    fake::prepare_for_update(r, info.get(), old, obj, status_only);
    fake::set_type_meta(r, info.get(), obj);
  }
  obj["metadata"]["resourceVersion"] = current_rv;
  // An object being deleted goes away once its last finalizer is removed.
  if (fake::is_deleting(old) && !fake::has_finalizers(obj) && !namespace_pending(r, obj)) {
    erase(rid, key, std::make_shared<const json>(obj));
    return obj;
  }
  if (without_rv(obj) == without_rv(old)) return old;  // nothing changed: no write
  obj["metadata"]["resourceVersion"] = next_rv();
  return *put(rid, key, std::move(obj));
}

base::Result<json> FakeClient::State::delete_locked(const ResourceRef& r, const std::string& ns_in,
                                                    const std::string& name, const DeleteOptions& o) {
  std::string ns = r.namespaced ? ns_in : "";
  std::string rid = fake::resource_id(r);
  std::string key = key_of(ns, name);
  ObjectPtr current = find(rid, key);
  if (!current) return base::error(fake::not_found(r, name));
  json obj = *current;
  auto& meta = obj["metadata"];
  if (!o.precondition_uid.empty() && o.precondition_uid != meta.value("uid", "")) {
    return base::error(fake::conflict(r, name, "Precondition failed: UID in precondition: " + o.precondition_uid +
                                                   ", UID in object meta: " + meta.value("uid", "")));
  }
  if (!o.precondition_resource_version.empty() &&
      o.precondition_resource_version != meta.value("resourceVersion", "")) {
    return base::error(fake::conflict(r, name, "Precondition failed: ResourceVersion in precondition: " +
                                                   o.precondition_resource_version + ", ResourceVersion in meta: " +
                                                   meta.value("resourceVersion", "")));
  }
  if (!o.propagation_policy.empty() && o.propagation_policy != "Orphan" && o.propagation_policy != "Background" &&
      o.propagation_policy != "Foreground") {
    return base::error(base::Reason::Invalid, "propagationPolicy: Unsupported value: \"" + o.propagation_policy +
                                                  "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  }
  bool already_deleting = fake::is_deleting(obj);
  auto now = this->now();
  if (o.propagation_policy == "Foreground") add_finalizer(meta, "foregroundDeletion");
  if (o.propagation_policy == "Orphan") add_finalizer(meta, "orphan");
  int64_t grace = fake::is_kind(r, "pods") ? pod_grace_period(obj, o) : 0;
  bool ns_pending = namespace_pending(r, obj);
  if (grace > 0 || fake::has_finalizers(obj) || ns_pending) {
    // Deletion is pending: mark it and let the finalizers / the node agent finish it.
    if (!already_deleting || (grace > 0 && grace < meta.value("deletionGracePeriodSeconds", int64_t{1} << 40))) {
      meta["deletionTimestamp"] = base::rfc3339(now + std::chrono::seconds(grace));
      meta["deletionGracePeriodSeconds"] = grace;
    }
    if (ns_pending) obj["status"]["phase"] = "Terminating";
    if (obj == *current || o.dry_run) return obj;
    obj["metadata"]["resourceVersion"] = next_rv();
    return *put(rid, key, std::move(obj));
  }
  if (o.dry_run) return obj;
  erase(rid, key, current);
  return obj;
}

base::Result<json> FakeClient::State::bind_locked(const ResourceRef& r, const std::string& ns,
                                                  const std::string& name, const json& body) {
  if (!body.is_object()) return base::error(base::Reason::BadRequest, "Binding must be a JSON object");
  std::string pod_name = name.empty() ? body.value("metadata", json::object()).value("name", "") : name;
  std::string node = body.value("target", json::object()).value("name", "");
  if (pod_name.empty() || node.empty()) {
    return base::error(base::Reason::Invalid, "Binding is invalid: metadata.name and target.name are required");
  }
  std::string rid = fake::resource_id(r);
  std::string key = key_of(ns, pod_name);
  ObjectPtr current = find(rid, key);
  if (!current) return base::error(fake::not_found(r, pod_name));
  json pod = *current;
  if (fake::is_deleting(pod)) {
    return base::error(fake::conflict(r, pod_name, "pod is being deleted, cannot be assigned to a host"));
  }
  std::string existing = pod["spec"].value("nodeName", "");
  if (!existing.empty()) {
    return base::error(fake::conflict(r, pod_name, "pod " + pod_name + " is already assigned to node \"" + existing + "\""));
  }
  pod["spec"]["nodeName"] = node;
  pod["metadata"]["resourceVersion"] = next_rv();
  put(rid, key, pod);
  // The PodScheduled condition is status: a second write, as the server records it.
  auto& conds = pod["status"]["conditions"];
  if (!conds.is_array()) conds = json::array();
  json c = {{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr},
            {"lastTransitionTime", base::rfc3339(now())}};
  bool found = false;
  for (auto& x : conds) {
    if (x.value("type", "") == "PodScheduled") {
      x = c;
      found = true;
    }
  }
  if (!found) conds.push_back(c);
  pod["metadata"]["resourceVersion"] = next_rv();
  put(rid, key, std::move(pod));
  return success_status(201);
}

base::Result<json> FakeClient::State::evict_locked(const ResourceRef& r, const std::string& ns,
                                                   const std::string& name, const json& body) {
  ObjectPtr current = find(fake::resource_id(r), key_of(ns, name));
  if (!current) return base::error(fake::not_found(r, name));
  const json& pod = *current;
  // PodDisruptionBudgets in the namespace that select this pod must allow a disruption.
  if (!fake::is_deleting(pod)) {
    json labels = pod["metadata"].value("labels", json::object());
    auto pdbs = objects.find(fake::resource_id(resources::kPodDisruptionBudgets));
    if (pdbs != objects.end()) {
      for (auto it = pdbs->second.lower_bound(ns + "/"); it != pdbs->second.end() && it->first.starts_with(ns + "/"); ++it) {
        const json& pdb = *it->second;
        auto sel = api::LabelSelector::from_json(pdb.value("spec", json::object()).value("selector", json(nullptr)));
        if (!sel || !sel->matches(labels)) continue;
        const json status = pdb.value("status", json::object());
        int64_t allowed = status.value("disruptionsAllowed", int64_t{0});
        bool observed = status.value("observedGeneration", int64_t{0}) >=
                        pdb["metadata"].value("generation", int64_t{1});
        if (!observed || allowed <= 0) {
          base::Status tm(base::Reason::TooManyRequests, "Cannot evict pod as it would violate the pod's disruption budget.");
          tm.with_cause({"DisruptionBudget", "The disruption budget " + pdb["metadata"].value("name", "") + " needs " +
                                                 std::to_string(status.value("desiredHealthy", 0)) +
                                                 " healthy pods and has " +
                                                 std::to_string(status.value("currentHealthy", 0)) + " currently",
                         ""});
          tm.with_details(name, "policy", "poddisruptionbudgets");
          return base::error(tm);
        }
      }
    }
  }
  DeleteOptions o;
  if (body.is_object() && body.contains("deleteOptions") && body["deleteOptions"].is_object()) {
    const json& d = body["deleteOptions"];
    if (d.contains("gracePeriodSeconds") && d["gracePeriodSeconds"].is_number_integer()) {
      o.grace_period_seconds = d["gracePeriodSeconds"].get<int64_t>();
    }
    o.propagation_policy = d.value("propagationPolicy", "");
    if (d.contains("preconditions") && d["preconditions"].is_object()) {
      o.precondition_uid = d["preconditions"].value("uid", "");
      o.precondition_resource_version = d["preconditions"].value("resourceVersion", "");
    }
  }
  auto deleted = delete_locked(r, ns, name, o);
  if (!deleted) return deleted;
  return success_status(201);
}

}  // namespace kite::client
