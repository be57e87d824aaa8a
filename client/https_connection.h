// HttpsConnection: one client-side TLS connection to an API server on Boost.Beast, used by
// the HTTPS transport (private to client/).
//
// Every operation is asynchronous underneath and driven to completion by the calling thread
// (the connection's own io_context), so each step has a timeout (beast::tcp_stream expiry).
// The server certificate must chain to the pinned CA and name the host (IP SANs for IP
// literals). A client certificate/key is presented when configured.
//
// Threads: one thread at a time uses a connection; only interrupt() may be called from any
// other thread (it makes the operation in progress, or the next one, fail promptly).
#pragma once

#include <utility>  // before asio: Boost 1.74's awaitable.hpp misses it

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <string>

namespace kite::client {

namespace http = boost::beast::http;

struct HttpsEndpoint {
  std::string host;       // name or IP literal (without brackets)
  std::string port;       // "6443"
  std::string base_path;  // a path prefix of the server URL, "" normally
  std::string host_header() const;
};

// Parses "https://host[:port][/prefix]" (port defaults to 443). Returns false when malformed.
bool parse_https_url(const std::string& url, HttpsEndpoint* out, std::string* error);

// The outcome of a connection step.
struct ConnectionError {
  std::string message;   // "" = success
  bool permanent = false;  // the server certificate failed verification
  explicit operator bool() const { return !message.empty(); }
};

class HttpsConnection {
 public:
  HttpsConnection(boost::asio::ssl::context& tls, HttpsEndpoint endpoint);
  ~HttpsConnection();

  // TCP connect + TLS handshake (with certificate verification), bounded by `timeout`.
  ConnectionError connect(std::chrono::steady_clock::duration timeout);
  ConnectionError write(http::request<http::string_body>& req, std::chrono::steady_clock::duration timeout);
  // Reads a whole response.
  ConnectionError read(http::response_parser<http::string_body>& parser, std::chrono::steady_clock::duration timeout);
  ConnectionError read_header(http::response_parser<http::string_body>& parser,
                              std::chrono::steady_clock::duration timeout);
  // Reads some more of the body; no timeout (streams wait for events as long as they last).
  ConnectionError read_some(http::response_parser<http::string_body>& parser);
  // True when the idle connection shows the server closed it (or sent something unexpected).
  bool looks_closed() const;
  // Closes the socket from any thread: the operation in progress ends with an error.
  void interrupt();
  bool interrupted() const { return interrupted_; }

 private:
  template <typename Start>
  boost::system::error_code run(Start&& start);

  boost::asio::io_context io_;
  HttpsEndpoint endpoint_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  boost::beast::flat_buffer buffer_;
  std::atomic<bool> interrupted_{false};
};

}  // namespace kite::client
