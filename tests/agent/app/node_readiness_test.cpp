// agent/app/node_readiness.h: Ready only when the runtime and the pod network are up; the
// message names what is not.
#include "agent/app/node_readiness.h"

#include <gtest/gtest.h>

namespace kite::agent {
namespace {

TEST(NodeReadinessTest, CombinesRuntimeAndNetwork) {
  NodeReadiness r;
  EXPECT_FALSE(r.get().ready);
  EXPECT_NE(r.get().message.find("container runtime"), std::string::npos);
  r.set_runtime(false, "container runtime is down: connection refused");
  EXPECT_EQ(r.get().message, "container runtime is down: connection refused");
  r.set_runtime(true, "", "containerd://1.6.20");
  EXPECT_TRUE(r.get().ready);
  EXPECT_EQ(r.runtime_version(), "containerd://1.6.20");
  r.set_network(false, "container runtime network not ready: cni config uninitialized");
  EXPECT_FALSE(r.get().ready);
  EXPECT_EQ(r.get().message, "container runtime network not ready: cni config uninitialized");
  r.set_network(true, "");
  r.set_runtime(false, "down");  // the version is kept for nodeInfo
  EXPECT_EQ(r.runtime_version(), "containerd://1.6.20");
  EXPECT_FALSE(r.get().ready);
}

}  // namespace
}  // namespace kite::agent
