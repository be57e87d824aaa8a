// ConfigMap and Secret checks: keys, total size, base64 Secret data, typed Secrets.
#include <set>

#include "api/validation/checks.h"
#include "api/validation/name_rules.h"

namespace kite::api::validation {
namespace {

constexpr int64_t kMaxDataBytes = 1024 * 1024;

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decoded length of standard padded base64 (Go's StdEncoding; \r and \n are skipped), or the
// offset of the first bad byte as a negative number - 1.
int64_t base64_decoded_len(const std::string& s) {
  std::string clean;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') continue;
    clean.push_back(s[i]);
    offsets.push_back(i);
  }
  for (size_t i = 0; i < clean.size(); ++i)
    if (base64_value(clean[i]) < 0 && clean[i] != '=') return -static_cast<int64_t>(offsets[i]) - 1;
  if (clean.size() % 4 != 0) {
    // Go reports the offset where the incomplete quantum begins.
    size_t bad = clean.size() - clean.size() % 4;
    return -static_cast<int64_t>(offsets[bad]) - 1;
  }
  int64_t len = 0;
  for (size_t i = 0; i < clean.size(); i += 4) {
    bool last = i + 4 == clean.size();
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = clean[i + j];
      if (c == '=') {
        if (!last || j < 2) return -static_cast<int64_t>(offsets[i + j]) - 1;
        ++pad;
      } else if (pad > 0 || base64_value(c) < 0) {
        return -static_cast<int64_t>(offsets[i + j]) - 1;
      }
    }
    len += 3 - pad;
  }
  return len;
}

void check_keys(const json& m, const std::string& path, FieldErrors& errs) {
  if (!m.is_object()) return;
  for (auto it = m.begin(); it != m.end(); ++it)
    for (const auto& e : config_key_errors(it.key())) errs.invalid(key_path(path, it.key()), it.key(), e);
}

int64_t string_bytes(const json* m) {
  int64_t n = 0;
  if (!m || !m->is_object()) return 0;
  for (auto it = m->begin(); it != m->end(); ++it)
    if (it->is_string()) n += static_cast<int64_t>(it->get_ref<const std::string&>().size());
  return n;
}

}  // namespace

void check_config_map(const json& obj, Findings& f) {
  auto& errs = f.errors;
  const json* data = field(obj, "data");
  const json* binary = field(obj, "binaryData");
  if (data) check_keys(*data, "data", errs);
  if (binary) check_keys(*binary, "binaryData", errs);
  int64_t total = string_bytes(data);
  if (binary && binary->is_object()) {
    for (auto it = binary->begin(); it != binary->end(); ++it) {
      if (data && data->is_object() && data->contains(it.key()))
        errs.invalid(key_path("data", it.key()), it.key(), "duplicate of key present in binaryData");
      if (!it->is_string()) continue;
      int64_t n = base64_decoded_len(it->get<std::string>());
      if (n < 0) {
        if (!f.decode_error)
          f.decode_error = "illegal base64 data at input byte " + std::to_string(-n - 1);
      } else {
        total += n;
      }
    }
  }
  if (total > kMaxDataBytes) errs.too_long("data", kMaxDataBytes);
}

void check_secret(const json& obj, Findings& f) {
  auto& errs = f.errors;
  const json* data = field(obj, "data");
  const json* string_data = field(obj, "stringData");
  if (data) check_keys(*data, "data", errs);
  if (string_data) check_keys(*string_data, "stringData", errs);
  int64_t total = 0;
  if (data && data->is_object()) {
    for (auto it = data->begin(); it != data->end(); ++it) {
      if (!it->is_string()) continue;
      int64_t n = base64_decoded_len(it->get<std::string>());
      if (n < 0) {
        if (!f.decode_error)
          f.decode_error = "illegal base64 data at input byte " + std::to_string(-n - 1);
      } else {
        total += n;
      }
    }
  }
  total += string_bytes(string_data);
  if (total > kMaxDataBytes) errs.too_long("data", kMaxDataBytes);

  auto has_key = [&](const char* k) {
    return (data && data->is_object() && data->contains(k)) ||
           (string_data && string_data->is_object() && string_data->contains(k));
  };
  std::string type = str(obj, "type");
  if (type == "kubernetes.io/tls") {
    for (const char* k : {"tls.crt", "tls.key"})
      if (!has_key(k)) errs.required(key_path("data", k));
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (!has_key(".dockerconfigjson")) errs.required(key_path("data", ".dockerconfigjson"));
  } else if (type == "kubernetes.io/dockercfg") {
    if (!has_key(".dockercfg")) errs.required(key_path("data", ".dockercfg"));
  } else if (type == "kubernetes.io/ssh-auth") {
    if (!has_key("ssh-privatekey")) errs.required(key_path("data", "ssh-privatekey"));
  } else if (type == "kubernetes.io/service-account-token") {
    const json* meta = field(obj, "metadata");
    const json* ann = meta ? field(*meta, "annotations") : nullptr;
    if (!ann || !ann->contains("kubernetes.io/service-account.name"))
      errs.required("metadata.annotations[kubernetes.io/service-account.name]");
  }
}

}  // namespace kite::api::validation
