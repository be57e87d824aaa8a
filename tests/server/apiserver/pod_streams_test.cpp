// pods/log|exec|attach|portforward request checks and agent addressing, worded as
// kube-apiserver words them.
#include <gtest/gtest.h>

#include "server/apiserver/pod_streams.h"

namespace kite::apiserver {
namespace {

using nlohmann::json;

json pod_with(std::vector<std::string> containers, std::vector<std::string> inits = {}) {
  json p = {{"metadata", {{"name", "web"}}}, {"spec", {{"containers", json::array()}}}};
  for (auto& c : containers) p["spec"]["containers"].push_back({{"name", c}});
  for (auto& c : inits) p["spec"]["initContainers"].push_back({{"name", c}});
  return p;
}

TEST(PodStreamsTest, ContainerChoice) {
  EXPECT_EQ(*pick_container(pod_with({"only"}), ""), "only");
  EXPECT_EQ(*pick_container(pod_with({"a", "b"}), "b"), "b");
  EXPECT_EQ(*pick_container(pod_with({"a"}, {"setup"}), "setup"), "setup");
  auto many = pick_container(pod_with({"a", "b"}), "");
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().reason(), base::Reason::BadRequest);
  EXPECT_EQ(many.error().message(), "a container name must be specified for pod web, choose one of: [a b]");
  auto with_init = pick_container(pod_with({"a", "b"}, {"i"}), "");
  EXPECT_EQ(with_init.error().message(),
            "a container name must be specified for pod web, choose one of: [a b] or one of the init containers: [i]");
  auto wrong = pick_container(pod_with({"a"}), "zz");
  EXPECT_EQ(wrong.error().message(), "container zz is not valid for pod web");
}

TEST(PodStreamsTest, AgentAddressPrefersInternalIpAndKubeletPort) {
  json node = {{"metadata", {{"name", "n1"}}},
               {"status",
                {{"addresses", {{{"type", "Hostname"}, {"address", "n1"}}, {{"type", "InternalIP"}, {"address", "10.0.0.5"}}}},
                 {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10251}}}}}}}};
  EXPECT_EQ(*agent_address(node), "https://10.0.0.5:10251");
  json v6 = {{"status", {{"addresses", {{{"type", "InternalIP"}, {"address", "fd00::5"}}}}}}};
  EXPECT_EQ(*agent_address(v6), "https://[fd00::5]:10250");
  json none = {{"metadata", {{"name", "n2"}}}, {"status", json::object()}};
  ASSERT_FALSE(agent_address(none));
  EXPECT_EQ(none.size(), 2u);
}

TEST(PodStreamsTest, AgentTargetsUseKubeletParameters) {
  base::http::Request req;
  req.query = base::http::parse_query("command=sh&command=-c&command=echo%20hi&stdin=true&stdout=true&stderr=true&tty=false&container=c");
  EXPECT_EQ(agent_target("exec", "ns", "p", "c", req),
            "/exec/ns/p/c?command=sh&command=-c&command=echo%20hi&input=1&output=1&error=1");
  req.query = base::http::parse_query("stdin=true&stdout=true&stderr=true&tty=true");
  EXPECT_EQ(agent_target("attach", "ns", "p", "c", req), "/attach/ns/p/c?input=1&output=1&tty=1");
  req.query = base::http::parse_query("follow=true&tailLines=10&timestamps=1&sinceSeconds=5");
  EXPECT_EQ(agent_target("log", "ns", "p", "c", req),
            "/containerLogs/ns/p/c?follow=true&timestamps=true&sinceSeconds=5&tailLines=10");
  req.query = base::http::parse_query("ports=8080");
  EXPECT_EQ(agent_target("portforward", "ns", "p", "", req), "/portForward/ns/p?port=8080");
}

}  // namespace
}  // namespace kite::apiserver
