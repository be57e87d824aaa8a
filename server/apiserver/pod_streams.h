// pods/log, pods/exec, pods/attach and pods/portforward: the API server finds the pod's node,
// checks the request as kube-apiserver does, and relays the stream to the node agent's
// kubelet-style endpoint (/containerLogs, /exec, /attach, /portForward) over TLS with the
// server's kubelet client certificate (ApiServerOptions::kubelet_*).
//
//   log          chunked text relayed as it arrives (follow streams until the client leaves)
//   exec/attach  WebSocket v5/v4.channel.k8s.io from the client is terminated here and
//                translated to SPDY/3.1 (v4.channel.k8s.io) towards the agent
//                (base/stream/channel_translator.h); a SPDY client is spliced byte for byte
//   portforward  WebSocket "SPDY/3.1+portforward.k8s.io": binary payloads tunnel a SPDY
//                connection to the agent; a SPDY client is spliced
//
// Threads: called on the HTTP worker pool; the relay itself runs on the connection's upgrade
// thread (exec/attach/portforward) or a relay thread per log stream.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "base/http/types.h"
#include "base/status.h"

namespace kite::apiserver {

struct ServerState;
struct Scope;

base::http::Response rest_pod_stream(ServerState& st, Scope& s);

// --- pieces, public for tests ---
// The container a log/exec/attach request targets: `requested` if the pod has it (containers,
// init or ephemeral), the only container when none was named, else BadRequest worded as upstream.
base::Result<std::string> pick_container(const nlohmann::json& pod, const std::string& requested);
// "https://<InternalIP>:<kubelet port>" of a Node (ExternalIP or Hostname when it has no
// InternalIP; port from status.daemonEndpoints.kubeletEndpoint.Port, default 10250).
base::Result<std::string> agent_address(const nlohmann::json& node);
// The agent path + query for subresource `sub` ("log", "exec", "attach", "portforward") from
// the client's query (PodLogOptions / PodExecOptions / PodAttachOptions / PodPortForwardOptions).
std::string agent_target(const std::string& sub, const std::string& ns, const std::string& pod,
                         const std::string& container, const base::http::Request& req);

}  // namespace kite::apiserver
