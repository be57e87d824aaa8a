#include "tools/hollow-nodes/hollow_fleet.h"

#include "base/log.h"
#include "tools/hollow-nodes/node_objects.h"
#include "tools/hollow-nodes/pod_lifecycle.h"

namespace kite::hollow {

namespace res = client::resources;
using client::json;
using std::chrono::milliseconds;

struct HollowFleet::Node {
  std::string name;
  size_t index = 0;
  std::string internal_ip;
  std::chrono::system_clock::time_point ready_since;

  std::mutex mu;  // guards the fields below
  std::string uid;
  std::string pod_cidr;
  std::chrono::steady_clock::time_point cidr_checked{};
  json lease;  // the Lease as the server last returned it
  uint64_t next_ip = 0;
};

namespace {

constexpr milliseconds kRetryDelay{1000};
const char* kComponent = "hollow-nodes";

bool is(const base::Status& s, base::Reason r) { return s.reason() == r; }

// "kind/rest" -> {"kind", "rest"}.
std::pair<std::string, std::string> split_work_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {key, ""};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace

HollowFleet::HollowFleet(client::Client& client, HollowOptions options, const base::Clock& clock)
    : client_(client),
      options_(std::move(options)),
      clock_(clock),
      node_queue_(client::WorkQueueOptions{milliseconds(5), milliseconds(30'000)}),
      pod_queue_(client::WorkQueueOptions{milliseconds(5), milliseconds(30'000)}) {
  auto now = clock_.now();
  for (size_t i = 0; i < options_.names.size(); ++i) {
    auto n = std::make_unique<Node>();
    n->name = options_.names[i];
    n->index = i;
    n->internal_ip = node_internal_ip(i);
    n->ready_since = now;
    node_index_[n->name] = i;
    nodes_.push_back(std::move(n));
  }
}

HollowFleet::~HollowFleet() { stop(); }

void HollowFleet::start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stopped_) return;
    started_ = true;
  }
  for (size_t i = 0; i < nodes_.size(); ++i) node_queue_.add("register/" + std::to_string(i));
  int node_workers = std::max(1, options_.workers / 2);
  int pod_workers = std::max(1, options_.workers - node_workers);
  for (int i = 0; i < node_workers; ++i) workers_.emplace_back([this] { work_loop(node_queue_); });
  for (int i = 0; i < pod_workers; ++i) workers_.emplace_back([this] { work_loop(pod_queue_); });
  if (options_.handle_pods) {
    pods_ = std::make_unique<client::Informer>(client_, res::kPods);
    client::EventHandlers handlers;
    handlers.on_add = [this](const client::ObjectPtr& pod) { on_pod(pod); };
    handlers.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& pod) { on_pod(pod); };
    pods_->add_handlers(std::move(handlers));
    pods_->start();
  }
}

bool HollowFleet::wait_registered(milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return stopped_ || registered_ == nodes_.size(); }) && !stopped_;
}

void HollowFleet::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  cv_.notify_all();
  if (pods_) pods_->stop();
  node_queue_.shut_down();
  pod_queue_.shut_down();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (started_ && options_.delete_nodes_on_exit) delete_nodes();
}

HollowFleet::Stats HollowFleet::stats() const {
  Stats s;
  {
    std::lock_guard lock(mu_);
    s.nodes_registered = registered_;
  }
  s.lease_renewals = lease_renewals_;
  s.status_posts = status_posts_;
  s.pod_status_writes = pod_status_writes_;
  s.deletions_confirmed = deletions_confirmed_;
  s.errors = errors_;
  return s;
}

milliseconds HollowFleet::spread(size_t index, milliseconds interval) const {
  return milliseconds(interval.count() * static_cast<int64_t>(index) / static_cast<int64_t>(nodes_.size()));
}

void HollowFleet::work_loop(client::WorkQueue& queue) {
  while (auto key = queue.get()) {
    process(*key);
    queue.done(*key);
  }
}

