#include "api/patch/list_order.h"

#include <algorithm>
#include <vector>

namespace kite::api::patch_detail {
namespace {

// Stable sort of `items` by their position in `order`; items not in `order` go last.
void sort_by(std::vector<json>& items, const json& order, const std::string& merge_key) {
  std::vector<std::pair<long, json>> keyed;
  keyed.reserve(items.size());
  for (auto& item : items) {
    long i = index_of(order, item, merge_key);
    keyed.emplace_back(i < 0 ? static_cast<long>(order.size()) : i, std::move(item));
  }
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  items.clear();
  for (auto& [_, item] : keyed) items.push_back(std::move(item));
}

}  // namespace

json element_identity(const json& element, const std::string& merge_key) {
  if (merge_key.empty()) return element;
  if (!element.is_object()) return nullptr;
  auto it = element.find(merge_key);
  return it == element.end() ? json(nullptr) : *it;
}

long index_of(const json& list, const json& element, const std::string& merge_key) {
  if (!list.is_array()) return -1;
  json id = element_identity(element, merge_key);
  for (size_t i = 0; i < list.size(); ++i) {
    if (element_identity(list[i], merge_key) == id) return static_cast<long>(i);
  }
  return -1;
}

json normalize_order(const json& merged, const json& order, const json& live,
                     const std::string& merge_key) {
  std::vector<json> patch_items, server_items;
  for (const auto& item : merged) {
    (index_of(order, item, merge_key) >= 0 ? patch_items : server_items).push_back(item);
  }
  sort_by(patch_items, order, merge_key);
  sort_by(server_items, live, merge_key);

  json out = json::array();
  size_t i = 0, j = 0;
  while (i < server_items.size() || j < patch_items.size()) {
    if (j >= patch_items.size()) {
      out.push_back(std::move(server_items[i++]));
    } else if (i >= server_items.size()) {
      out.push_back(std::move(patch_items[j++]));
    } else {
      long li = index_of(live, server_items[i], merge_key);
      long ri = index_of(live, patch_items[j], merge_key);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(std::move(server_items[i++]));
      } else {
        out.push_back(std::move(patch_items[j++]));
      }
    }
  }
  return out;
}

}  // namespace kite::api::patch_detail
