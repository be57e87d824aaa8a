#include "server/controllers/daemonset/daemon_pods.h"

#include <algorithm>
#include <charconv>

#include "server/controllers/daemonset/node_eligibility.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/revision_hash.h"

namespace kite::controllers::daemonset {

namespace {

using history::meta_string;

const json& field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

json name_term(const std::string& node_name) {
  return json{{"matchFields", json::array({{{"key", "metadata.name"},
                                            {"operator", "In"},
                                            {"values", json::array({node_name})}}})}};
}

const json& rolling_update(const json& ds) { return field(field(field(ds, "spec"), "updateStrategy"), "rollingUpdate"); }

}  // namespace

json replace_node_name_affinity(json affinity, const std::string& node_name) {
  if (!affinity.is_object()) affinity = json::object();
  json& na = affinity["nodeAffinity"];
  if (!na.is_object()) na = json::object();
  json& required = na["requiredDuringSchedulingIgnoredDuringExecution"];
  if (!required.is_object()) required = json::object();
  required["nodeSelectorTerms"] = json::array({name_term(node_name)});
  return affinity;
}

json daemon_pod_for_node(const json& ds, const std::string& hash, const std::string& node_name) {
  const json& tmpl = field(field(ds, "spec"), "template");
  const json& tmeta = field(tmpl, "metadata");
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", json::object()}};
  json& meta = pod["metadata"];
  meta["labels"] = field(tmeta, "labels").is_object() ? field(tmeta, "labels") : json::object();
  if (!hash.empty()) meta["labels"][history::kRevisionHashLabel] = hash;
  if (field(tmeta, "annotations").is_object()) meta["annotations"] = tmeta["annotations"];
  if (field(tmeta, "finalizers").is_array()) meta["finalizers"] = tmeta["finalizers"];
  meta["generateName"] = meta_string(ds, "name") + "-";
  meta["namespace"] = meta_string(ds, "namespace");
  meta["ownerReferences"] = json::array({history::controller_ref(ds, "apps/v1", "DaemonSet")});
  pod["spec"] = field(tmpl, "spec").is_object() ? tmpl["spec"] : json::object();
  add_daemon_tolerations(pod["spec"]);
  pod["spec"]["affinity"] = replace_node_name_affinity(field(pod["spec"], "affinity"), node_name);
  return pod;
}

std::string target_node_name(const json& pod) {
  const json& spec = field(pod, "spec");
  if (field(spec, "nodeName").is_string() && !spec["nodeName"].get<std::string>().empty())
    return spec["nodeName"].get<std::string>();
  const json& terms = field(
      field(field(field(spec, "affinity"), "nodeAffinity"), "requiredDuringSchedulingIgnoredDuringExecution"),
      "nodeSelectorTerms");
  if (!terms.is_array()) return "";
  for (const auto& term : terms) {
    const json& fields = field(term, "matchFields");
    if (!fields.is_array()) continue;
    for (const auto& req : fields) {
      if (field(req, "key") == "metadata.name" && field(req, "operator") == "In" && field(req, "values").is_array() &&
          req["values"].size() == 1 && req["values"][0].is_string())
        return req["values"][0].get<std::string>();
    }
  }
  return "";
}

bool is_pod_updated(const json& pod, const std::string& hash) {
  if (hash.empty()) return false;
  const json& labels = field(field(pod, "metadata"), "labels");
  const json& v = field(labels, history::kRevisionHashLabel);
  return v.is_string() && v.get<std::string>() == hash;
}

bool pod_before(const json& a, const json& b) {
  const bool sa = field(field(a, "spec"), "nodeName").is_string() && !a["spec"]["nodeName"].get<std::string>().empty();
  const bool sb = field(field(b, "spec"), "nodeName").is_string() && !b["spec"]["nodeName"].get<std::string>().empty();
  if (sa != sb) return sa;
  std::string ca = meta_string(a, "creationTimestamp"), cb = meta_string(b, "creationTimestamp");
  if (ca != cb) return ca < cb;
  return meta_string(a, "name") < meta_string(b, "name");
}

void sort_pods(std::vector<client::ObjectPtr>& pods) {
  std::sort(pods.begin(), pods.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    return pod_before(*a, *b);
  });
}

int64_t scaled_int_or_percent(const json& value, int64_t total) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return 0;
  std::string s = value.get<std::string>();
  if (s.empty() || s.back() != '%') {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    return ec == std::errc() && p == s.data() + s.size() ? n : 0;
  }
  int64_t pct = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, pct);
  if (ec != std::errc() || p != s.data() + s.size() - 1) return 0;
  return (pct * total + 99) / 100;
}

bool is_rolling_update(const json& ds) {
  const json& type = field(field(field(ds, "spec"), "updateStrategy"), "type");
  return !type.is_string() || type.get<std::string>() == "RollingUpdate";
}

int64_t max_unavailable(const json& ds, int64_t desired) {
  if (!is_rolling_update(ds)) return 0;
  const json& ru = rolling_update(ds);
  if (!ru.is_object()) return 1;  // the API default
  const json& v = field(ru, "maxUnavailable");
  return v.is_null() ? 1 : scaled_int_or_percent(v, desired);
}

int64_t max_surge(const json& ds, int64_t desired) {
  if (!is_rolling_update(ds)) return 0;
  return scaled_int_or_percent(field(rolling_update(ds), "maxSurge"), desired);
}

bool allows_surge(const json& ds) {
  if (!is_rolling_update(ds)) return false;
  // Any non-zero value (1 node or 1%) allows surge.
  return scaled_int_or_percent(field(rolling_update(ds), "maxSurge"), 100) != 0;
}

int64_t min_ready_seconds(const json& ds) {
  const json& v = field(field(ds, "spec"), "minReadySeconds");
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}

int64_t revision_history_limit(const json& ds) {
  const json& v = field(field(ds, "spec"), "revisionHistoryLimit");
  return v.is_number_integer() ? v.get<int64_t>() : 10;
}

}  // namespace kite::controllers::daemonset
