// Subresources other than status: scale (autoscaling/v1 Scale over spec.replicas), pod
// binding (the scheduler's write), pod eviction (deletion guarded by PodDisruptionBudgets)
// and namespace finalize.
#include "api/patch/json_patch.h"
#include "api/patch/merge_patch.h"
#include "api/selector/label_selector.h"
#include "base/ids.h"
#include "server/apiserver/write_pipeline.h"

namespace kite::apiserver {

namespace {

// Reads a dotted path like ".spec.replicas".
const json* at_path(const json& obj, const std::string& path) {
  const json* cur = &obj;
  size_t pos = path.starts_with(".") ? 1 : 0;
  while (pos < path.size()) {
    size_t dot = path.find('.', pos);
    if (dot == std::string::npos) dot = path.size();
    std::string part = path.substr(pos, dot - pos);
    if (!cur->is_object() || !cur->contains(part)) return nullptr;
    cur = &(*cur)[part];
    pos = dot + 1;
  }
  return cur;
}

void set_path(json& obj, const std::string& path, json value) {
  json* cur = &obj;
  size_t pos = path.starts_with(".") ? 1 : 0;
  while (pos < path.size()) {
    size_t dot = path.find('.', pos);
    if (dot == std::string::npos) dot = path.size();
    cur = &(*cur)[path.substr(pos, dot - pos)];
    pos = dot + 1;
  }
  *cur = std::move(value);
}

struct ScalePaths {
  std::string spec = ".spec.replicas", status = ".status.replicas", selector;
};

ScalePaths scale_paths(const api::ResourceInfo& r) {
  ScalePaths p;
  if (r.custom) {
    p.spec = r.scale_spec_replicas_path;
    p.status = r.scale_status_replicas_path;
    p.selector = r.scale_label_selector_path;
  }
  return p;
}

json to_scale(const api::ResourceInfo& r, const json& obj) {
  auto paths = scale_paths(r);
  const json& meta = obj["metadata"];
  json scale_meta = json::object();
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (meta.contains(f)) scale_meta[f] = meta[f];
  }
  const json* spec = at_path(obj, paths.spec);
  const json* status = at_path(obj, paths.status);
  std::string selector;
  if (!paths.selector.empty()) {
    if (const json* sel = at_path(obj, paths.selector); sel && sel->is_string()) selector = sel->get<std::string>();
  } else if (const json* sel = at_path(obj, ".spec.selector"); sel && sel->is_object()) {
    if (auto ls = api::LabelSelector::from_json(*sel)) selector = ls->to_string();
  }
  json out = {{"kind", "Scale"},
              {"apiVersion", "autoscaling/v1"},
              {"metadata", scale_meta},
              {"spec", {{"replicas", spec && spec->is_number_integer() ? spec->get<int64_t>() : 0}}},
              {"status", {{"replicas", status && status->is_number_integer() ? status->get<int64_t>() : 0}}}};
  if (!selector.empty()) out["status"]["selector"] = selector;
  return out;
}

Response scale_update(ServerState& st, Scope& s, bool patch) {
  auto w = write_options(s.req);
  if (!w) return status_response(w.error());
  json body = json::parse(s.req.body, nullptr, false);
  if (body.is_discarded()) return status_response(bad_request("the request body is not valid JSON"));
  std::string ct = s.req.header("content-type");
  ct = ct.substr(0, ct.find(';'));
  if (patch && ct != "application/merge-patch+json" && ct != "application/json-patch+json" &&
      ct != "application/strategic-merge-patch+json") {
    return status_response(base::Status(Reason::UnsupportedMediaType, "unsupported patch type " + ct + " for scale"));
  }
  UpdatePlan plan;
  plan.mutate = [&, body, patch, ct](const json& current) -> Result<json> {
    json scale = to_scale(*s.resource, current);
    json next;
    if (!patch) {
      next = body;
    } else if (ct == "application/json-patch+json") {
      auto r = api::apply_json_patch(scale, body);
      if (!r) return r;
      next = std::move(*r);
    } else {
      next = api::apply_merge_patch(scale, body);
    }
    if (!next.is_object() || !next.contains("spec") || !next["spec"].contains("replicas") ||
        !next["spec"]["replicas"].is_number_integer()) {
      return base::error(base::Status(Reason::Invalid, "Scale.autoscaling \"" + s.info.name +
                                                           "\" is invalid: spec.replicas: Required value"));
    }
    int64_t replicas = next["spec"]["replicas"].get<int64_t>();
    if (replicas < 0) {
      return base::error(base::Status(Reason::Invalid, "Scale.autoscaling \"" + s.info.name +
                                                           "\" is invalid: spec.replicas: Invalid value: " +
                                                           std::to_string(replicas) + ": must be greater than or equal to 0"));
    }
    json obj = current;
    set_path(obj, scale_paths(*s.resource).spec, replicas);
    std::string rv = next.value("metadata", json::object()).value("resourceVersion", "");
    if (!patch && !rv.empty()) {
      obj["metadata"]["resourceVersion"] = rv;
    } else {
      obj["metadata"].erase("resourceVersion");
    }
    return obj;
  };
  Response r = run_update(st, s, plan, *w);
  if (r.status != 200) return r;
  json obj = json::parse(r.body, nullptr, false);
  return with_warnings(json_response(200, to_scale(*s.resource, obj)), w->warnings);
}

}  // namespace

