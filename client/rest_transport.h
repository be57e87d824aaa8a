// Transport: how a RestClient moves one HTTP request to an API server and back (private to
// client/; the public entry points are in rest_client.h).
//
// A Transport sends a request and returns the whole response (round_trip), or opens a
// streaming response (open_stream) whose body is read piece by piece by one thread while any
// other thread may stop() it. Two implementations: HTTPS over Boost.Beast
// (https_transport.cpp) and in-process straight into a RequestHandler
// (in_process_transport.cpp). Transports neither retry nor rate-limit: RestClient does.
//
// Thread safety: round_trip and open_stream may be called concurrently from any thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "client/rest_client.h"

namespace kite::client {

struct TransportRequest {
  std::string method;        // "GET", "POST", ...
  std::string target;        // path + "?" + query, already percent-encoded
  std::string body;          // empty = no body
  std::string content_type;  // for requests with a body
};

struct TransportResponse {
  // 0 when the request failed in transport (connect, TLS, write, read, timeout): see error.
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string error;  // transport failure, when status == 0
  // For transport failures: whether the request may have reached the server (false when the
  // connection could not be established, so even a POST may be retried).
  bool maybe_sent = false;
  // For transport failures that will not heal by retrying (the server's certificate does
  // not verify against the pinned CA).
  bool permanent = false;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The body of a streaming response. read() blocks for the next bytes and returns nullopt when
// the body has ended (server closed, transport error, or stop()). stop() may be called from
// any thread, also while read() is blocked, and makes read() return nullopt promptly.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  virtual std::optional<std::string> read() = 0;
  virtual void stop() = 0;
};

struct StreamResponse {
  TransportResponse head;  // status/headers; for non-2xx (or transport failures) also body
  std::unique_ptr<BodyStream> body;  // set when head.status is 2xx
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual TransportResponse round_trip(const TransportRequest& req) = 0;
  virtual StreamResponse open_stream(const TransportRequest& req) = 0;
};

std::unique_ptr<Transport> make_https_transport(HttpsCredentials creds, std::chrono::seconds request_timeout,
                                                std::string user_agent);
std::unique_ptr<Transport> make_in_process_transport(RequestHandler handler, base::http::PeerCertificate identity,
                                                     std::string user_agent);
// The Client over any Transport (RestClient).
std::unique_ptr<Client> make_rest_client(std::unique_ptr<Transport> transport, RestClientOptions options);

}  // namespace kite::client
