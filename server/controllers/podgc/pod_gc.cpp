#include "server/controllers/podgc/pod_gc.h"

#include <algorithm>
#include <set>

#include "base/ids.h"
#include "base/log.h"
#include "server/controllers/podgc/podgc_controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_podgc_controller(ControllerContext& ctx) {
  return std::make_unique<podgc::PodGC>(ctx);
}

}  // namespace kite::controllers

namespace kite::controllers::podgc {

namespace {

namespace res = client::resources;
using client::json;
using client::ObjectPtr;

constexpr const char* kLog = "podgc";

std::string node_of(const json& pod) { return pod.value("spec", json::object()).value("nodeName", ""); }
bool terminating(const json& pod) { return pod["metadata"].contains("deletionTimestamp"); }
std::string phase_of(const json& pod) { return pod.value("status", json::object()).value("phase", ""); }
bool terminal(const json& pod) { return phase_of(pod) == "Succeeded" || phase_of(pod) == "Failed"; }

std::string ready_status(const json& node) {
  for (const auto& c : node.value("status", json::object()).value("conditions", json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "");
  }
  return "";
}

bool has_out_of_service_taint(const json& node) {
  for (const auto& t : node.value("spec", json::object()).value("taints", json::array())) {
    if (t.value("key", "") == "node.kubernetes.io/out-of-service" && t.value("effect", "") == "NoExecute") return true;
  }
  return false;
}

}  // namespace

PodGC::PodGC(ControllerContext& ctx, size_t terminated_threshold)
    : ctx_(ctx),
      pods_(ctx.informers.informer(res::kPods)),
      nodes_(ctx.informers.informer(res::kNodes)),
      terminated_threshold_(terminated_threshold) {}

PodGC::~PodGC() { stop(); }

void PodGC::start() {
  thread_.start(std::chrono::duration_cast<std::chrono::milliseconds>(kGcPeriod), [this] {
    if (pods_.has_synced() && nodes_.has_synced()) run_once();
  });
}

void PodGC::stop() { thread_.stop(); }

void PodGC::run_once() {
  auto pods = pods_.list();
  if (terminated_threshold_ > 0) gc_terminated(pods);
  gc_out_of_service(pods);
  gc_orphaned(pods);
  gc_unscheduled_terminating(pods);
}

void PodGC::gc_terminated(const std::vector<ObjectPtr>& pods) {
  std::vector<ObjectPtr> done;
  for (const auto& p : pods) {
    if (terminal(*p) && !terminating(*p)) done.push_back(p);
  }
  if (done.size() <= terminated_threshold_) return;
  std::sort(done.begin(), done.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return (*a)["metadata"].value("creationTimestamp", "") < (*b)["metadata"].value("creationTimestamp", "");
  });
  size_t excess = done.size() - terminated_threshold_;
  for (size_t i = 0; i < excess; ++i) {
    auto r = ctx_.client.remove(res::kPods, (*done[i])["metadata"].value("namespace", ""),
                                (*done[i])["metadata"].value("name", ""));
    if (!r && r.error().reason() != base::Reason::NotFound) {
      KITE_LOG(warn, kLog) << "deleting terminated pod " << client::object_key(*done[i]) << ": " << r.error().message();
    }
  }
}

void PodGC::gc_out_of_service(const std::vector<ObjectPtr>& pods) {
  for (const auto& p : pods) {
    if (!terminating(*p)) continue;
    std::string node_name = node_of(*p);
    if (node_name.empty()) continue;
    ObjectPtr node = nodes_.get(node_name);
    if (!node || ready_status(*node) == "True" || !has_out_of_service_taint(*node)) continue;
    mark_failed_and_force_delete(*p, "DeletionByPodGC", "PodGC: node is out of service");
  }
}

void PodGC::gc_orphaned(const std::vector<ObjectPtr>& pods) {
  auto now = ctx_.clock.now();
  std::set<std::string> missing;
  for (const auto& p : pods) {
    std::string node_name = node_of(*p);
    if (!node_name.empty() && !nodes_.get(node_name)) missing.insert(node_name);
  }
  // Forget nodes that came back; start the quarantine of newly missing ones.
  for (auto it = missing_since_.begin(); it != missing_since_.end();) {
    it = missing.contains(it->first) ? std::next(it) : missing_since_.erase(it);
  }
  std::set<std::string> gone;
  for (const auto& node_name : missing) {
    auto [it, inserted] = missing_since_.emplace(node_name, now);
    if (inserted || now - it->second < kQuarantine) continue;
    auto live = ctx_.client.get(res::kNodes, "", node_name);
    if (live) continue;  // the informer lags
    if (live.error().reason() != base::Reason::NotFound) continue;
    gone.insert(node_name);
  }
  for (const auto& p : pods) {
    if (!gone.contains(node_of(*p))) continue;
    KITE_LOG(info, kLog) << "deleting orphaned pod " << client::object_key(*p) << " (node " << node_of(*p)
                         << " no longer exists)";
    mark_failed_and_force_delete(*p, "DeletionByPodGC", "PodGC: node no longer exists");
  }
}

void PodGC::gc_unscheduled_terminating(const std::vector<ObjectPtr>& pods) {
  for (const auto& p : pods) {
    if (terminating(*p) && node_of(*p).empty()) force_delete(*p);
  }
}

void PodGC::mark_failed_and_force_delete(const json& pod, const std::string& reason, const std::string& message) {
  if (!terminal(pod)) {
    json updated = pod;
    updated["status"]["phase"] = "Failed";
    json& conds = updated["status"]["conditions"];
    if (!conds.is_array()) conds = json::array();
    json cond = {{"type", "DisruptionTarget"},
                 {"status", "True"},
                 {"reason", reason},
                 {"message", message},
                 {"lastTransitionTime", base::rfc3339(ctx_.clock.now())}};
    bool replaced = false;
    for (auto& c : conds) {
      if (c.value("type", "") == "DisruptionTarget") {
        c = cond;
        replaced = true;
      }
    }
    if (!replaced) conds.push_back(cond);
    auto r = ctx_.client.update(res::kPods, updated, "status");
    if (!r && r.error().reason() != base::Reason::NotFound) {
      KITE_LOG(warn, kLog) << "marking pod " << client::object_key(pod) << " Failed: " << r.error().message();
    }
  }
  force_delete(pod);
}

void PodGC::force_delete(const json& pod) {
  client::DeleteOptions opts;
  opts.grace_period_seconds = 0;
  opts.precondition_uid = pod["metadata"].value("uid", "");
  auto r = ctx_.client.remove(res::kPods, pod["metadata"].value("namespace", ""), pod["metadata"].value("name", ""), opts);
  if (!r && r.error().reason() != base::Reason::NotFound && r.error().reason() != base::Reason::Conflict) {
    KITE_LOG(warn, kLog) << "force-deleting pod " << client::object_key(pod) << ": " << r.error().message();
  }
}

}  // namespace kite::controllers::podgc
