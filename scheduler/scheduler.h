// Scheduler: kite's kube-scheduler. Watches Pods, Nodes and Namespaces through the caller's
// InformerFactory, places every pending pod whose spec.schedulerName is ours on a node
// (filter + score plugins, see plugins/plugins.h) and binds it through the pods/binding
// subresource.
//
// Pods it schedules: spec.nodeName empty, spec.schedulerName == options.scheduler_name, not
// terminating, phase neither Succeeded nor Failed. On success it emits a Normal "Scheduled"
// event ("Successfully assigned ns/pod to node"); when no node fits, a Warning
// "FailedScheduling" event with kube-scheduler's text ("0/5 nodes are available: 2 node(s)
// didn't match Pod's node affinity/selector, 3 Insufficient cpu."), the pod's PodScheduled
// condition set to False/Unschedulable with that message (a patch of the status
// subresource), and the pod waits in the unschedulable queue until a relevant cluster change
// (node added or changed, assigned pod deleted, ...) or the 60 s flush.
//
// Leader election is the caller's: run start() only while leading, stop() when not.
//
// Threads: informer handlers (the factory's threads) update the cache and queue; one
// scheduling thread pops pods and runs the plugins; `binder_threads` threads issue bindings
// and status writes (so the scheduling loop never waits on the API); one flush thread
// promotes backoff / timed-out pods every `flush_interval` of real time, comparing against
// the injected clock. start()/stop() from one thread; stats() from any.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/clock.h"
#include "client/client.h"
#include "client/informer.h"
#include "scheduler/image_platforms.h"
#include "scheduler/scheduling_queue.h"

namespace kite::scheduler {

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  const base::Clock* clock = nullptr;  // null = base::real_clock()
  // Share of nodes to find feasible before scoring: 0 = kube-scheduler's adaptive default
  // (50% - nodes/125, at least 5%, at least 100 nodes); 100 = every node.
  int percentage_of_nodes_to_score = 0;
  int binder_threads = 4;
  std::chrono::milliseconds flush_interval{1000};
  SchedulingQueueOptions queue;
  // Which architectures images support; null = nothing known (nodeSelector/affinity decide).
  std::shared_ptr<const ImagePlatformSource> image_platforms;
  bool image_locality = true;
  // The event source host (the server's node name); may be empty.
  std::string host;
};

struct SchedulerStats {
  uint64_t scheduled = 0;          // bindings that succeeded
  uint64_t unschedulable = 0;      // attempts that found no node
  uint64_t binding_errors = 0;     // bindings the API refused
  uint64_t attempts = 0;           // scheduling cycles run
};

class Scheduler {
 public:
  Scheduler(client::Client& client, client::InformerFactory& informers, SchedulerOptions options = {});
  ~Scheduler();  // stops
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Registers the informer handlers (once), starts the factory's informers and the
  // scheduling, binder and flush threads. Scheduling begins once the informers have synced.
  void start();
  // Stops the threads (pending bindings finish first); informers keep running (they are the
  // factory's). start() may be called again afterwards.
  void stop();

  SchedulerStats stats() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the informer handlers (weakly) and threads
};

}  // namespace kite::scheduler
