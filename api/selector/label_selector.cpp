// LabelSelector: matching, canonical text and conversion from metav1.LabelSelector.
// The string parser lives in label_selector_parse.cpp.
#include "api/selector/label_selector.h"

#include <algorithm>
#include <charconv>

#include "api/selector/label_requirement.h"

namespace kite::api {
namespace {

using Op = LabelSelector::Op;

// Looks a label up in a JSON labels object; only string values count as present.
const std::string* lookup(const json& labels, const std::string& key) {
  if (!labels.is_object()) return nullptr;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return nullptr;
  return it->get_ptr<const std::string*>();
}

const std::string* lookup(const std::map<std::string, std::string>& labels,
                          const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? nullptr : &it->second;
}

bool parse_int(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* begin = s.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool matches_value(const LabelSelector::Requirement& r, const std::string* value) {
  auto has = [&](const std::string& v) {
    return std::find(r.values.begin(), r.values.end(), v) != r.values.end();
  };
  switch (r.op) {
    case Op::In:
    case Op::Equals:
    case Op::DoubleEquals:
      return value && has(*value);
    case Op::NotIn:
    case Op::NotEquals:
      return !value || !has(*value);
    case Op::Exists:
      return value != nullptr;
    case Op::DoesNotExist:
      return value == nullptr;
    case Op::GreaterThan:
    case Op::LessThan: {
      int64_t have = 0, want = 0;
      if (!value || r.values.size() != 1 || !parse_int(*value, &have) ||
          !parse_int(r.values[0], &want)) {
        return false;
      }
      return r.op == Op::GreaterThan ? have > want : have < want;
    }
  }
  return false;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

base::Status invalid(std::string message) {
  return base::Status(base::Reason::Invalid, std::move(message));
}

}  // namespace

bool LabelSelector::Requirement::matches(const json& labels) const {
  return matches_value(*this, lookup(labels, key));
}

bool LabelSelector::Requirement::matches(const std::map<std::string, std::string>& labels) const {
  return matches_value(*this, lookup(labels, key));
}

std::string LabelSelector::Requirement::to_string() const {
  std::string out;
  if (op == Op::DoesNotExist) out += '!';
  out += key;
  switch (op) {
    case Op::Exists:
    case Op::DoesNotExist:
      return out;
    case Op::Equals: out += "="; break;
    case Op::DoubleEquals: out += "=="; break;
    case Op::NotEquals: out += "!="; break;
    case Op::GreaterThan: out += ">"; break;
    case Op::LessThan: out += "<"; break;
    case Op::In: out += " in ("; break;
    case Op::NotIn: out += " notin ("; break;
  }
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  out += join(sorted, ',');
  if (op == Op::In || op == Op::NotIn) out += ')';
  return out;
}

LabelSelector LabelSelector::nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

LabelSelector LabelSelector::from_requirements(std::vector<Requirement> requirements) {
  LabelSelector s;
  s.requirements_ = std::move(requirements);
  std::stable_sort(s.requirements_.begin(), s.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return s;
}

LabelSelector LabelSelector::from_set(const std::map<std::string, std::string>& labels) {
  std::vector<Requirement> reqs;
  for (const auto& [k, v] : labels) reqs.push_back(Requirement{k, Op::Equals, {v}});
  return from_requirements(std::move(reqs));
}

LabelSelector LabelSelector::from_set(const json& labels) {
  std::map<std::string, std::string> m;
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      if (it->is_string()) m[it.key()] = it->get<std::string>();
    }
  }
  return from_set(m);
}

base::Result<LabelSelector> LabelSelector::from_json(const json& selector,
                                                     NullSelector null_means) {
  if (selector.is_null()) {
    return null_means == NullSelector::MatchesNothing ? nothing() : everything();
  }
  if (!selector.is_object()) return std::unexpected(invalid("label selector must be an object"));
  std::vector<Requirement> reqs;
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && !ml->is_null()) {
    if (!ml->is_object()) {
      return std::unexpected(invalid("matchLabels: Invalid value: must be an object of strings"));
    }
    for (auto it = ml->begin(); it != ml->end(); ++it) {
      if (!it->is_string()) {
        return std::unexpected(
            invalid("matchLabels[" + it.key() + "]: Invalid value: must be a string"));
      }
      auto r = make_label_requirement(it.key(), Op::Equals, {it->get<std::string>()});
      if (!r) return std::unexpected(invalid(r.error()));
      reqs.push_back(std::move(*r));
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && !me->is_null()) {
    if (!me->is_array()) {
      return std::unexpected(invalid("matchExpressions: Invalid value: must be a list"));
    }
    for (size_t i = 0; i < me->size(); ++i) {
      const json& expr = (*me)[i];
      std::string where = "matchExpressions[" + std::to_string(i) + "]";
      if (!expr.is_object()) return std::unexpected(invalid(where + ": Invalid value: must be an object"));
      std::string key, op_name;
      if (auto k = expr.find("key"); k != expr.end() && k->is_string()) key = k->get<std::string>();
      if (auto o = expr.find("operator"); o != expr.end() && o->is_string()) {
        op_name = o->get<std::string>();
      }
      std::vector<std::string> values;
      if (auto v = expr.find("values"); v != expr.end() && !v->is_null()) {
        if (!v->is_array()) return std::unexpected(invalid(where + ".values: Invalid value: must be a list"));
        for (const auto& item : *v) {
          if (!item.is_string()) {
            return std::unexpected(invalid(where + ".values: Invalid value: must be a list of strings"));
          }
          values.push_back(item.get<std::string>());
        }
      }
      Op op;
      if (op_name == "In") {
        op = Op::In;
      } else if (op_name == "NotIn") {
        op = Op::NotIn;
      } else if (op_name == "Exists") {
        op = Op::Exists;
      } else if (op_name == "DoesNotExist") {
        op = Op::DoesNotExist;
      } else {
        return std::unexpected(invalid("\"" + op_name + "\" is not a valid label selector operator"));
      }
      auto r = make_label_requirement(key, op, std::move(values));
      if (!r) return std::unexpected(invalid(r.error()));
      reqs.push_back(std::move(*r));
    }
  }
  return from_requirements(std::move(reqs));
}

bool LabelSelector::matches(const json& labels) const {
  if (nothing_) return false;
  for (const auto& r : requirements_) {
    if (!r.matches(labels)) return false;
  }
  return true;
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  if (nothing_) return false;
  for (const auto& r : requirements_) {
    if (!r.matches(labels)) return false;
  }
  return true;
}

std::string LabelSelector::to_string() const {
  std::vector<std::string> parts;
  for (const auto& r : requirements_) parts.push_back(r.to_string());
  return join(parts, ',');
}

bool LabelSelector::requires_exact_match(const std::string& key, std::string* value) const {
  for (const auto& r : requirements_) {
    if (r.key != key) continue;
    if ((r.op == Op::Equals || r.op == Op::DoubleEquals || r.op == Op::In) &&
        r.values.size() == 1) {
      if (value) *value = r.values[0];
      return true;
    }
    return false;
  }
  return false;
}

}  // namespace kite::api
