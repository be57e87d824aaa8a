#include "storage/volumes/host_mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/ids.h"
#include "storage/volumes/resource_field.h"
#include "storage/volumes/volume_paths.h"

namespace kite::storage {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

base::Status bad(std::string message) { return base::Status(base::Reason::BadRequest, std::move(message)); }

std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool octal = true;
      for (size_t j = 1; j <= 3; ++j) {
        if (i + j >= s.size() || s[i + j] < '0' || s[i + j] > '7') { octal = false; break; }
        v = v * 8 + (s[i + j] - '0');
      }
      if (octal) { out += static_cast<char>(v); i += 3; continue; }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string> all_mount_points() {
  std::vector<std::string> points;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    if (fields >> id >> parent >> dev >> root >> mount_point) points.push_back(unescape_mountinfo(mount_point));
  }
  return points;
}

const json* find_volume(const json& pod, const std::string& name) {
  if (!pod.contains("spec") || !pod["spec"].contains("volumes")) return nullptr;
  for (const auto& v : pod["spec"]["volumes"]) {
    if (v.value("name", "") == name) return &v;
  }
  return nullptr;
}

bool api_backed(const json& volume) {
  return volume.contains("configMap") || volume.contains("secret") || volume.contains("downwardAPI") ||
         volume.contains("projected");
}

// Creates the subPath below `base` when missing (as a directory, kubelet's behaviour) and
// checks that it resolves inside `base` (no symlink escapes).
base::Result<std::string> materialize_sub_path(const std::string& base, const std::string& sub) {
  std::error_code ec;
  fs::path target = fs::path(base) / sub;
  if (!fs::exists(fs::symlink_status(target, ec))) {
    fs::create_directories(target, ec);
    if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "mkdir " + target.string() + ": " + ec.message()));
  }
  fs::path real_base = fs::canonical(base, ec);
  if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "resolve " + base + ": " + ec.message()));
  fs::path real = fs::canonical(target, ec);
  if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "resolve " + target.string() + ": " + ec.message()));
  auto rel = real.lexically_relative(real_base);
  if (rel.empty() || *rel.begin() == "..") {
    return std::unexpected(bad("subpath \"" + sub + "\" resolves to " + real.string() + ", outside the volume"));
  }
  return real.string();
}

}  // namespace

bool is_mount_point(const std::string& path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  auto points = all_mount_points();
  return std::find(points.begin(), points.end(), canonical.string()) != points.end();
}

