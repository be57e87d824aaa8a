#include "agent/network/cni_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace kite::agent::network {
namespace {

TEST(CniConfig, RendersBridgeWithHostLocalAndPortmap) {
  auto text = render_conflist({"10.42.3.0/24", "cni0", "/data/agent/cni/ipam"});
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["cniVersion"], "1.0.0");
  EXPECT_EQ(j["name"], kNetworkName);
  ASSERT_EQ(j["plugins"].size(), 2u);
  const auto& bridge = j["plugins"][0];
  EXPECT_EQ(bridge["type"], "bridge");
  EXPECT_EQ(bridge["bridge"], "cni0");
  EXPECT_EQ(bridge["isGateway"], true);
  EXPECT_EQ(bridge["hairpinMode"], true);
  EXPECT_EQ(bridge["ipMasq"], false);
  EXPECT_EQ(bridge["ipam"]["type"], "host-local");
  EXPECT_EQ(bridge["ipam"]["dataDir"], "/data/agent/cni/ipam");
  EXPECT_EQ(bridge["ipam"]["ranges"][0][0]["subnet"], "10.42.3.0/24");
  EXPECT_EQ(bridge["ipam"]["routes"][0]["dst"], "0.0.0.0/0");
  const auto& portmap = j["plugins"][1];
  EXPECT_EQ(portmap["type"], "portmap");
  EXPECT_EQ(portmap["capabilities"]["portMappings"], true);
  EXPECT_EQ(portmap["snat"], true);
  EXPECT_EQ(text.back(), '\n');
}

TEST(CniConfig, WriteFileAtomicCreatesDirsAndReplaces) {
  auto dir = std::filesystem::temp_directory_path() / ("kite-cni-test-" + std::to_string(::getpid()));
  auto path = (dir / "a" / "b" / "10-kite.conflist").string();
  ASSERT_TRUE(write_file_atomic(path, "one").has_value());
  ASSERT_TRUE(write_file_atomic(path, "two").has_value());
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_EQ(ss.str(), "two");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kite::agent::network
