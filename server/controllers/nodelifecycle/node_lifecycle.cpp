#include "server/controllers/nodelifecycle/node_lifecycle.h"

#include <algorithm>
#include <set>

#include "base/ids.h"
#include "base/log.h"
#include "server/controllers/nodelifecycle/nodelifecycle_controller.h"
#include "server/controllers/nodelifecycle/taints.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_nodelifecycle_controller(ControllerContext& ctx) {
  return std::make_unique<nodelifecycle::NodeLifecycleController>(ctx);
}

}  // namespace kite::controllers

namespace kite::controllers::nodelifecycle {

namespace {

namespace res = client::resources;
using client::ObjectPtr;

constexpr const char* kLog = "nodelifecycle";
constexpr std::chrono::seconds kNodeStartupGracePeriod{60};
const std::vector<std::string> kNoExecuteKeys = {kTaintNotReady, kTaintUnreachable};

std::string zone_of(const json& node) {
  json labels = node["metadata"].value("labels", json::object());
  if (!labels.is_object()) return "";
  return labels.value("topology.kubernetes.io/region", "") + ":\x00:" +
         labels.value("topology.kubernetes.io/zone", "");
}

std::vector<std::string> present_keys(const json& node, const std::string& effect,
                                      const std::vector<std::string>& managed) {
  std::vector<std::string> out;
  for (const auto& t : taints_with_effect(node, effect)) {
    std::string key = t.value("key", "");
    if (std::find(managed.begin(), managed.end(), key) != managed.end()) out.push_back(key);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string pod_node(const json& pod) { return pod.value("spec", json::object()).value("nodeName", ""); }

bool pod_ready_true(const json& pod) {
  for (const auto& c : pod.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// Upstream getMinTolerationTime: 0 if any is <= 0, the smallest positive value, or -1
// (forever) when none sets tolerationSeconds.
int64_t min_toleration_seconds(const std::vector<json>& used) {
  if (used.empty()) return 0;
  int64_t min = -1;
  for (const auto& t : used) {
    if (!t.contains("tolerationSeconds") || !t["tolerationSeconds"].is_number()) continue;
    int64_t s = t["tolerationSeconds"].get<int64_t>();
    if (s <= 0) return 0;
    if (min < 0 || s < min) min = s;
  }
  return min;
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(ControllerContext& ctx)
    : QueueController("nodelifecycle", 2),
      ctx_(ctx),
      nodes_(ctx.informers.informer(res::kNodes)),
      pods_(ctx.informers.informer(res::kPods)),
      leases_(ctx.informers.informer(res::kLeases)),
      recorder_(ctx.client, {"node-controller", ""}, ctx.clock) {}

NodeLifecycleController::~NodeLifecycleController() { stop(); }

void NodeLifecycleController::start() {
  QueueController::start();
  auto period = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.settings.node_monitor_period);
  if (period.count() <= 0) period = std::chrono::milliseconds(5000);
  monitor_.start(period, [this] {
    if (nodes_.has_synced() && leases_.has_synced() && pods_.has_synced()) monitor_node_health();
  });
}

void NodeLifecycleController::stop() {
  monitor_.stop();
  QueueController::stop();
}

void NodeLifecycleController::register_handlers() {
  client::EventHandlers nodes;
  nodes.on_add = [this](const ObjectPtr& o) { queue().add("node:" + client::object_key(*o)); };
  nodes.on_update = [this](const ObjectPtr&, const ObjectPtr& o) { queue().add("node:" + client::object_key(*o)); };
  nodes.on_delete = [this](const ObjectPtr& o) { health_.forget(client::object_key(*o)); };
  nodes_.add_handlers(std::move(nodes));
  client::EventHandlers pods;
  pods.on_add = [this](const ObjectPtr& o) {
    if (!pod_node(*o).empty()) queue().add("pod:" + client::object_key(*o));
  };
  pods.on_update = [this](const ObjectPtr&, const ObjectPtr& o) {
    if (!pod_node(*o).empty()) queue().add("pod:" + client::object_key(*o));
  };
  pods.on_delete = [this](const ObjectPtr& o) { cancel_eviction(client::object_key(*o)); };
  pods_.add_handlers(std::move(pods));
}

std::vector<client::Informer*> NodeLifecycleController::informers_to_sync() { return {&nodes_, &pods_, &leases_}; }

void NodeLifecycleController::monitor_node_health() {
  auto now = ctx_.clock.now();
  struct ZoneCount {
    int ready = 0;
    int not_ready = 0;
  };
  std::map<std::string, ZoneCount> zones;
  std::vector<json> observed;
  for (const auto& node : nodes_.list()) {
    std::string name = client::object_key(*node);
    ObjectPtr lease = leases_.get("kube-node-lease/" + name);
    auto probe = health_.observe(name, *node, lease.get(), now);
    bool has_ready = !condition_status(*node, "Ready").empty();
    auto grace = has_ready ? ctx_.settings.node_monitor_grace_period
                           : std::max<std::chrono::seconds>(kNodeStartupGracePeriod, ctx_.settings.node_monitor_grace_period);
    json current = *node;
    if (now > probe + grace) {
      json updated = *node;
      if (mark_node_status_unknown(updated, now)) {
        auto r = ctx_.client.update(res::kNodes, updated, "status");
        if (!r) {
          KITE_LOG(warn, kLog) << "marking node " << name << " Unknown: " << r.error().message();
          continue;
        }
        KITE_LOG(info, kLog) << "node " << name << " stopped posting status: conditions set to Unknown";
        if (condition_status(*node, "Ready") == "True") {
          recorder_.event(*node, "Normal", "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
        }
        current = std::move(*r);
      }
    }
    auto& z = zones[zone_of(current)];
    if (condition_status(current, "Ready") == "True") {
      ++z.ready;
    } else {
      ++z.not_ready;
    }
    observed.push_back(std::move(current));
  }
  bool all_disrupted = !zones.empty();
  for (const auto& [zone, count] : zones) all_disrupted = all_disrupted && count.ready == 0 && count.not_ready > 0;
  bool was_disrupted = all_disrupted_.exchange(all_disrupted);
  if (all_disrupted && !was_disrupted) {
    KITE_LOG(warn, kLog) << "all nodes are not Ready: entering master disruption mode (no taint-based evictions)";
  }
  if (!all_disrupted && was_disrupted) {
    KITE_LOG(info, kLog) << "some nodes are Ready: leaving master disruption mode";
    health_.reset_probes(now);
  }
  for (const auto& node : observed) {
    std::string name = client::object_key(node);
    std::vector<std::string> want;
    std::string ready = condition_status(node, "Ready");
    if (!all_disrupted && ready == "False") want.push_back(kTaintNotReady);
    if (!all_disrupted && ready == "Unknown") want.push_back(kTaintUnreachable);
    if (ready.empty() && !all_disrupted) continue;  // no Ready condition yet: leave as is
    if (present_keys(node, "NoExecute", kNoExecuteKeys) == want) continue;
    if (auto r = swap_node_taints(name, "NoExecute", kNoExecuteKeys, want); !r) {
      KITE_LOG(warn, kLog) << "updating NoExecute taints of " << name << ": " << r.error().message();
    }
  }
  // Evictions whose toleration time has run out.
  std::vector<std::string> due;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, ev] : evictions_) {
      if (ev.fire <= now) due.push_back(key);
    }
  }
  for (const auto& key : due) queue().add("pod:" + key);
}

base::Result<void> NodeLifecycleController::sync(const std::string& key) {
  if (key.starts_with("node:")) return sync_node(key.substr(5));
  if (key.starts_with("pod:")) return sync_pod(key.substr(4));
  return {};
}

base::Result<void> NodeLifecycleController::sync_node(const std::string& name) {
  ObjectPtr node = nodes_.get(name);
  if (!node) return {};
  std::vector<std::string> want = desired_no_schedule_taint_keys(*node);
  std::sort(want.begin(), want.end());
  if (present_keys(*node, "NoSchedule", managed_no_schedule_taint_keys()) != want) {
    if (auto r = swap_node_taints(name, "NoSchedule", managed_no_schedule_taint_keys(), want); !r) return r;
  }
  for (const auto& pod : pods_.by_index(client::kIndexNodeName, name)) {
    queue().add("pod:" + client::object_key(*pod));
  }
  return {};
}

base::Result<void> NodeLifecycleController::sync_pod(const std::string& key) {
  ObjectPtr pod = pods_.get(key);
  if (!pod) {
    cancel_eviction(key);
    return {};
  }
  std::string node_name = pod_node(*pod);
  ObjectPtr node = node_name.empty() ? nullptr : nodes_.get(node_name);
  if (!node) {
    cancel_eviction(key);
    return {};
  }
  std::string ready = condition_status(*node, "Ready");
  if (!ready.empty() && ready != "True" && pod_ready_true(*pod)) {
    if (auto r = mark_pod_not_ready(*pod); !r) return r;
  }
  // Taint-based eviction.
  std::vector<json> taints = taints_with_effect(*node, "NoExecute");
  if (taints.empty() || (*pod)["metadata"].contains("deletionTimestamp")) {
    cancel_eviction(key);
    return {};
  }
  json tolerations = (*pod)["spec"].value("tolerations", json::array());
  std::vector<json> used;
  bool all_tolerated = true;
  for (const auto& taint : taints) {
    bool tolerated = false;
    for (const auto& t : tolerations) {
      if (tolerates(t, taint)) {
        tolerated = true;
        used.push_back(t);
      }
    }
    all_tolerated = all_tolerated && tolerated;
  }
  if (!all_tolerated) return evict(*pod);
  int64_t seconds = min_toleration_seconds(used);
  if (seconds < 0) {
    cancel_eviction(key);
    return {};
  }
  auto now = ctx_.clock.now();
  time_point fire;
  {
    std::lock_guard lock(mu_);
    auto it = evictions_.find(key);
    time_point created = it == evictions_.end() ? now : it->second.created;
    fire = created + std::chrono::seconds(seconds);
    evictions_[key] = ScheduledEviction{created, fire};
  }
  if (fire <= now) return evict(*pod);
  queue().add_after("pod:" + key, std::chrono::duration_cast<std::chrono::milliseconds>(fire - now));
  return {};
}

base::Result<void> NodeLifecycleController::mark_pod_not_ready(const json& pod) {
  json updated = pod;
  std::string now = base::rfc3339(ctx_.clock.now());
  for (auto& c : updated["status"]["conditions"]) {
    if (c.value("type", "") == "Ready") {
      c["status"] = "False";
      c["lastTransitionTime"] = now;
    }
  }
  auto r = ctx_.client.update(res::kPods, updated, "status");
  if (!r) {
    if (r.error().reason() == base::Reason::NotFound) return {};
    return std::unexpected(r.error());
  }
  recorder_.event(pod, "Warning", "NodeNotReady", "Node is not ready");
  return {};
}

base::Result<void> NodeLifecycleController::evict(const json& pod) {
  std::string key = client::object_key(pod);
  std::string ns = pod["metadata"].value("namespace", "");
  std::string name = pod["metadata"].value("name", "");
  json updated = pod;
  json& conds = updated["status"]["conditions"];
  if (!conds.is_array()) conds = json::array();
  json cond = {{"type", "DisruptionTarget"},
               {"status", "True"},
               {"reason", "DeletionByTaintManager"},
               {"message", "Taint manager: deleting due to NoExecute taint"},
               {"lastTransitionTime", base::rfc3339(ctx_.clock.now())}};
  bool replaced = false;
  for (auto& c : conds) {
    if (c.value("type", "") == "DisruptionTarget") {
      c = cond;
      replaced = true;
    }
  }
  if (!replaced) conds.push_back(cond);
  auto s = ctx_.client.update(res::kPods, updated, "status");
  if (!s) {
    if (s.error().reason() == base::Reason::NotFound) return {};
    return std::unexpected(s.error());
  }
  recorder_.event(pod, "Normal", "TaintManagerEviction", "Marking for deletion Pod " + key);
  client::DeleteOptions opts;
  opts.precondition_uid = pod["metadata"].value("uid", "");
  auto r = ctx_.client.remove(res::kPods, ns, name, opts);
  if (!r && r.error().reason() != base::Reason::NotFound && r.error().reason() != base::Reason::Conflict) {
    return std::unexpected(r.error());
  }
  KITE_LOG(info, kLog) << "evicted pod " << key << " (NoExecute taint)";
  cancel_eviction(key);
  return {};
}

base::Result<void> NodeLifecycleController::swap_node_taints(const std::string& node, const std::string& effect,
                                                             const std::vector<std::string>& remove_keys,
                                                             const std::vector<std::string>& add_keys) {
  base::Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto live = ctx_.client.get(res::kNodes, "", node);
    if (!live) {
      if (live.error().reason() == base::Reason::NotFound) return {};
      return std::unexpected(live.error());
    }
    json taints = node_taints(*live);
    json swapped = swap_taints(taints, effect, remove_keys, add_keys, base::rfc3339(ctx_.clock.now()));
    if (swapped == taints) return {};
    json updated = *live;
    if (swapped.empty()) {
      updated["spec"].erase("taints");
    } else {
      updated["spec"]["taints"] = swapped;
    }
    auto r = ctx_.client.update(res::kNodes, updated);
    if (r) return {};
    last = r.error();
    if (last.reason() != base::Reason::Conflict) break;
  }
  return base::error(last);
}

void NodeLifecycleController::cancel_eviction(const std::string& pod_key) {
  std::lock_guard lock(mu_);
  evictions_.erase(pod_key);
}

}  // namespace kite::controllers::nodelifecycle
