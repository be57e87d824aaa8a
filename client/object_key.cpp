// object_key / split_key: the "ns/name" (or "name") keys of informers, queues and indexes.
#include "client/client.h"

namespace kite::client {

std::string object_key(const json& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  std::string name, ns;
  if (auto n = meta->find("name"); n != meta->end() && n->is_string()) name = n->get<std::string>();
  if (auto n = meta->find("namespace"); n != meta->end() && n->is_string()) ns = n->get<std::string>();
  if (ns.empty()) return name;
  return ns + "/" + name;
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace kite::client
