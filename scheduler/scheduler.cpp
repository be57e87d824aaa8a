#include "scheduler/scheduler.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/ids.h"
#include "base/log.h"
#include "client/event_recorder.h"
#include "scheduler/cluster_events.h"
#include "scheduler/framework.h"
#include "scheduler/plugins/plugins.h"
#include "scheduler/pod_conditions.h"
#include "scheduler/scheduler_cache.h"
#include "scheduler/task_pool.h"

namespace kite::scheduler {

using json = nlohmann::json;
using client::ObjectPtr;

namespace {

bool is_assigned(const json& pod) {
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return false;
  auto n = spec->find("nodeName");
  return n != spec->end() && n->is_string() && !n->get_ref<const std::string&>().empty();
}

const json& labels_of(const json& obj) {
  static const json kNone;
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->is_object()) return kNone;
  auto l = m->find("labels");
  return l == m->end() ? kNone : *l;
}

// The involvedObject the recorder reads: kind and apiVersion are not in informer objects.
json event_ref(const PodInfo& pod) {
  return {{"kind", "Pod"},
          {"apiVersion", "v1"},
          {"metadata", {{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}}};
}

}  // namespace

struct Scheduler::State : std::enable_shared_from_this<State> {
  State(client::Client& c, client::InformerFactory& f, SchedulerOptions o)
      : client(c),
        informers(f),
        options(std::move(o)),
        clock(options.clock ? *options.clock : base::real_clock()),
        pods(f.informer(client::resources::kPods)),
        nodes(f.informer(client::resources::kNodes)),
        namespaces(f.informer(client::resources::kNamespaces)),
        queue(clock, options.queue),
        recorder(c, client::EventSource{options.scheduler_name, options.host}, clock) {}

  client::Client& client;
  client::InformerFactory& informers;
  SchedulerOptions options;
  const base::Clock& clock;
  client::Informer& pods;
  client::Informer& nodes;
  client::Informer& namespaces;
  SchedulerCache cache;
  SchedulingQueue queue;
  client::EventRecorder recorder;
  std::unique_ptr<Framework> framework;
  Snapshot snapshot;

  std::mutex run_mu;
  std::condition_variable run_cv;
  bool running = false;
  bool handlers_registered = false;
  std::thread loop, flusher;
  std::unique_ptr<TaskPool> binders;

  std::atomic<uint64_t> scheduled{0}, unschedulable{0}, binding_errors{0}, attempts{0};

  bool responsible(const PodInfo& p) const {
    return !p.assigned() && p.scheduler_name == options.scheduler_name && !p.terminating && !p.terminal();
  }

  // --- informer handlers -------------------------------------------------------------
  void on_pod_add(const ObjectPtr& obj) {
    auto info = parse_pod(obj);
    if (info->assigned()) {
      cache.add_pod(info);
      queue.move_for_event(events::kAssignedPodAdd);
    } else if (responsible(*info)) {
      queue.add(std::move(info));
    }
  }

  void on_pod_update(const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    if (old_obj == new_obj) return;  // resync
    auto info = parse_pod(new_obj);
    if (is_assigned(*old_obj)) {
      bool was_terminal = false;
      if (auto st = old_obj->find("status"); st != old_obj->end() && st->is_object()) {
        std::string phase = st->value("phase", "");
        was_terminal = phase == "Succeeded" || phase == "Failed";
      }
      cache.add_pod(info);
      if (info->terminal() && !was_terminal) {
        queue.move_for_event(events::kAssignedPodDelete);  // its resources are free
      } else if (labels_of(*old_obj) != labels_of(*new_obj)) {
        queue.move_for_event(events::kAssignedPodUpdate);
      }
    } else if (info->assigned()) {  // bound (by us or someone else)
      cache.add_pod(info);
      queue.remove(info->key);
      queue.move_for_event(events::kAssignedPodAdd);
    } else if (responsible(*info)) {
      if (cache.is_assumed(info->key)) return;  // binding in flight
      queue.update(std::move(info));
    } else {
      queue.remove(info->key);  // terminating, finished, or handed to another scheduler
    }
  }

