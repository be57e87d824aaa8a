#include "server/controllers/serviceaccount/serviceaccount_controller.h"

#include <gtest/gtest.h>

#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

json ns(const std::string& name) { return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}}; }

TEST(ServiceAccountController, EveryActiveNamespaceHasADefaultServiceAccountRecreatedIfDeleted) {
  InfraEnv env;
  env.fake.seed(res::kNamespaces, ns("default"));
  json terminating = ns("going");
  terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  terminating["status"] = {{"phase", "Terminating"}};
  env.fake.seed(res::kNamespaces, terminating);
  env.start(make_serviceaccount_controller(env.ctx));
  auto has_sa = [&](const std::string& n) { return env.find(res::kServiceAccounts, n, "default").has_value(); };
  EXPECT_TRUE(InfraEnv::eventually([&] { return has_sa("default"); }));
  ASSERT_TRUE(env.fake.create(res::kNamespaces, "", ns("team-a")).has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return has_sa("team-a"); }));
  ASSERT_TRUE(env.fake.remove(res::kServiceAccounts, "team-a", "default").has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return has_sa("team-a"); }));
  EXPECT_TRUE(InfraEnv::stays([&] { return !has_sa("going"); }));
}

}  // namespace
}  // namespace kite::controllers::testing
