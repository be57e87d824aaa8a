#include "storage/volumes/resource_field.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "base/go_quote.h"

namespace kite::storage {

namespace {

using json = nlohmann::json;
using base::go_quote;

std::optional<long double> parse_quantity_text(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  if (s[i] == '+' || s[i] == '-') ++i;
  bool seen_digit = false, seen_dot = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || (s[i] == '.' && !seen_dot))) {
    if (s[i] == '.') seen_dot = true; else seen_digit = true;
    ++i;
  }
  if (!seen_digit) return std::nullopt;
  std::string number(s.substr(0, i));
  std::string_view suffix = s.substr(i);
  long double mult = 1;
  static const std::vector<std::pair<std::string_view, long double>> kSuffixes = {
      {"n", 1e-9L}, {"u", 1e-6L}, {"m", 1e-3L}, {"", 1}, {"k", 1e3L}, {"M", 1e6L}, {"G", 1e9L},
      {"T", 1e12L}, {"P", 1e15L}, {"E", 1e18L}, {"Ki", 1024.0L}, {"Mi", 1048576.0L},
      {"Gi", 1073741824.0L}, {"Ti", 1099511627776.0L}, {"Pi", 1125899906842624.0L},
      {"Ei", 1152921504606846976.0L}};
  bool found = false;
  for (auto& [name, m] : kSuffixes) {
    if (suffix == name) { mult = m; found = true; break; }
  }
  if (!found) {
    if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return std::nullopt;
    std::string exp(suffix.substr(1));
    size_t j = (exp[0] == '+' || exp[0] == '-') ? 1 : 0;
    if (j >= exp.size()) return std::nullopt;
    for (; j < exp.size(); ++j) if (!std::isdigit(static_cast<unsigned char>(exp[j]))) return std::nullopt;
    mult = std::pow(10.0L, std::strtold(exp.c_str(), nullptr));
  }
  return std::strtold(number.c_str(), nullptr) * mult;
}


const json* find_container(const json& pod, const std::string& name) {
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].is_object()) return nullptr;
  const json& spec = pod["spec"];
  for (const char* list : {"containers", "initContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const auto& c : spec[list]) {
      if (c.value("name", "") == name) return &c;
    }
  }
  return nullptr;
}

std::string join_ips(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& e : list) {
    std::string ip = e.is_object() ? e.value("ip", "") : (e.is_string() ? e.get<std::string>() : "");
    if (ip.empty()) continue;
    if (!out.empty()) out += ",";
    out += ip;
  }
  return out;
}

// The key inside metadata.labels['k'] / metadata.annotations['k'] (quotes ' or ").
std::optional<std::string> subscript(const std::string& path, const std::string& prefix) {
  if (path.size() < prefix.size() + 4 || path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string rest = path.substr(prefix.size());
  if (rest.front() != '[' || rest.back() != ']') return std::nullopt;
  rest = rest.substr(1, rest.size() - 2);
  if (rest.size() < 2 || (rest.front() != '\'' && rest.front() != '"') || rest.back() != rest.front()) return std::nullopt;
  return rest.substr(1, rest.size() - 2);
}

}  // namespace

std::optional<long double> quantity_milli(const json& v) {
  if (v.is_number()) return std::ceil(v.get<long double>() * 1000.0L - 1e-9L);
  if (!v.is_string()) return std::nullopt;
  auto q = parse_quantity_text(v.get<std::string>());
  if (!q) return std::nullopt;
  return std::ceil(*q * 1000.0L - 1e-9L);
}

base::Result<std::string> resource_field_value(const json& pod, const json& ref, const std::string& container_name,
                                               const json& node_allocatable) {
  std::string name = ref.value("containerName", "");
  if (name.empty()) name = container_name;
  const json* container = find_container(pod, name);
  if (!container) return std::unexpected(base::Status(base::Reason::BadRequest, "container " + name + " not found"));
  std::string resource = ref.value("resource", "");
  auto dot = resource.find('.');
  std::string kind = dot == std::string::npos ? "" : resource.substr(0, dot);
  std::string res = dot == std::string::npos ? "" : resource.substr(dot + 1);
  if ((kind != "limits" && kind != "requests") || (res != "cpu" && res != "memory" && res != "ephemeral-storage")) {
    return std::unexpected(base::Status(base::Reason::BadRequest, "unsupported container resource : " + resource));
  }
  json divisor = ref.contains("divisor") ? ref["divisor"] : json("1");
  auto div = quantity_milli(divisor);
  if (!div) return std::unexpected(base::Status(base::Reason::BadRequest, "invalid divisor " + divisor.dump()));
  if (*div <= 0) div = 1000.0L;  // kubelet: a zero divisor means 1
  json resources = container->value("resources", json::object());
  json section = resources.value(kind, json::object());
  long double value = 0;
  if (section.contains(res)) {
    auto v = quantity_milli(section[res]);
    if (!v) return std::unexpected(base::Status(base::Reason::BadRequest, "invalid quantity for " + resource));
    value = *v;
  } else if (kind == "limits" && node_allocatable.is_object() && node_allocatable.contains(res)) {
    value = quantity_milli(node_allocatable[res]).value_or(0);
  }
  long double divisor_value = *div;
  if (res != "cpu") {
    // memory/storage: whole units (Value() rounds up) divided by the divisor's whole units.
    value = std::ceil(value / 1000.0L);
    divisor_value = std::ceil(divisor_value / 1000.0L);
  }
  auto result = static_cast<int64_t>(std::ceil(value / divisor_value));
  return std::to_string(result);
}

base::Result<std::string> pod_field_value(const json& pod, const std::string& path,
                                          const std::map<std::string, std::string>& overrides) {
  if (auto it = overrides.find(path); it != overrides.end() && !it->second.empty()) return it->second;
  const json meta = pod.value("metadata", json::object());
  const json spec = pod.value("spec", json::object());
  const json status = pod.value("status", json::object());
  if (path == "metadata.name") return meta.value("name", "");
  if (path == "metadata.namespace") return meta.value("namespace", "");
  if (path == "metadata.uid") return meta.value("uid", "");
  if (path == "metadata.labels") return format_label_map(meta.value("labels", json::object()));
  if (path == "metadata.annotations") return format_label_map(meta.value("annotations", json::object()));
  for (const char* map : {"labels", "annotations"}) {
    if (auto key = subscript(path, std::string("metadata.") + map)) {
      json m = meta.value(map, json::object());
      return m.is_object() && m.contains(*key) && m[*key].is_string() ? m[*key].get<std::string>() : std::string();
    }
  }
  if (path == "spec.nodeName") return spec.value("nodeName", "");
  if (path == "spec.serviceAccountName") return spec.value("serviceAccountName", "");
  if (path == "status.hostIP") return status.value("hostIP", "");
  if (path == "status.podIP") return status.value("podIP", "");
  if (path == "status.hostIPs") {
    std::string ips = join_ips(status.value("hostIPs", json::array()));
    return ips.empty() ? status.value("hostIP", "") : ips;
  }
  if (path == "status.podIPs") {
    std::string ips = join_ips(status.value("podIPs", json::array()));
    return ips.empty() ? status.value("podIP", "") : ips;
  }
  return std::unexpected(base::Status(base::Reason::BadRequest, "unsupported fieldPath: " + path));
}

std::string format_label_map(const json& map) {
  std::string out;
  if (!map.is_object()) return out;
  for (auto it = map.begin(); it != map.end(); ++it) {  // nlohmann objects iterate in key order
    if (!out.empty()) out += "\n";
    out += it.key() + "=" + go_quote(it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  return out;
}

}  // namespace kite::storage
