// FakeClient: the verbs, the store and the change history watches replay from. The write
// rules (update, delete, binding, eviction) are in fake_client_writes.cpp.
#include "client/fake_client.h"

#include <charconv>

#include "api/defaults/defaults.h"
#include "api/patch/json_patch.h"
#include "api/patch/merge_patch.h"
#include "api/patch/strategic_merge_patch.h"
#include "base/ids.h"
#include "client/fake_client_state.h"

namespace kite::client {

using fake::ObjectPtr;

namespace {

bool parse_rv(const std::string& text, uint64_t* out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size();
}

std::string key_of(const std::string& ns, const std::string& name) { return ns.empty() ? name : ns + "/" + name; }

}  // namespace

// ---- State ----

std::optional<base::Status> FakeClient::State::record(FakeAction action) {
  auto it = failures.find({action.verb, action.resource});
  actions.push_back(std::move(action));
  if (it != failures.end()) return it->second;
  return std::nullopt;
}

ObjectPtr FakeClient::State::find(const std::string& rid, const std::string& key) const {
  auto r = objects.find(rid);
  if (r == objects.end()) return nullptr;
  auto o = r->second.find(key);
  return o == r->second.end() ? nullptr : o->second;
}

ObjectPtr FakeClient::State::put(const std::string& rid, const std::string& key, json obj) {
  auto ptr = std::make_shared<const json>(std::move(obj));
  auto& slot = objects[rid][key];
  ObjectPtr old = std::move(slot);
  slot = ptr;
  uint64_t v = 0;
  parse_rv(ptr->at("metadata").value("resourceVersion", ""), &v);
  publish({v, rid, std::move(old), ptr});
  return ptr;
}

void FakeClient::State::erase(const std::string& rid, const std::string& key, const ObjectPtr& last) {
  auto r = objects.find(rid);
  if (r == objects.end()) return;
  r->second.erase(key);
  json gone = *last;
  std::string v = next_rv();
  gone["metadata"]["resourceVersion"] = v;
  publish({rv, rid, std::make_shared<const json>(std::move(gone)), nullptr});
}

void FakeClient::State::publish(fake::Change change) {
  for (auto it = watches.begin(); it != watches.end();) {
    if ((*it)->closed()) {
      it = watches.erase(it);
      continue;
    }
    if (auto e = fake::event_for((*it)->filter(), change)) (*it)->push(std::move(*e));
    ++it;
  }
  history.push_back(std::move(change));
  while (history.size() > history_limit) {
    compacted_rv = history.front().rv;
    history.pop_front();
  }
}

// ---- FakeClient ----

FakeClient::FakeClient() : state_(std::make_unique<State>()) {}

FakeClient::~FakeClient() {
  std::lock_guard lock(state_->mu);
  for (auto& w : state_->watches) w->close(std::nullopt);
}

base::Result<json> FakeClient::get(const ResourceRef& r, const std::string& ns, const std::string& name) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record({"get", r.resource, ns, name, nullptr})) return base::error(*f);
  auto obj = state_->find(fake::resource_id(r), key_of(r.namespaced ? ns : "", name));
  if (!obj) return base::error(fake::not_found(r, name));
  return *obj;
}

base::Result<json> FakeClient::list(const ResourceRef& r, const std::string& ns, const ListOptions& opts) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record({"list", r.resource, ns, "", nullptr})) return base::error(*f);
  auto filter = fake::make_filter(r, ns, opts);
  if (!filter) return std::unexpected(filter.error());
  json items = json::array();
  std::string next_continue;
  auto rit = state_->objects.find(fake::resource_id(r));
  if (rit != state_->objects.end()) {
    const auto& objs = rit->second;
    std::string prefix = filter->ns.empty() ? "" : filter->ns + "/";
    auto it = opts.continue_token.empty() ? objs.lower_bound(prefix) : objs.upper_bound(opts.continue_token);
    std::string last_key;
    for (; it != objs.end() && it->first.starts_with(prefix); ++it) {
      if (!filter->matches(*it->second)) continue;
      if (opts.limit > 0 && static_cast<int64_t>(items.size()) == opts.limit) {
        next_continue = last_key;  // the next page starts after the last item returned
        break;
      }
      items.push_back(*it->second);
      last_key = it->first;
    }
  }
  auto info = fake::resource_info(r);
  json meta = {{"resourceVersion", std::to_string(state_->rv)}};
  if (!next_continue.empty()) meta["continue"] = next_continue;
  return json{{"kind", (info ? info->kind : std::string("")) + "List"},
              {"apiVersion", r.api_version()},
              {"metadata", std::move(meta)},
              {"items", std::move(items)}};
}

