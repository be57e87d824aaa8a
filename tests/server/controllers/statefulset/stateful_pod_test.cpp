#include "server/controllers/statefulset/stateful_pod.h"

#include <gtest/gtest.h>

namespace kite::controllers::statefulset {
namespace {

json set_with_claims() {
  return json{{"metadata", {{"name", "db"}, {"namespace", "prod"}, {"uid", "u1"}}},
              {"spec",
               {{"replicas", 2},
                {"ordinals", {{"start", 5}}},
                {"serviceName", "db-headless"},
                {"selector", {{"matchLabels", {{"app", "db"}}}}},
                {"volumeClaimTemplates",
                 json::array({{{"metadata", {{"name", "data"}, {"labels", {{"tier", "storage"}}}}},
                               {"spec", {{"accessModes", {"ReadWriteOnce"}}}}}})},
                {"template",
                 {{"metadata", {{"labels", {{"app", "db"}}}, {"annotations", {{"a", "b"}}}}},
                  {"spec",
                   {{"containers", json::array({{{"name", "c"}, {"image", "i"}}})},
                    {"volumes", json::array({{{"name", "data"}, {"emptyDir", json::object()}},
                                             {{"name", "cfg"}, {"configMap", {{"name", "x"}}}}})}}}}}}}};
}

TEST(StatefulPod, OrdinalsParseFromTheName) {
  std::string parent;
  int64_t ord;
  parent_and_ordinal("web-12", &parent, &ord);
  EXPECT_EQ(parent, "web");
  EXPECT_EQ(ord, 12);
  parent_and_ordinal("my-web-3", &parent, &ord);
  EXPECT_EQ(parent, "my-web");
  parent_and_ordinal("web", &parent, &ord);
  EXPECT_EQ(ord, -1);
  parent_and_ordinal("web-x1", &parent, &ord);
  EXPECT_EQ(ord, -1);
}

TEST(StatefulPod, OrdinalRangeStartsAtSpecOrdinalsStart) {
  json set = set_with_claims();
  EXPECT_FALSE(in_ordinal_range(set, 4));
  EXPECT_TRUE(in_ordinal_range(set, 5));
  EXPECT_TRUE(in_ordinal_range(set, 6));
  EXPECT_FALSE(in_ordinal_range(set, 7));
}

TEST(StatefulPod, NewPodHasIdentityStorageAndRevision) {
  json set = set_with_claims();
  json pod = new_stateful_pod(set, 5, "db-abc");
  EXPECT_EQ(pod["metadata"]["name"], "db-5");
  EXPECT_EQ(pod["metadata"]["namespace"], "prod");
  EXPECT_EQ(pod["metadata"]["generateName"], "db-");
  EXPECT_EQ(pod["metadata"]["annotations"]["a"], "b");
  EXPECT_EQ(pod["metadata"]["labels"]["app"], "db");
  EXPECT_EQ(pod["metadata"]["labels"][kPodNameLabel], "db-5");
  EXPECT_EQ(pod["metadata"]["labels"][kPodIndexLabel], "5");
  EXPECT_EQ(pod["metadata"]["labels"]["controller-revision-hash"], "db-abc");
  EXPECT_EQ(pod["spec"]["hostname"], "db-5");
  EXPECT_EQ(pod["spec"]["subdomain"], "db-headless");
  // The claim volume replaces the template volume of the same name; others are kept.
  ASSERT_EQ(pod["spec"]["volumes"].size(), 2u);
  EXPECT_EQ(pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "data-db-5");
  EXPECT_EQ(pod["spec"]["volumes"][1]["name"], "cfg");
  EXPECT_TRUE(identity_matches(set, pod));
  EXPECT_TRUE(storage_matches(set, pod));

  json renamed = pod;
  renamed["metadata"]["labels"][kPodNameLabel] = "other";
  EXPECT_FALSE(identity_matches(set, renamed));
  update_identity(set, renamed);
  EXPECT_TRUE(identity_matches(set, renamed));
}

TEST(StatefulPod, ClaimsCarryTheSelectorLabels) {
  auto claims = claims_for(set_with_claims(), 6);
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(claims[0].first, "data");
  const json& pvc = claims[0].second;
  EXPECT_EQ(pvc["metadata"]["name"], "data-db-6");
  EXPECT_EQ(pvc["metadata"]["namespace"], "prod");
  EXPECT_EQ(pvc["metadata"]["labels"], (json{{"app", "db"}, {"tier", "storage"}}));
  EXPECT_EQ(pvc["spec"]["accessModes"][0], "ReadWriteOnce");
}

TEST(StatefulPod, Defaults) {
  json bare = {{"metadata", {{"name", "s"}}}, {"spec", json::object()}};
  EXPECT_EQ(replicas_of(bare), 1);
  EXPECT_FALSE(allows_burst(bare));
  EXPECT_FALSE(is_on_delete(bare));
  EXPECT_EQ(partition_of(bare), 0);
  EXPECT_EQ(revision_history_limit(bare), 10);
}

}  // namespace
}  // namespace kite::controllers::statefulset
