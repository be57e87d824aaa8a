#include "storage/volumes/volume_manager.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "storage/volumes/host_mounts.h"
#include "storage/volumes/resource_field.h"
#include "storage/volumes/volume_paths.h"
#include "storage/volumes/volume_sources.h"

namespace kite::storage {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
namespace res = client::resources;

base::Status mount_failed(const std::string& volume, const base::Status& cause) {
  return base::Status(cause.reason() == base::Reason::Ok ? base::Reason::InternalError : cause.reason(),
                      "MountVolume.SetUp failed for volume \"" + volume + "\" : " + cause.message());
}

HostFileKind kind_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return HostFileKind::kMissing;
  if (S_ISDIR(st.st_mode)) return HostFileKind::kDirectory;
  if (S_ISREG(st.st_mode)) return HostFileKind::kFile;
  if (S_ISSOCK(st.st_mode)) return HostFileKind::kSocket;
  if (S_ISCHR(st.st_mode)) return HostFileKind::kCharDevice;
  if (S_ISBLK(st.st_mode)) return HostFileKind::kBlockDevice;
  return HostFileKind::kOther;
}

struct CachedToken {
  std::string token;
  std::chrono::steady_clock::time_point refresh_at;
};

}  // namespace

struct VolumeManager::Impl {
  Impl(client::Client& c, VolumeManagerOptions o) : client(c), options(std::move(o)) {}
  client::Client& client;
  VolumeManagerOptions options;
  std::mutex mu;  // guards pod_locks and tokens
  std::map<std::string, std::shared_ptr<std::mutex>> pod_locks;
  std::map<std::string, CachedToken> tokens;  // "<uid>/<volume>/<path>"

  std::shared_ptr<std::mutex> lock_for(const std::string& uid) {
    std::lock_guard lock(mu);
    auto& m = pod_locks[uid];
    if (!m) m = std::make_shared<std::mutex>();
    return m;
  }

  std::string cluster_ca() const {
    if (options.cluster_ca_file.empty()) return "";
    std::ifstream in(options.cluster_ca_file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }

  json node_allocatable() {
    if (options.node_name.empty()) return json::object();
    auto node = client.get(res::kNodes, "", options.node_name);
    if (!node) return json::object();
    return node->value("status", json::object()).value("allocatable", json::object());
  }

  base::Result<std::string> fetch_token(const json& pod, const std::string& volume, const json& source) {
    const json meta = pod.value("metadata", json::object());
    std::string ns = meta.value("namespace", "default");
    std::string sa = pod.value("spec", json::object()).value("serviceAccountName", "");
    if (sa.empty()) sa = "default";
    std::string key = meta.value("uid", "") + "/" + volume + "/" + source.value("path", "");
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu);
      auto it = tokens.find(key);
      if (it != tokens.end() && now < it->second.refresh_at) return it->second.token;
    }
    int64_t expiration = source.value("expirationSeconds", int64_t{3600});
    json audiences = json::array();
    if (!source.value("audience", "").empty()) audiences.push_back(source.value("audience", ""));
    json request = {{"apiVersion", "authentication.k8s.io/v1"},
                    {"kind", "TokenRequest"},
                    {"spec",
                     {{"audiences", audiences},
                      {"expirationSeconds", expiration},
                      {"boundObjectRef",
                       {{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", meta.value("name", "")},
                        {"uid", meta.value("uid", "")}}}}}};
    auto reply = client.create_subresource(res::kServiceAccounts, ns, sa, "token", request);
    if (!reply) {
      const auto& e = reply.error();
      bool sa_missing = e.message().find("serviceaccounts \"") != std::string::npos;
      if ((e.reason() == base::Reason::NotFound && !sa_missing) || e.reason() == base::Reason::MethodNotAllowed) {
        return std::unexpected(base::Status(e.reason(),
                                            "failed to fetch token: the API server does not serve the "
                                            "serviceaccounts/token subresource (TokenRequest) yet: " + e.message()));
      }
      return std::unexpected(base::Status(e.reason(), "failed to fetch token: " + e.message()));
    }
    std::string token = reply->value("status", json::object()).value("token", "");
    if (token.empty()) {
      return std::unexpected(base::Status(base::Reason::InternalError, "failed to fetch token: empty token in reply"));
    }
    std::lock_guard lock(mu);
    tokens[key] = {token, now + std::chrono::seconds(expiration * 8 / 10)};  // kubelet refreshes at 80% of TTL
    return token;
  }

