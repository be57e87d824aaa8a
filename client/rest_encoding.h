// The wire encoding of RestClient requests and responses (private to client/): query strings
// from ListOptions, DeleteOptions bodies, patch content types, metav1.Status decoding into
// base::Status, Retry-After, and watch event lines. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "client/client.h"
#include "client/rest_transport.h"

namespace kite::client {

// RFC 3986 percent-encoding of a query key or value (unreserved characters kept).
std::string percent_encode(std::string_view s);
// "labelSelector=..&fieldSelector=..&resourceVersion=..&limit=..&continue=..", and for a
// watch "watch=true&allowWatchBookmarks=true&timeoutSeconds=..". Empty when nothing is set.
std::string list_query(const ListOptions& opts, bool watch);
// A meta/v1 DeleteOptions body, or "" when every option has its default.
std::string delete_body(const DeleteOptions& opts);
// The Content-Type of a patch body.
const char* patch_content_type(PatchType type);

// The error of a non-2xx response: the server's metav1.Status (reason, code, message,
// details) when the body is one, otherwise a Status whose reason matches the HTTP code.
// For transport failures (status 0): ServiceUnavailable with the transport's message.
base::Status status_from_response(const TransportResponse& res);
// The delay the server asked for (Retry-After seconds), if any.
std::optional<std::chrono::milliseconds> retry_after(const TransportResponse& res);
// Parses a JSON response body; InternalError when it is not JSON.
base::Result<json> decode_body(const std::string& body);
// One line of a watch stream ({"type":"ADDED","object":{...}}). A malformed line decodes as
// a kError event carrying an InternalError Status, with *malformed set.
WatchEvent decode_watch_line(std::string_view line, bool* malformed = nullptr);

}  // namespace kite::client
