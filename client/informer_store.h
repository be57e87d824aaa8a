// InformerStore: an Informer's cache (internal to client/): objects by key, secondary indexes
// kept current on every change, and the newest resourceVersion applied.
//
// Writers (the informer thread) call upsert/remove/replace; readers call get/list/by_index
// from any thread. A shared_mutex guards everything; objects are shared immutable snapshots,
// so readers never copy JSON.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "client/informer.h"

namespace kite::client {

class InformerStore {
 public:
  // Adds an index and files every stored object under it.
  void add_index(const std::string& name, IndexFunc fn);

  // Stores `obj` under `key`; returns the previous object (null if new).
  ObjectPtr upsert(const std::string& key, ObjectPtr obj);
  // Removes `key`; returns the removed object (null if absent).
  ObjectPtr remove(const std::string& key);
  void set_resource_version(std::string rv);

  ObjectPtr get(const std::string& key) const;
  std::vector<ObjectPtr> list() const;
  std::vector<std::pair<std::string, ObjectPtr>> entries() const;
  std::vector<ObjectPtr> by_index(const std::string& index, const std::string& value) const;
  std::string resource_version() const;
  size_t size() const;

 private:
  struct Index {
    IndexFunc fn;
    std::unordered_map<std::string, std::unordered_set<std::string>> keys_by_value;
  };
  // Require mu_ held exclusively.
  void index_add(const std::string& key, const json& obj);
  void index_remove(const std::string& key, const json& obj);

  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, ObjectPtr> items_;
  std::map<std::string, Index> indexes_;
  std::string resource_version_;
};

}  // namespace kite::client
