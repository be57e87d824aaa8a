// The objects a hollow node writes about itself: its Node (labels, taints, capacity), its
// status (conditions with heartbeat times, addresses, nodeInfo), its Lease in
// kube-node-lease, and the fake addresses it reports (node InternalIP, pod IPs).
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/hollow-nodes/hollow_options.h"

namespace kite::hollow {

using json = nlohmann::json;
using TimePoint = std::chrono::system_clock::time_point;

inline constexpr const char* kNodeLeaseNamespace = "kube-node-lease";

// The fake InternalIP of the node with this index in its fleet: 127.0.x.y with x.y = index + 1.
std::string node_internal_ip(size_t index);

// The Node to create: metadata.labels (kubernetes.io/hostname, os, arch, beta.* labels, zone,
// the extra labels), spec.taints, and the status of node_status().
json node_object(const HollowOptions& o, const std::string& name, size_t index, TimePoint now,
                 TimePoint ready_since);

// The node's status: capacity = allocatable, addresses, nodeInfo, daemonEndpoints and the
// conditions Ready=True (KubeletReady), MemoryPressure/DiskPressure/PIDPressure=False, each
// with lastHeartbeatTime = now and lastTransitionTime = ready_since.
json node_status(const HollowOptions& o, const std::string& name, size_t index, TimePoint now,
                 TimePoint ready_since);

// The node's Lease (holderIdentity = node name), owned by the Node when node_uid is set.
json node_lease(const HollowOptions& o, const std::string& name, const std::string& node_uid, TimePoint now);

// The n-th fake pod IP of a node: inside spec.podCIDR when it is an IPv4 CIDR (the network
// address + 2 + n, wrapping inside the block), else 10.42.<index>.<2 + n % 250> (for indexes
// from 256 on: 10.<100 + index / 256>.<index % 256>.<...>).
std::string pod_ip(const std::string& pod_cidr, size_t node_index, uint64_t n);

}  // namespace kite::hollow
