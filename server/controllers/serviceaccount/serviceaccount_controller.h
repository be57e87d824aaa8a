// The service account controller: every active namespace has a ServiceAccount named
// `default`, created when the namespace appears and recreated if deleted, as upstream's
// serviceaccounts controller. Namespaces being deleted are left alone.
// Threads: informer threads enqueue namespace names; one worker syncs.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_serviceaccount_controller(ControllerContext& ctx);

}  // namespace kite::controllers
