#include "server/controllers/rootcacert/rootcacert_controller.h"

#include <gtest/gtest.h>

#include "tests/server/controllers/garbagecollector/infra_env.h"

namespace kite::controllers::testing {
namespace {

constexpr const char* kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

json ns(const std::string& name) { return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}}; }

TEST(RootCaCertController, PublishesRecreatesAndCorrectsTheCaConfigMap) {
  InfraEnv env;
  env.ctx.settings.root_ca_pem = kPem;
  env.fake.seed(res::kNamespaces, ns("default"));
  json terminating = ns("going");
  terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  terminating["status"] = {{"phase", "Terminating"}};
  env.fake.seed(res::kNamespaces, terminating);
  env.start(make_rootcacert_controller(env.ctx));
  auto published = [&](const std::string& n) {
    auto cm = env.find(res::kConfigMaps, n, kRootCaConfigMapName);
    return cm && (*cm)["data"] == json{{"ca.crt", kPem}};
  };
  EXPECT_TRUE(InfraEnv::eventually([&] { return published("default"); }));
  auto cm = env.find(res::kConfigMaps, "default", kRootCaConfigMapName);
  EXPECT_FALSE((*cm)["metadata"]["annotations"].value("kubernetes.io/description", "").empty());

  ASSERT_TRUE(env.fake.create(res::kNamespaces, "", ns("team-a")).has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return published("team-a"); }));

  ASSERT_TRUE(env.fake.remove(res::kConfigMaps, "team-a", kRootCaConfigMapName).has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return published("team-a"); }));

  ASSERT_TRUE(env.fake.patch(res::kConfigMaps, "team-a", kRootCaConfigMapName, client::PatchType::kMerge,
                             {{"data", {{"ca.crt", "tampered"}, {"extra", "x"}}}}).has_value());
  EXPECT_TRUE(InfraEnv::eventually([&] { return published("team-a"); }));

  EXPECT_TRUE(InfraEnv::stays([&] { return !env.find(res::kConfigMaps, "going", kRootCaConfigMapName).has_value(); }));
}

TEST(RootCaCertController, PublishesNothingWithoutACa) {
  InfraEnv env;
  env.fake.seed(res::kNamespaces, ns("default"));
  env.start(make_rootcacert_controller(env.ctx));
  EXPECT_TRUE(InfraEnv::stays([&] { return env.count(res::kConfigMaps) == 0; }));
}

}  // namespace
}  // namespace kite::controllers::testing
