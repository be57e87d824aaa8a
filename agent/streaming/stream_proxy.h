// Relays an exec/attach/port-forward request to the runtime's stream server (containerd's
// CRI stream server: a one-shot http://<address>:<port>/<kind>/<token> URL from
// Runtime::exec/attach/port_forward) and splices the upgraded connection.
//
// The caller's method and headers (Connection, Upgrade, X-Stream-Protocol-Version,
// Sec-WebSocket-*, ...; not Host/Content-Length/Transfer-Encoding/Authorization) go to the URL
// over plain TCP. A 101 answer is returned with the runtime's headers verbatim and the two
// raw connections are spliced on the HTTP server's upgrade thread until either side closes;
// any other answer is relayed as a normal response (status, Content-Type, body).
//
// Threads: proxy_to_stream_server() blocks (dial + response head) on the calling worker thread.
#pragma once

#include <string>

#include "base/http/types.h"
#include "base/status.h"

namespace kite::agent::streaming {

// ServiceUnavailable when the stream server cannot be reached.
base::Result<base::http::Response> proxy_to_stream_server(const base::http::Request& request, const std::string& url);

}  // namespace kite::agent::streaming
