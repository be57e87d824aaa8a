#include "api/selector/field_selector.h"

#include <algorithm>

namespace kite::api {
namespace {

// Splits on ',' not preceded by an escaping backslash.
std::vector<std::string> split_terms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_slash) {
      in_slash = false;
    } else if (c == '\\') {
      in_slash = true;
    } else if (c == ',') {
      terms.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(s.substr(start));
  return terms;
}

// Finds the first operator, trying "!=", "==", "=" at each position.
bool split_term(const std::string& term, std::string* lhs, FieldSelector::Op* op,
                std::string* rhs) {
  for (size_t i = 0; i < term.size(); ++i) {
    std::string_view rest(term.data() + i, term.size() - i);
    size_t len = 0;
    if (rest.starts_with("!=")) {
      *op = FieldSelector::Op::NotEquals;
      len = 2;
    } else if (rest.starts_with("==")) {
      *op = FieldSelector::Op::DoubleEquals;
      len = 2;
    } else if (rest.starts_with("=")) {
      *op = FieldSelector::Op::Equals;
      len = 1;
    } else {
      continue;
    }
    *lhs = term.substr(0, i);
    *rhs = term.substr(i + len);
    return true;
  }
  return false;
}

base::Result<std::string> unescape(const std::string& s) {
  std::string out;
  bool in_slash = false;
  for (char c : s) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return base::error(base::Reason::BadRequest,
                           std::string("invalid field selector: invalid escape sequence: \\") + c);
      }
      out += c;
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return base::error(base::Reason::BadRequest,
                         std::string("invalid field selector: unescaped character in value: '") +
                             c + "'");
    } else {
      out += c;
    }
  }
  if (in_slash) {
    return base::error(base::Reason::BadRequest,
                       "invalid field selector: invalid escape sequence: \\");
  }
  return out;
}

std::string field_text(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

std::string escape_field_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

FieldSelector FieldSelector::one_term_equal(std::string field, std::string value) {
  FieldSelector s;
  s.requirements_.push_back(Requirement{std::move(field), Op::Equals, std::move(value)});
  return s;
}

base::Result<FieldSelector> FieldSelector::parse(std::string_view text) {
  std::vector<std::string> terms = split_terms(text);
  std::sort(terms.begin(), terms.end());
  FieldSelector s;
  for (const auto& term : terms) {
    if (term.empty()) continue;
    Requirement r;
    std::string rhs;
    if (!split_term(term, &r.field, &r.op, &rhs)) {
      return base::error(base::Reason::BadRequest, "invalid selector: '" + std::string(text) +
                                                       "'; can't understand '" + term + "'");
    }
    auto value = unescape(rhs);
    if (!value) return std::unexpected(value.error());
    r.value = std::move(*value);
    s.requirements_.push_back(std::move(r));
  }
  return s;
}

bool FieldSelector::matches(const std::map<std::string, std::string>& fields) const {
  for (const auto& r : requirements_) {
    auto it = fields.find(r.field);
    const std::string& have = it == fields.end() ? std::string() : it->second;
    bool equal = have == r.value;
    if (r.op == Op::NotEquals ? equal : !equal) return false;
  }
  return true;
}

base::Status FieldSelector::check_supported(const std::set<std::string>& supported) const {
  for (const auto& r : requirements_) {
    if (!supported.contains(r.field)) {
      return base::Status(base::Reason::BadRequest, "field label not supported: " + r.field);
    }
  }
  return base::Status::ok();
}

bool FieldSelector::requires_exact_match(const std::string& field, std::string* value) const {
  for (const auto& r : requirements_) {
    if (r.field == field && r.op != Op::NotEquals) {
      if (value) *value = r.value;
      return true;
    }
  }
  return false;
}

std::string FieldSelector::to_string() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    const auto& r = requirements_[i];
    if (i) out += ',';
    out += r.field;
    out += r.op == Op::NotEquals ? "!=" : "=";
    out += escape_field_value(r.value);
  }
  return out;
}

std::map<std::string, std::string> selectable_field_values(const json& obj,
                                                           const std::vector<std::string>& paths,
                                                           bool namespaced) {
  auto at = [&](const std::string& path) -> std::string {
    const json* cur = &obj;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      std::string part = path.substr(start, dot == std::string::npos ? path.npos : dot - start);
      if (!cur->is_object()) return "";
      auto it = cur->find(part);
      if (it == cur->end()) return "";
      cur = &*it;
      if (dot == std::string::npos) return field_text(*cur);
      start = dot + 1;
    }
  };
  std::map<std::string, std::string> fields;
  fields["metadata.name"] = at("metadata.name");
  if (namespaced) fields["metadata.namespace"] = at("metadata.namespace");
  for (const auto& p : paths) fields[p] = at(p);
  return fields;
}

}  // namespace kite::api
