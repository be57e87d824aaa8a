#include "api/table/jsonpath.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace kite::api::table {

struct JsonPath::Step {
  enum class Kind { Field, Recursive, Wildcard, Index, Slice, Filter };
  Kind kind = Kind::Field;
  std::string name;                     // Field, Recursive
  long index = 0;                       // Index
  std::optional<long> start, end;       // Slice
  long step = 1;                        // Slice
  // Filter: @-relative path, operator ("" = exists), literal.
  std::vector<std::shared_ptr<const Step>> sub;
  std::string op;
  json literal;
};

namespace {

using Step = JsonPath::Step;
using StepPtr = std::shared_ptr<const Step>;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  // Parses steps until the end or until a character in `stop` at the top level.
  bool steps(std::vector<StepPtr>& out, std::string_view stop) {
    while (pos_ < s_.size() && stop.find(s_[pos_]) == std::string_view::npos) {
      char c = s_[pos_];
      if (c == ' ' && !stop.empty()) return true;
      if (c == '.') {
        ++pos_;
        if (pos_ < s_.size() && s_[pos_] == '.') {
          ++pos_;
          auto st = std::make_shared<Step>();
          st->kind = Step::Kind::Recursive;
          if (!name(st->name)) return false;
          out.push_back(st);
          continue;
        }
        if (pos_ < s_.size() && s_[pos_] == '*') {
          ++pos_;
          auto st = std::make_shared<Step>();
          st->kind = Step::Kind::Wildcard;
          out.push_back(st);
          continue;
        }
        if (pos_ >= s_.size() || s_[pos_] == '[') continue;  // "." alone or ".[0]"
        auto st = std::make_shared<Step>();
        if (!name(st->name)) return false;
        out.push_back(st);
      } else if (c == '[') {
        ++pos_;
        if (!bracket(out)) return false;
      } else if (out.empty() && (std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
        auto st = std::make_shared<Step>();  // a leading field without its dot
        if (!name(st->name)) return false;
        out.push_back(st);
      } else {
        return false;
      }
    }
    return true;
  }

  bool at_end() const { return pos_ == s_.size(); }

 private:
  bool name(std::string& out) {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        out += s_[pos_ + 1];
        pos_ += 2;
        continue;
      }
      if (c == '.' || c == '[' || c == ']' || c == ' ' || c == '=' || c == '!' || c == '<' ||
          c == '>' || c == ')') {
        break;
      }
      out += c;
      ++pos_;
    }
    return !out.empty();
  }

  void skip_spaces() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }

  bool quoted(std::string& out) {
    char q = s_[pos_++];
    while (pos_ < s_.size() && s_[pos_] != q) {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) return false;
    ++pos_;
    return true;
  }

  static std::optional<long> integer(std::string_view t) {
    if (t.empty()) return std::nullopt;
    size_t i = (t[0] == '-' || t[0] == '+') ? 1 : 0;
    if (i == t.size()) return std::nullopt;
    for (size_t k = i; k < t.size(); ++k) {
      if (!std::isdigit(static_cast<unsigned char>(t[k]))) return std::nullopt;
    }
    return std::strtol(std::string(t).c_str(), nullptr, 10);
  }

  bool bracket(std::vector<StepPtr>& out) {
    skip_spaces();
    if (pos_ >= s_.size()) return false;
    auto st = std::make_shared<Step>();
    char c = s_[pos_];
    if (c == '\'' || c == '"') {
      if (!quoted(st->name)) return false;
    } else if (c == '*') {
      ++pos_;
      st->kind = Step::Kind::Wildcard;
    } else if (c == '?') {
      ++pos_;
      skip_spaces();
      if (pos_ >= s_.size() || s_[pos_] != '(') return false;
      ++pos_;
      if (!filter(*st)) return false;
    } else {
      size_t close = s_.find(']', pos_);
      if (close == std::string_view::npos) return false;
      std::string_view body = s_.substr(pos_, close - pos_);
      pos_ = close;
      size_t colon = body.find(':');
      if (colon == std::string_view::npos) {
        auto i = integer(body);
        if (!i) return false;
        st->kind = Step::Kind::Index;
        st->index = *i;
      } else {
        st->kind = Step::Kind::Slice;
        std::string_view a = body.substr(0, colon), rest = body.substr(colon + 1);
        size_t colon2 = rest.find(':');
        std::string_view b = rest.substr(0, colon2);
        if (!a.empty() && !(st->start = integer(a))) return false;
        if (!b.empty() && !(st->end = integer(b))) return false;
        if (colon2 != std::string_view::npos && colon2 + 1 < rest.size()) {
          auto k = integer(rest.substr(colon2 + 1));
          if (!k || *k <= 0) return false;
          st->step = *k;
        }
      }
    }
    skip_spaces();
    if (pos_ >= s_.size() || s_[pos_] != ']') return false;
    ++pos_;
    out.push_back(st);
    return true;
  }

  bool literal(json& out) {
    skip_spaces();
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '\'' || s_[pos_] == '"') {
      std::string v;
      if (!quoted(v)) return false;
      out = v;
      return true;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ')' && s_[pos_] != ' ') ++pos_;
    std::string tok(s_.substr(start, pos_ - start));
    if (tok == "true" || tok == "false") {
      out = tok == "true";
      return true;
    }
    char* end = nullptr;
    double d = std::strtod(tok.c_str(), &end);
    if (tok.empty() || *end != '\0') return false;
    out = d;
    return true;
  }

  bool filter(Step& st) {
    st.kind = Step::Kind::Filter;
    skip_spaces();
    if (pos_ >= s_.size() || s_[pos_] != '@') return false;
    ++pos_;
    if (!steps(st.sub, " =!<>)")) return false;
    skip_spaces();
    if (pos_ < s_.size() && s_[pos_] != ')') {
      size_t start = pos_;
      while (pos_ < s_.size() && std::string_view("=!<>").find(s_[pos_]) != std::string_view::npos) {
        ++pos_;
      }
      st.op = std::string(s_.substr(start, pos_ - start));
      if (st.op != "==" && st.op != "!=" && st.op != "<" && st.op != ">" && st.op != "<=" &&
          st.op != ">=") {
        return false;
      }
      if (!literal(st.literal)) return false;
      skip_spaces();
    }
    if (pos_ >= s_.size() || s_[pos_] != ')') return false;
    ++pos_;
    skip_spaces();
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void apply(const std::vector<StepPtr>& steps, size_t i, const json& node,
           std::vector<const json*>& out);

void recurse(const std::string& name, const json& node, std::vector<const json*>& out) {
  if (node.is_object()) {
    auto it = node.find(name);
    if (it != node.end()) out.push_back(&*it);
    for (const json& child : node) recurse(name, child, out);
  } else if (node.is_array()) {
    for (const json& child : node) recurse(name, child, out);
  }
}

bool compare(const json& a, const std::string& op, const json& b) {
  int cmp;
  if (a.is_string() && b.is_string()) {
    cmp = a.get<std::string>().compare(b.get<std::string>());
  } else if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    cmp = x < y ? -1 : x > y ? 1 : 0;
  } else if (a.is_boolean() && b.is_boolean()) {
    if (op != "==" && op != "!=") return false;
    cmp = a.get<bool>() == b.get<bool>() ? 0 : 1;
  } else {
    return op == "!=";
  }
  if (op == "==") return cmp == 0;
  if (op == "!=") return cmp != 0;
  if (op == "<") return cmp < 0;
  if (op == ">") return cmp > 0;
  if (op == "<=") return cmp <= 0;
  return cmp >= 0;
}

