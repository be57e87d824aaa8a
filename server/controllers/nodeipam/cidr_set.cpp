#include "server/controllers/nodeipam/cidr_set.h"

#include <arpa/inet.h>

#include <memory>

namespace kite::controllers::nodeipam {

std::optional<std::pair<uint32_t, int>> parse_ipv4_cidr(const std::string& cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return std::nullopt;
  in_addr addr{};
  if (inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1) return std::nullopt;
  std::string bits = cidr.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 || bits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  int prefix = std::stoi(bits);
  if (prefix > 32) return std::nullopt;
  return std::make_pair(ntohl(addr.s_addr), prefix);
}

base::Result<std::unique_ptr<CidrSet>> CidrSet::create(const std::string& cluster_cidr, int mask_size) {
  auto parsed = parse_ipv4_cidr(cluster_cidr);
  if (!parsed) return base::error(base::Reason::BadRequest, "invalid IPv4 cluster CIDR \"" + cluster_cidr + "\"");
  auto [ip, prefix] = *parsed;
  if (mask_size < prefix || mask_size > 32) {
    return base::error(base::Reason::BadRequest, "node CIDR mask size " + std::to_string(mask_size) +
                                                     " does not fit cluster CIDR " + cluster_cidr);
  }
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  return std::unique_ptr<CidrSet>(new CidrSet(ip & mask, prefix, mask_size));
}

CidrSet::CidrSet(uint32_t base, int prefix, int mask_size)
    : base_(base), prefix_(prefix), mask_size_(mask_size), count_(uint64_t{1} << (mask_size - prefix)) {}

std::string CidrSet::cidr_at(uint64_t index) const {
  uint32_t ip = base_ + static_cast<uint32_t>(index << (32 - mask_size_));
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255) +
         "." + std::to_string(ip & 255) + "/" + std::to_string(mask_size_);
}

std::optional<uint64_t> CidrSet::index_of(const std::string& cidr) const {
  auto parsed = parse_ipv4_cidr(cidr);
  if (!parsed || parsed->second != mask_size_) return std::nullopt;
  uint32_t ip = parsed->first;
  uint32_t mask = prefix_ == 0 ? 0 : ~uint32_t{0} << (32 - prefix_);
  if ((ip & mask) != base_) return std::nullopt;
  uint64_t offset = ip - base_;
  uint32_t sub = mask_size_ == 32 ? 0 : (uint32_t{1} << (32 - mask_size_)) - 1;
  if (offset & sub) return std::nullopt;
  return offset >> (32 - mask_size_);
}

std::optional<std::string> CidrSet::allocate() {
  std::lock_guard lock(mu_);
  if (used_.size() >= count_) return std::nullopt;
  for (uint64_t i = 0; i < count_; ++i) {
    uint64_t candidate = (next_ + i) % count_;
    if (used_.contains(candidate)) continue;
    used_.insert(candidate);
    next_ = (candidate + 1) % count_;
    return cidr_at(candidate);
  }
  return std::nullopt;
}

bool CidrSet::occupy(const std::string& cidr) {
  auto index = index_of(cidr);
  if (!index) return false;
  std::lock_guard lock(mu_);
  used_.insert(*index);
  return true;
}

void CidrSet::release(const std::string& cidr) {
  auto index = index_of(cidr);
  if (!index) return;
  std::lock_guard lock(mu_);
  used_.erase(*index);
}

size_t CidrSet::used() const {
  std::lock_guard lock(mu_);
  return used_.size();
}

}  // namespace kite::controllers::nodeipam
