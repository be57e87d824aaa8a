// HTTP request/response values passed between the HTTP server and its handler.
//
// Plain data, no Boost types, so handler code (the API server) stays independent of the
// transport. Header names are stored lower-cased. A Response either carries a whole body or a
// ResponseStream (a chunked body produced over time, e.g. a watch), or takes the connection
// over after the headers (`upgrade`: WebSocket, SPDY, byte splicing).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kite::base::http {

class ResponseStream;
class RawStream;

// The verified TLS client certificate of the peer, if it sent one signed by the client CA.
struct PeerCertificate {
  std::string common_name;
  std::vector<std::string> organizations;
};

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target: path + "?" + query
  std::string path;    // percent-decoded path
  // Query parameters, percent-decoded; repeated keys keep every value in order.
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::optional<PeerCertificate> peer;
  std::string remote_address;

  // The last value of query parameter `key`, or `fallback`.
  std::string query_value(const std::string& key, const std::string& fallback = "") const;
  bool has_query(const std::string& key) const { return query.count(key) > 0; }
  std::string header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is sent chunked from this stream instead of `body`.
  std::shared_ptr<ResponseStream> stream;
  // When set, the server writes the status line and headers (usually 101 Switching Protocols
  // with Connection/Upgrade headers; no body, no Content-Length added) and then hands the raw
  // connection to this function on a thread of its own (raw_stream.h). The connection closes
  // when the function returns; the stream must not outlive the Server.
  std::function<void(std::unique_ptr<RawStream>)> upgrade;

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

// Splits and percent-decodes a query string ("a=1&b=x%20y").
std::multimap<std::string, std::string> parse_query(const std::string& query);
std::string percent_decode(const std::string& s);

}  // namespace kite::base::http
