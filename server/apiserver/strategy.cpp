#include "server/apiserver/strategy.h"

#include <set>

namespace kite::apiserver {

namespace {

bool has_status_subresource(const api::ResourceInfo& r) { return r.has_subresource("status"); }

// Everything except metadata and status: what generation tracks.
json spec_part(const json& obj) {
  json out = obj;
  out.erase("metadata");
  out.erase("status");
  out.erase("apiVersion");
  out.erase("kind");
  return out;
}

const std::set<std::string>& server_owned_metadata() {
  static const std::set<std::string> fields = {"uid", "creationTimestamp", "generation", "deletionTimestamp",
                                               "deletionGracePeriodSeconds", "selfLink"};
  return fields;
}

}  // namespace

bool tracks_generation(const api::ResourceInfo& r) {
  if (r.custom) return true;
  static const std::set<std::string> groups = {"apps", "batch", "policy", "networking.k8s.io",
                                               "apiextensions.k8s.io"};
  return groups.count(r.group) > 0;
}

void prepare_for_create(const api::ResourceInfo& r, json& obj) {
  auto& meta = obj["metadata"];
  for (const auto& f : server_owned_metadata()) meta.erase(f);
  meta.erase("resourceVersion");
  if (tracks_generation(r)) meta["generation"] = 1;

  if (r.group.empty() && r.kind == "Pod") {
    json status = {{"phase", "Pending"}};
    obj["status"] = status;
    return;
  }
  if (r.group.empty() && r.kind == "Namespace") {
    obj["status"] = {{"phase", "Active"}};
    return;
  }
  if (r.group.empty() && (r.kind == "PersistentVolumeClaim" || r.kind == "PersistentVolume")) {
    obj["status"] = {{"phase", "Pending"}};
    return;
  }
  if (r.group.empty() && r.kind == "Node") return;  // a node registers with its status
  if (r.group.empty() && r.kind == "Service") {
    obj["status"] = {{"loadBalancer", json::object()}};
    return;
  }
  if (has_status_subresource(r)) obj.erase("status");
}

void generate_job_selector(const api::ResourceInfo& r, json& obj) {
  if (r.group != "batch" || r.kind != "Job" || !obj.contains("spec") || !obj["spec"].is_object()) return;
  auto& spec = obj["spec"];
  if (spec.value("manualSelector", false)) return;
  std::string uid = obj["metadata"].value("uid", "");
  std::string name = obj["metadata"].value("name", "");
  if (uid.empty()) return;
  auto& labels = spec["template"]["metadata"]["labels"];
  if (!labels.is_object()) labels = json::object();
  labels["batch.kubernetes.io/controller-uid"] = uid;
  labels["batch.kubernetes.io/job-name"] = name;
  labels["controller-uid"] = uid;
  labels["job-name"] = name;
  if (!spec.contains("selector") || spec["selector"].is_null()) {
    spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
  }
}

void prepare_for_update(const api::ResourceInfo& r, const json& old_obj, json& obj, bool status_subresource) {
  const json& old_meta = old_obj["metadata"];
  if (status_subresource) {
    // Only the status changes; metadata and spec stay as stored.
    json next = old_obj;
    if (obj.contains("status")) {
      next["status"] = obj["status"];
    } else {
      next.erase("status");
    }
    if (obj.contains("metadata") && obj["metadata"].contains("resourceVersion")) {
      next["metadata"]["resourceVersion"] = obj["metadata"]["resourceVersion"];
    }
    obj = std::move(next);
    return;
  }
  auto& meta = obj["metadata"];
  for (const auto& f : server_owned_metadata()) {
    if (old_meta.contains(f)) {
      meta[f] = old_meta[f];
    } else {
      meta.erase(f);
    }
  }
  if (has_status_subresource(r)) {
    if (old_obj.contains("status")) {
      obj["status"] = old_obj["status"];
    } else {
      obj.erase("status");
    }
  }
}

void update_generation(const api::ResourceInfo& r, const json& old_obj, json& obj) {
  if (!tracks_generation(r)) return;
  const json& old_meta = old_obj["metadata"];
  auto& meta = obj["metadata"];
  int64_t gen = old_meta.value("generation", int64_t{1});
  bool deleting_now = !old_meta.contains("deletionTimestamp") && meta.contains("deletionTimestamp");
  if (spec_part(old_obj) != spec_part(obj) || deleting_now) ++gen;
  meta["generation"] = gen;
}

}  // namespace kite::apiserver