base::Result<json> FakeClient::create(const ResourceRef& r, const std::string& ns, const json& body) {
  std::lock_guard lock(state_->mu);
  std::string body_name = body.is_object() && body.contains("metadata") && body["metadata"].is_object()
                              ? body["metadata"].value("name", "")
                              : "";
  if (auto f = state_->record({"create", r.resource, ns, body_name, body})) return base::error(*f);
  if (!body.is_object()) return base::error(base::Reason::BadRequest, "the request body must be a JSON object");
  json obj = body;
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  auto& meta = obj["metadata"];
  std::string obj_ns = meta.value("namespace", "");
  if (r.namespaced) {
    if (ns.empty() && obj_ns.empty()) return base::error(base::Reason::BadRequest, "a namespace is required");
    if (!ns.empty() && !obj_ns.empty() && ns != obj_ns) {
      return base::error(base::Reason::BadRequest, "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = obj_ns = ns.empty() ? obj_ns : ns;
  } else {
    meta.erase("namespace");
    obj_ns.clear();
  }
  std::string rid = fake::resource_id(r);
  std::string name = meta.value("name", "");
  if (name.empty()) {
    std::string gen = meta.value("generateName", "");
    if (gen.empty()) {
      return base::error(base::Reason::Invalid, "metadata.name: Required value: name or generateName is required");
    }
    do {
      name = gen + base::random_name_suffix(5);
    } while (state_->find(rid, key_of(obj_ns, name)));
    meta["name"] = name;
  }
  std::string key = key_of(obj_ns, name);
  if (state_->find(rid, key)) return base::error(fake::already_exists(r, name));
  auto info = fake::resource_info(r);
  if (auto a = fake::admit_mutations(r, obj, true); !a.is_ok()) return base::error(a);
  fake::prepare_for_create(r, info.get(), obj);
  fake::set_type_meta(r, info.get(), obj);
  obj["metadata"]["uid"] = base::new_uuid();
  obj["metadata"]["creationTimestamp"] = base::rfc3339(state_->now());
  fake::generate_job_selector(r, obj);
  if (info) api::apply_defaults(*info, obj);
  obj["metadata"]["resourceVersion"] = state_->next_rv();
  return *state_->put(rid, key, std::move(obj));
}

base::Result<json> FakeClient::update(const ResourceRef& r, const json& obj, const std::string& subresource) {
  std::lock_guard lock(state_->mu);
  std::string ns, name;
  if (obj.is_object() && obj.contains("metadata") && obj["metadata"].is_object()) {
    ns = obj["metadata"].value("namespace", "");
    name = obj["metadata"].value("name", "");
  }
  std::string verb = subresource.empty() ? "update" : "update-" + subresource;
  if (auto f = state_->record({verb, r.resource, ns, name, obj})) return base::error(*f);
  if (!obj.is_object()) return base::error(base::Reason::BadRequest, "the request body must be a JSON object");
  return state_->update_locked(r, obj, subresource);
}

base::Result<json> FakeClient::patch(const ResourceRef& r, const std::string& ns, const std::string& name,
                                     PatchType type, const json& patch, const std::string& subresource) {
  std::lock_guard lock(state_->mu);
  std::string verb = subresource.empty() ? "patch" : "patch-" + subresource;
  if (auto f = state_->record({verb, r.resource, ns, name, patch})) return base::error(*f);
  auto current = state_->find(fake::resource_id(r), key_of(r.namespaced ? ns : "", name));
  if (!current) return base::error(fake::not_found(r, name));
  json patched;
  switch (type) {
    case PatchType::kJson: {
      auto p = api::apply_json_patch(*current, patch);
      if (!p) return p;
      patched = std::move(*p);
      break;
    }
    case PatchType::kMerge:
      if (!patch.is_object()) return base::error(base::Reason::BadRequest, "a merge patch must be a JSON object");
      patched = api::apply_merge_patch(*current, patch);
      break;
    case PatchType::kStrategicMerge: {
      auto info = fake::resource_info(r);
      auto p = api::apply_strategic_merge_patch(*current, patch, info ? info->schema.get() : nullptr);
      if (!p) return p;
      patched = std::move(*p);
      break;
    }
  }
  if (!patched.is_object()) return base::error(base::Reason::BadRequest, "the patched object is not a JSON object");
  if (!patched.contains("metadata") || !patched["metadata"].is_object()) patched["metadata"] = json::object();
  patched["metadata"]["name"] = name;
  if (r.namespaced) patched["metadata"]["namespace"] = ns;
  return state_->update_locked(r, std::move(patched), subresource);
}

base::Result<json> FakeClient::remove(const ResourceRef& r, const std::string& ns, const std::string& name,
                                      const DeleteOptions& opts) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record({"delete", r.resource, ns, name, nullptr})) return base::error(*f);
  return state_->delete_locked(r, ns, name, opts);
}

base::Result<json> FakeClient::create_subresource(const ResourceRef& r, const std::string& ns, const std::string& name,
                                                  const std::string& subresource, const json& body) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record({"create-" + subresource, r.resource, ns, name, body})) return base::error(*f);
  if (fake::is_kind(r, "pods") && subresource == "binding") return state_->bind_locked(r, ns, name, body);
  if (fake::is_kind(r, "pods") && subresource == "eviction") return state_->evict_locked(r, ns, name, body);
  return base::error(base::Reason::NotFound, "the server could not find the requested resource (post " +
                                                 r.resource + "/" + subresource + ")");
}

