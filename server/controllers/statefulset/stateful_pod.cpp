#include "server/controllers/statefulset/stateful_pod.h"

#include <cctype>

#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/pod_readiness.h"
#include "server/controllers/history/revision_hash.h"

namespace kite::controllers::statefulset {

namespace {

const json& spec_of(const json& set) {
  static const json kEmpty = json::object();
  auto s = set.find("spec");
  return s != set.end() && s->is_object() ? *s : kEmpty;
}

int64_t int_at(const json& obj, const char* key, int64_t dflt) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : dflt;
}

const json& update_strategy(const json& set) {
  static const json kEmpty = json::object();
  const json& spec = spec_of(set);
  auto it = spec.find("updateStrategy");
  return it != spec.end() && it->is_object() ? *it : kEmpty;
}

json& labels_of(json& obj) {
  json& labels = obj["metadata"]["labels"];
  if (!labels.is_object()) labels = json::object();
  return labels;
}

}  // namespace

int64_t replicas_of(const json& set) { return int_at(spec_of(set), "replicas", 1); }

int64_t start_ordinal(const json& set) {
  const json& spec = spec_of(set);
  auto it = spec.find("ordinals");
  if (it == spec.end() || !it->is_object()) return 0;
  return int_at(*it, "start", 0);
}

int64_t min_ready_seconds(const json& set) { return int_at(spec_of(set), "minReadySeconds", 0); }

bool allows_burst(const json& set) { return spec_of(set).value("podManagementPolicy", "OrderedReady") == "Parallel"; }

bool is_on_delete(const json& set) { return update_strategy(set).value("type", "RollingUpdate") == "OnDelete"; }

bool has_rolling_update_params(const json& set) {
  const json& us = update_strategy(set);
  auto it = us.find("rollingUpdate");
  return it != us.end() && it->is_object();
}

int64_t partition_of(const json& set) {
  if (!has_rolling_update_params(set)) return 0;
  return int_at(update_strategy(set)["rollingUpdate"], "partition", 0);
}

int64_t revision_history_limit(const json& set) { return int_at(spec_of(set), "revisionHistoryLimit", 10); }

std::string pod_name(const json& set, int64_t ordinal) {
  return history::meta_string(set, "name") + "-" + std::to_string(ordinal);
}

void parent_and_ordinal(const std::string& name, std::string* parent, int64_t* ordinal) {
  *parent = "";
  *ordinal = -1;
  auto dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 >= name.size()) return;
  std::string digits = name.substr(dash + 1);
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return;
  }
  if (digits.size() > 9) return;  // does not fit the int32 ordinal Kubernetes parses
  *parent = name.substr(0, dash);
  *ordinal = std::stoll(digits);
}

int64_t ordinal_of(const json& pod) {
  std::string parent;
  int64_t ordinal;
  parent_and_ordinal(history::meta_string(pod, "name"), &parent, &ordinal);
  return ordinal;
}

bool is_member_of(const json& set, const json& pod) {
  std::string parent;
  int64_t ordinal;
  parent_and_ordinal(history::meta_string(pod, "name"), &parent, &ordinal);
  return parent == history::meta_string(set, "name");
}

bool in_ordinal_range(const json& set, int64_t ordinal) {
  int64_t start = start_ordinal(set);
  return ordinal >= start && ordinal < start + replicas_of(set);
}

bool is_created(const json& pod) { return !history::pod_phase(pod).empty(); }
bool is_terminating(const json& pod) { return history::being_deleted(pod); }
bool is_failed(const json& pod) { return history::pod_phase(pod) == "Failed"; }
bool is_succeeded(const json& pod) { return history::pod_phase(pod) == "Succeeded"; }
bool is_pending(const json& pod) { return history::pod_phase(pod) == "Pending"; }

bool is_running_and_ready(const json& pod) {
  return history::pod_phase(pod) == "Running" && history::is_pod_ready(pod);
}

bool is_running_and_available(const json& pod, int64_t min_ready, std::chrono::system_clock::time_point now) {
  return history::pod_phase(pod) == "Running" && history::is_pod_available(pod, min_ready, now);
}

bool is_healthy(const json& pod) { return is_running_and_ready(pod) && !is_terminating(pod); }

std::string pod_revision(const json& pod) {
  auto m = pod.find("metadata");
  if (m == pod.end() || !m->contains("labels") || !(*m)["labels"].is_object()) return "";
  return (*m)["labels"].value(history::kRevisionHashLabel, "");
}