void HollowFleet::process(const std::string& key) {
  auto [kind, rest] = split_work_key(key);
  if (kind == "pod") {
    auto r = sync_pod(rest);
    if (r) {
      pod_queue_.forget(key);
    } else {
      ++errors_;
      KITE_LOG(debug, kComponent) << "pod " << rest << ": " << r.error().message();
      pod_queue_.add_rate_limited(key);
    }
    return;
  }
  size_t i = std::stoul(rest);
  Node& node = *nodes_[i];
  if (kind == "register") {
    auto r = register_node(node);
    if (!r) {
      ++errors_;
      KITE_LOG(warn, kComponent) << "registering node " << node.name << ": " << r.error().message();
      node_queue_.add_rate_limited(key);
      return;
    }
    node_queue_.forget(key);
    // The first renewal and status post are spread over one interval, so that nodes registered
    // in one burst do not renew in one burst forever after.
    node_queue_.add_after("lease/" + rest, options_.lease_renew_interval / 2 + spread(i, options_.lease_renew_interval / 2));
    node_queue_.add_after("status/" + rest, options_.status_interval / 2 + spread(i, options_.status_interval / 2));
    {
      std::lock_guard lock(mu_);
      ++registered_;
    }
    cv_.notify_all();
  } else if (kind == "lease") {
    auto r = renew_lease(node);
    if (r) ++lease_renewals_;
    else {
      ++errors_;
      KITE_LOG(warn, kComponent) << "renewing the lease of " << node.name << ": " << r.error().message();
    }
    node_queue_.add_after(key, r ? options_.lease_renew_interval : std::min(kRetryDelay, options_.lease_renew_interval));
  } else if (kind == "status") {
    auto r = post_status(node);
    if (r) ++status_posts_;
    else {
      ++errors_;
      KITE_LOG(warn, kComponent) << "posting the status of " << node.name << ": " << r.error().message();
    }
    node_queue_.add_after(key, r ? options_.status_interval : std::min(kRetryDelay, options_.status_interval));
  }
}

base::Result<void> HollowFleet::register_node(Node& node) {
  auto now = clock_.now();
  auto created = client_.create(res::kNodes, "", node_object(options_, node.name, node.index, now, node.ready_since));
  std::string uid;
  if (created) {
    uid = (*created)["metadata"].value("uid", "");
  } else if (is(created.error(), base::Reason::AlreadyExists)) {
    // Take the node over: our labels win, the cluster's taints stay.
    json labels = node_object(options_, node.name, node.index, now, node.ready_since)["metadata"]["labels"];
    auto patched = client_.patch(res::kNodes, "", node.name, client::PatchType::kMerge,
                                 {{"metadata", {{"labels", labels}}}});
    if (!patched) return base::error(patched.error());
    uid = (*patched)["metadata"].value("uid", "");
  } else {
    return base::error(created.error());
  }
  {
    std::lock_guard lock(node.mu);
    node.uid = uid;
  }
  if (auto s = post_status(node); !s) return s;
  ++status_posts_;

  json lease = node_lease(options_, node.name, uid, clock_.now());
  auto made = client_.create(res::kLeases, kNodeLeaseNamespace, lease);
  if (!made && is(made.error(), base::Reason::AlreadyExists)) {
    auto current = client_.get(res::kLeases, kNodeLeaseNamespace, node.name);
    if (!current) return base::error(current.error());
    json updated = *current;
    updated["spec"] = lease["spec"];
    made = client_.update(res::kLeases, updated);
  }
  if (!made) return base::error(made.error());
  std::lock_guard lock(node.mu);
  node.lease = *made;
  return {};
}

base::Result<void> HollowFleet::renew_lease(Node& node) {
  json lease;
  {
    std::lock_guard lock(node.mu);
    lease = node.lease;
  }
  auto fresh = node_lease(options_, node.name, "", clock_.now());
  base::Result<json> r = base::error(base::Reason::NotFound, "no lease yet");
  if (lease.is_object()) {
    lease["spec"] = fresh["spec"];
    r = client_.update(res::kLeases, lease);
  }
  if (!r && is(r.error(), base::Reason::Conflict)) {
    auto current = client_.get(res::kLeases, kNodeLeaseNamespace, node.name);
    if (!current) return base::error(current.error());
    lease = *current;
    lease["spec"] = fresh["spec"];
    r = client_.update(res::kLeases, lease);
  }
  if (!r && is(r.error(), base::Reason::NotFound)) {
    std::string uid;
    {
      std::lock_guard lock(node.mu);
      uid = node.uid;
    }
    r = client_.create(res::kLeases, kNodeLeaseNamespace, node_lease(options_, node.name, uid, clock_.now()));
  }
  if (!r) return base::error(r.error());
  std::lock_guard lock(node.mu);
  node.lease = *r;
  return {};
}

