#include "agent/network/masquerade.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/agent/network/netns_helper.h"

namespace kite::agent::network {
namespace {

TEST(Masquerade, RulesetRecreatesTableInOneTransaction) {
  auto s = render_masquerade_ruleset("10.42.0.0/16");
  EXPECT_EQ(s.find("add table ip kite-nat\ndelete table ip kite-nat\n"), 0u);
  EXPECT_NE(s.find("type nat hook postrouting priority srcnat"), std::string::npos);
  EXPECT_NE(s.find("ip saddr 10.42.0.0/16 ip daddr != 10.42.0.0/16 masquerade"), std::string::npos);
  EXPECT_NE(s.find("type filter hook forward priority filter; policy accept;"), std::string::npos);
}

TEST(Masquerade, AppliesTwiceAndRemovesInANetns) {
  if (::access("/usr/sbin/nft", X_OK) != 0) GTEST_SKIP() << "nft (Debian nftables) is not installed";
  std::string out;
  auto err = testing::run_in_new_netns([&] {
    ASSERT_TRUE(apply_masquerade("10.42.0.0/16").has_value());
    auto again = apply_masquerade("10.42.0.0/16");
    ASSERT_TRUE(again.has_value()) << again.error().message();
    EXPECT_EQ(testing::sh("nft list chain ip kite-nat postrouting | grep -q masquerade"), 0);
    EXPECT_EQ(testing::sh("test $(nft list table ip kite-nat | grep -c masquerade) -eq 1"), 0);
    ASSERT_TRUE(remove_masquerade().has_value());
    ASSERT_TRUE(remove_masquerade().has_value());  // idempotent
    EXPECT_NE(testing::sh("nft list table ip kite-nat"), 0);
  });
  if (!err.empty()) GTEST_SKIP() << err;
}

TEST(Masquerade, ReportsNftErrors) {
  auto r = run_nft_script("this is not nft syntax\n");
  if (::access("/usr/sbin/nft", X_OK) != 0) GTEST_SKIP() << "nft is not installed";
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("nft -f - failed"), std::string::npos);
}

}  // namespace
}  // namespace kite::agent::network
