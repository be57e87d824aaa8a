// InformerStore and the standard index functions.
#include "client/informer_store.h"

#include <mutex>

namespace kite::client {

namespace {

const json* member(const json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

}  // namespace

std::vector<std::string> index_by_namespace(const json& obj) {
  const json* meta = member(obj, "metadata");
  const json* ns = meta ? member(*meta, "namespace") : nullptr;
  if (!ns || !ns->is_string()) return {""};
  return {ns->get<std::string>()};
}

std::vector<std::string> index_by_owner_uid(const json& obj) {
  std::vector<std::string> out;
  const json* meta = member(obj, "metadata");
  const json* refs = meta ? member(*meta, "ownerReferences") : nullptr;
  if (!refs || !refs->is_array()) return out;
  for (const auto& ref : *refs) {
    const json* uid = member(ref, "uid");
    if (uid && uid->is_string() && !uid->get_ref<const std::string&>().empty()) out.push_back(uid->get<std::string>());
  }
  return out;
}

std::vector<std::string> index_by_node_name(const json& obj) {
  const json* spec = member(obj, "spec");
  const json* node = spec ? member(*spec, "nodeName") : nullptr;
  if (!node || !node->is_string() || node->get_ref<const std::string&>().empty()) return {};
  return {node->get<std::string>()};
}

void InformerStore::add_index(const std::string& name, IndexFunc fn) {
  std::unique_lock lock(mu_);
  Index& index = indexes_[name];
  index.fn = std::move(fn);
  index.keys_by_value.clear();
  for (const auto& [key, obj] : items_) {
    for (auto& v : index.fn(*obj)) index.keys_by_value[v].insert(key);
  }
}

void InformerStore::index_add(const std::string& key, const json& obj) {
  for (auto& [name, index] : indexes_) {
    for (auto& v : index.fn(obj)) index.keys_by_value[v].insert(key);
  }
}

void InformerStore::index_remove(const std::string& key, const json& obj) {
  for (auto& [name, index] : indexes_) {
    for (auto& v : index.fn(obj)) {
      auto it = index.keys_by_value.find(v);
      if (it == index.keys_by_value.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.keys_by_value.erase(it);
    }
  }
}

ObjectPtr InformerStore::upsert(const std::string& key, ObjectPtr obj) {
  std::unique_lock lock(mu_);
  auto& slot = items_[key];
  ObjectPtr old = std::move(slot);
  if (old) index_remove(key, *old);
  index_add(key, *obj);
  slot = std::move(obj);
  return old;
}

ObjectPtr InformerStore::remove(const std::string& key) {
  std::unique_lock lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return nullptr;
  ObjectPtr old = std::move(it->second);
  items_.erase(it);
  index_remove(key, *old);
  return old;
}

void InformerStore::set_resource_version(std::string rv) {
  std::unique_lock lock(mu_);
  resource_version_ = std::move(rv);
}

ObjectPtr InformerStore::get(const std::string& key) const {
  std::shared_lock lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> InformerStore::list() const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<std::pair<std::string, ObjectPtr>> InformerStore::entries() const {
  std::shared_lock lock(mu_);
  return {items_.begin(), items_.end()};
}

std::vector<ObjectPtr> InformerStore::by_index(const std::string& index, const std::string& value) const {
  std::shared_lock lock(mu_);
  std::vector<ObjectPtr> out;
  auto i = indexes_.find(index);
  if (i == indexes_.end()) return out;
  auto keys = i->second.keys_by_value.find(value);
  if (keys == i->second.keys_by_value.end()) return out;
  out.reserve(keys->second.size());
  for (const auto& key : keys->second) {
    auto it = items_.find(key);
    if (it != items_.end()) out.push_back(it->second);
  }
  return out;
}

std::string InformerStore::resource_version() const {
  std::shared_lock lock(mu_);
  return resource_version_;
}

size_t InformerStore::size() const {
  std::shared_lock lock(mu_);
  return items_.size();
}

}  // namespace kite::client
