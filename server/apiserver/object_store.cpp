// Reading and writing objects in the datastore: JSON without resourceVersion, which is the
// key's mod revision and is filled in on the way out.
#include "api/conversion/event_conversion.h"
#include "server/apiserver/rest.h"

namespace kite::apiserver {

namespace {
std::string encode_for_store(const api::ResourceInfo& r, json obj) {
  if (is_events_v1(r)) obj = api::events_v1_to_core_event(obj);
  if (obj.contains("metadata") && obj["metadata"].is_object()) obj["metadata"].erase("resourceVersion");
  return obj.dump();
}

void stamp(json& obj, int64_t rev) { obj["metadata"]["resourceVersion"] = std::to_string(rev); }

base::Status too_large(const api::ResourceInfo& r, const std::string& name, size_t size) {
  std::string message = "Too long: the object is " + std::to_string(size) + " bytes, more than the datastore's limit of " +
                        std::to_string(kMaxObjectBytes) + " bytes";
  base::Status s(Reason::Invalid, r.kind + " \"" + name + "\" is invalid: " + message);
  s.with_details(name, r.group, r.plural);
  s.with_cause({"FieldValueTooLong", message, ""});
  return s;
}

std::string name_of(const json& obj) {
  if (auto m = obj.find("metadata"); m != obj.end() && m->is_object()) return m->value("name", "");
  return "";
}
}  // namespace

Result<StoredObject> read_object(ServerState& st, const api::ResourceInfo& r, const std::string& key,
                                 const std::string& name) {
  auto kv = st.store.get(key);
  if (!kv) return std::unexpected(kv.error());
  if (!kv->has_value()) return base::error(not_found(r, name));
  json obj = json::parse((*kv)->value, nullptr, false);
  if (obj.is_discarded() || !obj.is_object()) {
    return base::error(Reason::InternalError, "the stored object at " + key + " cannot be decoded");
  }
  if (is_events_v1(r)) obj = api::core_event_to_events_v1(obj);
  stamp(obj, (*kv)->mod_revision);
  return StoredObject{std::move(obj), (*kv)->mod_revision};
}

Result<json> create_object(ServerState& st, const api::ResourceInfo& r, const std::string& key, json obj) {
  std::string bytes = encode_for_store(r, obj);
  if (bytes.size() > kMaxObjectBytes) return base::error(too_large(r, name_of(obj), bytes.size()));
  auto rev = st.store.create(key, bytes);
  if (!rev) {
    if (rev.error().reason() == Reason::AlreadyExists) return base::error(already_exists(r, name_of(obj)));
    if (rev.error().reason() == Reason::RequestEntityTooLarge) return base::error(too_large(r, name_of(obj), bytes.size()));
    return std::unexpected(rev.error());
  }
  stamp(obj, *rev);
  return obj;
}

Result<json> update_object(ServerState& st, const api::ResourceInfo& r, const std::string& key, json obj,
                           int64_t expected_rev) {
  std::string bytes = encode_for_store(r, obj);
  if (bytes.size() > kMaxObjectBytes) return base::error(too_large(r, name_of(obj), bytes.size()));
  auto rev = st.store.update(key, bytes, expected_rev);
  if (!rev) {
    const auto& e = rev.error();
    if (e.reason() == Reason::Conflict) {
      return base::error(conflict(r, name_of(obj),
                                  "the object has been modified; please apply your changes to the latest "
                                  "version and try again"));
    }
    if (e.reason() == Reason::NotFound) return base::error(not_found(r, name_of(obj)));
    if (e.reason() == Reason::RequestEntityTooLarge) return base::error(too_large(r, name_of(obj), bytes.size()));
    return std::unexpected(e);
  }
  stamp(obj, *rev);
  return obj;
}

Result<void> delete_object(ServerState& st, const api::ResourceInfo& r, const std::string& key,
                           const std::string& name, int64_t expected_rev) {
  auto rev = st.store.remove(key, expected_rev);
  if (!rev) {
    const auto& e = rev.error();
    if (e.reason() == Reason::Conflict) {
      return base::error(conflict(r, name, "the object has been modified; please apply your changes to the "
                                           "latest version and try again"));
    }
    if (e.reason() == Reason::NotFound) return base::error(not_found(r, name));
    return std::unexpected(e);
  }
  return {};
}

}  // namespace kite::apiserver
