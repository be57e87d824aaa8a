#include "agent/pods/pod_manager.h"

#include <map>
#include <mutex>
#include <thread>

#include "agent/pods/container_config.h"
#include "agent/pods/pod_spec.h"
#include "base/log.h"
#include "base/periodic_thread.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/work_queue.h"

namespace kite::agent::pods {
namespace {

constexpr auto kResyncEvery = std::chrono::seconds(60);

std::string uid_of(const client::ObjectPtr& obj) { return obj ? pod_uid(*obj) : ""; }

}  // namespace

struct PodManager::Impl {
  PodManagerOptions options;
  const base::Clock* clock = nullptr;
  std::unique_ptr<client::EventRecorder> recorder;
  PodEvents events;
  std::unique_ptr<ImagePuller> images;
  std::unique_ptr<ProbeManager> probes;
  std::unique_ptr<PodWorker> worker;
  std::unique_ptr<client::Informer> informer;
  client::WorkQueue queue{client::WorkQueueOptions{std::chrono::milliseconds(200), std::chrono::seconds(30)}};
  base::PeriodicThread relist_thread;
  std::vector<std::thread> worker_threads;
  bool started = false;

  std::mutex mu;
  std::map<std::string, client::ObjectPtr> pods;                 // uid -> latest object bound here
  std::map<std::string, std::shared_ptr<PodRecord>> records;     // uid -> worker memory
  // Relist thread only.
  std::map<std::string, std::string> signatures;
  bool relist_failing = false;
  std::chrono::steady_clock::time_point last_resync = std::chrono::steady_clock::now();

  void on_pod(const client::ObjectPtr& obj) {
    std::string uid = uid_of(obj);
    if (uid.empty()) return;
    {
      std::lock_guard lock(mu);
      pods[uid] = obj;
    }
    queue.add(uid);
  }

  // kubelet ignores updates that only touch the status (most are its own writes).
  static bool only_status_changed(const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
    if (!old_obj || !new_obj) return false;
    auto strip = [](json obj) {
      obj.erase("status");
      if (obj.contains("metadata") && obj["metadata"].is_object()) {
        obj["metadata"].erase("resourceVersion");
        obj["metadata"].erase("managedFields");
      }
      return obj;
    };
    return strip(*old_obj) == strip(*new_obj);
  }

  void on_pod_update(const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
    if (uid_of(old_obj) != uid_of(new_obj)) on_pod_gone(old_obj);
    if (!only_status_changed(old_obj, new_obj)) return on_pod(new_obj);
    std::lock_guard lock(mu);
    pods[uid_of(new_obj)] = new_obj;
  }

  void on_pod_gone(const client::ObjectPtr& obj) {
    std::string uid = uid_of(obj);
    if (uid.empty()) return;
    {
      std::lock_guard lock(mu);
      pods.erase(uid);
    }
    queue.add(uid);
  }

  void run_worker() {
    while (auto key = queue.get()) {
      const std::string& uid = *key;
      client::ObjectPtr pod;
      std::shared_ptr<PodRecord> rec;
      {
        std::lock_guard lock(mu);
        if (auto it = pods.find(uid); it != pods.end()) pod = it->second;
        auto& r = records[uid];
        if (!r) {
          r = std::make_shared<PodRecord>();
          r->uid = uid;
        }
        rec = r;
      }
      auto result = worker->sync(*rec, pod);
      if (!result) {
        KITE_LOG(warn, "pods") << "sync of pod " << (pod ? format_pod(*pod) : uid) << ": " << result.error().message();
        queue.add_rate_limited(uid);
      } else {
        queue.forget(uid);
      }
      {
        std::lock_guard lock(mu);
        if (!pods.count(uid) && rec->removed) records.erase(uid);
      }
      queue.done(uid);
    }
  }

  // Whether the last sync of `uid` ended with the runtime in state `signature`.
  bool synced_in_state(const std::string& uid, const std::string& signature) {
    std::lock_guard lock(mu);
    auto it = records.find(uid);
    return it != records.end() && it->second->synced_signature() == signature;
  }

  void relist() {
    auto sandboxes = options.runtime->list_pod_sandboxes();
    auto containers = options.runtime->list_containers();
    if (!sandboxes || !containers) {
      if (!relist_failing) {
        KITE_LOG(warn, "pods") << "relist: " << (!sandboxes ? sandboxes.error() : containers.error()).message();
      }
      relist_failing = true;
      return;
    }
    if (relist_failing) {
      KITE_LOG(info, "pods") << "relist: the runtime answers again";
    }
    relist_failing = false;
    std::map<std::string, std::pair<std::vector<SandboxStatus>, std::vector<ContainerStatus>>> by_pod;
    for (auto& sb : *sandboxes) {
      std::string uid = label_of(sb.labels, kLabelPodUid);
      if (!uid.empty()) by_pod[uid].first.push_back(std::move(sb));
    }
    for (auto& c : *containers) {
      std::string uid = label_of(c.labels, kLabelPodUid);
      if (!uid.empty()) by_pod[uid].second.push_back(std::move(c));
    }
    std::map<std::string, std::string> now;
    for (const auto& [uid, parts] : by_pod) now[uid] = runtime_signature(parts.first, parts.second);
    std::vector<std::string> due;
    for (const auto& [uid, sig] : now) {
      auto old = signatures.find(uid);
      if (old != signatures.end() && old->second == sig) continue;
      if (synced_in_state(uid, sig)) continue;  // the worker's own doing, already reported
      due.push_back(uid);
    }
    for (const auto& [uid, sig] : signatures) {
      if (!now.count(uid)) due.push_back(uid);
    }
    signatures = std::move(now);
    bool synced = informer && informer->has_synced();
    int64_t clock_now =
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock->now().time_since_epoch()).count();
    bool resync = std::chrono::steady_clock::now() - last_resync >= kResyncEvery;
    if (resync) last_resync = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu);
      if (synced) {
        for (const auto& [uid, sig] : signatures) {
          if (!pods.count(uid)) due.push_back(uid);  // left over from a pod no longer bound here
        }
      }
      for (const auto& [uid, rec] : records) {
        int64_t wake = rec->wake_at_ns.load();
        if (wake != 0 && wake <= clock_now && rec->wake_at_ns.compare_exchange_strong(wake, 0)) due.push_back(uid);
      }
      if (resync) {
        for (const auto& [uid, pod] : pods) due.push_back(uid);
      }
    }
    for (const auto& uid : due) queue.add(uid);
  }
};

