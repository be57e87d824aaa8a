// Kubernetes remotecommand translation (what kube-apiserver's StreamTranslator does): the
// client speaks WebSocket with the channel.k8s.io layout (v5 or v4: each binary message is one
// channel byte + data; channels 0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize; v5 adds
// channel 255 "close channel N"), the agent (and containerd behind it) speaks SPDY/3.1 with
// the v4.channel.k8s.io stream layout (one SPDY stream per channel, named by the `streamtype`
// header; the error stream carries a metav1.Status with the exit code).
//
// Also the port-forward tunnel (subprotocol SPDY/3.1+portforward.k8s.io): WebSocket binary
// message payloads are the raw bytes of a SPDY connection, passed through both ways.
//
// Both functions block until the session ends, using one extra thread, and close both streams
// before returning. The WebSocket handshake (101) must already be done on `client`.
#pragma once

#include "base/http/raw_stream.h"

namespace kite::base::stream {

enum class ChannelProtocol { V4, V5 };

struct ExecStreams {
  bool stdin_open = false;
  bool stdout_open = true;
  bool stderr_open = true;  // ignored with tty (no separate stderr)
  bool tty = false;
};

// `agent` is the agent connection right after its 101 (SPDY/3.1, v4.channel.k8s.io).
void translate_exec(http::RawStream& client, http::RawStream& agent, const ExecStreams& streams,
                    ChannelProtocol protocol);

// WebSocket binary payloads <-> raw bytes of `agent`.
void tunnel_websocket(http::RawStream& client, http::RawStream& agent);

}  // namespace kite::base::stream