std::vector<std::pair<std::string, json>> claims_for(const json& set, int64_t ordinal) {
  std::vector<std::pair<std::string, json>> out;
  const json& spec = spec_of(set);
  auto vct = spec.find("volumeClaimTemplates");
  if (vct == spec.end() || !vct->is_array()) return out;
  json match_labels = json::object();
  if (auto sel = spec.find("selector"); sel != spec.end() && sel->is_object()) {
    if (auto ml = sel->find("matchLabels"); ml != sel->end() && ml->is_object()) match_labels = *ml;
  }
  for (const auto& tmpl : *vct) {
    if (!tmpl.is_object()) continue;
    std::string tname = history::meta_string(tmpl, "name");
    json claim = {{"apiVersion", "v1"}, {"kind", "PersistentVolumeClaim"}};
    json meta = tmpl.contains("metadata") && tmpl["metadata"].is_object() ? tmpl["metadata"] : json::object();
    for (const char* drop : {"uid", "resourceVersion", "creationTimestamp", "generation", "ownerReferences",
                             "deletionTimestamp", "managedFields", "selfLink", "generateName"})
      meta.erase(drop);
    meta["name"] = tname + "-" + history::meta_string(set, "name") + "-" + std::to_string(ordinal);
    meta["namespace"] = history::meta_string(set, "namespace");
    json labels = meta.contains("labels") && meta["labels"].is_object() ? meta["labels"] : json::object();
    for (auto& [k, v] : match_labels.items()) labels[k] = v;
    if (!labels.empty()) meta["labels"] = labels;
    claim["metadata"] = meta;
    claim["spec"] = tmpl.contains("spec") ? tmpl["spec"] : json::object();
    out.emplace_back(tname, std::move(claim));
  }
  return out;
}

void update_identity(const json& set, json& pod) {
  int64_t ordinal = ordinal_of(pod);
  std::string name = pod_name(set, ordinal);
  pod["metadata"]["name"] = name;
  pod["metadata"]["namespace"] = history::meta_string(set, "namespace");
  json& labels = labels_of(pod);
  labels[kPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
}

void update_storage(const json& set, json& pod) {
  auto claims = claims_for(set, ordinal_of(pod));
  json& spec = pod["spec"];
  json current = spec.contains("volumes") && spec["volumes"].is_array() ? spec["volumes"] : json::array();
  if (claims.empty() && !spec.contains("volumes")) return;
  json volumes = json::array();
  for (const auto& [tname, claim] : claims) {
    volumes.push_back({{"name", tname},
                       {"persistentVolumeClaim", {{"claimName", claim["metadata"]["name"]}, {"readOnly", false}}}});
  }
  for (const auto& v : current) {
    bool replaced = false;
    for (const auto& [tname, claim] : claims) replaced = replaced || v.value("name", "") == tname;
    if (!replaced) volumes.push_back(v);
  }
  spec["volumes"] = volumes;
}

json new_stateful_pod(const json& set, int64_t ordinal, const std::string& revision_name) {
  const json& spec = spec_of(set);
  json tmpl = spec.contains("template") && spec["template"].is_object() ? spec["template"] : json::object();
  json tmeta = tmpl.contains("metadata") && tmpl["metadata"].is_object() ? tmpl["metadata"] : json::object();
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", json::object()}};
  json& meta = pod["metadata"];
  meta["labels"] = tmeta.contains("labels") && tmeta["labels"].is_object() ? tmeta["labels"] : json::object();
  if (tmeta.contains("annotations") && tmeta["annotations"].is_object()) meta["annotations"] = tmeta["annotations"];
  if (tmeta.contains("finalizers") && tmeta["finalizers"].is_array()) meta["finalizers"] = tmeta["finalizers"];
  meta["generateName"] = history::meta_string(set, "name") + "-";
  meta["ownerReferences"] = json::array({history::controller_ref(set, "apps/v1", "StatefulSet")});
  pod["spec"] = tmpl.contains("spec") && tmpl["spec"].is_object() ? tmpl["spec"] : json::object();
  meta["name"] = pod_name(set, ordinal);
  update_identity(set, pod);
  pod["spec"]["hostname"] = pod_name(set, ordinal);
  if (std::string svc = spec.value("serviceName", ""); !svc.empty()) pod["spec"]["subdomain"] = svc;
  update_storage(set, pod);
  pod["metadata"]["labels"][history::kRevisionHashLabel] = revision_name;
  return pod;
}

bool identity_matches(const json& set, const json& pod) {
  std::string parent;
  int64_t ordinal;
  std::string name = history::meta_string(pod, "name");
  parent_and_ordinal(name, &parent, &ordinal);
  if (ordinal < 0 || parent != history::meta_string(set, "name")) return false;
  if (name != pod_name(set, ordinal)) return false;
  if (history::meta_string(pod, "namespace") != history::meta_string(set, "namespace")) return false;
  auto m = pod.find("metadata");
  if (m == pod.end() || !m->contains("labels") || !(*m)["labels"].is_object()) return false;
  const json& labels = (*m)["labels"];
  return labels.value(kPodNameLabel, "") == name && labels.value(kPodIndexLabel, "") == std::to_string(ordinal);
}

bool storage_matches(const json& set, const json& pod) {
  int64_t ordinal = ordinal_of(pod);
  if (ordinal < 0) return false;
  auto claims = claims_for(set, ordinal);
  if (claims.empty()) return true;
  auto s = pod.find("spec");
  if (s == pod.end() || !s->contains("volumes") || !(*s)["volumes"].is_array()) return false;
  for (const auto& [tname, claim] : claims) {
    bool found = false;
    for (const auto& v : (*s)["volumes"]) {
      if (v.value("name", "") != tname) continue;
      found = v.contains("persistentVolumeClaim") && v["persistentVolumeClaim"].is_object() &&
              v["persistentVolumeClaim"].value("claimName", "") == claim["metadata"]["name"].get<std::string>();
      break;
    }
    if (!found) return false;
  }
  return true;
}

}  // namespace kite::controllers::statefulset