  base::Result<void> setup_empty_dir(const std::string& dir, const json& source) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "mkdir " + dir + ": " + ec.message()));
    if (source.value("medium", "") == "Memory" && !is_mount_point(dir)) {
      std::string opts = "mode=0777";
      if (source.contains("sizeLimit")) {
        auto milli = quantity_milli(source["sizeLimit"]);
        if (!milli) return std::unexpected(base::Status(base::Reason::BadRequest, "invalid sizeLimit"));
        opts += ",size=" + std::to_string(static_cast<int64_t>(*milli / 1000));
      }
      if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
        return std::unexpected(base::Status(base::Reason::InternalError,
                                            "mount tmpfs on " + dir + ": " + std::strerror(errno)));
      }
    }
    ::chmod(dir.c_str(), 0777);
    return {};
  }

  base::Result<void> setup_host_path(const json& source) {
    std::string path = source.value("path", "");
    std::string type = source.value("type", "");
    HostFileKind kind = kind_of(path);
    if (type == "DirectoryOrCreate" && kind == HostFileKind::kMissing) {
      std::error_code ec;
      fs::create_directories(path, ec);
      if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "mkdir " + path + ": " + ec.message()));
      ::chmod(path.c_str(), 0755);
    } else if (type == "FileOrCreate" && kind == HostFileKind::kMissing) {
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      if (fd < 0) return std::unexpected(base::Status(base::Reason::InternalError, "create " + path + ": " + std::strerror(errno)));
      ::close(fd);
    }
    std::string error = host_path_type_error(type, path, kind_of(path));
    if (!error.empty()) return std::unexpected(base::Status(base::Reason::BadRequest, error));
    return {};
  }

  base::Result<void> setup_volume(const json& pod, const json& volume) {
    const std::string name = volume.value("name", "");
    const std::string uid = pod["metadata"].value("uid", "");
    std::string plugin = plugin_dir_for(volume);
    std::string dir = volume_dir(options.pods_dir, uid, plugin, name);
    if (volume.contains("hostPath")) return setup_host_path(volume["hostPath"]);
    if (volume.contains("emptyDir")) return setup_empty_dir(dir, volume["emptyDir"]);
    if (volume.contains("persistentVolumeClaim")) {
      return std::unexpected(base::Status(
          base::Reason::BadRequest,
          "persistentVolumeClaim \"" + volume["persistentVolumeClaim"].value("claimName", "") +
              "\" is not supported by kite's agent until local volumes land"));
    }
    // The Node is read only for resourceFieldRef limits (unset limit = node allocatable).
    const bool needs_allocatable = volume.dump().find("\"resourceFieldRef\"") != std::string::npos;
    SourceContext ctx;
    ctx.client = &client;
    ctx.pod = &pod;
    base::Result<Payload> payload = Payload{};
    if (volume.contains("configMap")) {
      payload = configmap_payload(ctx, volume["configMap"]);
    } else if (volume.contains("secret")) {
      payload = secret_payload(ctx, volume["secret"]);
    } else if (volume.contains("downwardAPI")) {
      if (needs_allocatable) ctx.node_allocatable = node_allocatable();
      payload = downward_payload(ctx, volume["downwardAPI"]);
    } else if (volume.contains("projected")) {
      if (needs_allocatable) ctx.node_allocatable = node_allocatable();
      ctx.cluster_ca_pem = cluster_ca();
      ctx.fetch_token = [this, &pod, &name](const json& source) { return fetch_token(pod, name, source); };
      payload = projected_payload(ctx, volume["projected"]);
    } else {
      std::string kind = "unknown";
      for (auto& [k, v] : volume.items()) {
        if (k != "name") kind = k;
      }
      return std::unexpected(base::Status(base::Reason::BadRequest, "volume type " + kind + " is not supported by kite's agent"));
    }
    if (!payload) return std::unexpected(payload.error());
    auto written = write_payload_atomically(dir, *payload);
    if (!written) return std::unexpected(written.error());
    return {};
  }

  base::Result<void> setup_pod(const json& pod) {
    const std::string uid = pod.value("metadata", json::object()).value("uid", "");
    if (!is_safe_component(uid)) return std::unexpected(base::Status(base::Reason::BadRequest, "pod has no usable uid"));
    auto lock_ptr = lock_for(uid);
    std::lock_guard lock(*lock_ptr);
    for (const auto& volume : pod.value("spec", json::object()).value("volumes", json::array())) {
      std::string name = volume.value("name", "");
      if (!is_safe_component(name)) {
        return std::unexpected(mount_failed(name, base::Status(base::Reason::BadRequest, "invalid volume name")));
      }
      if (auto ok = setup_volume(pod, volume); !ok) return std::unexpected(mount_failed(name, ok.error()));
    }
    return {};
  }
};

VolumeManager::VolumeManager(client::Client& client, VolumeManagerOptions options)
    : impl_(std::make_unique<Impl>(client, std::move(options))) {}

VolumeManager::~VolumeManager() = default;

base::Result<void> VolumeManager::setup(const json& pod) {
  try {
    return impl_->setup_pod(pod);
  } catch (const json::exception& e) {
    return std::unexpected(base::Status(base::Reason::BadRequest, std::string("malformed pod: ") + e.what()));
  }
}

base::Result<std::vector<HostMount>> VolumeManager::mounts_for(const json& pod, const json& container) {
  const std::string uid = pod.value("metadata", json::object()).value("uid", "");
  if (!is_safe_component(uid)) return std::unexpected(base::Status(base::Reason::BadRequest, "pod has no usable uid"));
  auto lock_ptr = impl_->lock_for(uid);
  std::lock_guard lock(*lock_ptr);
  try {
    return resolve_container_mounts(impl_->options.pods_dir, pod, container);
  } catch (const json::exception& e) {
    return std::unexpected(base::Status(base::Reason::BadRequest, std::string("malformed pod: ") + e.what()));
  }
}

base::Result<void> VolumeManager::teardown(const std::string& pod_uid) {
  if (!is_safe_component(pod_uid)) return std::unexpected(base::Status(base::Reason::BadRequest, "invalid pod uid"));
  auto lock_ptr = impl_->lock_for(pod_uid);
  {
    std::lock_guard lock(*lock_ptr);
    auto removed = remove_pod_dir(impl_->options.pods_dir + "/" + pod_uid);
    if (!removed) return removed;
  }
  std::lock_guard lock(impl_->mu);
  impl_->pod_locks.erase(pod_uid);
  for (auto it = impl_->tokens.begin(); it != impl_->tokens.end();) {
    it = it->first.rfind(pod_uid + "/", 0) == 0 ? impl_->tokens.erase(it) : std::next(it);
  }
  return {};
}

}  // namespace kite::storage
