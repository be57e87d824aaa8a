// The controllers `kite server` runs (its controller manager), in start order.
#pragma once

#include <memory>
#include <vector>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::vector<std::unique_ptr<Controller>> make_all_controllers(ControllerContext& ctx);

}  // namespace kite::controllers