std::vector<std::string> mount_points_under(const std::string& dir) {
  std::error_code ec;
  std::string prefix = fs::weakly_canonical(dir, ec).string() + "/";
  std::vector<std::string> out;
  for (auto& p : all_mount_points()) {
    if (p.rfind(prefix, 0) == 0) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::map<std::string, std::string> sub_path_env(const json& pod, const json& container) {
  std::map<std::string, std::string> env;
  for (const auto& e : container.value("env", json::array())) {
    std::string name = e.value("name", "");
    if (e.contains("value") && e["value"].is_string()) {
      env[name] = expand_var_refs(e["value"].get<std::string>(), env);
    } else if (e.contains("valueFrom") && e["valueFrom"].contains("fieldRef")) {
      auto v = pod_field_value(pod, e["valueFrom"]["fieldRef"].value("fieldPath", ""));
      if (v) env[name] = *v;
    } else if (!e.contains("valueFrom")) {
      env[name] = "";
    }
  }
  return env;
}

base::Result<std::vector<HostMount>> resolve_container_mounts(const std::string& pods_dir, const json& pod,
                                                              const json& container) {
  const std::string uid = pod.value("metadata", json::object()).value("uid", "");
  const std::string container_name = container.value("name", "");
  if (!is_safe_component(uid) || !is_safe_component(container_name)) return std::unexpected(bad("invalid pod uid or container name"));
  std::vector<HostMount> mounts;
  std::map<std::string, std::string> env;
  bool env_ready = false;
  for (const auto& vm : container.value("volumeMounts", json::array())) {
    const std::string name = vm.value("name", "");
    const std::string prefix = "volumeMount \"" + name + "\" of container \"" + container_name + "\": ";
    const json* volume = find_volume(pod, name);
    if (!volume) return std::unexpected(bad(prefix + "cannot find volume \"" + name + "\" to mount"));
    std::string base;
    if (volume->contains("hostPath")) {
      base = (*volume)["hostPath"].value("path", "");
    } else {
      std::string plugin = plugin_dir_for(*volume);
      if (plugin.empty()) return std::unexpected(bad(prefix + "volume type is not supported"));
      base = volume_dir(pods_dir, uid, plugin, name);
    }
    std::string sub = vm.value("subPath", "");
    std::string expr = vm.value("subPathExpr", "");
    if (!sub.empty() && !expr.empty()) return std::unexpected(bad(prefix + "subPath and subPathExpr are mutually exclusive"));
    if (!expr.empty()) {
      if (!env_ready) { env = sub_path_env(pod, container); env_ready = true; }
      auto expanded = expand_sub_path_expr(expr, env);
      if (!expanded) return std::unexpected(bad(prefix + expanded.error().message()));
      sub = *expanded;
    } else if (auto ok = check_sub_path(sub); !ok) {
      return std::unexpected(bad(prefix + ok.error().message()));
    }
    std::string host = base;
    if (!sub.empty()) {
      auto real = materialize_sub_path(base, sub);
      if (!real) return std::unexpected(base::Status(real.error().reason(), prefix + real.error().message()));
      host = *real;
    }
    auto propagation = propagation_for(vm);
    if (!propagation) return std::unexpected(bad(prefix + "invalid mountPropagation " + vm.value("mountPropagation", "")));
    bool readonly = vm.value("readOnly", false) || api_backed(*volume) ||
                    (volume->contains("persistentVolumeClaim") && (*volume)["persistentVolumeClaim"].value("readOnly", false));
    mounts.push_back({vm.value("mountPath", ""), host, readonly, *propagation});
  }
  // The termination-message file, fresh per container start.
  std::string message_path = container.value("terminationMessagePath", "");
  if (message_path.empty()) message_path = "/dev/termination-log";
  fs::path dir = fs::path(pods_dir) / uid / "containers" / container_name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "mkdir " + dir.string() + ": " + ec.message()));
  fs::path file = dir / base::random_name_suffix(8);
  int fd = ::open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) return std::unexpected(base::Status(base::Reason::InternalError, "create " + file.string() + ": " + std::strerror(errno)));
  ::fchmod(fd, 0666);
  ::close(fd);
  mounts.push_back({message_path, file.string(), false, ""});
  return mounts;
}

base::Result<void> remove_pod_dir(const std::string& pod_dir) {
  struct stat st{};
  if (::lstat(pod_dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return std::unexpected(base::Status(base::Reason::InternalError, "stat " + pod_dir + ": " + std::strerror(errno)));
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    return std::unexpected(bad("refusing to remove " + pod_dir + ": not a directory (symlink?)"));
  }
  for (const auto& point : mount_points_under(pod_dir)) {
    if (::umount2(point.c_str(), UMOUNT_NOFOLLOW) != 0 && errno != EINVAL && errno != ENOENT) {
      ::umount2(point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW);
    }
  }
  auto left = mount_points_under(pod_dir);
  if (!left.empty()) {
    return std::unexpected(base::Status(base::Reason::InternalError, "cannot remove " + pod_dir + ": " + left.front() +
                                                                         " is still mounted"));
  }
  std::error_code ec;
  fs::remove_all(pod_dir, ec);  // lstat-based: symlinks are removed, not followed
  if (ec) return std::unexpected(base::Status(base::Reason::InternalError, "remove " + pod_dir + ": " + ec.message()));
  return {};
}

}  // namespace kite::storage
