// The file sets (Payloads) of API-backed volumes: configMap, secret, downwardAPI and projected,
// computed from the pod and objects read through the Client. Error messages are the part after
// `MountVolume.SetUp failed for volume "<name>" : ` in kubelet's FailedMount events.
// Threads: stateless; safe from any thread (the Client is thread-safe).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "client/client.h"
#include "storage/volumes/atomic_writer.h"

namespace kite::storage {

struct SourceContext {
  client::Client* client = nullptr;
  const nlohmann::json* pod = nullptr;
  nlohmann::json node_allocatable = nlohmann::json::object();  // for resourceFieldRef limits
  std::string cluster_ca_pem;  // served for kube-root-ca.crt when the ConfigMap is absent
  // Fetches a service account token for a projected serviceAccountToken source
  // {audience, expirationSeconds, path}; returns the token.
  std::function<base::Result<std::string>(const nlohmann::json& source)> fetch_token;
};

// configMap volume (or projection): items/defaultMode/optional. A missing optional ConfigMap
// gives an empty payload.
base::Result<Payload> configmap_payload(const SourceContext& ctx, const nlohmann::json& source,
                                        std::optional<int> default_mode = std::nullopt);
// secret volume (`secretName`) or projection (`name`): data base64-decoded.
base::Result<Payload> secret_payload(const SourceContext& ctx, const nlohmann::json& source,
                                     std::optional<int> default_mode = std::nullopt);
// downwardAPI volume or projection: items with fieldRef / resourceFieldRef.
base::Result<Payload> downward_payload(const SourceContext& ctx, const nlohmann::json& source,
                                       std::optional<int> default_mode = std::nullopt);
// projected volume: every source merged (later sources win on the same path).
base::Result<Payload> projected_payload(const SourceContext& ctx, const nlohmann::json& source);

}  // namespace kite::storage
