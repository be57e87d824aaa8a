#include "client/https_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

namespace kite::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

std::string HttpsEndpoint::host_header() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

bool parse_https_url(const std::string& url, HttpsEndpoint* out, std::string* error) {
  const std::string scheme = "https://";
  if (url.rfind(scheme, 0) != 0) {
    *error = "the server URL must start with https://: \"" + url + "\"";
    return false;
  }
  std::string rest = url.substr(scheme.size());
  std::string hostport = rest;
  out->base_path.clear();
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    out->base_path = rest.substr(slash);
    while (!out->base_path.empty() && out->base_path.back() == '/') out->base_path.pop_back();
  }
  out->port = "443";
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string::npos) {
      *error = "malformed IPv6 address in server URL \"" + url + "\"";
      return false;
    }
    out->host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') {
        *error = "malformed server URL \"" + url + "\"";
        return false;
      }
      out->port = hostport.substr(close + 2);
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    out->host = hostport.substr(0, colon);
    out->port = hostport.substr(colon + 1);
  } else {
    out->host = hostport;
  }
  if (out->host.empty() || out->port.empty() ||
      out->port.find_first_not_of("0123456789") != std::string::npos) {
    *error = "malformed server URL \"" + url + "\"";
    return false;
  }
  return true;
}

HttpsConnection::HttpsConnection(asio::ssl::context& tls, HttpsEndpoint endpoint)
    : endpoint_(std::move(endpoint)), stream_(io_, tls) {}

HttpsConnection::~HttpsConnection() {
  boost::system::error_code ec;
  beast::get_lowest_layer(stream_).socket().close(ec);
}

template <typename Start>
boost::system::error_code HttpsConnection::run(Start&& start) {
  boost::system::error_code result = asio::error::would_block;
  start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io_.restart();
  io_.run();
  return result;
}

ConnectionError HttpsConnection::connect(std::chrono::steady_clock::duration timeout) {
  const std::string where = endpoint_.host_header();
  if (interrupted_) return {"interrupted"};
  boost::system::error_code ec;
  tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(endpoint_.host, endpoint_.port, ec);
  if (ec) return {"resolving " + endpoint_.host + ": " + ec.message()};
  auto& socket = beast::get_lowest_layer(stream_);
  socket.expires_after(timeout);
  ec = run([&](auto handler) { socket.async_connect(endpoints, std::move(handler)); });
  if (ec) return {"connecting to " + where + ": " + ec.message()};
  socket.socket().set_option(tcp::no_delay(true), ec);
  // TCP keepalive: a watch waits for events without a read timeout, so a peer that vanished
  // (host down, network cut) must be noticed by the kernel: after about a minute.
  socket.socket().set_option(asio::socket_base::keep_alive(true), ec);
  int fd = socket.socket().native_handle();
  int idle = 30, interval = 10, count = 3;
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);

  // Verify the server's certificate against the pinned CA, for this host name or IP.
  SSL* ssl = stream_.native_handle();
  stream_.set_verify_mode(asio::ssl::verify_peer);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  asio::ip::make_address(endpoint_.host, ec);
  bool is_ip = !ec;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, endpoint_.host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, endpoint_.host.c_str(), endpoint_.host.size());
    SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str());
  }
  socket.expires_after(timeout);
  ec = run([&](auto handler) { stream_.async_handshake(asio::ssl::stream_base::client, std::move(handler)); });
  if (ec) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return {"TLS handshake with " + where + ": the server certificate does not verify: " +
                  X509_verify_cert_error_string(verify),
              true};
    }
    return {"TLS handshake with " + where + ": " + ec.message()};
  }
  return {};
}

ConnectionError HttpsConnection::write(http::request<http::string_body>& req,
                                       std::chrono::steady_clock::duration timeout) {
  if (interrupted_) return {"interrupted"};
  beast::get_lowest_layer(stream_).expires_after(timeout);
  auto ec = run([&](auto handler) { http::async_write(stream_, req, std::move(handler)); });
  if (ec) return {"writing the request: " + ec.message()};
  return {};
}

ConnectionError HttpsConnection::read(http::response_parser<http::string_body>& parser,
                                      std::chrono::steady_clock::duration timeout) {
  if (interrupted_) return {"interrupted"};
  beast::get_lowest_layer(stream_).expires_after(timeout);
  auto ec = run([&](auto handler) { http::async_read(stream_, buffer_, parser, std::move(handler)); });
  if (ec) return {"reading the response: " + ec.message()};
  return {};
}

ConnectionError HttpsConnection::read_header(http::response_parser<http::string_body>& parser,
                                             std::chrono::steady_clock::duration timeout) {
  if (interrupted_) return {"interrupted"};
  beast::get_lowest_layer(stream_).expires_after(timeout);
  auto ec = run([&](auto handler) { http::async_read_header(stream_, buffer_, parser, std::move(handler)); });
  if (ec) return {"reading the response header: " + ec.message()};
  return {};
}

ConnectionError HttpsConnection::read_some(http::response_parser<http::string_body>& parser) {
  if (interrupted_) return {"interrupted"};
  beast::get_lowest_layer(stream_).expires_never();
  auto ec = run([&](auto handler) { http::async_read_some(stream_, buffer_, parser, std::move(handler)); });
  if (ec) return {interrupted_ ? "interrupted" : "reading the response body: " + ec.message()};
  return {};
}

bool HttpsConnection::looks_closed() const {
  if (buffer_.size() > 0) return true;
  auto& socket = const_cast<beast::tcp_stream&>(beast::get_lowest_layer(stream_)).socket();
  if (!socket.is_open()) return true;
  pollfd p{socket.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, 0) != 0;
}

void HttpsConnection::interrupt() {
  interrupted_ = true;
  asio::post(io_, [this] {
    boost::system::error_code ec;
    beast::get_lowest_layer(stream_).socket().close(ec);
  });
}

}  // namespace kite::client