Response rest_scale(ServerState& st, Scope& s) {
  if (s.info.verb == "get") {
    auto current = read_object(st, *s.resource, object_key(s, s.info.name), s.info.name);
    if (!current) return status_response(current.error());
    return json_response(200, to_scale(*s.resource, current->object));
  }
  if (s.info.verb == "update") return scale_update(st, s, false);
  if (s.info.verb == "patch") return scale_update(st, s, true);
  return status_response(method_not_supported(s));
}

Response rest_binding(ServerState& st, Scope& s) {
  if (s.info.verb != "create") return status_response(method_not_supported(s));
  auto body = decode_body(s.req, s.registry);
  if (!body) return status_response(body.error());
  if (!body->is_object()) return status_response(bad_request("Binding must be a JSON object"));
  std::string pod_name = s.info.name.empty() ? body->value("metadata", json::object()).value("name", "") : s.info.name;
  std::string node = body->value("target", json::object()).value("name", "");
  if (pod_name.empty() || node.empty()) {
    return status_response(base::Status(Reason::Invalid, "Binding is invalid: metadata.name and target.name are required"));
  }
  auto pods = st.registry->find("", "v1", "pods");
  Scope pod_scope{s.req, s.info, pods, s.user, s.registry};
  pod_scope.info.name = pod_name;
  pod_scope.info.subresource.clear();
  WriteOptions w;
  UpdatePlan plan;
  plan.mutate = [&](const json& current) -> Result<json> {
    json pod = current;
    pod["metadata"].erase("resourceVersion");
    if (pod["metadata"].contains("deletionTimestamp")) {
      return base::error(conflict(*pods, pod_name, "pod is being deleted, cannot be assigned to a host"));
    }
    std::string existing = pod["spec"].value("nodeName", "");
    if (!existing.empty()) {
      return base::error(conflict(*pods, pod_name, "pod " + pod_name + " is already assigned to node \"" + existing + "\""));
    }
    pod["spec"]["nodeName"] = node;
    return pod;
  };
  Response r = run_update(st, pod_scope, plan, w);
  if (r.status != 200) return r;
  // The PodScheduled condition is status: record it through the status path.
  UpdatePlan cond;
  cond.status_subresource = true;
  cond.mutate = [&](const json& current) -> Result<json> {
    json pod = current;
    pod["metadata"].erase("resourceVersion");
    auto& conds = pod["status"]["conditions"];
    if (!conds.is_array()) conds = json::array();
    json c = {{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr},
              {"lastTransitionTime", base::rfc3339(std::chrono::system_clock::now())}};
    bool found = false;
    for (auto& x : conds) {
      if (x.value("type", "") == "PodScheduled") {
        x = c;
        found = true;
      }
    }
    if (!found) conds.push_back(c);
    return pod;
  };
  Response r2 = run_update(st, pod_scope, cond, w);
  if (r2.status != 200) return r2;
  base::Status ok;
  json status = ok.to_json();
  status["code"] = 201;
  return json_response(201, status);
}

