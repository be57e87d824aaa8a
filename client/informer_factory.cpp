// InformerFactory: one shared Informer per resource.
#include "client/informer.h"

namespace kite::client {

InformerFactory::InformerFactory(Client& client, std::chrono::milliseconds resync_period)
    : client_(client), resync_period_(resync_period) {}

InformerFactory::~InformerFactory() { stop_all(); }

Informer& InformerFactory::informer(const ResourceRef& resource) {
  std::lock_guard lock(mu_);
  for (auto& [ref, inf] : informers_) {
    if (ref == resource) return *inf;
  }
  auto inf = std::make_unique<Informer>(client_, resource, "", ListOptions{}, resync_period_);
  // The standard indexes, so that every controller sharing the informer finds them.
  inf->add_index(kIndexNamespace, index_by_namespace);
  inf->add_index(kIndexOwnerUid, index_by_owner_uid);
  if (resource == resources::kPods) inf->add_index(kIndexNodeName, index_by_node_name);
  Informer& out = *inf;
  informers_.emplace_back(resource, std::move(inf));
  if (started_) out.start();
  return out;
}

void InformerFactory::start_all() {
  std::lock_guard lock(mu_);
  started_ = true;
  for (auto& [ref, inf] : informers_) inf->start();
}

void InformerFactory::stop_all() {
  std::vector<Informer*> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [ref, inf] : informers_) all.push_back(inf.get());
  }
  for (auto* inf : all) inf->stop();
}

bool InformerFactory::wait_for_sync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<Informer*> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [ref, inf] : informers_) all.push_back(inf.get());
  }
  for (auto* inf : all) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!inf->wait_for_sync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

}  // namespace kite::client
