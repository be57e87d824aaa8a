#include "server/app/controller_settings.h"

#include <charconv>

#include "base/duration.h"

namespace kite::serverapp {

using base::Reason;

namespace {

base::Result<std::chrono::seconds> positive_seconds(const std::string& arg, const std::string& value) {
  auto d = base::parse_duration(value);
  if (!d) return base::error(Reason::BadRequest, "--kube-controller-manager-arg " + arg + ": " + d.error().message());
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(*d);
  if (secs.count() < 1) return base::error(Reason::BadRequest, "--kube-controller-manager-arg " + arg + ": must be at least 1s");
  return secs;
}

}  // namespace

base::Result<controllers::ControllerSettings> controller_settings(const ServerConfig& c) {
  controllers::ControllerSettings s;
  s.cluster_cidr = c.cluster_cidr;
  s.service_cidr = c.service_cidr;
  for (const auto& arg : c.kube_controller_manager_arg) {
    auto eq = arg.find('=');
    if (eq == std::string::npos) {
      return base::error(Reason::BadRequest, "--kube-controller-manager-arg \"" + arg + "\": expected key=value");
    }
    std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
    if (key.starts_with("--")) key = key.substr(2);
    if (key == "node-monitor-grace-period") {
      auto v = positive_seconds(arg, value);
      if (!v) return std::unexpected(v.error());
      s.node_monitor_grace_period = *v;
    } else if (key == "node-monitor-period") {
      auto v = positive_seconds(arg, value);
      if (!v) return std::unexpected(v.error());
      s.node_monitor_period = *v;
    } else if (key == "node-cidr-mask-size") {
      int bits = 0;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), bits);
      if (ec != std::errc() || p != value.data() + value.size() || bits < 16 || bits > 30) {
        return base::error(Reason::BadRequest, "--kube-controller-manager-arg " + arg + ": must be a number 16-30");
      }
      s.node_cidr_mask_size = bits;
    } else {
      return base::error(Reason::BadRequest, "--kube-controller-manager-arg \"" + arg +
                                                 "\": unsupported (kite supports node-monitor-grace-period, "
                                                 "node-monitor-period, node-cidr-mask-size)");
    }
  }
  return s;
}

}  // namespace kite::serverapp
