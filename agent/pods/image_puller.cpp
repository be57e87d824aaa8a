#include "agent/pods/image_puller.h"

#include <cctype>

#include "agent/pods/pod_spec.h"
#include "base/base64.h"

namespace kite::agent::pods {
namespace {

// "https://index.docker.io/v1/" -> "index.docker.io"; "registry.local:5000/x" -> "registry.local:5000".
std::string registry_host_of_key(std::string key) {
  if (auto scheme = key.find("://"); scheme != std::string::npos) key = key.substr(scheme + 3);
  if (auto slash = key.find('/'); slash != std::string::npos) key.resize(slash);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (key == "index.docker.io" || key == "registry-1.docker.io" || key == "registry.hub.docker.com") return "docker.io";
  return key;
}

// A key may start with a "*." wildcard label.
bool host_matches(const std::string& pattern, const std::string& host) {
  if (pattern == host) return true;
  if (pattern.rfind("*.", 0) == 0) {
    auto dot = host.find('.');
    return dot != std::string::npos && host.substr(dot) == pattern.substr(1);
  }
  return false;
}

bool valid_reference(const std::string& image) {
  if (image.empty()) return false;
  // Upper case is allowed only in a tag or digest (after the last ':' or '@' past the last '/').
  auto slash = image.rfind('/');
  auto tag = image.find_last_of(":@");
  size_t name_end = tag != std::string::npos && (slash == std::string::npos || tag > slash) ? tag : image.size();
  for (size_t i = 0; i < image.size(); ++i) {
    auto c = static_cast<unsigned char>(image[i]);
    if (std::isspace(c)) return false;
    if (std::isupper(c) && i < name_end) return false;
  }
  return true;
}

}  // namespace

std::string image_registry(const std::string& image) {
  auto slash = image.find('/');
  if (slash == std::string::npos) return "docker.io";
  std::string first = image.substr(0, slash);
  if (first.find('.') != std::string::npos || first.find(':') != std::string::npos || first == "localhost") {
    return registry_host_of_key(first);
  }
  return "docker.io";
}

std::vector<RegistryAuth> matching_credentials(const json& docker_config, const std::string& image) {
  std::vector<RegistryAuth> out;
  if (!docker_config.is_object()) return out;
  const json& auths = docker_config.contains("auths") && docker_config["auths"].is_object() ? docker_config["auths"]
                                                                                             : docker_config;
  std::string host = image_registry(image);
  for (const auto& [key, entry] : auths.items()) {
    if (!entry.is_object() || !host_matches(registry_host_of_key(key), host)) continue;
    RegistryAuth a;
    a.username = string_field(entry, "username");
    a.password = string_field(entry, "password");
    a.auth = string_field(entry, "auth");
    a.identity_token = string_field(entry, "identitytoken");
    a.registry_token = string_field(entry, "registrytoken");
    a.server_address = registry_host_of_key(key);
    if (a.username.empty() && !a.auth.empty()) {
      if (auto decoded = base::base64_decode(a.auth)) {
        auto colon = decoded->find(':');
        if (colon != std::string::npos) {
          a.username = decoded->substr(0, colon);
          a.password = decoded->substr(colon + 1);
        }
      }
    }
    out.push_back(std::move(a));
  }
  return out;
}

ImagePuller::ImagePuller(Runtime& runtime, client::Client* client, const PodEvents& events, const base::Clock& clock)
    : runtime_(runtime), client_(client), events_(events), clock_(clock) {}

std::vector<RegistryAuth> ImagePuller::pull_credentials(const json& pod, const std::string& image) {
  std::vector<RegistryAuth> out;
  if (!client_) return out;
  json secrets = pod.value("spec", json::object()).value("imagePullSecrets", json::array());
  for (const auto& ref : secrets) {
    std::string name = string_field(ref, "name");
    if (name.empty()) continue;
    auto secret = client_->get(client::resources::kSecrets, pod_namespace(pod), name);
    if (!secret) continue;  // kubelet pulls without the missing secret
    std::string type = string_field(*secret, "type");
    const char* key = type == "kubernetes.io/dockercfg" ? ".dockercfg" : ".dockerconfigjson";
    json data = secret->value("data", json::object());
    if (!data.is_object() || !data.contains(key) || !data[key].is_string()) continue;
    auto decoded = base::base64_decode(data[key].get<std::string>());
    if (!decoded) continue;
    json config = json::parse(*decoded, nullptr, false);
    for (auto& a : matching_credentials(config, image)) out.push_back(std::move(a));
  }
  return out;
}

std::optional<base::Clock::time_point> ImagePuller::retry_at(const json& pod, const json& container) const {
  return backoff_.retry_after_update(pod_uid(pod) + "_" + string_field(container, "image"));
}

ImageOutcome ImagePuller::ensure(const json& pod, const json& container, const SandboxConfig& sandbox) {
  std::string image = string_field(container, "image");
  if (!valid_reference(image)) {
    std::string msg = "Failed to apply default image tag \"" + image + "\": couldn't parse image reference \"" + image +
                      "\": invalid reference format";
    events_.warning(pod, "InspectFailed", msg);
    return {"", "InvalidImageName", msg};
  }
  auto present = runtime_.image_status(image);
  if (!present) return {"", "ErrImagePull", present.error().message()};
  std::string policy = image_pull_policy(container);
  bool pull = policy == "Always" || (policy == "IfNotPresent" && !present->has_value());
  if (!pull) {
    if (present->has_value()) {
      events_.normal(pod, "Pulled", "Container image \"" + image + "\" already present on machine");
      return {(*present)->id, "", ""};
    }
    std::string msg = "Container image \"" + image + "\" is not present with pull policy of Never";
    events_.warning(pod, "ErrImageNeverPull", msg);
    return {"", "ErrImageNeverPull", msg};
  }
  std::string key = pod_uid(pod) + "_" + image;
  if (backoff_.in_backoff_since_update(key, clock_.now())) {
    std::string msg = "Back-off pulling image \"" + image + "\"";
    events_.normal(pod, "BackOff", msg);
    return {"", "ImagePullBackOff", msg};
  }
  events_.normal(pod, "Pulling", "Pulling image \"" + image + "\"");
  auto started = std::chrono::steady_clock::now();
  std::vector<std::optional<RegistryAuth>> attempts;
  for (auto& a : pull_credentials(pod, image)) attempts.emplace_back(std::move(a));
  if (attempts.empty()) attempts.emplace_back(std::nullopt);
  Result<std::string> pulled = base::error(base::Reason::InternalError, "no pull attempted");
  for (const auto& auth : attempts) {
    pulled = runtime_.pull_image(image, auth, sandbox);
    if (pulled) break;
  }
  if (!pulled) {
    events_.warning(pod, "Failed", "Failed to pull image \"" + image + "\": " + pulled.error().message());
    backoff_.next(key, clock_.now());
    return {"", "ErrImagePull", pulled.error().message()};
  }
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  uint64_t size = 0;
  if (auto info = runtime_.image_status(image); info && info->has_value()) size = (*info)->size;
  std::string took_text = format_go_duration(took);
  events_.normal(pod, "Pulled", "Successfully pulled image \"" + image + "\" in " + took_text + " (" + took_text +
                                    " including waiting). Image size: " + std::to_string(size) + " bytes.");
  return {*pulled, "", ""};
}

}  // namespace kite::agent::pods