base::Result<std::unique_ptr<WatchStream>> FakeClient::watch(const ResourceRef& r, const std::string& ns,
                                                             const ListOptions& opts) {
  std::lock_guard lock(state_->mu);
  if (auto f = state_->record({"watch", r.resource, ns, "", nullptr})) return base::error(*f);
  auto filter = fake::make_filter(r, ns, opts);
  if (!filter) return std::unexpected(filter.error());
  uint64_t from = state_->rv;
  // "0" means "any version", as on the API server: the current objects as ADDED events first.
  bool initial_state = opts.resource_version == "0";
  if (!opts.resource_version.empty() && !initial_state) {
    if (!parse_rv(opts.resource_version, &from)) {
      return base::error(base::Reason::BadRequest, "invalid resource version: " + opts.resource_version);
    }
  }
  auto w = std::make_shared<fake::FakeWatch>(std::move(*filter));
  if (initial_state) {
    auto rit = state_->objects.find(w->filter().resource_id);
    if (rit != state_->objects.end()) {
      for (const auto& [key, obj] : rit->second) {
        if (w->filter().matches(*obj)) w->push(WatchEvent{WatchEvent::Type::kAdded, *obj});
      }
    }
    state_->watches.push_back(w);
  } else if (from < state_->compacted_rv) {
    base::Status gone(base::Reason::Gone, "too old resource version: " + std::to_string(from) + " (" +
                                              std::to_string(state_->compacted_rv) + ")");
    w->close(WatchEvent{WatchEvent::Type::kError, gone.to_json()});
  } else {
    for (const auto& change : state_->history) {
      if (change.rv <= from) continue;
      if (auto e = fake::event_for(w->filter(), change)) w->push(std::move(*e));
    }
    state_->watches.push_back(w);
  }
  // The stream handed out shares the watch with the state's list.
  struct Handle final : WatchStream {
    std::shared_ptr<fake::FakeWatch> w;
    explicit Handle(std::shared_ptr<fake::FakeWatch> x) : w(std::move(x)) {}
    ~Handle() override { w->stop(); }
    std::optional<WatchEvent> next() override { return w->next(); }
    void stop() override { w->stop(); }
  };
  return std::unique_ptr<WatchStream>(std::make_unique<Handle>(std::move(w)));
}

json FakeClient::seed(const ResourceRef& r, json obj) {
  std::lock_guard lock(state_->mu);
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  auto info = fake::resource_info(r);
  fake::set_type_meta(r, info.get(), obj);
  auto& meta = obj["metadata"];
  if (!r.namespaced) meta.erase("namespace");
  if (meta.value("uid", "").empty()) meta["uid"] = base::new_uuid();
  if (meta.value("creationTimestamp", "").empty()) {
    meta["creationTimestamp"] = base::rfc3339(state_->now());
  }
  uint64_t given = 0;
  if (parse_rv(meta.value("resourceVersion", ""), &given) && given > state_->rv) {
    state_->rv = given;
  } else {
    meta["resourceVersion"] = state_->next_rv();
  }
  std::string key = key_of(meta.value("namespace", ""), meta.value("name", ""));
  return *state_->put(fake::resource_id(r), key, std::move(obj));
}

std::vector<FakeAction> FakeClient::actions() const {
  std::lock_guard lock(state_->mu);
  return state_->actions;
}

void FakeClient::clear_actions() {
  std::lock_guard lock(state_->mu);
  state_->actions.clear();
}

void FakeClient::fail(const std::string& verb, const std::string& resource, base::Status status) {
  std::lock_guard lock(state_->mu);
  state_->failures[{verb, resource}] = std::move(status);
}

void FakeClient::clear_failures() {
  std::lock_guard lock(state_->mu);
  state_->failures.clear();
}

void FakeClient::use_clock(const base::Clock* clock) {
  std::lock_guard lock(state_->mu);
  state_->clock = clock ? clock : &base::real_clock();
}

void FakeClient::expire_watches() {
  std::lock_guard lock(state_->mu);
  base::Status gone(base::Reason::Gone, "too old resource version");
  for (auto& w : state_->watches) w->close(WatchEvent{WatchEvent::Type::kError, gone.to_json()});
  state_->watches.clear();
  // Watches from any version before now are too old from here on, as after a compaction.
  state_->history.clear();
  state_->compacted_rv = state_->rv;
}

void FakeClient::close_watches() {
  std::lock_guard lock(state_->mu);
  for (auto& w : state_->watches) w->close(std::nullopt);
  state_->watches.clear();
}

std::vector<json> FakeClient::objects(const ResourceRef& r) const {
  std::lock_guard lock(state_->mu);
  std::vector<json> out;
  auto it = state_->objects.find(fake::resource_id(r));
  if (it == state_->objects.end()) return out;
  out.reserve(it->second.size());
  for (const auto& [key, obj] : it->second) out.push_back(*obj);
  return out;
}

}  // namespace kite::client
