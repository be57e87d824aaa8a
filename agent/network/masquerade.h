// Masquerade for pod traffic leaving the cluster CIDR, as one nftables table `ip kite-nat`:
// a postrouting nat chain `ip saddr <cidr> ip daddr != <cidr> masquerade`, and a forward
// filter chain accepting traffic from and to the cluster CIDR (policy accept). The ruleset is
// applied with a single `nft -f -` transaction that first creates-then-deletes the table, so
// applying twice is the same as once; remove_masquerade() deletes the table the same way.
// render_* are pure; apply/remove run the nft CLI and block until it exits. Thread-safe.
#pragma once

#include <string>

#include "base/status.h"

namespace kite::agent::network {

inline constexpr const char* kNftTable = "kite-nat";

std::string render_masquerade_ruleset(const std::string& cluster_cidr);
std::string render_masquerade_removal();

// Runs `<nft> -f -` with `script` on stdin; the error carries nft's stderr.
base::Result<void> run_nft_script(const std::string& script, const std::string& nft = "nft");

base::Result<void> apply_masquerade(const std::string& cluster_cidr, const std::string& nft = "nft");
base::Result<void> remove_masquerade(const std::string& nft = "nft");

}  // namespace kite::agent::network
