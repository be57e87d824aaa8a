// Discovery documents (/api, /apis, /apis/G, /api/v1, /apis/G/V) and /version, built from the
// Registry on each request (cheap: a few dozen resources). Pure functions of the registry.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/resource.h"

namespace kite::apiserver {

nlohmann::json api_versions(const std::string& server_address);
nlohmann::json api_group_list(const api::Registry& registry);
// nullopt when the group is not served.
std::optional<nlohmann::json> api_group(const api::Registry& registry, const std::string& group);
// nullopt when the group/version is not served.
std::optional<nlohmann::json> api_resource_list(const api::Registry& registry, const std::string& group,
                                                const std::string& version);
nlohmann::json version_info();

}  // namespace kite::apiserver
