// RequestInfo: what an API request addresses, parsed from its method, path and query the way
// Kubernetes does (/api/v1/namespaces/ns/pods/name/status, /apis/apps/v1/deployments, ...).
// Pure function of the request; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/http/types.h"

namespace kite::apiserver {

struct RequestInfo {
  bool resource_request = false;  // false: /version, /healthz, discovery, openapi, ...
  std::string verb;               // get list watch create update patch delete deletecollection
  std::string api_prefix;         // "api" or "apis"
  std::string group;
  std::string version;
  std::string namespace_;
  std::string resource;           // plural
  std::string name;
  std::string subresource;
  std::vector<std::string> parts; // path segments after the group/version
};

RequestInfo parse_request_info(const base::http::Request& req);

// A boolean query parameter as Go's strconv.ParseBool reads it: 1 t T TRUE true True.
bool query_flag(const base::http::Request& req, const std::string& key);

}  // namespace kite::apiserver
