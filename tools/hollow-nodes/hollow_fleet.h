// HollowFleet: many hollow nodes (fake kubelets) in one process, over one Client.
//
// start() registers every Node (or takes over an existing one: its labels are merged, its
// taints left as the cluster has them), posts its status, creates its Lease in
// kube-node-lease, and from then on, until stop():
//   - renews each Lease every lease_renew_interval (renewals spread evenly over the interval),
//   - posts each node's status (Ready=True heartbeat) every status_interval,
//   - watches all pods (one Informer; servers need not support spec.nodeName field selectors)
//     and drives the ones bound to its nodes through pod_lifecycle.h: Running, not ready,
//     exit on command, restart, and confirming deletions as a kubelet does.
// stop() leaves the Nodes and their (now stale) Leases in place unless delete_nodes_on_exit.
//
// Threads: `options.workers` worker threads, split between two client::WorkQueues (which also
// time the periodic work): node work ("register/<i>", "lease/<i>", "status/<i>") and pod work
// ("pod/<ns>/<name>"), so a burst of pods never delays lease renewals; the pod Informer has
// its own thread. 5,000 nodes need no more threads than 50 do.
// Public methods are thread-safe; stop() may be called from any thread, also while another
// thread waits in wait_registered().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "client/client.h"
#include "client/informer.h"
#include "client/work_queue.h"
#include "tools/hollow-nodes/hollow_options.h"

namespace kite::hollow {

class HollowFleet {
 public:
  struct Stats {
    uint64_t nodes_registered = 0;
    uint64_t lease_renewals = 0;
    uint64_t status_posts = 0;
    uint64_t pod_status_writes = 0;
    uint64_t deletions_confirmed = 0;
    uint64_t errors = 0;
  };

  HollowFleet(client::Client& client, HollowOptions options, const base::Clock& clock = base::real_clock());
  ~HollowFleet();  // stop()
  HollowFleet(const HollowFleet&) = delete;
  HollowFleet& operator=(const HollowFleet&) = delete;

  // Starts the workers and queues the registrations; returns at once.
  void start();
  // Waits until every node is registered (true), or stop() / the timeout (false).
  bool wait_registered(std::chrono::milliseconds timeout);
  // Stops every thread; with delete_nodes_on_exit also deletes the Nodes and Leases.
  // Idempotent.
  void stop();

  const HollowOptions& options() const { return options_; }
  Stats stats() const;

 private:
  struct Node;
  void work_loop(client::WorkQueue& queue);
  void process(const std::string& key);
  base::Result<void> register_node(Node& node);
  base::Result<void> renew_lease(Node& node);
  base::Result<void> post_status(Node& node);
  base::Result<void> sync_pod(const std::string& pod_key);
  std::string pod_ip_for(Node& node, const client::json& pod);
  void on_pod(const client::ObjectPtr& pod);
  void delete_nodes();
  std::chrono::milliseconds spread(size_t index, std::chrono::milliseconds interval) const;

  client::Client& client_;
  HollowOptions options_;
  const base::Clock& clock_;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::unordered_map<std::string, size_t> node_index_;  // name -> index; fixed after construction
  client::WorkQueue node_queue_;
  client::WorkQueue pod_queue_;
  std::unique_ptr<client::Informer> pods_;
  std::vector<std::thread> workers_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t registered_ = 0;
  bool started_ = false;
  bool stopped_ = false;

  std::atomic<uint64_t> lease_renewals_{0}, status_posts_{0}, pod_status_writes_{0}, deletions_confirmed_{0},
      errors_{0};
};

}  // namespace kite::hollow
