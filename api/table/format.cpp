#include "api/table/format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <sstream>

namespace kite::api::table {

namespace {

const json& empty_array() {
  static const json a = json::array();
  return a;
}

const json& empty_object() {
  static const json o = json::object();
  return o;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

const json* field(const json& j, Path path) {
  const json* cur = &j;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string str(const json& j, Path path, std::string fallback) {
  const json* v = field(j, path);
  if (v && v->is_string()) return v->get<std::string>();
  return fallback;
}

int64_t num(const json& j, Path path, int64_t fallback) {
  const json* v = field(j, path);
  if (!v) return fallback;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) return static_cast<int64_t>(v->get<double>());
  return fallback;
}

bool flag(const json& j, Path path, bool fallback) {
  const json* v = field(j, path);
  if (v && v->is_boolean()) return v->get<bool>();
  return fallback;
}

bool has(const json& j, Path path) {
  const json* v = field(j, path);
  return v && !v->is_null();
}

const json& array(const json& j, Path path) {
  const json* v = field(j, path);
  return v && v->is_array() ? *v : empty_array();
}

const json& object(const json& j, Path path) {
  const json* v = field(j, path);
  return v && v->is_object() ? *v : empty_object();
}

std::optional<TimePoint> parse_time(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) ||
      s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
      !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000000;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      frac_ns += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_min = 0;
  if (pos >= s.size()) return std::nullopt;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                     day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{se} - minutes{offset_min};
  return time_point_cast<TimePoint::duration>(tp + nanoseconds{frac_ns});
}

std::string format_time(TimePoint t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto dp = floor<days>(secs);
  year_month_day ymd{dp};
  hh_mm_ss hms{secs - dp};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string human_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  // Whole seconds, truncated toward zero; up to one second in the future still reads "0s"
  // (clock skew between machines).
  int64_t secs = duration_cast<seconds>(d).count();
  if (secs < -1) return "<invalid>";
  if (secs < 0) return "0s";
  if (secs < 120) return std::to_string(secs) + "s";
  int64_t mins = secs / 60;
  if (mins < 10) {
    int64_t s = secs % 60;
    return s == 0 ? std::to_string(mins) + "m" : std::to_string(mins) + "m" + std::to_string(s) + "s";
  }
  if (mins < 180) return std::to_string(mins) + "m";
  int64_t hrs = secs / 3600;
  if (hrs < 8) {
    int64_t m = mins % 60;
    return m == 0 ? std::to_string(hrs) + "h" : std::to_string(hrs) + "h" + std::to_string(m) + "m";
  }
  if (hrs < 48) return std::to_string(hrs) + "h";
  if (hrs < 24 * 8) {
    int64_t h = hrs % 24;
    return h == 0 ? std::to_string(hrs / 24) + "d"
                  : std::to_string(hrs / 24) + "d" + std::to_string(h) + "h";
  }
  if (hrs < 24 * 365 * 2) return std::to_string(hrs / 24) + "d";
  if (hrs < 24 * 365 * 8) {
    int64_t dy = (hrs / 24) % 365;
    return dy == 0 ? std::to_string(hrs / 24 / 365) + "y"
                   : std::to_string(hrs / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hrs / 24 / 365) + "y";
}

std::string since(const json& j, Path path, TimePoint now) {
  const json* v = field(j, path);
  if (!v || !v->is_string()) return "<unknown>";
  auto t = parse_time(v->get<std::string>());
  if (!t) return "<unknown>";
  return human_duration(now - *t);
}

std::string age(const json& obj, TimePoint now) {
  return since(obj, {"metadata", "creationTimestamp"}, now);
}

std::string format_labels(const json* labels) {
  if (!labels || !labels->is_object() || labels->empty()) return "<none>";
  std::vector<std::string> parts;
  for (auto it = labels->begin(); it != labels->end(); ++it) {  // keys come sorted
    parts.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump()));
  }
  return join(parts, ",");
}

std::string label_selector_string(const json* selector) {
  if (!selector || !selector->is_object()) return "";
  // (key, text) pairs, sorted by key like the upstream selector.
  std::vector<std::pair<std::string, std::string>> reqs;
  for (auto it = object(*selector, {"matchLabels"}).begin();
       it != object(*selector, {"matchLabels"}).end(); ++it) {
    reqs.emplace_back(it.key(), it.key() + "=" + (it->is_string() ? it->get<std::string>() : ""));
  }
  for (const json& e : array(*selector, {"matchExpressions"})) {
    std::string key = str(e, {"key"});
    std::string op = str(e, {"operator"});
    std::vector<std::string> values;
    for (const json& v : array(e, {"values"})) {
      if (v.is_string()) values.push_back(v.get<std::string>());
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (op == "In") {
      reqs.emplace_back(key, key + " in (" + join(values, ",") + ")");
    } else if (op == "NotIn") {
      reqs.emplace_back(key, key + " notin (" + join(values, ",") + ")");
    } else if (op == "Exists") {
      reqs.emplace_back(key, key);
    } else if (op == "DoesNotExist") {
      reqs.emplace_back(key, "!" + key);
    } else {
      return "<error>";
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(r.second);
  return join(parts, ",");
}

std::string format_label_selector(const json* selector) {
  std::string s = label_selector_string(selector);
  return s.empty() ? "<none>" : s;
}

std::pair<std::string, std::string> container_cells(const json& containers) {
  std::vector<std::string> names, images;
  if (containers.is_array()) {
    for (const json& c : containers) {
      names.push_back(str(c, {"name"}));
      images.push_back(str(c, {"image"}));
    }
  }
  return {join(names, ","), join(images, ",")};
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string to_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim_space(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string int_or_string(const json* v) {
  if (!v) return "";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return std::to_string(v->is_number_integer() ? v->get<int64_t>()
                                                                    : static_cast<int64_t>(v->get<double>()));
  return "";
}

std::string quantity(const json* v) {
  if (!v || v->is_null()) return "0";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  if (v->is_number_float()) {
    std::ostringstream os;
    os << v->get<double>();
    return os.str();
  }
  return "0";
}

}  // namespace kite::api::table
