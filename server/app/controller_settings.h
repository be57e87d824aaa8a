// The controllers' settings from a ServerConfig: cluster/service CIDRs plus the k3s-style
// `--kube-controller-manager-arg key=value` knobs kite understands. Pure; thread-safe.
#pragma once

#include "base/status.h"
#include "server/app/server_config.h"
#include "server/controllers/framework/controller.h"

namespace kite::serverapp {

// Supported keys: node-monitor-grace-period, node-monitor-period (durations, e.g. "40s"),
// node-cidr-mask-size (16-30). BadRequest naming the argument for anything else.
base::Result<controllers::ControllerSettings> controller_settings(const ServerConfig& config);

}  // namespace kite::serverapp
