// Which pods back a Service and on which ports: the rules the Endpoints and EndpointSlice
// controllers share (upstream's endpointslice util: ShouldPodBeInEndpoints, FindPort,
// IsPodReady). Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/informer.h"

namespace kite::controllers::endpoints {

using json = nlohmann::json;

// Succeeded or Failed.
bool pod_is_terminal(const json& pod);
// The pod's Ready condition is True.
bool pod_is_ready(const json& pod);
bool pod_is_terminating(const json& pod);
// The pod's primary IP (status.podIP, else the first status.podIPs[].ip); "" when none.
std::string pod_ip(const json& pod);
// Not terminal, has an IP, and not terminating unless include_terminating.
bool should_pod_be_in_endpoints(const json& pod, bool include_terminating);
// The container port a Service port's targetPort resolves to on this pod: a number is used as
// is (absent = the service port), a name is looked up among the containers' ports with the
// same protocol. nullopt when a named port is not found.
std::optional<int> find_port(const json& pod, const json& service_port);
// The Service selects pods (has a non-empty spec.selector) and is not ExternalName.
bool service_selects_pods(const json& service);
bool service_is_headless(const json& service);
// The pods of the service's namespace its selector matches.
std::vector<client::ObjectPtr> selected_pods(const json& service, const std::vector<client::ObjectPtr>& namespace_pods);
// Keys ("ns/name") of the services in `services` (one namespace) whose selector matches the
// labels of `pod` or `old_pod`.
std::vector<std::string> services_selecting(const std::vector<client::ObjectPtr>& services, const json& pod,
                                            const json* old_pod);
// The objects of one namespace in an informer's store (the factory's namespace index).
std::vector<client::ObjectPtr> in_namespace(const client::Informer& informer, const std::string& ns);

}  // namespace kite::controllers::endpoints