  void on_pod_delete(const ObjectPtr& obj) {
    auto info = parse_pod(obj);
    if (info->assigned()) {
      cache.remove_pod(info->key);
      queue.move_for_event(events::kAssignedPodDelete);
      return;
    }
    queue.remove(info->key);
    if (cache.is_assumed(info->key)) {
      cache.forget_pod(info->key);
      queue.move_for_event(events::kAssignedPodDelete);
    }
  }

  void on_node_add(const ObjectPtr& obj) {
    cache.upsert_node(*obj);
    queue.move_all();
  }

  void on_node_update(const ObjectPtr&, const ObjectPtr& new_obj) {
    NodeChange change = cache.upsert_node(*new_obj);
    if (change.added) {
      queue.move_all();
      return;
    }
    auto plugins = events::plugins_for_node_change(change);
    if (!plugins.empty()) queue.move_for_event(plugins);
  }

  void on_node_delete(const ObjectPtr& obj) {
    auto m = obj->find("metadata");
    if (m == obj->end() || !m->is_object()) return;
    cache.remove_node(m->value("name", ""));
    queue.move_for_event(events::kNodeDelete);
  }

  void on_namespace_change(const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    if (old_obj && labels_of(*old_obj) == labels_of(*new_obj)) return;
    queue.move_for_event(events::kNamespaceChange);
  }

  void register_handlers() {
    if (handlers_registered) return;
    handlers_registered = true;
    std::weak_ptr<State> weak = shared_from_this();
    auto with = [weak](auto fn) {
      return [weak, fn](auto&&... args) {
        if (auto self = weak.lock()) (self.get()->*fn)(args...);
      };
    };
    pods.add_handlers({with(&State::on_pod_add), with(&State::on_pod_update), with(&State::on_pod_delete)});
    nodes.add_handlers({with(&State::on_node_add), with(&State::on_node_update), with(&State::on_node_delete)});
    client::EventHandlers ns_handlers;
    ns_handlers.on_update = with(&State::on_namespace_change);
    namespaces.add_handlers(std::move(ns_handlers));
  }

  std::shared_ptr<const Labels> namespace_labels(const std::string& ns) const {
    ObjectPtr obj = namespaces.get(ns);
    if (!obj) return nullptr;
    auto labels = std::make_shared<Labels>();
    const json& l = labels_of(*obj);
    if (l.is_object())
      for (auto it = l.begin(); it != l.end(); ++it)
        if (it->is_string()) labels->emplace(it.key(), it->get<std::string>());
    return labels;
  }

  // --- the scheduling loop ----------------------------------------------------------------
  bool wait_for_sync() {
    for (;;) {
      {
        std::unique_lock lock(run_mu);
        if (!running) return false;
      }
      if (pods.wait_for_sync(std::chrono::milliseconds(100)) && nodes.wait_for_sync(std::chrono::milliseconds(100)) &&
          namespaces.wait_for_sync(std::chrono::milliseconds(100)))
        return true;
    }
  }

  void run_loop() {
    if (!wait_for_sync()) return;
    while (auto qp = queue.pop()) schedule_one(std::move(*qp));
  }

  void schedule_one(QueuedPod qp) {
    const std::string key = qp.pod->key;
    // Work on the newest state of the pod; skip pods that are gone, bound or not ours anymore.
    ObjectPtr current = pods.get(key);
    if (!current) {
      queue.done(key);
      return;
    }
    if (current != qp.pod->object) qp.pod = parse_pod(current);
    if (!responsible(*qp.pod) || cache.contains_pod(key)) {
      queue.done(key);
      return;
    }
    ++attempts;
    cache.update_snapshot(snapshot);
    auto result = framework->schedule(*qp.pod, snapshot);
    if (!result) {
      handle_unschedulable(std::move(qp), result.error());
      return;
    }
    auto assumed = std::make_shared<PodInfo>(*qp.pod);
    assumed->node_name = result->node;
    cache.assume_pod(assumed);
    queue.done(key);
    binders->post([self = shared_from_this(), qp = std::move(qp), node = result->node]() mutable {
      self->bind(std::move(qp), node);
    });
  }

