// The resources the garbage collector watches and the owner kinds it can resolve.
//
// A fixed list of core, apps, batch, coordination, discovery and policy resources: every
// built-in kind that owns or is owned by something in practice. An ownerReference whose
// (group, kind) is not in this list cannot be looked up, so the collector never treats such
// an owner as gone. Pure data; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "client/resource_ref.h"

namespace kite::controllers::gc {

struct MonitoredResource {
  client::ResourceRef ref;
  std::string kind;
};

const std::vector<MonitoredResource>& monitored_resources();

// The resource an ownerReference (apiVersion "apps/v1", kind "ReplicaSet") points at, matched
// on group and kind (any version); nullopt for kinds outside the list.
std::optional<client::ResourceRef> resource_for_owner(const std::string& api_version, const std::string& kind);

}  // namespace kite::controllers::gc
