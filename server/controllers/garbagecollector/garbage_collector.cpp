#include "server/controllers/garbagecollector/garbage_collector.h"

#include "base/log.h"
#include "server/controllers/garbagecollector/garbagecollector_controller.h"
#include "server/controllers/garbagecollector/monitored_resources.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_garbagecollector_controller(ControllerContext& ctx) {
  return std::make_unique<gc::GarbageCollector>(ctx);
}

}  // namespace kite::controllers

namespace kite::controllers::gc {

namespace {

constexpr const char* kLog = "garbagecollector";
constexpr size_t kAbsentCacheSize = 1000;

std::set<std::string> owner_uids(const json& obj) {
  std::set<std::string> out;
  for (const auto& ref : owner_references(obj)) out.insert(ref.value("uid", ""));
  return out;
}

const json* reference_to(const json& obj, const std::string& owner_uid) {
  const auto& refs = obj["metadata"]["ownerReferences"];
  for (const auto& ref : refs) {
    if (ref.value("uid", "") == owner_uid) return &ref;
  }
  return nullptr;
}

bool deleting_dependents(const json& obj) { return is_deleting(obj) && has_finalizer(obj, kFinalizerForeground); }

bool ignorable(const base::Status& s) {
  return s.reason() == base::Reason::NotFound;
}

}  // namespace

GarbageCollector::GarbageCollector(ControllerContext& ctx, int workers)
    : QueueController("garbagecollector", workers), ctx_(ctx) {}

GarbageCollector::~GarbageCollector() { stop(); }

void GarbageCollector::register_handlers() {
  const auto& resources = monitored_resources();
  for (size_t i = 0; i < resources.size(); ++i) {
    auto& inf = ctx_.informers.informer(resources[i].ref);
    informers_.push_back(&inf);
    client::EventHandlers h;
    h.on_add = [this, i](const client::ObjectPtr& obj) { on_observed(i, nullptr, obj); };
    h.on_update = [this, i](const client::ObjectPtr&, const client::ObjectPtr& obj) { on_observed(i, nullptr, obj); };
    h.on_delete = [this](const client::ObjectPtr& obj) { on_deleted(obj); };
    inf.add_handlers(std::move(h));
  }
}

std::vector<client::Informer*> GarbageCollector::informers_to_sync() { return informers_; }

void GarbageCollector::on_observed(size_t resource, const client::ObjectPtr&, const client::ObjectPtr& obj) {
  if (!obj) return;
  std::string uid = uid_of(*obj);
  if (uid.empty()) return;
  // The graph's previous state is the one that matters (the informer's old object may predate
  // what the graph saw last).
  client::ObjectPtr old = graph_.upsert(resource, obj);
  const json& now = *obj;
  if (is_deleting(now) && (has_finalizer(now, kFinalizerOrphan) || has_finalizer(now, kFinalizerForeground))) {
    queue().add(uid);
    bool entered_foreground = deleting_dependents(now) && !(old && deleting_dependents(*old));
    if (entered_foreground) {
      for (const auto& dep : graph_.dependents(uid)) queue().add(dep);
    }
  }
  json refs = owner_references(now);
  json old_refs = old ? owner_references(*old) : json::array();
  if (refs != old_refs) {
    if (!refs.empty()) queue().add(uid);
    // An owner deleting in the foreground may have been waiting for this reference to go.
    std::set<std::string> still = owner_uids(now);
    for (const auto& ref : old_refs) {
      std::string owner = ref.value("uid", "");
      if (!still.contains(owner)) queue().add(owner);
    }
  }
}

void GarbageCollector::on_deleted(const client::ObjectPtr& obj) {
  if (!obj) return;
  std::string uid = uid_of(*obj);
  if (uid.empty()) return;
  graph_.erase(obj);
  for (const auto& dep : graph_.dependents(uid)) queue().add(dep);
  for (const auto& owner : owner_uids(*obj)) queue().add(owner);
}

base::Result<void> GarbageCollector::sync(const std::string& uid) {
  auto node = graph_.node(uid);
  if (!node) return {};
  const json& obj = *node->object;
  if (is_deleting(obj)) {
    if (has_finalizer(obj, kFinalizerOrphan)) return orphan_dependents(*node);
    if (has_finalizer(obj, kFinalizerForeground)) return delete_dependents_in_foreground(*node);
    return {};
  }
  if (owner_references(obj).empty()) return {};
  // Decide on the latest state, not the cache's: the informer may not show yet that the
  // object was just orphaned or re-owned.
  const auto& ref = monitored_resources()[node->resource].ref;
  auto live = ctx_.client.get(ref, obj["metadata"].value("namespace", ""), obj["metadata"].value("name", ""));
  if (!live) {
    if (live.error().reason() == base::Reason::NotFound) return {};
    return std::unexpected(live.error());
  }
  if (uid_of(*live) != uid || is_deleting(*live) || owner_references(*live).empty()) return {};
  GraphNode latest{node->resource, std::make_shared<const json>(std::move(*live))};
  return attempt_to_delete(latest);
}

base::Result<void> GarbageCollector::orphan_dependents(const GraphNode& owner) {
  std::string uid = uid_of(*owner.object);
  for (const auto& dep_uid : graph_.dependents(uid)) {
    auto dep = graph_.node(dep_uid);
    if (!dep) continue;
    if (auto r = remove_owner_references(*dep, {uid}); !r) return r;
  }
  KITE_LOG(debug, kLog) << "orphaned the dependents of " << client::object_key(*owner.object);
  return remove_finalizer(owner, kFinalizerOrphan);
}

base::Result<void> GarbageCollector::delete_dependents_in_foreground(const GraphNode& owner) {
  std::string uid = uid_of(*owner.object);
  size_t blocking = 0;
  for (const auto& dep_uid : graph_.dependents(uid)) {
    auto dep = graph_.node(dep_uid);
    if (!dep) continue;
    const json* ref = reference_to(*dep->object, uid);
    if (ref && ref->value("blockOwnerDeletion", false)) ++blocking;
    if (!deleting_dependents(*dep->object)) queue().add(dep_uid);
  }
  if (blocking > 0) return {};  // the dependents' deletions requeue this owner
  return remove_finalizer(owner, kFinalizerForeground);
}

base::Result<void> GarbageCollector::attempt_to_delete(const GraphNode& item) {
  std::set<std::string> solid, dangling, waiting;
  for (const auto& ref : owner_references(*item.object)) {
    auto state = classify_owner(item, ref);
    if (!state) return std::unexpected(state.error());
    std::string owner = ref.value("uid", "");
    switch (*state) {
      case OwnerState::kSolid: solid.insert(owner); break;
      case OwnerState::kDangling: dangling.insert(owner); break;
      case OwnerState::kWaitingForDependents: waiting.insert(owner); break;
    }
  }
  if (!solid.empty()) {
    if (dangling.empty() && waiting.empty()) return {};
    // Another owner keeps the object: only drop the references to owners that are going.
    std::set<std::string> drop = dangling;
    drop.insert(waiting.begin(), waiting.end());
    return remove_owner_references(item, drop);
  }
  const json& obj = *item.object;
  if (!waiting.empty() && !graph_.dependents(uid_of(obj)).empty()) {
    // The object blocks an owner's foreground deletion and has dependents of its own: delete
    // it in the foreground too, so that its dependents go first.
    return delete_object(item, "Foreground");
  }
  std::string policy = "Background";
  if (has_finalizer(obj, kFinalizerOrphan)) policy = "Orphan";
  else if (has_finalizer(obj, kFinalizerForeground)) policy = "Foreground";
  return delete_object(item, policy);
}

base::Result<GarbageCollector::OwnerState> GarbageCollector::classify_owner(const GraphNode& item, const json& ref) {
  std::string owner_uid = ref.value("uid", "");
  if (auto owner = graph_.node(owner_uid)) {
    return deleting_dependents(*owner->object) ? OwnerState::kWaitingForDependents : OwnerState::kSolid;
  }
  if (known_absent(owner_uid)) return OwnerState::kDangling;
  auto resource = resource_for_owner(ref.value("apiVersion", ""), ref.value("kind", ""));
  // An owner of a kind kite cannot look up is never assumed gone.
  if (!resource) return OwnerState::kSolid;
  std::string ns = resource->namespaced ? (*item.object)["metadata"].value("namespace", "") : "";
  if (resource->namespaced && ns.empty()) return OwnerState::kSolid;  // invalid reference
  auto live = ctx_.client.get(*resource, ns, ref.value("name", ""));
  if (!live) {
    if (live.error().reason() != base::Reason::NotFound) return std::unexpected(live.error());
    note_absent(owner_uid);
    return OwnerState::kDangling;
  }
  if (uid_of(*live) != owner_uid) {
    note_absent(owner_uid);
    return OwnerState::kDangling;
  }
  return deleting_dependents(*live) ? OwnerState::kWaitingForDependents : OwnerState::kSolid;
}

base::Result<void> GarbageCollector::remove_finalizer(const GraphNode& node, const std::string& finalizer) {
  const json& obj = *node.object;
  json kept = json::array();
  for (const auto& f : obj["metadata"].value("finalizers", json::array())) {
    if (f != finalizer) kept.push_back(f);
  }
  json patch = {{"metadata",
                 {{"finalizers", kept.empty() ? json(nullptr) : kept},
                  {"resourceVersion", obj["metadata"].value("resourceVersion", "")}}}};
  const auto& ref = monitored_resources()[node.resource].ref;
  auto r = ctx_.client.patch(ref, obj["metadata"].value("namespace", ""), obj["metadata"].value("name", ""),
                             client::PatchType::kMerge, patch);
  if (!r && !ignorable(r.error())) return std::unexpected(r.error());
  return {};
}

base::Result<void> GarbageCollector::remove_owner_references(const GraphNode& node,
                                                             const std::set<std::string>& owner_uids) {
  const json& obj = *node.object;
  json kept = json::array();
  bool changed = false;
  for (const auto& ref : owner_references(obj)) {
    if (owner_uids.contains(ref.value("uid", ""))) {
      changed = true;
    } else {
      kept.push_back(ref);
    }
  }
  if (!changed) return {};
  json patch = {{"metadata",
                 {{"ownerReferences", kept.empty() ? json(nullptr) : kept},
                  {"resourceVersion", obj["metadata"].value("resourceVersion", "")}}}};
  const auto& ref = monitored_resources()[node.resource].ref;
  auto r = ctx_.client.patch(ref, obj["metadata"].value("namespace", ""), obj["metadata"].value("name", ""),
                             client::PatchType::kMerge, patch);
  if (!r && !ignorable(r.error())) return std::unexpected(r.error());
  return {};
}

base::Result<void> GarbageCollector::delete_object(const GraphNode& node, const std::string& policy) {
  const json& obj = *node.object;
  client::DeleteOptions opts;
  opts.precondition_uid = uid_of(obj);
  opts.propagation_policy = policy;
  const auto& ref = monitored_resources()[node.resource].ref;
  std::string ns = obj["metadata"].value("namespace", "");
  std::string name = obj["metadata"].value("name", "");
  KITE_LOG(debug, kLog) << "deleting " << ref.resource << " " << client::object_key(obj) << " (" << policy << ")";
  auto r = ctx_.client.remove(ref, ns, name, opts);
  if (!r) {
    // Gone already, or replaced by a new object of the same name (uid precondition failed).
    if (ignorable(r.error()) || r.error().reason() == base::Reason::Conflict) return {};
    return std::unexpected(r.error());
  }
  return {};
}

bool GarbageCollector::known_absent(const std::string& uid) {
  std::lock_guard lock(absent_mu_);
  return absent_owners_.contains(uid);
}

void GarbageCollector::note_absent(const std::string& uid) {
  std::lock_guard lock(absent_mu_);
  if (absent_owners_.size() >= kAbsentCacheSize) absent_owners_.clear();
  absent_owners_.insert(uid);
}

}  // namespace kite::controllers::gc
