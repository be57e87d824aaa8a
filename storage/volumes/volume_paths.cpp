#include "storage/volumes/volume_paths.h"

#include <sstream>
#include <vector>

namespace kite::storage {

namespace {

using json = nlohmann::json;

base::Status bad(std::string message) { return base::Status(base::Reason::BadRequest, std::move(message)); }

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/')) parts.push_back(part);
  return parts;
}

}  // namespace

std::string plugin_dir_for(const json& volume) {
  if (volume.contains("emptyDir")) return "kubernetes.io~empty-dir";
  if (volume.contains("configMap")) return "kubernetes.io~configmap";
  if (volume.contains("secret")) return "kubernetes.io~secret";
  if (volume.contains("downwardAPI")) return "kubernetes.io~downward-api";
  if (volume.contains("projected")) return "kubernetes.io~projected";
  return "";
}

std::string volume_dir(const std::string& pods_dir, const std::string& pod_uid, const std::string& plugin,
                       const std::string& volume_name) {
  return pods_dir + "/" + pod_uid + "/volumes/" + plugin + "/" + volume_name;
}

bool is_safe_component(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

base::Result<void> check_sub_path(const std::string& sub_path) {
  if (sub_path.empty()) return {};
  if (sub_path.front() == '/') return std::unexpected(bad("subPath \"" + sub_path + "\" must be a relative path"));
  for (const auto& part : split_path(sub_path)) {
    if (part == "..") return std::unexpected(bad("subPath \"" + sub_path + "\" must not contain '..'"));
  }
  return {};
}

std::string expand_var_refs(const std::string& input, const std::map<std::string, std::string>& env) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c != '$' || i + 1 >= input.size()) {
      out += c;
      continue;
    }
    char next = input[i + 1];
    if (next == '$') {  // escaped
      out += '$';
      ++i;
    } else if (next == '(') {
      auto close = input.find(')', i + 2);
      if (close == std::string::npos) {  // unterminated: kept as written
        out += input.substr(i);
        break;
      }
      std::string name = input.substr(i + 2, close - i - 2);
      auto it = env.find(name);
      if (it != env.end()) out += it->second;
      else out += input.substr(i, close - i + 1);
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

base::Result<std::string> expand_sub_path_expr(const std::string& expr, const std::map<std::string, std::string>& env) {
  std::string expanded = expand_var_refs(expr, env);
  if (auto ok = check_sub_path(expanded); !ok) return std::unexpected(ok.error());
  return expanded;
}

base::Result<void> check_payload_path(const std::string& path) {
  if (path.empty()) return std::unexpected(bad("invalid path: must not be empty"));
  if (path.front() == '/') return std::unexpected(bad("invalid path " + path + ": must be relative path"));
  if (path.rfind("..", 0) == 0) return std::unexpected(bad("invalid path " + path + ": must not start with '..'"));
  for (const auto& part : split_path(path)) {
    if (part == "..") return std::unexpected(bad("invalid path " + path + ": must not contain '..'"));
  }
  return {};
}

int item_mode(const json& item, const json& source) {
  if (item.is_object() && item.contains("mode") && item["mode"].is_number_integer()) return item["mode"].get<int>();
  if (source.is_object() && source.contains("defaultMode") && source["defaultMode"].is_number_integer()) {
    return source["defaultMode"].get<int>();
  }
  return 0644;
}

std::optional<std::string> propagation_for(const json& volume_mount) {
  std::string p = volume_mount.value("mountPropagation", "");
  if (p.empty()) return std::string();
  if (p == "None") return std::string("rprivate");
  if (p == "HostToContainer") return std::string("rslave");
  if (p == "Bidirectional") return std::string("rshared");
  return std::nullopt;
}

std::string host_path_type_error(const std::string& type, const std::string& path, HostFileKind kind) {
  const std::string prefix = "hostPath type check failed: " + path;
  if (type.empty()) return "";
  if (type == "DirectoryOrCreate" || type == "Directory") {
    return kind == HostFileKind::kDirectory ? "" : prefix + " is not a directory";
  }
  if (type == "FileOrCreate" || type == "File") {
    return kind == HostFileKind::kFile ? "" : prefix + " is not a file";
  }
  if (type == "Socket") return kind == HostFileKind::kSocket ? "" : prefix + " is not a socket file";
  if (type == "CharDevice") return kind == HostFileKind::kCharDevice ? "" : prefix + " is not a character device";
  if (type == "BlockDevice") return kind == HostFileKind::kBlockDevice ? "" : prefix + " is not a block device";
  return type + " is an invalid volume type";
}

}  // namespace kite::storage
