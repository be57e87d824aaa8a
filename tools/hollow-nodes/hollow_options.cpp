#include "tools/hollow-nodes/hollow_options.h"

#include <regex>
#include <set>

#include "base/duration.h"
#include "base/flags.h"

namespace kite::hollow {

namespace {

base::Status bad(const std::string& message) { return base::Status(base::Reason::BadRequest, message); }

base::Result<std::chrono::milliseconds> duration_flag(const std::string& flag, const std::string& text) {
  auto d = base::parse_duration(text);
  if (!d) return base::error(bad("invalid --" + flag + " \"" + text + "\": " + d.error().message()));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  if (ms.count() <= 0) return base::error(bad("--" + flag + " must be > 0"));
  return ms;
}

}  // namespace

bool is_quantity(const std::string& text) {
  static const std::regex re(R"(^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$)");
  return std::regex_match(text, re);
}

base::Result<nlohmann::json> parse_taint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) {
    return base::error(bad("invalid --taint \"" + text + "\": want key=value:Effect"));
  }
  std::string kv = text.substr(0, colon);
  std::string effect = text.substr(colon + 1);
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
    return base::error(bad("invalid --taint \"" + text +
                           "\": effect must be NoSchedule, PreferNoSchedule or NoExecute"));
  }
  std::string key = kv;
  std::string value;
  if (auto eq = kv.find('='); eq != std::string::npos) {
    key = kv.substr(0, eq);
    value = kv.substr(eq + 1);
  }
  if (key.empty()) return base::error(bad("invalid --taint \"" + text + "\": empty key"));
  nlohmann::json taint = {{"key", key}, {"effect", effect}};
  if (!value.empty()) taint["value"] = value;
  return taint;
}

base::Result<HollowCommand> parse_hollow_command(int argc, const char* const* argv) {
  HollowCommand cmd;
  HollowOptions& o = cmd.options;
  int count = 1;
  std::string prefix = "hollow-";
  std::vector<std::string> names, labels, taints;
  std::string renew = "10s", status = "60s";
  base::FlagSet flags("kite-hollow-nodes");
  flags.add_string("kubeconfig", &cmd.kubeconfig, "Kubeconfig of the API server to register with (required)");
  flags.add_int("count", &count, "Number of nodes, named <name-prefix><index>");
  flags.add_string("name-prefix", &prefix, "Prefix of generated node names");
  flags.add_string_list("names", &names, "Explicit node names (instead of --count/--name-prefix)");
  flags.add_string_list("label", &labels, "Extra node label key=value (repeatable)");
  flags.add_string_list("taint", &taints, "Node taint key=value:Effect (repeatable)");
  flags.add_string("arch", &o.arch, "kubernetes.io/arch label and nodeInfo.architecture");
  flags.add_string("cpu", &o.cpu, "CPU capacity (a quantity)");
  flags.add_string("memory", &o.memory, "Memory capacity (a quantity)");
  flags.add_int("pods", &o.pods, "Pod capacity");
  flags.add_string("ephemeral-storage", &o.ephemeral_storage, "Ephemeral storage capacity (a quantity)");
  flags.add_string("zone", &o.zone, "topology.kubernetes.io/zone label");
  flags.add_int("lease-duration", &o.lease_duration_seconds, "Lease leaseDurationSeconds");
  flags.add_string("lease-renew-interval", &renew, "How often each node renews its Lease");
  flags.add_string("status-interval", &status, "How often each node posts its status");
  flags.add_bool("delete-nodes-on-exit", &o.delete_nodes_on_exit, "Delete the Nodes on SIGTERM/SIGINT");
  flags.add_int("workers", &o.workers, "Threads writing leases and statuses");
  cmd.usage = flags.usage();

  auto positional = flags.parse(argc, argv);
  if (!positional) return base::error(positional.error());
  if (flags.help_requested()) {
    cmd.help = true;
    return cmd;
  }
  if (!positional->empty()) return base::error(bad("unexpected argument \"" + positional->front() + "\""));
  if (cmd.kubeconfig.empty()) return base::error(bad("--kubeconfig is required"));
  if (!names.empty()) {
    if (flags.is_set("count") && count != static_cast<int>(names.size())) {
      return base::error(bad("--count " + std::to_string(count) + " does not match the " +
                             std::to_string(names.size()) + " --names"));
    }
    std::set<std::string> seen;
    for (const auto& n : names) {
      if (n.empty() || !seen.insert(n).second) return base::error(bad("invalid or repeated name in --names: \"" + n + "\""));
    }
    o.names = names;
  } else {
    if (count < 1) return base::error(bad("--count must be >= 1"));
    for (int i = 0; i < count; ++i) o.names.push_back(prefix + std::to_string(i));
  }
  for (const auto& l : labels) {
    auto eq = l.find('=');
    if (eq == std::string::npos || eq == 0) return base::error(bad("invalid --label \"" + l + "\": want key=value"));
    o.labels[l.substr(0, eq)] = l.substr(eq + 1);
  }
  for (const auto& t : taints) {
    auto taint = parse_taint(t);
    if (!taint) return base::error(taint.error());
    o.taints.push_back(*taint);
  }
  for (const auto& [flag, value] : {std::pair{"cpu", o.cpu}, {"memory", o.memory}, {"ephemeral-storage", o.ephemeral_storage}}) {
    if (!is_quantity(value)) return base::error(bad(std::string("invalid --") + flag + " \"" + value + "\": not a quantity"));
  }
  if (o.arch.empty()) return base::error(bad("--arch must not be empty"));
  if (o.pods < 1) return base::error(bad("--pods must be >= 1"));
  if (o.lease_duration_seconds < 1) return base::error(bad("--lease-duration must be >= 1"));
  if (o.workers < 1 || o.workers > 64) return base::error(bad("--workers must be between 1 and 64"));
  auto r = duration_flag("lease-renew-interval", renew);
  if (!r) return base::error(r.error());
  o.lease_renew_interval = *r;
  auto s = duration_flag("status-interval", status);
  if (!s) return base::error(s.error());
  o.status_interval = *s;
  return cmd;
}

}  // namespace kite::hollow
