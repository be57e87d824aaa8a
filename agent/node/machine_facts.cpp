// Reading the machine's facts (see agent/node/machine_facts.h).
#include "agent/node/machine_facts.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sched.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace kite::agent {

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string first_line(const std::string& path) {
  std::string text = read_text(path);
  auto nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string ipv4_of_interface(const std::string& want_iface) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    bool loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
    if (want_iface.empty() ? loopback : want_iface != a->ifa_name) continue;
    char buf[INET_ADDRSTRLEN];
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if (inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf)) found = buf;
  }
  freeifaddrs(list);
  return found;
}

}  // namespace

std::string go_arch(const std::string& m) {
  if (m == "x86_64" || m == "amd64") return "amd64";
  if (m == "aarch64" || m == "arm64") return "arm64";
  if (m.starts_with("armv") || m == "arm") return "arm";
  if (m == "i386" || m == "i686") return "386";
  if (m == "ppc64le") return "ppc64le";
  if (m == "s390x") return "s390x";
  if (m == "riscv64") return "riscv64";
  return m;
}

std::string os_release_pretty_name(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("PRETTY_NAME=")) continue;
    std::string v = line.substr(12);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    return v;
  }
  return "";
}

int64_t meminfo_total_bytes(const std::string& text) {
  std::istringstream in(text);
  std::string key;
  int64_t value = 0;
  std::string unit;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    if (ls >> key >> value && key == "MemTotal:") {
      ls >> unit;
      return unit == "kB" ? value * 1024 : value;
    }
  }
  return 0;
}

std::string default_route_ipv4() {
  std::istringstream in(read_text("/proc/net/route"));
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string iface, dest;
    if (ls >> iface >> dest && dest == "00000000") {
      std::string ip = ipv4_of_interface(iface);
      if (!ip.empty()) return ip;
    }
  }
  std::string any = ipv4_of_interface("");
  return any.empty() ? "127.0.0.1" : any;
}

MachineFacts collect_machine_facts(const std::string& data_dir) {
  MachineFacts f;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    f.cpus = CPU_COUNT(&set);
  } else {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    f.cpus = n > 0 ? n : 1;
  }
  f.memory_bytes = meminfo_total_bytes(read_text("/proc/meminfo"));
  struct statvfs vfs {};
  if (statvfs(data_dir.c_str(), &vfs) == 0 || statvfs("/", &vfs) == 0) {
    f.ephemeral_storage_bytes = static_cast<int64_t>(vfs.f_blocks) * static_cast<int64_t>(vfs.f_frsize);
  }
  utsname u{};
  if (uname(&u) == 0) {
    f.kernel_version = u.release;
    f.architecture = go_arch(u.machine);
  }
  f.os_image = os_release_pretty_name(read_text("/etc/os-release"));
  if (f.os_image.empty()) f.os_image = "Linux";
  f.machine_id = first_line("/etc/machine-id");
  f.system_uuid = first_line("/sys/class/dmi/id/product_uuid");
  if (f.system_uuid.empty()) f.system_uuid = f.machine_id;
  f.boot_id = first_line("/proc/sys/kernel/random/boot_id");
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  f.hostname = host;
  for (char& c : f.hostname) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return f;
}

}  // namespace kite::agent
