// CidrSet: the pod CIDRs of a cluster CIDR cut into subnets of one mask size, and which of
// them are taken. IPv4 only. Thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "base/status.h"

namespace kite::controllers::nodeipam {

class CidrSet {
 public:
  // BadRequest for a malformed or non-IPv4 CIDR, or a mask size outside [prefix, 32].
  static base::Result<std::unique_ptr<CidrSet>> create(const std::string& cluster_cidr, int mask_size);

  // The next free subnet ("10.42.3.0/24"), taken now; nullopt when every one is taken.
  std::optional<std::string> allocate();
  // Marks a subnet taken (a node's existing podCIDR). False when it is not one of ours.
  bool occupy(const std::string& cidr);
  void release(const std::string& cidr);
  size_t used() const;
  size_t capacity() const { return count_; }

 private:
  CidrSet(uint32_t base, int prefix, int mask_size);
  std::optional<uint64_t> index_of(const std::string& cidr) const;
  std::string cidr_at(uint64_t index) const;

  uint32_t base_;
  int prefix_;
  int mask_size_;
  uint64_t count_;
  mutable std::mutex mu_;
  std::set<uint64_t> used_;
  uint64_t next_ = 0;
};

// Parses "a.b.c.d/n" (IPv4). nullopt when malformed.
std::optional<std::pair<uint32_t, int>> parse_ipv4_cidr(const std::string& cidr);

}  // namespace kite::controllers::nodeipam