Response rest_eviction(ServerState& st, Scope& s) {
  if (s.info.verb != "create") return status_response(method_not_supported(s));
  auto body = decode_body(s.req, s.registry);
  if (!body) return status_response(body.error());
  auto pods = st.registry->find("", "v1", "pods");
  auto current = read_object(st, *pods, pods->key(s.info.namespace_, s.info.name), s.info.name);
  if (!current) return status_response(current.error());
  const json& pod = current->object;
  // PodDisruptionBudgets in the namespace that select this pod must allow a disruption; the
  // one that does is charged for it (disruptionsAllowed - 1, the pod recorded in
  // disruptedPods) before the pod is deleted, so two evictions cannot spend one disruption.
  // Terminal, pending and terminating pods are evicted without consulting budgets.
  auto pdbs = st.registry->find("policy", "v1", "poddisruptionbudgets");
  std::string phase = pod.value("status", json::object()).value("phase", "");
  bool ignore_pdbs = pod["metadata"].contains("deletionTimestamp") || phase == "Succeeded" || phase == "Failed" ||
                     phase == "Pending";
  if (pdbs && !ignore_pdbs) {
    auto page = st.cache->list(pdbs->storage_prefix + "/" + s.info.namespace_ + "/", nullptr, "", 0);
    json labels = pod["metadata"].value("labels", json::object());
    std::vector<std::string> matching;
    for (const auto& e : page.items) {
      json pdb = json::parse(*e->bytes, nullptr, false);
      if (!pdb.is_object()) continue;
      auto sel = api::LabelSelector::from_json(pdb["spec"].value("selector", json(nullptr)));
      if (sel && sel->matches(labels)) matching.push_back(pdb["metadata"].value("name", ""));
    }
    if (matching.size() > 1) {
      return status_response(base::Status(
          Reason::InternalError, "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."));
    }
    if (matching.size() == 1) {
      const std::string& pdb_name = matching[0];
      std::string pdb_key = pdbs->key(s.info.namespace_, pdb_name);
      bool charged = false;
      for (int attempt = 0; attempt < 5 && !charged; ++attempt) {
        auto stored = read_object(st, *pdbs, pdb_key, pdb_name);
        if (!stored) {
          if (stored.error().reason() == Reason::NotFound) {
            charged = true;  // the budget is gone
            break;
          }
          return status_response(stored.error());
        }
        json pdb = stored->object;
        json& status = pdb["status"];
        if (!status.is_object()) status = json::object();
        int64_t allowed = status.value("disruptionsAllowed", int64_t{0});
        bool observed = status.value("observedGeneration", int64_t{0}) >= pdb["metadata"].value("generation", int64_t{1});
        if (!observed) {
          base::Status tm(Reason::TooManyRequests, "Cannot evict pod as it would violate the pod's disruption budget.");
          tm.with_cause({"DisruptionBudget", "The disruption budget " + pdb_name +
                                                 " is still being processed by the server.", ""});
          tm.with_details(s.info.name, "policy", "poddisruptionbudgets");
          return status_response(tm);
        }
        if (allowed <= 0) {
          base::Status tm(Reason::TooManyRequests, "Cannot evict pod as it would violate the pod's disruption budget.");
          tm.with_cause({"DisruptionBudget", "The disruption budget " + pdb_name + " needs " +
                                                 std::to_string(status.value("desiredHealthy", 0)) +
                                                 " healthy pods and has " +
                                                 std::to_string(status.value("currentHealthy", 0)) + " currently", ""});
          tm.with_details(s.info.name, "policy", "poddisruptionbudgets");
          return status_response(tm);
        }
        base::Status dry_run_error;
        if (is_dry_run(s.req, &dry_run_error)) {
          charged = true;
          break;
        }
        status["disruptionsAllowed"] = allowed - 1;
        if (allowed - 1 == 0 && status.contains("conditions") && status["conditions"].is_array()) {
          for (auto& c : status["conditions"]) {
            if (c.value("type", "") != "DisruptionAllowed" || c.value("status", "") == "False") continue;
            c["status"] = "False";
            c["reason"] = "InsufficientPods";
            c["message"] = "";
            c["lastTransitionTime"] = base::rfc3339(std::chrono::system_clock::now());
          }
        }
        if (!status.contains("disruptedPods") || !status["disruptedPods"].is_object()) {
          status["disruptedPods"] = json::object();
        }
        status["disruptedPods"][s.info.name] = base::rfc3339(std::chrono::system_clock::now());
        pdb["metadata"].erase("resourceVersion");
        auto written = update_object(st, *pdbs, pdb_key, pdb, stored->mod_revision);
        if (written) {
          charged = true;
        } else if (written.error().reason() != Reason::Conflict) {
          return status_response(written.error());
        }
      }
      if (!charged) {
        return status_response(base::Status(Reason::Conflict, "the PodDisruptionBudget " + pdb_name +
                                                                  " kept changing; please try the eviction again"));
      }
    }
  }
  // Delete the pod with the eviction's delete options.
  Request del = s.req;
  del.method = "DELETE";
  del.body = body->contains("deleteOptions") ? (*body)["deleteOptions"].dump() : "";
  del.headers["content-type"] = "application/json";
  Scope pod_scope{del, s.info, pods, s.user, s.registry};
  pod_scope.info.subresource.clear();
  pod_scope.info.verb = "delete";
  Response r = rest_delete(st, pod_scope);
  if (r.status != 200) return r;
  json status = base::Status().to_json();
  status["code"] = 201;
  return json_response(201, status);
}

Response rest_finalize(ServerState& st, Scope& s) {
  if (s.info.verb != "update") return status_response(method_not_supported(s));
  auto body = decode_body(s.req, s.registry);
  if (!body) return status_response(body.error());
  if (!body->is_object()) return status_response(bad_request("the request body must be a Namespace"));
  json finalizers = body->value("spec", json::object()).value("finalizers", json::array());
  if (!finalizers.is_array()) return status_response(bad_request("spec.finalizers must be a list"));
  WriteOptions w;
  UpdatePlan plan;
  plan.mutate = [&](const json& current) -> Result<json> {
    json ns = current;
    ns["metadata"].erase("resourceVersion");
    ns["spec"]["finalizers"] = finalizers;
    return ns;
  };
  Response r = run_update(st, s, plan, w);
  if (r.status != 200) return r;
  json ns = json::parse(r.body, nullptr, false);
  bool deleting = ns["metadata"].contains("deletionTimestamp");
  bool metadata_finalizers = ns["metadata"].contains("finalizers") && !ns["metadata"]["finalizers"].empty();
  if (deleting && finalizers.empty() && !metadata_finalizers) {
    auto d = delete_object(st, *s.resource, s.resource->key("", s.info.name), s.info.name, 0);
    if (!d && d.error().reason() != Reason::NotFound) return status_response(d.error());
  }
  return r;
}

}  // namespace kite::apiserver
