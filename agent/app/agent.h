// Agent: one node agent, from a resolved AgentConfig to a registered, heartbeating node.
//
// start(): join the cluster (agent/join: CA pinning, node password, node certificates under
// <data-dir>/agent/), an HTTPS client as system:node:<name> (client/rest_client.h), node
// registration + status + Lease (agent/node), then the node's other parts as they are wired
// in (container runtime, volumes, pods, streaming server, pod network: see agent.cpp). The
// node registers and keeps its Lease even when the container runtime is down; it is then
// Ready=False with the reason in the condition's message.
// stop(): stops everything start() started, in reverse order. Idempotent.
//
// Threads: start()/stop() from one owning thread; the parts run their own threads.
// run_agent() is `kite agent`: start, wait for SIGTERM/SIGINT (which the caller blocked with
// serverapp-style block_termination_signals before creating threads), stop.
#pragma once

#include <memory>

#include "agent/app/agent_config.h"
#include "base/status.h"

namespace kite::agent {

class Agent {
 public:
  // `config` must come from resolve_agent_config.
  explicit Agent(AgentConfig config);
  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  base::Result<void> start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Resolves `config`, starts an Agent, blocks until SIGTERM or SIGINT, stops it.
base::Result<void> run_agent(const AgentConfig& config);

}  // namespace kite::agent