  void handle_unschedulable(QueuedPod qp, const FitError& fit) {
    ++unschedulable;
    const std::string message = fit.message();
    const bool no_nodes = fit.num_all_nodes == 0;
    recorder.event(event_ref(*qp.pod), "Warning", "FailedScheduling", message);
    PodInfoPtr pod = qp.pod;
    queue.add_unschedulable(std::move(qp), fit.rejecting_plugins);
    const std::string reason = no_nodes ? "SchedulerError" : "Unschedulable";
    if (pod->scheduled_status == "False" && pod->scheduled_reason == reason && pod->scheduled_message == message)
      return;  // already says so
    binders->post([self = shared_from_this(), pod, reason, message] {
      auto r = set_unschedulable_condition(self->client, *pod, reason, message, self->clock.now());
      if (!r && r.error().reason() != base::Reason::NotFound) {
        KITE_LOG(warn, "scheduler") << "updating the PodScheduled condition of " << pod->key
                                    << " failed: " << r.error().message();
      }
    });
  }

  void bind(QueuedPod qp, const std::string& node) {
    const PodInfo& pod = *qp.pod;
    json binding = {{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", pod.name}, {"namespace", pod.ns}, {"uid", pod.uid}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    auto r = client.create_subresource(client::resources::kPods, pod.ns, pod.name, "binding", binding);
    if (r) {
      ++scheduled;
      recorder.event(event_ref(pod), "Normal", "Scheduled",
                     "Successfully assigned " + pod.ns + "/" + pod.name + " to " + node);
      return;
    }
    ++binding_errors;
    cache.forget_pod(pod.key);
    queue.move_for_event(events::kAssignedPodDelete);  // what it held is free again
    if (r.error().reason() == base::Reason::NotFound) return;  // the pod is gone
    recorder.event(event_ref(pod), "Warning", "FailedScheduling", "Binding rejected: " + r.error().message());
    queue.add_backoff(std::move(qp));
  }

  void run_flusher() {
    std::unique_lock lock(run_mu);
    while (running) {
      run_cv.wait_for(lock, options.flush_interval, [&] { return !running; });
      if (!running) break;
      lock.unlock();
      queue.flush();
      lock.lock();
    }
  }
};

Scheduler::Scheduler(client::Client& client, client::InformerFactory& informers, SchedulerOptions options)
    : state_(std::make_shared<State>(client, informers, std::move(options))) {
  State& s = *state_;
  PluginOptions po;
  po.image_platforms = s.options.image_platforms;
  po.image_locality = s.options.image_locality;
  std::weak_ptr<State> weak = state_;
  po.namespace_labels = [weak](const std::string& ns) -> std::shared_ptr<const Labels> {
    auto self = weak.lock();
    return self ? self->namespace_labels(ns) : nullptr;
  };
  s.framework = std::make_unique<Framework>(default_plugins(po), s.options.percentage_of_nodes_to_score);
  s.register_handlers();
}

Scheduler::~Scheduler() { stop(); }

void Scheduler::start() {
  State& s = *state_;
  {
    std::lock_guard lock(s.run_mu);
    if (s.running) return;
    s.running = true;
  }
  s.queue.reopen();
  s.informers.start_all();
  s.binders = std::make_unique<TaskPool>(s.options.binder_threads);
  s.loop = std::thread([st = state_] { st->run_loop(); });
  s.flusher = std::thread([st = state_] { st->run_flusher(); });
}

void Scheduler::stop() {
  State& s = *state_;
  {
    std::lock_guard lock(s.run_mu);
    if (!s.running) return;
    s.running = false;
  }
  s.run_cv.notify_all();
  s.queue.close();
  if (s.loop.joinable()) s.loop.join();
  if (s.flusher.joinable()) s.flusher.join();
  if (s.binders) s.binders->drain_and_stop();
  s.binders.reset();
  s.recorder.flush();
}

SchedulerStats Scheduler::stats() const {
  const State& s = *state_;
  return {s.scheduled.load(), s.unschedulable.load(), s.binding_errors.load(), s.attempts.load()};
}

}  // namespace kite::scheduler
