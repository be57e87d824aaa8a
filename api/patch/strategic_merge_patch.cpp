#include "api/patch/strategic_merge_patch.h"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/patch/list_order.h"

namespace kite::api {
namespace {

using base::Reason;
using patch_detail::element_identity;
using patch_detail::index_of;
using patch_detail::normalize_order;

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";

std::unexpected<base::Status> bad_request(std::string msg) {
  return base::error(Reason::BadRequest, std::move(msg));
}

// What the schema of a field says about patching it.
struct FieldStrategy {
  bool merge = false;
  bool replace = false;
  std::string merge_key;
};

FieldStrategy strategy_of(const Schema* field) {
  FieldStrategy st;
  if (!field) return st;
  const std::string& s = field->patch_strategy;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    std::string part = s.substr(start, comma == std::string::npos ? s.npos : comma - start);
    if (part == "merge") st.merge = true;
    if (part == "replace") st.replace = true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  st.merge_key = field->patch_merge_key;
  return st;
}

const Schema* child_of(const Schema* object, const std::string& key) {
  if (!object) return nullptr;
  if (auto it = object->properties.find(key); it != object->properties.end()) {
    return it->second.get();
  }
  return object->additional_properties.get();
}

const Schema* items_of(const Schema* list) { return list ? list->items.get() : nullptr; }

bool declares(const Schema* object, const std::string& key) {
  return object && object->properties.contains(key);
}

// `prefix/<field>` -> field, or nullopt when the key is malformed.
std::optional<std::string> directive_field(const std::string& key, std::string_view prefix) {
  if (key.size() <= prefix.size() + 1 || key[prefix.size()] != '/') return std::nullopt;
  return key.substr(prefix.size() + 1);
}

enum class Kind { None, Object, Array, String, Number, Boolean };

Kind kind_of(const json& v) {
  if (v.is_object()) return Kind::Object;
  if (v.is_array()) return Kind::Array;
  if (v.is_string()) return Kind::String;
  if (v.is_number()) return Kind::Number;
  if (v.is_boolean()) return Kind::Boolean;
  return Kind::None;
}

// The common element kind of the lists (null elements ignored).
base::Result<Kind> element_kind(const json& a, const json& b) {
  Kind kind = Kind::None;
  for (const json* list : {&a, &b}) {
    for (const auto& v : *list) {
      Kind k = kind_of(v);
      if (k == Kind::None) continue;
      if (k == Kind::Array) return base::error(Reason::Invalid, "lists of lists are not supported");
      if (kind != Kind::None && k != kind) {
        return bad_request("list element types are not identical: " + a.dump() + ", " + b.dump());
      }
      kind = k;
    }
  }
  return kind;
}

class Merger {
 public:
  // Merges `patch` (an object) into `orig`. Sets *deleted for a `$patch: delete` map.
  base::Result<json> merge_map(json orig, json patch, const Schema* schema, bool* deleted) {
    *deleted = false;
    if (!orig.is_object()) orig = json::object();

    if (auto d = patch.find(kPatch); d != patch.end()) {
      if (*d == "replace") {
        orig = json::object();
      } else if (*d == "delete") {
        *deleted = true;
        return json::object();
      } else if (*d != "merge") {
        return bad_request("unknown patch type: " + d->dump() + " in map: " + patch.dump());
      }
      patch.erase(d);
    }

    if (auto r = apply_retain_keys(orig, patch); !r) return std::unexpected(r.error());
    if (auto r = apply_set_element_order(orig, patch, schema); !r) {
      return std::unexpected(r.error());
    }

    std::vector<std::pair<std::string, json>> primitive_deletions;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      const std::string& key = it.key();
      const json& value = *it;
      if (key.starts_with(kDeleteFromPrimitiveList) && !declares(schema, key)) {
        auto field = directive_field(key, kDeleteFromPrimitiveList);
        if (!field || !value.is_array()) return bad_request("invalid patch format of primitive list");
        primitive_deletions.emplace_back(*field, value);
        continue;
      }
      if (key.starts_with("$") && !declares(schema, key)) {
        return bad_request("unknown patch directive " + json(key).dump());
      }
      const Schema* field_schema = child_of(schema, key);
      if (value.is_null()) {
        orig.erase(key);
        continue;
      }
      auto existing = orig.find(key);
      if (existing == orig.end() || existing->is_null()) {
        auto v = materialize(value, field_schema);
        if (!v) return std::unexpected(v.error());
        if (*v) {
          orig[key] = std::move(**v);
        } else {
          orig.erase(key);
        }
        continue;
      }
      if (existing->is_object() && value.is_object() && !strategy_of(field_schema).replace) {
        bool nested_deleted = false;
        auto merged = merge_map(std::move(*existing), value, field_schema, &nested_deleted);
        if (!merged) return std::unexpected(merged.error());
        *existing = std::move(*merged);  // `$patch: delete` leaves an empty map, as Kubernetes
        continue;
      }
      if (existing->is_array() && value.is_array()) {
        auto merged = merge_list(*existing, value, field_schema);
        if (!merged) return std::unexpected(merged.error());
        *existing = std::move(*merged);
        continue;
      }
      auto v = materialize(value, field_schema);
      if (!v) return std::unexpected(v.error());
      if (*v) {
        *existing = std::move(**v);
      } else {
        orig.erase(existing);
      }
    }

