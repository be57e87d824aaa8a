#include "api/selector/label_requirement.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "api/selector/label_syntax.h"

namespace kite::api {
namespace {

using Op = LabelSelector::Op;

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string json_list(const std::vector<std::string>& values) {
  return json(values).dump();
}

bool is_int64(const std::string& s) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;  // strconv.ParseInt accepts a sign
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::expected<LabelSelector::Requirement, std::string> make_label_requirement(
    std::string key, Op op, std::vector<std::string> values) {
  std::vector<std::string> errs;
  if (auto key_errs = label_key_errors(key); !key_errs.empty()) {
    errs.push_back("key: Invalid value: " + quote_value(key) + ": " + join(key_errs, "; "));
  }
  switch (op) {
    case Op::In:
    case Op::NotIn:
      if (values.empty()) {
        errs.push_back("values: Invalid value: " + json_list(values) +
                       ": for 'in', 'notin' operators, values set can't be empty");
      }
      break;
    case Op::Equals:
    case Op::DoubleEquals:
    case Op::NotEquals:
      if (values.size() != 1) {
        errs.push_back("values: Invalid value: " + json_list(values) +
                       ": exact-match compatibility requires one single value");
      }
      break;
    case Op::Exists:
    case Op::DoesNotExist:
      if (!values.empty()) {
        errs.push_back("values: Invalid value: " + json_list(values) +
                       ": values set must be empty for exists and does not exist");
      }
      break;
    case Op::GreaterThan:
    case Op::LessThan:
      if (values.size() != 1) {
        errs.push_back("values: Invalid value: " + json_list(values) +
                       ": for 'Gt', 'Lt' operators, exactly one value is required");
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (!is_int64(values[i])) {
          errs.push_back("values[" + std::to_string(i) + "]: Invalid value: " +
                         quote_value(values[i]) +
                         ": for 'Gt', 'Lt' operators, the value must be an integer");
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (auto value_errs = label_value_errors(values[i]); !value_errs.empty()) {
      errs.push_back("values[" + std::to_string(i) + "][" + key + "]: Invalid value: " +
                     quote_value(values[i]) + ": " + join(value_errs, "; "));
    }
  }
  if (!errs.empty()) {
    // Kubernetes' aggregate error: one message alone, several deduplicated in brackets.
    std::vector<std::string> unique;
    for (auto& e : errs) {
      if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
    }
    if (unique.size() == 1) return std::unexpected(unique.front());
    return std::unexpected("[" + join(unique, ", ") + "]");
  }
  std::set<std::string> sorted(values.begin(), values.end());
  return LabelSelector::Requirement{std::move(key), op, {sorted.begin(), sorted.end()}};
}

}  // namespace kite::api