PodManager::PodManager(PodManagerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

PodManager::~PodManager() { stop(); }

base::Result<void> PodManager::start() {
  auto& im = *impl_;
  auto& o = im.options;
  if (im.started) return {};
  if (!o.client || !o.runtime) return base::error(base::Reason::BadRequest, "pod manager needs a client and a runtime");
  if (o.node_name.empty()) return base::error(base::Reason::BadRequest, "pod manager needs the node name");
  im.clock = o.clock ? o.clock : &base::real_clock();
  im.recorder = std::make_unique<client::EventRecorder>(o.event_client ? *o.event_client : *o.client,
                                                        client::EventSource{"kubelet", o.node_name}, *im.clock);
  im.events = PodEvents(im.recorder.get());
  im.images = std::make_unique<ImagePuller>(*o.runtime, o.client, im.events, *im.clock);

  ProbeManagerOptions probe_options;
  probe_options.runtime = o.runtime;
  probe_options.clock = im.clock;
  probe_options.events = &im.events;
  probe_options.on_change = [this](const std::string& uid) { impl_->queue.add(uid); };
  probe_options.tick = o.probe_tick;
  probe_options.threads = o.probe_threads;
  im.probes = std::make_unique<ProbeManager>(probe_options);

  PodWorkerDeps deps;
  deps.client = o.client;
  deps.runtime = o.runtime;
  deps.clock = im.clock;
  deps.events = &im.events;
  deps.probes = im.probes.get();
  deps.images = im.images.get();
  deps.sandbox.cluster_dns = o.cluster_dns;
  deps.sandbox.cluster_domain = o.cluster_domain;
  deps.sandbox.log_root = o.log_root;
  deps.sandbox.cgroup_parent = o.cgroup_parent;
  deps.sandbox.resolv_conf = o.resolv_conf;
  deps.node_name = o.node_name;
  deps.node_ip = o.node_ip;
  deps.memory_capacity_bytes = o.memory_capacity_bytes > 0 ? o.memory_capacity_bytes : machine_memory_bytes();
  if (auto v = o.runtime->version(); v && !v->runtime_name.empty()) deps.runtime_name = v->runtime_name;
  deps.seams = o.seams;
  if (storage::VolumeManager* volumes = o.volumes) {
    if (!deps.seams.setup_volumes) deps.seams.setup_volumes = [volumes](const json& pod) { return volumes->setup(pod); };
    if (!deps.seams.mounts_for) {
      deps.seams.mounts_for = [volumes](const json& pod, const json& c) { return volumes->mounts_for(pod, c); };
    }
    if (!deps.seams.teardown_volumes) {
      deps.seams.teardown_volumes = [volumes](const std::string& uid) { return volumes->teardown(uid); };
    }
  }
  if (!deps.seams.resolve_env) {
    deps.seams.resolve_env = [](const json& pod, const json& c, const EnvContext& ctx) {
      return resolve_container_env(pod, c, ctx);
    };
  }
  im.worker = std::make_unique<PodWorker>(std::move(deps));

  client::ListOptions selectors;
  selectors.field_selector = "spec.nodeName=" + o.node_name;
  im.informer = std::make_unique<client::Informer>(*o.client, client::resources::kPods, "", selectors);
  client::EventHandlers handlers;
  handlers.on_add = [this](const client::ObjectPtr& obj) { impl_->on_pod(obj); };
  handlers.on_update = [this](const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
    impl_->on_pod_update(old_obj, new_obj);
  };
  handlers.on_delete = [this](const client::ObjectPtr& obj) { impl_->on_pod_gone(obj); };
  im.informer->add_handlers(std::move(handlers));

  im.probes->start();
  for (int i = 0; i < std::max(1, o.workers); ++i) im.worker_threads.emplace_back([this] { impl_->run_worker(); });
  im.informer->start();
  im.relist_thread.start(o.relist_period, [this] { impl_->relist(); });
  im.started = true;
  return {};
}

void PodManager::stop() {
  auto& im = *impl_;
  if (!im.started) return;
  im.started = false;
  if (im.informer) im.informer->stop();
  im.relist_thread.stop();
  im.queue.shut_down();
  for (auto& t : im.worker_threads) {
    if (t.joinable()) t.join();
  }
  im.worker_threads.clear();
  if (im.probes) im.probes->stop();
  im.recorder.reset();
}

}  // namespace kite::agent::pods