    for (const auto& [field, to_delete] : primitive_deletions) {
      auto it = orig.find(field);
      if (it == orig.end() || !it->is_array()) continue;
      json kept = json::array();
      for (auto& v : *it) {
        bool drop = false;
        for (const auto& d : to_delete) drop = drop || d == v;
        if (!drop) kept.push_back(std::move(v));
      }
      *it = std::move(kept);
    }
    return orig;
  }

  // Merges list `patch` into list `orig` for a field with schema `field`.
  base::Result<json> merge_list(const json& orig, const json& patch, const Schema* field) {
    FieldStrategy st = strategy_of(field);
    const Schema* item_schema = items_of(field);
    if (!st.merge) return replace_list(patch, item_schema);
    if (orig.empty() && patch.empty()) return orig;

    auto kind = element_kind(orig, patch);
    if (!kind) return std::unexpected(kind.error());

    if (*kind != Kind::Object) {
      // Primitives: union of live and patch values, without duplicates.
      json merged = json::array();
      for (const json* list : {&orig, &patch}) {
        for (const auto& v : *list) {
          if (index_of(merged, v, "") < 0) merged.push_back(v);
        }
      }
      return normalize_order(merged, patch, orig, "");
    }

    if (st.merge_key.empty()) {
      return bad_request("cannot merge lists without merge key for " + patch.dump());
    }
    const std::string& key = st.merge_key;

    // Special elements first: `$patch: delete` removes live elements, `$patch: replace`
    // drops the live list.
    json live = orig;
    json items = json::array();
    bool replace = false;
    for (const auto& el : patch) {
      if (!el.is_object()) return bad_request("list element is not a map: " + el.dump());
      auto d = el.find(kPatch);
      if (d == el.end()) {
        items.push_back(el);
        continue;
      }
      if (*d == "delete") {
        if (!el.contains(key)) return no_merge_key(el, key);
        json id = el[key];
        json kept = json::array();
        for (auto& v : live) {
          if (element_identity(v, key) != id) kept.push_back(std::move(v));
        }
        live = std::move(kept);
      } else if (*d == "replace") {
        replace = true;
      } else if (*d != "merge") {
        return bad_request("unknown patch type: " + d->dump() + " in map: " + el.dump());
      }
    }
    if (replace) live = json::array();

    json merged = live;
    for (const auto& el : items) {
      if (!el.contains(key)) return no_merge_key(el, key);
      long at = index_of(merged, el, key);
      if (at >= 0) {
        bool deleted = false;
        auto m = merge_map(merged[static_cast<size_t>(at)], el, item_schema, &deleted);
        if (!m) return std::unexpected(m.error());
        merged[static_cast<size_t>(at)] = std::move(*m);
      } else {
        auto m = materialize(el, item_schema);
        if (!m) return std::unexpected(m.error());
        if (*m) merged.push_back(std::move(**m));
      }
    }
    return normalize_order(merged, items, live, key);
  }

 private:
  // A patch value applied where the live object has nothing: directives are carried out
  // against an empty value and nulls vanish. nullopt when the value deletes itself.
  base::Result<std::optional<json>> materialize(const json& value, const Schema* field) {
    if (value.is_object()) {
      bool deleted = false;
      auto m = merge_map(json::object(), value, field, &deleted);
      if (!m) return std::unexpected(m.error());
      if (deleted) return std::optional<json>();
      return std::optional<json>(std::move(*m));
    }
    if (value.is_array()) {
      auto m = merge_list(json::array(), value, field);
      if (!m) return std::unexpected(m.error());
      return std::optional<json>(std::move(*m));
    }
    return std::optional<json>(value);
  }

  // A list without merge strategy: the patch's list, minus directive elements.
  base::Result<json> replace_list(const json& patch, const Schema* item_schema) {
    json out = json::array();
    for (const auto& el : patch) {
      if (el.is_object() && el.contains(kPatch)) continue;
      auto m = materialize(el, item_schema);
      if (!m) return std::unexpected(m.error());
      if (*m) out.push_back(std::move(**m));
    }
    return out;
  }