base::Result<void> HollowFleet::post_status(Node& node) {
  json body = {{"status", node_status(options_, node.name, node.index, clock_.now(), node.ready_since)}};
  auto r = client_.patch(res::kNodes, "", node.name, client::PatchType::kMerge, body, "status");
  if (!r) return base::error(r.error());
  std::lock_guard lock(node.mu);
  if ((*r).contains("spec")) node.pod_cidr = (*r)["spec"].value("podCIDR", "");
  return {};
}

void HollowFleet::on_pod(const client::ObjectPtr& pod) {
  if (!pod->contains("spec")) return;
  const auto& spec = (*pod)["spec"];
  auto it = spec.find("nodeName");
  if (it == spec.end() || !it->is_string() || !node_index_.contains(it->get<std::string>())) return;
  pod_queue_.add("pod/" + client::object_key(*pod));
}

std::string HollowFleet::pod_ip_for(Node& node, const json& pod) {
  if (pod.contains("status") && pod["status"].contains("podIP")) return "";  // keeps its own
  bool refresh = false;
  {
    std::lock_guard lock(node.mu);
    auto now = std::chrono::steady_clock::now();
    if (node.pod_cidr.empty() && now - node.cidr_checked > std::chrono::seconds(5)) {
      node.cidr_checked = now;
      refresh = true;
    }
  }
  if (refresh) {
    if (auto n = client_.get(res::kNodes, "", node.name); n && (*n).contains("spec")) {
      std::lock_guard lock(node.mu);
      node.pod_cidr = (*n)["spec"].value("podCIDR", "");
    }
  }
  std::lock_guard lock(node.mu);
  return pod_ip(node.pod_cidr, node.index, node.next_ip++);
}

base::Result<void> HollowFleet::sync_pod(const std::string& pod_key) {
  if (!pods_) return {};
  client::ObjectPtr pod = pods_->get(pod_key);
  if (!pod || !pod->contains("spec")) return {};
  auto node_name = (*pod)["spec"].value("nodeName", "");
  auto it = node_index_.find(node_name);
  if (it == node_index_.end()) return {};
  Node& node = *nodes_[it->second];
  auto [ns, name] = client::split_key(pod_key);

  PodPlan plan = plan_pod(*pod, node.internal_ip, "", clock_.now());
  if (plan.action == PodPlan::Action::kWriteStatus && !((*pod).contains("status") && (*pod)["status"].contains("podIP"))) {
    plan = plan_pod(*pod, node.internal_ip, pod_ip_for(node, *pod), clock_.now());
  }
  if (plan.recheck_after) pod_queue_.add_after("pod/" + pod_key, *plan.recheck_after);
  switch (plan.action) {
    case PodPlan::Action::kNone:
      return {};
    case PodPlan::Action::kConfirmDelete: {
      client::DeleteOptions opts;
      opts.grace_period_seconds = 0;
      opts.precondition_uid = (*pod)["metadata"].value("uid", "");
      auto r = client_.remove(res::kPods, ns, name, opts);
      if (!r && !is(r.error(), base::Reason::NotFound) && !is(r.error(), base::Reason::Conflict)) {
        return base::error(r.error());
      }
      ++deletions_confirmed_;
      return {};
    }
    case PodPlan::Action::kWriteStatus: {
      json updated = *pod;
      updated["status"] = std::move(plan.status);
      auto r = client_.update(res::kPods, updated, "status");
      if (!r) {
        if (is(r.error(), base::Reason::NotFound)) return {};
        return base::error(r.error());
      }
      ++pod_status_writes_;
      return {};
    }
  }
  return {};
}

void HollowFleet::delete_nodes() {
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < options_.workers; ++t) {
    threads.emplace_back([this, &next] {
      for (size_t i = next++; i < nodes_.size(); i = next++) {
        const auto& name = nodes_[i]->name;
        (void)client_.remove(res::kLeases, kNodeLeaseNamespace, name);
        auto r = client_.remove(res::kNodes, "", name);
        if (!r && !is(r.error(), base::Reason::NotFound)) {
          KITE_LOG(warn, kComponent) << "deleting node " << name << ": " << r.error().message();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace kite::hollow
