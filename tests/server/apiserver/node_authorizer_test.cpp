// server/apiserver/authn.h: what node agents (system:node:<name>) may do; ClusterAuthorizer.
#include <gtest/gtest.h>

#include "server/apiserver/authn.h"

namespace kite::apiserver {
namespace {

UserInfo node_user(const std::string& name) { return {"system:node:" + name, "", {"system:nodes", "system:authenticated"}}; }

RequestInfo req(const std::string& verb, const std::string& group, const std::string& resource,
                const std::string& ns = "", const std::string& name = "", const std::string& sub = "") {
  RequestInfo i;
  i.resource_request = true;
  i.verb = verb;
  i.group = group;
  i.api_prefix = group.empty() ? "api" : "apis";
  i.version = "v1";
  i.resource = resource;
  i.namespace_ = ns;
  i.name = name;
  i.subresource = sub;
  return i;
}

bool allowed(const UserInfo& u, const RequestInfo& i) { return ClusterAuthorizer().authorize(u, i).is_ok(); }

TEST(NodeAuthorizerTest, ReadsWhatPodsNeed) {
  auto n = node_user("n1");
  for (const char* r : {"nodes", "pods", "services", "endpoints", "configmaps", "secrets", "persistentvolumeclaims",
                        "persistentvolumes", "serviceaccounts"}) {
    for (const char* v : {"get", "list", "watch"}) EXPECT_TRUE(allowed(n, req(v, "", r, "ns1"))) << v << " " << r;
  }
  EXPECT_TRUE(allowed(n, req("list", "discovery.k8s.io", "endpointslices")));
  EXPECT_FALSE(allowed(n, req("list", "apps", "deployments")));
  EXPECT_FALSE(allowed(n, req("create", "", "secrets", "ns1")));
  EXPECT_FALSE(allowed(n, req("delete", "", "configmaps", "ns1", "c")));
  EXPECT_FALSE(allowed(n, req("create", "", "pods", "ns1")));
}

TEST(NodeAuthorizerTest, OnlyItsOwnNode) {
  auto n = node_user("n1");
  EXPECT_TRUE(allowed(n, req("create", "", "nodes")));
  EXPECT_TRUE(allowed(n, req("get", "", "nodes", "", "n1")));
  EXPECT_TRUE(allowed(n, req("update", "", "nodes", "", "n1")));
  EXPECT_TRUE(allowed(n, req("patch", "", "nodes", "", "n1", "status")));
  EXPECT_TRUE(allowed(n, req("update", "", "nodes", "", "n1", "status")));
  EXPECT_FALSE(allowed(n, req("patch", "", "nodes", "", "n2")));
  EXPECT_FALSE(allowed(n, req("update", "", "nodes", "", "n2", "status")));
  EXPECT_FALSE(allowed(n, req("delete", "", "nodes", "", "n1")));
  auto s = ClusterAuthorizer().authorize(n, req("patch", "", "nodes", "", "n2", "status"));
  EXPECT_EQ(s.code(), 403);
  EXPECT_NE(s.message().find("system:node:n1"), std::string::npos) << s.message();
}

TEST(NodeAuthorizerTest, PodStatusDeleteEventsTokens) {
  auto n = node_user("n1");
  EXPECT_TRUE(allowed(n, req("patch", "", "pods", "ns1", "p", "status")));
  EXPECT_TRUE(allowed(n, req("update", "", "pods", "ns1", "p", "status")));
  EXPECT_TRUE(allowed(n, req("get", "", "pods", "ns1", "p", "status")));
  EXPECT_TRUE(allowed(n, req("delete", "", "pods", "ns1", "p")));
  EXPECT_FALSE(allowed(n, req("update", "", "pods", "ns1", "p")));
  EXPECT_FALSE(allowed(n, req("create", "", "pods", "ns1", "p", "eviction")));
  EXPECT_TRUE(allowed(n, req("create", "", "events", "ns1")));
  EXPECT_TRUE(allowed(n, req("patch", "", "events", "ns1", "e")));
  EXPECT_TRUE(allowed(n, req("create", "events.k8s.io", "events", "ns1")));
  EXPECT_FALSE(allowed(n, req("delete", "", "events", "ns1", "e")));
  EXPECT_TRUE(allowed(n, req("create", "", "serviceaccounts", "ns1", "default", "token")));
}

TEST(NodeAuthorizerTest, OnlyItsOwnLease) {
  auto n = node_user("n1");
  const std::string g = "coordination.k8s.io";
  EXPECT_TRUE(allowed(n, req("create", g, "leases", "kube-node-lease")));
  EXPECT_TRUE(allowed(n, req("get", g, "leases", "kube-node-lease", "n1")));
  EXPECT_TRUE(allowed(n, req("update", g, "leases", "kube-node-lease", "n1")));
  EXPECT_FALSE(allowed(n, req("update", g, "leases", "kube-node-lease", "n2")));
  EXPECT_FALSE(allowed(n, req("create", g, "leases", "kube-system")));
  EXPECT_FALSE(allowed(n, req("get", g, "leases", "kube-system", "n1")));
  EXPECT_FALSE(allowed(n, req("delete", g, "leases", "kube-node-lease", "n1")));
}

TEST(NodeAuthorizerTest, OthersAsBefore) {
  UserInfo admin{"system:admin", "", {"system:masters"}};
  EXPECT_TRUE(allowed(admin, req("delete", "", "nodes", "", "n1")));
  UserInfo bob{"bob", "", {"system:authenticated"}};
  EXPECT_FALSE(allowed(bob, req("get", "", "pods", "ns1", "p")));
  RequestInfo version;
  EXPECT_TRUE(allowed(bob, version));
  // A node-named user outside system:nodes, or a system:nodes member without the prefix, is no node.
  UserInfo fake{"system:node:n1", "", {"system:authenticated"}};
  EXPECT_FALSE(allowed(fake, req("get", "", "pods", "ns1", "p")));
  UserInfo nameless{"n1", "", {"system:nodes"}};
  EXPECT_FALSE(allowed(nameless, req("get", "", "pods", "ns1", "p")));
  EXPECT_EQ(NodeAuthorizer::node_name_of(node_user("a.b")), "a.b");
}

}  // namespace
}  // namespace kite::apiserver
