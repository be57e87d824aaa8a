// ImagePuller: makes a container's image present before it is created, as kubelet's
// EnsureImageExists does: imagePullPolicy (Always / IfNotPresent / Never with the API's
// defaults), credentials from the pod's imagePullSecrets (kubernetes.io/dockerconfigjson and
// kubernetes.io/dockercfg, matched to the image's registry), per pod+image pull back-off
// (10 s doubling to 5 min), and kubelet's events: Pulling, Pulled, Failed, BackOff,
// ErrImageNeverPull.
//
// A failed ensure() returns the container's waiting reason and message: ErrImagePull (the
// runtime's error), ImagePullBackOff (`Back-off pulling image "x"`), ErrImageNeverPull,
// InvalidImageName. Blocking (the pull runs on the caller's thread); thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/pods/backoff.h"
#include "agent/pods/pod_events.h"
#include "agent/runtime/runtime.h"
#include "base/clock.h"
#include "client/client.h"

namespace kite::agent::pods {

struct ImageOutcome {
  std::string image_ref;   // set on success
  std::string reason;      // "" on success, else the waiting reason
  std::string message;
  bool ok() const { return reason.empty(); }
};

// The registry host an image reference pulls from ("docker.io" for short names).
std::string image_registry(const std::string& image);
// Credentials in a docker config ({"auths": {...}} or the legacy bare map) that match `image`,
// most specific first.
std::vector<RegistryAuth> matching_credentials(const nlohmann::json& docker_config, const std::string& image);

class ImagePuller {
 public:
  ImagePuller(Runtime& runtime, client::Client* client, const PodEvents& events, const base::Clock& clock);
  ImageOutcome ensure(const nlohmann::json& pod, const nlohmann::json& container, const SandboxConfig& sandbox);
  // When a pull of the container's image may be retried (nullopt = no back-off pending).
  std::optional<base::Clock::time_point> retry_at(const nlohmann::json& pod, const nlohmann::json& container) const;
  // Drops the back-off entries of a pod that went away.
  void forget_pod(const std::string& pod_uid) { backoff_.forget_prefix(pod_uid + "_"); }

 private:
  std::vector<RegistryAuth> pull_credentials(const nlohmann::json& pod, const std::string& image);

  Runtime& runtime_;
  client::Client* client_;
  const PodEvents& events_;
  const base::Clock& clock_;
  Backoff backoff_{std::chrono::seconds(10), std::chrono::minutes(5)};
};

}  // namespace kite::agent::pods
