#include "agent/network/pod_network.h"

#include <filesystem>

#include "agent/network/cni_config.h"
#include "agent/network/masquerade.h"
#include "agent/network/netlink_routes.h"
#include "agent/network/route_plan.h"
#include "base/log.h"
#include "client/informer.h"
#include "client/resource_ref.h"

namespace kite::agent::network {
namespace {

std::string first_ipv4_pod_cidr(const nlohmann::json& node) {
  const auto& spec = node.value("spec", nlohmann::json::object());
  if (auto it = spec.find("podCIDRs"); it != spec.end() && it->is_array())
    for (const auto& c : *it)
      if (c.is_string() && c.get<std::string>().find(':') == std::string::npos) return c.get<std::string>();
  std::string single = spec.value("podCIDR", "");
  return single.find(':') == std::string::npos ? single : "";
}

}  // namespace

PodNetwork::PodNetwork(PodNetworkOptions options) : opts_(std::move(options)) {
  if (opts_.ipam_data_dir.empty() && !opts_.cni_conf_dir.empty()) {
    // <data-dir>/agent/etc/cni/net.d -> <data-dir>/agent/cni/ipam
    auto agent_dir = std::filesystem::path(opts_.cni_conf_dir).parent_path().parent_path().parent_path();
    opts_.ipam_data_dir = (agent_dir / "cni" / "ipam").string();
  }
}

PodNetwork::~PodNetwork() { stop(); }

std::string PodNetwork::conflist_path() const {
  return (std::filesystem::path(opts_.cni_conf_dir) / kConflistName).string();
}

std::string PodNetwork::pod_cidr() const {
  std::lock_guard lock(mu_);
  return pod_cidr_;
}

base::Result<void> PodNetwork::start() {
  uint64_t start_generation = 0;
  {
    std::lock_guard life(lifecycle_mu_);
    if (started_) return base::error(base::Reason::BadRequest, "pod network already started");
    if (!opts_.client || opts_.node_name.empty() || opts_.cni_conf_dir.empty())
      return base::error(base::Reason::BadRequest, "pod network needs a client, a node name and a CNI conf dir");
    {
      std::lock_guard lock(mu_);
      if (stopping_) return base::error(base::Reason::ServiceUnavailable, "pod network is stopping");
      start_generation = stop_generation_;
      dirty_ = true;
      write_error_.clear();
    }
    if (opts_.manage_masquerade) {
      if (auto r = apply_masquerade(opts_.cluster_cidr, opts_.nft); !r) return r;
    }
    informer_ = std::make_unique<client::Informer>(*opts_.client, client::resources::kNodes);
    auto poke = [this] {
      std::lock_guard lock(mu_);
      dirty_ = true;
      cv_.notify_all();
    };
    informer_->add_handlers({[poke](const client::ObjectPtr&) { poke(); },
                             [poke](const client::ObjectPtr&, const client::ObjectPtr&) { poke(); },
                             [poke](const client::ObjectPtr&) { poke(); }});
    informer_->start();
    worker_ = std::thread([this] { run(); });
    started_ = true;
  }

  std::unique_lock lock(mu_);
  cv_.wait_for(lock, opts_.pod_cidr_timeout,
               [&] { return ready_.load() || !write_error_.empty() || stop_generation_ != start_generation; });
  bool ok = ready_.load() && write_error_.empty();
  bool interrupted = stop_generation_ != start_generation;
  std::string err = write_error_;
  lock.unlock();
  if (ok) return {};
  if (interrupted) return base::error(base::Reason::ServiceUnavailable, "pod network stopped before it was ready");
  stop();
  if (!err.empty()) return base::error(base::Reason::InternalError, err);
  return base::error(base::Reason::Timeout,
                     "node " + opts_.node_name + " got no spec.podCIDR within the timeout (is the server's node IPAM on?)");
}

void PodNetwork::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    ++stop_generation_;
    cv_.notify_all();
  }
  std::lock_guard life(lifecycle_mu_);
  if (started_) {
    if (worker_.joinable()) worker_.join();
    if (informer_) informer_->stop();
    informer_.reset();
    if (opts_.manage_routes && opts_.remove_routes_on_stop) {
      if (auto current = list_routes(); current) {
        for (const auto& r : *current) {
          if (auto d = delete_route(r); !d) {
            KITE_LOG(warn, "network") << d.error().message();
          }
        }
      }
    }
    if (opts_.manage_masquerade) {
      if (auto r = remove_masquerade(opts_.nft); !r) {
        KITE_LOG(warn, "network") << r.error().message();
      }
    }
    ready_ = false;
    started_ = false;
  }
  std::lock_guard lock(mu_);
  stopping_ = false;  // a later start() may run again
}

bool PodNetwork::try_write_conflist() {
  auto self = informer_->get(opts_.node_name);
  if (!self) return false;
  std::string cidr = first_ipv4_pod_cidr(*self);
  if (cidr.empty()) return false;
  CniConfigInput in{cidr, opts_.bridge, opts_.ipam_data_dir};
  auto w = write_file_atomic(conflist_path(), render_conflist(in));
  std::lock_guard lock(mu_);
  if (!w) {
    write_error_ = w.error().message();
  } else {
    pod_cidr_ = cidr;
    ready_ = true;
    KITE_LOG(info, "network") << "wrote " << conflist_path() << " for pod CIDR " << cidr;
  }
  cv_.notify_all();
  return w.has_value();
}

void PodNetwork::sync_routes() {
  if (!opts_.manage_routes) return;
  std::vector<nlohmann::json> nodes;
  for (const auto& n : informer_->list()) nodes.push_back(*n);
  auto current = list_routes();
  if (!current) {
    KITE_LOG(warn, "network") << current.error().message();
    return;
  }
  auto plan = plan_routes(desired_routes(nodes, opts_.node_name), *current);
  for (const auto& r : plan.remove)
    if (auto d = delete_route(r); !d) {
      KITE_LOG(warn, "network") << d.error().message();
    }
  for (const auto& r : plan.replace) {
    if (auto a = replace_route(r); !a) {
      KITE_LOG(warn, "network") << a.error().message();
    } else {
      KITE_LOG(info, "network") << "route " << r.dst << " via " << r.gateway;
    }
  }
}

void PodNetwork::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, opts_.resync_period, [this] { return dirty_ || stopping_; });
      if (stopping_) return;
      dirty_ = false;
    }
    if (!informer_->has_synced()) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; });
      dirty_ = true;
      continue;
    }
    if (!ready_ && !try_write_conflist()) continue;
    sync_routes();
  }
}

}  // namespace kite::agent::network
