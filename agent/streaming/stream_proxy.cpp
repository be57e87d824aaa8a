#include "agent/streaming/stream_proxy.h"

#include <memory>

#include "base/http/raw_stream.h"
#include "base/http/upgrade_client.h"

namespace kite::agent::streaming {

namespace http = base::http;

base::Result<http::Response> proxy_to_stream_server(const http::Request& request, const std::string& url) {
  http::ClientRequest out;
  out.url = url;
  out.method = request.method;
  for (const auto& [name, value] : request.headers) {
    if (name == "host" || name == "content-length" || name == "transfer-encoding" || name == "authorization")
      continue;
    out.headers.emplace_back(name, value);
  }
  out.body = request.body;
  auto up = http::dial_http(out);
  if (!up) return std::unexpected(up.error());

  http::Response res;
  res.status = up->status;
  if (up->status == 101) {
    for (const auto& [name, value] : up->headers) res.set_header(name, value);
    auto backend = std::make_shared<http::ClientResponse>(std::move(*up));
    res.upgrade = [backend](std::unique_ptr<http::RawStream> client) {
      http::splice(*client, *backend->stream);
      backend->stream->close();
      client->close();
    };
    return res;
  }
  auto body = http::read_all(*up->stream);
  if (!body) return std::unexpected(body.error());
  if (auto ct = up->header("content-type"); !ct.empty()) res.set_header("Content-Type", ct);
  res.body = std::move(*body);
  return res;
}

}  // namespace kite::agent::streaming
