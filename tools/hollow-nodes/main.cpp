// kite-hollow-nodes: a TEST tool that registers fake nodes (hollow kubelets) with a kite (or
// any Kubernetes) API server. See tools/hollow-nodes/README.md.
//
// Exit codes: 0 after SIGTERM/SIGINT, 1 when the kubeconfig cannot be used, 2 on bad flags.
// SIGTERM and SIGINT are blocked in every thread and taken by the main thread with sigwait.
#include <csignal>
#include <cstdio>
#include <thread>

#include "base/log.h"
#include "client/rest_client.h"
#include "tools/hollow-nodes/hollow_fleet.h"
#include "tools/hollow-nodes/hollow_options.h"

int main(int argc, char** argv) {
  using namespace kite;
  auto cmd = hollow::parse_hollow_command(argc - 1, argv + 1);
  if (!cmd) {
    std::fprintf(stderr, "kite-hollow-nodes: %s\n", cmd.error().message().c_str());
    return 2;
  }
  if (cmd->help) {
    std::printf("kite-hollow-nodes: fake nodes for testing kite's control plane (not for production)\n%s",
                cmd->usage.c_str());
    return 0;
  }
  auto creds = client::credentials_from_kubeconfig(cmd->kubeconfig);
  if (!creds) {
    std::fprintf(stderr, "kite-hollow-nodes: %s: %s\n", cmd->kubeconfig.c_str(), creds.error().message().c_str());
    return 1;
  }

  // Block the stop signals before any thread starts, so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  client::RestClientOptions copts;
  copts.user_agent = "kite-hollow-nodes";
  auto api = client::make_https_client(*creds, copts);
  hollow::HollowFleet fleet(*api, cmd->options);
  fleet.start();
  std::thread announcer([&fleet] {
    if (fleet.wait_registered(std::chrono::hours(24))) {
      KITE_LOG(info, "hollow-nodes") << "registered " << fleet.options().names.size() << " nodes";
    }
  });

  int sig = 0;
  sigwait(&stop_signals, &sig);
  KITE_LOG(info, "hollow-nodes") << "signal " << sig << ", stopping"
                                 << (cmd->options.delete_nodes_on_exit ? " and deleting the nodes" : "");
  fleet.stop();
  announcer.join();
  auto s = fleet.stats();
  KITE_LOG(info, "hollow-nodes") << "stopped: " << s.lease_renewals << " lease renewals, " << s.status_posts
                                 << " status posts, " << s.pod_status_writes << " pod status writes, "
                                 << s.deletions_confirmed << " deletions confirmed, " << s.errors << " errors";
  return 0;
}
