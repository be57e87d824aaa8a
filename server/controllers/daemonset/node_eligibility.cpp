#include "server/controllers/daemonset/node_eligibility.h"

#include <charconv>

namespace kite::controllers::daemonset {

namespace {

const json& field(const json& obj, const char* key) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string str(const json& obj, const char* key) {
  const json& v = field(obj, key);
  return v.is_string() ? v.get<std::string>() : "";
}

void add_or_update_toleration(json& spec, const json& toleration) {
  json& tolerations = spec["tolerations"];
  if (!tolerations.is_array()) tolerations = json::array();
  for (auto& t : tolerations) {
    if (str(t, "key") == str(toleration, "key") && str(t, "effect") == str(toleration, "effect") &&
        str(t, "operator") == str(toleration, "operator") && str(t, "value") == str(toleration, "value")) {
      t = toleration;
      return;
    }
  }
  tolerations.push_back(toleration);
}

bool parse_int(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// One requirement against a value (`has` says whether the label/field exists).
bool requirement_matches(const json& req, bool has, const std::string& value) {
  const std::string op = str(req, "operator");
  const json& values = field(req, "values");
  auto in_values = [&] {
    if (!values.is_array()) return false;
    for (const auto& v : values) {
      if (v.is_string() && v.get<std::string>() == value) return true;
    }
    return false;
  };
  if (op == "In") return has && in_values();
  if (op == "NotIn") return !has || !in_values();
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "Gt" || op == "Lt") {
    if (!has || !values.is_array() || values.size() != 1 || !values[0].is_string()) return false;
    int64_t lhs, rhs;
    if (!parse_int(value, &lhs) || !parse_int(values[0].get<std::string>(), &rhs)) return false;
    return op == "Gt" ? lhs > rhs : lhs < rhs;
  }
  return false;
}

}  // namespace

void add_daemon_tolerations(json& spec) {
  auto tol = [](const char* key, const char* effect) {
    return json{{"key", key}, {"operator", "Exists"}, {"effect", effect}};
  };
  add_or_update_toleration(spec, tol("node.kubernetes.io/not-ready", "NoExecute"));
  add_or_update_toleration(spec, tol("node.kubernetes.io/unreachable", "NoExecute"));
  add_or_update_toleration(spec, tol("node.kubernetes.io/disk-pressure", "NoSchedule"));
  add_or_update_toleration(spec, tol("node.kubernetes.io/memory-pressure", "NoSchedule"));
  add_or_update_toleration(spec, tol("node.kubernetes.io/pid-pressure", "NoSchedule"));
  add_or_update_toleration(spec, tol("node.kubernetes.io/unschedulable", "NoSchedule"));
  if (field(spec, "hostNetwork").is_boolean() && spec["hostNetwork"].get<bool>())
    add_or_update_toleration(spec, tol("node.kubernetes.io/network-unavailable", "NoSchedule"));
}

bool toleration_tolerates(const json& t, const json& taint) {
  const std::string effect = str(t, "effect");
  if (!effect.empty() && effect != str(taint, "effect")) return false;
  const std::string key = str(t, "key");
  if (!key.empty() && key != str(taint, "key")) return false;
  const std::string op = str(t, "operator");
  if (op.empty() || op == "Equal") return str(t, "value") == str(taint, "value");
  return op == "Exists";
}

bool has_untolerated_taint(const json& taints, const json& tolerations, bool no_schedule, bool no_execute) {
  if (!taints.is_array()) return false;
  for (const auto& taint : taints) {
    const std::string effect = str(taint, "effect");
    if (!((no_schedule && effect == "NoSchedule") || (no_execute && effect == "NoExecute"))) continue;
    bool tolerated = false;
    if (tolerations.is_array()) {
      for (const auto& t : tolerations) tolerated = tolerated || toleration_tolerates(t, taint);
    }
    if (!tolerated) return true;
  }
  return false;
}

bool node_selector_term_matches(const json& term, const json& node) {
  const json& exprs = field(term, "matchExpressions");
  const json& fields = field(term, "matchFields");
  const bool no_exprs = !exprs.is_array() || exprs.empty();
  const bool no_fields = !fields.is_array() || fields.empty();
  if (no_exprs && no_fields) return false;
  const json& labels = field(field(node, "metadata"), "labels");
  if (!no_exprs) {
    for (const auto& req : exprs) {
      const std::string key = str(req, "key");
      const json& v = field(labels, key.c_str());
      bool has = v.is_string();
      if (!requirement_matches(req, has, has ? v.get<std::string>() : "")) return false;
    }
  }
  if (!no_fields) {
    for (const auto& req : fields) {
      if (str(req, "key") != "metadata.name") return false;
      const std::string op = str(req, "operator");
      if (op != "In" && op != "NotIn") return false;
      if (!requirement_matches(req, true, str(field(node, "metadata"), "name"))) return false;
    }
  }
  return true;
}

bool matches_node_selector_and_affinity(const json& pod_spec, const json& node) {
  const json& labels = field(field(node, "metadata"), "labels");
  const json& selector = field(pod_spec, "nodeSelector");
  if (selector.is_object()) {
    for (const auto& [k, v] : selector.items()) {
      const json& have = field(labels, k.c_str());
      if (!have.is_string() || !v.is_string() || have.get<std::string>() != v.get<std::string>()) return false;
    }
  }
  const json& required =
      field(field(field(pod_spec, "affinity"), "nodeAffinity"), "requiredDuringSchedulingIgnoredDuringExecution");
  if (required.is_null()) return true;
  const json& terms = field(required, "nodeSelectorTerms");
  if (!terms.is_array()) return false;
  for (const auto& term : terms) {
    if (node_selector_term_matches(term, node)) return true;
  }
  return false;
}

NodeVerdict node_should_run_daemon_pod(const json& node, const json& ds) {
  const json& tmpl_spec = field(field(field(ds, "spec"), "template"), "spec");
  json spec = tmpl_spec.is_object() ? tmpl_spec : json::object();
  add_daemon_tolerations(spec);
  const std::string node_name = str(field(node, "metadata"), "name");
  const std::string wanted = str(spec, "nodeName");
  if (!wanted.empty() && wanted != node_name) return {};
  if (!matches_node_selector_and_affinity(spec, node)) return {};
  const json& taints = field(field(node, "spec"), "taints");
  const json& tolerations = spec["tolerations"];
  if (has_untolerated_taint(taints, tolerations, true, true)) {
    return {false, !has_untolerated_taint(taints, tolerations, false, true)};
  }
  return {true, true};
}

}  // namespace kite::controllers::daemonset
