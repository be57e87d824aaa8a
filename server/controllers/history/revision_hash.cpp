#include "server/controllers/history/revision_hash.h"

namespace kite::controllers::history {

uint32_t fnv32(std::string_view data) {
  uint32_t h = 2166136261u;
  for (unsigned char c : data) {
    h *= 16777619u;
    h ^= c;
  }
  return h;
}

uint32_t fnv32a(std::string_view data) {
  uint32_t h = 2166136261u;
  for (unsigned char c : data) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string safe_encode(std::string_view s) {
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(s.size(), ' ');
  for (size_t i = 0; i < s.size(); ++i) out[i] = kAlphanums[static_cast<unsigned char>(s[i]) % kAlphanums.size()];
  return out;
}

std::string template_hash(const json& pod_template, std::optional<int64_t> collision_count) {
  std::string bytes = pod_template.dump();
  if (collision_count) {
    auto c = static_cast<uint32_t>(*collision_count);
    char le[8] = {static_cast<char>(c & 0xff), static_cast<char>((c >> 8) & 0xff),
                  static_cast<char>((c >> 16) & 0xff), static_cast<char>((c >> 24) & 0xff), 0, 0, 0, 0};
    bytes.append(le, sizeof(le));
  }
  return safe_encode(std::to_string(fnv32a(bytes)));
}

std::string revision_data_hash(const json& data, std::optional<int64_t> collision_count) {
  std::string bytes = data.dump();
  if (collision_count) bytes += std::to_string(*collision_count);
  return safe_encode(std::to_string(fnv32(bytes)));
}

std::string revision_name(const std::string& prefix, const std::string& hash) {
  std::string p = prefix.size() > 223 ? prefix.substr(0, 223) : prefix;
  return p + "-" + hash;
}

}  // namespace kite::controllers::history