bool filter_matches(const Step& st, const json& elem) {
  std::vector<const json*> found;
  apply(st.sub, 0, elem, found);
  if (found.empty()) return false;
  if (st.op.empty()) return true;
  return compare(*found[0], st.op, st.literal);
}

void apply(const std::vector<StepPtr>& steps, size_t i, const json& node,
           std::vector<const json*>& out) {
  if (i == steps.size()) {
    out.push_back(&node);
    return;
  }
  const Step& st = *steps[i];
  switch (st.kind) {
    case Step::Kind::Field:
      if (node.is_object()) {
        auto it = node.find(st.name);
        if (it != node.end()) apply(steps, i + 1, *it, out);
      }
      return;
    case Step::Kind::Recursive: {
      std::vector<const json*> found;
      recurse(st.name, node, found);
      for (const json* f : found) apply(steps, i + 1, *f, out);
      return;
    }
    case Step::Kind::Wildcard:
      if (node.is_array() || node.is_object()) {
        for (const json& child : node) apply(steps, i + 1, child, out);
      }
      return;
    case Step::Kind::Index: {
      if (!node.is_array()) return;
      long n = static_cast<long>(node.size());
      long idx = st.index < 0 ? n + st.index : st.index;
      if (idx >= 0 && idx < n) apply(steps, i + 1, node[static_cast<size_t>(idx)], out);
      return;
    }
    case Step::Kind::Slice: {
      if (!node.is_array()) return;
      long n = static_cast<long>(node.size());
      auto clamp = [n](long v) { return v < 0 ? std::max(0L, n + v) : std::min(v, n); };
      long a = st.start ? clamp(*st.start) : 0;
      long b = st.end ? clamp(*st.end) : n;
      for (long k = a; k < b; k += st.step) apply(steps, i + 1, node[static_cast<size_t>(k)], out);
      return;
    }
    case Step::Kind::Filter:
      if (node.is_array()) {
        for (const json& elem : node) {
          if (filter_matches(st, elem)) apply(steps, i + 1, elem, out);
        }
      } else if (node.is_object() && filter_matches(st, node)) {
        apply(steps, i + 1, node, out);
      }
      return;
  }
}

// Go's %v for float64: shortest round-trip digits, exponent form below 1e-4 and from 1e21.
std::string go_float(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  int prec = 1;
  for (; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string e(buf);
  size_t epos = e.find('e');
  std::string mant = e.substr(0, epos);
  int exp = std::atoi(e.c_str() + epos + 1);
  bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exp < -4 || exp >= 21) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
    out = digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0');
  } else {
    out = digits.substr(0, static_cast<size_t>(exp) + 1) + "." +
          digits.substr(static_cast<size_t>(exp) + 1);
  }
  return neg ? "-" + out : out;
}

}  // namespace

std::optional<JsonPath> JsonPath::parse(std::string_view expr) {
  while (!expr.empty() && expr.front() == ' ') expr.remove_prefix(1);
  while (!expr.empty() && expr.back() == ' ') expr.remove_suffix(1);
  if (expr.size() >= 2 && expr.front() == '{' && expr.back() == '}') {
    expr = expr.substr(1, expr.size() - 2);
  }
  if (!expr.empty() && expr.front() == '$') expr.remove_prefix(1);
  JsonPath p;
  Parser parser(expr);
  if (!parser.steps(p.steps_, "") || !parser.at_end()) return std::nullopt;
  return p;
}

std::vector<const json*> JsonPath::find(const json& root) const {
  std::vector<const json*> out;
  apply(steps_, 0, root, out);
  return out;
}

std::string jsonpath_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return go_float(v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_null()) return "null";
  return v.dump();
}

}  // namespace kite::api::table
