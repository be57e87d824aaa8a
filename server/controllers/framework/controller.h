// The shape every kite controller has, and what it is given.
//
// A controller watches resources through the shared informers, turns every change into a key
// on its WorkQueue, and syncs keys level-triggered on worker threads: sync(key) reads the
// current state from the informer caches, compares it with the desired state and writes the
// difference through the Client. A failed sync is requeued with per-key backoff; success
// forgets the key's failures. sync must be idempotent and safe to call for deleted objects.
//
// Threads: informer handlers (informer threads) only enqueue; `workers` threads run sync;
// different keys may sync concurrently, one key never does.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "client/client.h"
#include "client/event_recorder.h"
#include "client/informer.h"
#include "client/work_queue.h"

namespace kite::controllers {

// Cluster settings controllers need, from `kite server` flags.
struct ControllerSettings {
  std::string cluster_cidr = "10.42.0.0/16";
  int node_cidr_mask_size = 24;
  std::string service_cidr = "10.43.0.0/16";
  std::chrono::seconds node_monitor_grace_period{40};
  std::chrono::seconds node_monitor_period{5};
  std::chrono::seconds default_toleration_seconds{300};
  // The cluster's server CA (PEM) that rootcacert publishes as kube-root-ca.crt/ca.crt in
  // every namespace; empty = publish nothing.
  std::string root_ca_pem;
};

struct ControllerContext {
  client::Client& client;
  client::InformerFactory& informers;
  const base::Clock& clock;
  ControllerSettings settings;
};

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  // Registers handlers on informers and starts worker threads. Informers may not have synced
  // yet; workers wait for the informers they read before the first sync.
  virtual void start() = 0;
  // Shuts the queue down and joins the workers; idempotent.
  virtual void stop() = 0;
};

// The usual Controller: a WorkQueue of keys and N workers calling sync(key).
class QueueController : public Controller {
 public:
  QueueController(std::string name, int workers);
  ~QueueController() override;
  std::string name() const override { return name_; }
  void start() override;
  void stop() override;

  // Exposed for tests: process one key from the queue synchronously (false when empty/shut).
  bool process_next();

 protected:
  // Register informer handlers here (called by start() before workers run).
  virtual void register_handlers() = 0;
  // Informers whose sync the workers wait for before the first sync.
  virtual std::vector<client::Informer*> informers_to_sync() = 0;
  virtual base::Result<void> sync(const std::string& key) = 0;

  client::WorkQueue& queue() { return queue_; }
  void enqueue(const client::ObjectPtr& obj);  // adds object_key(*obj)
  // Handlers that enqueue the object itself on add, update (the new version) and delete: what
  // a controller registers on the informer of the kind it syncs.
  client::EventHandlers enqueue_handlers();

 private:
  void worker_loop();

  std::string name_;
  int workers_;
  client::WorkQueue queue_;
  std::vector<std::thread> threads_;
  bool started_ = false;
};

}  // namespace kite::controllers
