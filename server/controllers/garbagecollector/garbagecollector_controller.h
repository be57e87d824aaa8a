// The garbage collector: deletes objects whose owners are gone, and carries out the
// Foreground and Orphan deletion policies, as kube-controller-manager's garbagecollector.
//
// It watches the resources in monitored_resources.h and keeps an OwnerGraph of their
// ownerReferences. Keys on its queue are object uids:
//   - an object with ownerReferences is re-read live first (the cache may lag an orphaning);
//     an object whose owners are all gone (verified by a live GET of each owner when the
//     owner is not in the graph: NotFound or another uid means gone) is deleted with
//     propagation Background (Foreground/Orphan if it carries those finalizers); owners that
//     are gone or deleting in the foreground are dropped from ownerReferences while another
//     owner remains;
//   - an owner with deletionTimestamp + the `foregroundDeletion` finalizer gets its dependents
//     deleted (Foreground for dependents that have dependents themselves) and loses the
//     finalizer once no dependent with blockOwnerDeletion=true remains;
//   - an owner with deletionTimestamp + the `orphan` finalizer has its uid removed from every
//     dependent's ownerReferences, then loses the finalizer.
// Threads: informer threads update the graph and enqueue; 4 workers sync uids.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_garbagecollector_controller(ControllerContext& ctx);

}  // namespace kite::controllers
