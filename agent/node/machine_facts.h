// MachineFacts: what the agent reports about the machine it runs on (Node capacity, addresses
// and nodeInfo), read from the kernel and /etc: sched_getaffinity (CPUs), /proc/meminfo
// (MemTotal), statvfs of the data dir (ephemeral storage), uname, /etc/os-release
// (PRETTY_NAME), /etc/machine-id, /sys/class/dmi/id/product_uuid, /proc/sys/kernel/random/boot_id,
// and the IPv4 address of the default-route interface (/proc/net/route + getifaddrs).
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace kite::agent {

struct MachineFacts {
  int64_t cpus = 1;
  int64_t memory_bytes = 0;
  int64_t ephemeral_storage_bytes = 0;
  std::string kernel_version;  // uname -r
  std::string os_image;        // PRETTY_NAME, or "Linux"
  std::string architecture;    // Go's GOARCH names: amd64, arm64, arm, 386, ...
  std::string machine_id, system_uuid, boot_id;
  std::string hostname;  // lower-cased
};

// Reads every fact; unreadable sources leave defaults (never fails).
MachineFacts collect_machine_facts(const std::string& data_dir);

// uname's machine name as Go's GOARCH ("x86_64" -> "amd64", "aarch64" -> "arm64").
std::string go_arch(const std::string& uname_machine);

// The PRETTY_NAME value of an os-release text, or "" (quotes removed).
std::string os_release_pretty_name(const std::string& os_release);

// MemTotal of a /proc/meminfo text in bytes, or 0.
int64_t meminfo_total_bytes(const std::string& meminfo);

// The IPv4 address of the interface that holds the default route, else the first
// non-loopback IPv4 address, else "127.0.0.1".
std::string default_route_ipv4();

}  // namespace kite::agent
