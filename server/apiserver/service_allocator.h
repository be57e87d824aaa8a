// ServiceAllocator: ClusterIPs from the service CIDR and NodePorts from 30000-32767.
//
// Every allocation is a reservation key created atomically in the datastore
// (/kite/serviceips/<ip>, /kite/servicenodeports/<port>), so two writers never hand out the
// same address, nothing is handed out twice after a restart, and a Service's reservations
// are removed when it is deleted. Dynamic ClusterIPs come from the upper part of the range
// (the lower 16 addresses are left for static choices such as the cluster DNS address).
// Thread-safe: all state is in the datastore.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "server/kv/store.h"

namespace kite::apiserver {

class ServiceAllocator {
 public:
  static base::Result<ServiceAllocator> create(kv::Store& store, const std::string& service_cidr);

  // Fills spec.clusterIP/clusterIPs and the ports' nodePorts of a Service being created (or,
  // with `old`, updated: unset values are carried over from `old`, new ones allocated).
  // Returns the reservations made by this call (to roll back with release_keys when the
  // write fails). Invalid when a requested IP/port is taken or outside its range.
  base::Result<std::vector<std::string>> allocate(nlohmann::json& svc, const nlohmann::json* old);
  // Releases every reservation of a Service that was deleted.
  void release(const nlohmann::json& svc);
  void release_keys(const std::vector<std::string>& keys);
  // The first address of the range (the `kubernetes` Service's).
  std::string first_ip() const;

 private:
  ServiceAllocator(kv::Store& store, uint32_t base, uint32_t size) : store_(&store), base_(base), size_(size) {}
  base::Result<std::string> reserve_ip(const std::string& owner, const std::string& wanted);
  base::Result<int64_t> reserve_node_port(const std::string& owner, int64_t wanted);

  kv::Store* store_;
  uint32_t base_;  // network address, host order
  uint32_t size_;  // number of addresses in the range
};

}  // namespace kite::apiserver
