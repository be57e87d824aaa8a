// https_fetcher: one HTTPS GET on Boost.Beast, bounded by the request's timeout
// (see agent/join/join.h). Without a CA file the server certificate is not verified (only for
// /cacerts, whose bytes are then checked against the token's hash); with one, the chain must
// lead to it and the certificate must name the URL's host.
#include <utility>  // before asio: Boost 1.74's awaitable.hpp misses it

#include <openssl/ssl.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "agent/join/join.h"

namespace kite::agent {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using base::Reason;

struct Url {
  std::string host, port, target;
};

base::Result<Url> parse_url(const std::string& url) {
  const std::string scheme = "https://";
  if (!url.starts_with(scheme)) return base::error(Reason::BadRequest, "not an https:// URL: " + url);
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  Url u;
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (hostport.starts_with("[")) {
    auto close = hostport.find(']');
    if (close == std::string::npos) return base::error(Reason::BadRequest, "malformed URL: " + url);
    u.host = hostport.substr(1, close - 1);
    u.port = hostport.size() > close + 2 && hostport[close + 1] == ':' ? hostport.substr(close + 2) : "443";
  } else {
    auto colon = hostport.rfind(':');
    u.host = hostport.substr(0, colon);
    u.port = colon == std::string::npos ? "443" : hostport.substr(colon + 1);
  }
  if (u.host.empty()) return base::error(Reason::BadRequest, "malformed URL: " + url);
  return u;
}

}  // namespace

Fetcher https_fetcher() {
  return [](const FetchRequest& fr) -> base::Result<FetchReply> {
    auto url = parse_url(fr.url);
    if (!url) return std::unexpected(url.error());
    asio::ssl::context tls(asio::ssl::context::tls_client);
    boost::system::error_code ec;
    if (!fr.ca_file.empty()) {
      tls.load_verify_file(fr.ca_file, ec);
      if (ec) return base::error(Reason::InternalError, "loading CA " + fr.ca_file + ": " + ec.message());
      tls.set_verify_mode(asio::ssl::verify_peer);
      tls.set_verify_callback(asio::ssl::host_name_verification(url->host));
    } else {
      tls.set_verify_mode(asio::ssl::verify_none);
    }
    asio::io_context ioc(1);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
    asio::ip::make_address(url->host, ec);
    if (ec) SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());  // SNI for names only

    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, url->target, 11};
    req.set(bhttp::field::host, url->host.find(':') != std::string::npos ? "[" + url->host + "]:" + url->port
                                                                         : url->host + ":" + url->port);
    req.set(bhttp::field::user_agent, "kite-agent");
    for (const auto& [k, v] : fr.headers) {
      if (!v.empty()) req.set(k, v);
    }
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1 << 20);
    std::string failure;
    bool done = false;
    asio::ip::tcp::resolver resolver(ioc);
    beast::get_lowest_layer(stream).expires_after(fr.timeout);
    auto fail = [&](const std::string& step, const boost::system::error_code& e) {
      failure = step + ": " + (e == beast::error::timeout ? std::string("timed out") : e.message());
    };
    resolver.async_resolve(url->host, url->port, [&](auto e, auto endpoints) {
      if (e) return fail("resolving " + url->host, e);
      beast::get_lowest_layer(stream).async_connect(endpoints, [&](auto e2, auto) {
        if (e2) return fail("connecting to " + url->host + ":" + url->port, e2);
        stream.async_handshake(asio::ssl::stream_base::client, [&](auto e3) {
          if (e3) return fail("TLS handshake", e3);
          bhttp::async_write(stream, req, [&](auto e4, size_t) {
            if (e4) return fail("sending the request", e4);
            bhttp::async_read(stream, buffer, parser, [&](auto e5, size_t) {
              if (e5) return fail("reading the response", e5);
              done = true;
            });
          });
        });
      });
    });
    ioc.run();
    beast::get_lowest_layer(stream).close();
    if (!done) return base::error(Reason::ServiceUnavailable, failure.empty() ? "request did not complete" : failure);
    FetchReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = parser.get().body();
    return reply;
  };
}

}  // namespace kite::agent
