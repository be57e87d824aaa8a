#include "agent/network/cni_config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace kite::agent::network {

std::string render_conflist(const CniConfigInput& in) {
  nlohmann::json bridge = {
      {"type", "bridge"},
      {"bridge", in.bridge},
      {"isGateway", true},
      {"isDefaultGateway", false},
      {"hairpinMode", true},
      {"ipMasq", false},
      {"ipam",
       {{"type", "host-local"},
        {"dataDir", in.ipam_data_dir},
        {"ranges", nlohmann::json::array({nlohmann::json::array({{{"subnet", in.pod_cidr}}})})},
        {"routes", nlohmann::json::array({{{"dst", "0.0.0.0/0"}}})}}},
  };
  nlohmann::json portmap = {
      {"type", "portmap"},
      {"capabilities", {{"portMappings", true}}},
      {"snat", true},
  };
  nlohmann::json conf = {
      {"cniVersion", "1.0.0"},
      {"name", kNetworkName},
      {"plugins", nlohmann::json::array({bridge, portmap})},
  };
  return conf.dump(2) + "\n";
}

base::Result<void> write_file_atomic(const std::string& path, const std::string& content) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec) return base::error(base::Reason::InternalError, "create " + parent.string() + ": " + ec.message());
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return base::error(base::Reason::InternalError, "open " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return base::error(base::Reason::InternalError, "write " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return base::error(base::Reason::InternalError, "rename " + tmp + ": " + std::strerror(e));
  }
  return {};
}

}  // namespace kite::agent::network
