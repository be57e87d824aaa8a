// PodNetwork: a node's pod networking. start() applies the masquerade table (masquerade.h),
// starts a Node informer, waits until this node's spec.podCIDR is set (by the server's node
// IPAM controller) and writes the CNI conflist (cni_config.h) for it, then returns. From then
// on a worker thread keeps a route "<podCIDR> via <InternalIP>" for every other node in the
// main routing table (route_plan.h, netlink_routes.h), re-syncing on every Node event and
// every `resync_period`, and deleting kite-marked routes whose node went away or changed.
// stop() stops the informer and worker and removes the masquerade table; kite's routes and
// the conflist stay (pods keep running across an agent restart; containerd needs the conflist
// to tear pods down), unless remove_routes_on_stop.
//
// Threads: one informer thread, one worker thread. start() may run on a helper thread while
// it waits for the podCIDR; stop() from the owner thread then interrupts that wait (start()
// returns an error) and tears down. ready()/pod_cidr() from any thread. Everything runs in the caller's network namespace (the node's).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/status.h"
#include "client/client.h"

namespace kite::client {
class Informer;
}

namespace kite::agent::network {

struct PodNetworkOptions {
  client::Client* client = nullptr;
  std::string node_name, node_ip;
  std::string cluster_cidr = "10.42.0.0/16";
  std::string cni_conf_dir;  // <data-dir>/agent/etc/cni/net.d
  std::string cni_bin_dir = "/usr/lib/cni";
  std::string bridge = "cni0";
  // host-local IPAM state; "" = <cni_conf_dir>/../../../cni/ipam (i.e. <data-dir>/agent/cni/ipam)
  std::string ipam_data_dir;
  std::chrono::milliseconds pod_cidr_timeout = std::chrono::minutes(5);
  std::chrono::milliseconds resync_period = std::chrono::seconds(30);
  bool manage_masquerade = true;  // tests switch the nft part off
  bool manage_routes = true;
  // Routes normally stay when the agent stops (pods keep running across an agent restart and
  // the next start() reconciles them); tests remove them.
  bool remove_routes_on_stop = false;
  std::string nft = "nft";
};

class PodNetwork {
 public:
  explicit PodNetwork(PodNetworkOptions options);
  ~PodNetwork();  // stops
  PodNetwork(const PodNetwork&) = delete;
  PodNetwork& operator=(const PodNetwork&) = delete;

  // Returns once the conflist is written; an error if options are invalid, nft fails, or
  // the node has no podCIDR within pod_cidr_timeout (the worker is stopped again then).
  base::Result<void> start();
  void stop();  // idempotent
  bool ready() const { return ready_.load(); }

  std::string conflist_path() const;
  std::string pod_cidr() const;

 private:
  void run();
  bool try_write_conflist();
  void sync_routes();

  PodNetworkOptions opts_;
  std::unique_ptr<client::Informer> informer_;
  std::thread worker_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool dirty_ = false;
  bool stopping_ = false;
  uint64_t stop_generation_ = 0;  // bumped by every stop(); wakes a start() waiting for the podCIDR
  std::string pod_cidr_;
  std::string write_error_;
  std::atomic<bool> ready_{false};
  std::mutex lifecycle_mu_;  // serializes the setup part of start() and stop()'s teardown
  bool started_ = false;      // guarded by lifecycle_mu_
};

}  // namespace kite::agent::network