  static std::unexpected<base::Status> no_merge_key(const json& el, const std::string& key) {
    return bad_request("map: " + el.dump() + " does not contain declared merge key: " + key);
  }

  // `$retainKeys: [k...]`: clears every live key not listed; every non-null patch key must
  // be listed.
  base::Result<void> apply_retain_keys(json& orig, json& patch) {
    auto rk = patch.find(kRetainKeys);
    if (rk == patch.end()) return {};
    if (!rk->is_array()) return bad_request("invalid patch format of retainKeys");
    std::set<std::string> keep;
    for (const auto& k : *rk) {
      if (!k.is_string()) return bad_request("invalid patch format of retainKeys");
      keep.insert(k.get<std::string>());
    }
    patch.erase(rk);
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      if (it->is_null() || it.key().starts_with(kDeleteFromPrimitiveList) ||
          it.key().starts_with(kSetElementOrder)) {
        continue;
      }
      if (!keep.contains(it.key())) {
        return bad_request("invalid patch format of retainKeys: " + json(it.key()).dump() +
                           " is not in the $retainKeys list");
      }
    }
    for (auto it = orig.begin(); it != orig.end();) {
      it = keep.contains(it.key()) ? std::next(it) : orig.erase(it);
    }
    return {};
  }

  // `$setElementOrder/<field>: [...]`: merges the field's list (if the patch has one) and
  // orders the result as listed; live elements not listed keep their relative place.
  base::Result<void> apply_set_element_order(json& orig, json& patch, const Schema* schema) {
    std::vector<std::string> directives;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      if (it.key().starts_with(kSetElementOrder) && !declares(schema, it.key())) {
        directives.push_back(it.key());
      }
    }
    for (const auto& directive : directives) {
      json order = std::move(patch[directive]);
      patch.erase(directive);
      auto field = directive_field(directive, kSetElementOrder);
      if (!field || !order.is_array()) {
        return bad_request("invalid patch format of setElementOrder list");
      }
      const Schema* field_schema = child_of(schema, *field);
      const std::string key = strategy_of(field_schema).merge_key;

      auto live_it = orig.find(*field);
      bool has_live = live_it != orig.end() && live_it->is_array();
      auto patch_it = patch.find(*field);
      if (patch_it != patch.end() && !patch_it->is_array()) continue;  // merged as a value
      bool has_patch = patch_it != patch.end();
      if (!has_live && !has_patch) continue;

      if (has_patch) {
        if (auto r = check_order(*patch_it, order, key); !r) return r;
      }
      json live = has_live ? *live_it : json::array();
      json merged;
      if (has_live && has_patch) {
        auto m = merge_list(live, *patch_it, field_schema);
        if (!m) return std::unexpected(m.error());
        merged = std::move(*m);
      } else if (has_patch) {
        auto m = merge_list(json::array(), *patch_it, field_schema);
        if (!m) return std::unexpected(m.error());
        merged = std::move(*m);
      } else {
        merged = live;
      }
      if (has_patch) patch.erase(*field);
      orig[*field] = normalize_order(merged, order, live, key);
    }
    return {};
  }

  // The patch list's elements (bar directive elements) must appear in the order list, in
  // the same relative order.
  static base::Result<void> check_order(const json& patch_list, const json& order,
                                        const std::string& key) {
    if (!key.empty()) {
      for (const auto& el : order) {
        if (!el.is_object() || !el.contains(key)) return no_merge_key(el, key);
      }
    }
    size_t oi = 0;
    for (const auto& el : patch_list) {
      if (el.is_object() && el.contains(kPatch)) continue;
      json id = element_identity(el, key);
      while (oi < order.size() && element_identity(order[oi], key) != id) ++oi;
      if (oi >= order.size()) {
        return bad_request("the order in patch list " + patch_list.dump() +
                           " doesn't match $setElementOrder list " + order.dump());
      }
      ++oi;
    }
    return {};
  }
};

}  // namespace

base::Result<json> apply_strategic_merge_patch(const json& doc, const json& patch,
                                               const Schema* schema) {
  if (!patch.is_object()) {
    return bad_request("strategic merge patch must be a JSON object, got " +
                       std::string(patch.type_name()));
  }
  if (!doc.is_null() && !doc.is_object()) {
    return bad_request("strategic merge patch applies to a JSON object only");
  }
  try {
    Merger merger;
    bool deleted = false;
    return merger.merge_map(doc.is_null() ? json::object() : doc, patch, schema, &deleted);
  } catch (const std::exception& e) {  // defensive: nlohmann must not escape
    return base::error(Reason::InternalError, std::string("strategic merge patch: ") + e.what());
  }
}

}  // namespace kite::api
