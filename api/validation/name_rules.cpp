#include "api/validation/name_rules.h"

namespace kite::api::validation {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) {
  return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kQualifiedMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char* kLabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const char* kConfigKeyMsg =
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
    "'[-._a-zA-Z0-9]+')";

bool is_label(std::string_view s) {
  if (s.empty() || !lower_alnum(s.front()) || !lower_alnum(s.back())) return false;
  for (char c : s)
    if (!lower_alnum(c) && c != '-') return false;
  return true;
}

bool is_subdomain(std::string_view s) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!is_label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool is_qualified_part(std::string_view s) {
  if (s.empty() || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

std::string too_long(size_t n) { return "must be no more than " + std::to_string(n) + " characters"; }

}  // namespace

std::vector<std::string> dns1123_label_errors(std::string_view s) {
  std::vector<std::string> errs;
  if (s.size() > 63) errs.push_back(too_long(63));
  if (!is_label(s)) errs.push_back(kLabelMsg);
  return errs;
}

std::vector<std::string> dns1123_subdomain_errors(std::string_view s) {
  std::vector<std::string> errs;
  if (s.size() > 253) errs.push_back(too_long(253));
  if (!is_subdomain(s)) errs.push_back(kSubdomainMsg);
  return errs;
}

std::vector<std::string> path_segment_errors(std::string_view s) {
  std::vector<std::string> errs;
  if (s == ".") errs.push_back("may not be '.'");
  if (s == "..") errs.push_back("may not be '..'");
  if (s.find('/') != s.npos) errs.push_back("may not contain '/'");
  if (s.find('%') != s.npos) errs.push_back("may not contain '%'");
  return errs;
}

std::vector<std::string> qualified_name_errors(std::string_view s) {
  std::vector<std::string> errs;
  std::string_view name = s;
  size_t slash = s.find('/');
  if (slash != s.npos) {
    std::string_view prefix = s.substr(0, slash);
    name = s.substr(slash + 1);
    if (name.find('/') != name.npos) {
      errs.push_back(
          "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
          "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
          "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
          "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errs;
    }
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& e : dns1123_subdomain_errors(prefix)) errs.push_back("prefix part " + e);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
    return errs;
  }
  if (name.size() > 63) errs.push_back("name part " + too_long(63));
  if (!is_qualified_part(name)) errs.push_back(kQualifiedMsg);
  return errs;
}

std::vector<std::string> label_value_errors(std::string_view s) {
  std::vector<std::string> errs;
  if (s.empty()) return errs;
  if (s.size() > 63) errs.push_back(too_long(63));
  if (!is_qualified_part(s)) errs.push_back(kLabelValueMsg);
  return errs;
}

std::vector<std::string> config_key_errors(std::string_view s) {
  std::vector<std::string> errs;
  if (s.size() > 253) errs.push_back(too_long(253));
  bool ok = !s.empty();
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  if (!ok) errs.push_back(kConfigKeyMsg);
  if (s == ".") errs.push_back("must not be '.'");
  else if (s == "..") errs.push_back("must not be '..'");
  else if (s.starts_with("..")) errs.push_back("must not start with '..'");
  return errs;
}

std::vector<std::string> port_name_errors(std::string_view s) {
  std::vector<std::string> errs;
  if (s.size() > 15) errs.push_back(too_long(15));
  bool letter = false, ok = true;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-') ok = false;
  }
  if (!ok) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (s.find("--") != s.npos) errs.push_back("must not contain consecutive hyphens");
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (!s.empty() && (s.front() == '-' || s.back() == '-'))
    errs.push_back("must not begin or end with a hyphen");
  return errs;
}

std::vector<std::string> name_errors(const std::string& rule, std::string_view s, bool prefix) {
  if (prefix && !s.empty() && s.back() == '-' && rule != "path") {
    // Kubernetes masks the trailing dash of a generateName before checking it.
    std::string masked(s);
    masked.back() = 'a';
    return name_errors(rule, masked, false);
  }
  if (rule == "label") return dns1123_label_errors(s);
  if (rule == "path") return path_segment_errors(s);
  return dns1123_subdomain_errors(s);
}

}  // namespace kite::api::validation
