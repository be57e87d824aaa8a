// The node IPAM controller (upstream's RangeAllocator): gives every node a pod CIDR, setting
// spec.podCIDR and spec.podCIDRs to the next free subnet of settings.cluster_cidr with
// settings.node_cidr_mask_size (/24 by default). Subnets already on nodes are taken first
// (so restarts never hand one out twice), a deleted node's subnet is released, and a node
// whose subnet cannot be found gets a CIDRNotAvailable event and is retried. IPv4 only.
// Threads: informer threads record taken subnets and enqueue; one worker allocates.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_nodeipam_controller(ControllerContext& ctx);

}  // namespace kite::controllers
