#include "server/controllers/history/controller_revisions.h"

#include <gtest/gtest.h>

#include "client/fake_client.h"
#include "client/resource_ref.h"
#include "server/controllers/history/owner_refs.h"
#include "server/controllers/history/revision_hash.h"

namespace kite::controllers::history {
namespace {

namespace res = client::resources;

json web_set(const std::string& image) {
  return json{{"apiVersion", "apps/v1"},
              {"kind", "StatefulSet"},
              {"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "set-uid"}}},
              {"spec",
               {{"template",
                 {{"metadata", {{"labels", {{"app", "web"}}}}},
                  {"spec", {{"containers", json::array({{{"name", "c"}, {"image", image}}})}}}}}}}};
}

TEST(RevisionHash, SafeEncodingUsesOnlyTheKubernetesAlphabet) {
  std::string h = template_hash(web_set("a")["spec"]["template"], std::nullopt);
  ASSERT_FALSE(h.empty());
  for (char c : h) EXPECT_NE(std::string("bcdfghjklmnpqrstvwxz2456789").find(c), std::string::npos) << h;
}

TEST(RevisionHash, DependsOnTemplateAndCollisionCount) {
  const json t1 = web_set("a")["spec"]["template"];
  const json t2 = web_set("b")["spec"]["template"];
  EXPECT_EQ(template_hash(t1, std::nullopt), template_hash(t1, std::nullopt));
  EXPECT_NE(template_hash(t1, std::nullopt), template_hash(t2, std::nullopt));
  EXPECT_NE(template_hash(t1, 0), template_hash(t1, 1));
  EXPECT_NE(revision_data_hash(t1, 0), revision_data_hash(t1, 1));
  EXPECT_EQ(revision_name("web", "abc"), "web-abc");
  EXPECT_EQ(revision_name(std::string(300, 'x'), "abc").size(), 223u + 4u);
}

TEST(ControllerRevisions, DataIsTheReplacePatchOfTheTemplate) {
  json set = web_set("nginx:1");
  json patch = template_patch(set);
  EXPECT_EQ(patch["spec"]["template"]["$patch"], "replace");
  EXPECT_EQ(patch["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1");
  EXPECT_EQ(patch["spec"].size(), 1u);
  json rev = new_revision(set, "apps/v1", "StatefulSet", json{{"app", "web"}}, patch, 3, 0);
  EXPECT_EQ(rev["revision"], 3);
  EXPECT_EQ(rev["metadata"]["labels"]["app"], "web");
  const std::string hash = rev["metadata"]["labels"][kRevisionHashLabel];
  EXPECT_EQ(rev["metadata"]["name"], "web-" + hash);
  EXPECT_TRUE(is_controlled_by(rev, "set-uid"));
  EXPECT_EQ(template_of_revision(rev), set["spec"]["template"]);
}

TEST(ControllerRevisions, NextRevisionAndOrdering) {
  auto mk = [](const std::string& name, int64_t r) {
    return std::make_shared<const json>(json{{"metadata", {{"name", name}}}, {"revision", r}});
  };
  std::vector<client::ObjectPtr> revs = {mk("c", 3), mk("a", 1), mk("b", 2)};
  EXPECT_EQ(next_revision(revs), 4);
  EXPECT_EQ(next_revision({}), 1);
  auto sorted = sorted_by_revision(revs);
  EXPECT_EQ((*sorted[0])["metadata"]["name"], "a");
  EXPECT_EQ((*sorted[2])["metadata"]["name"], "c");
}

TEST(ControllerRevisions, CreateRehashesOnANameCollisionWithDifferentData) {
  client::FakeClient fake;
  json set = web_set("nginx:1");
  json rev = new_revision(set, "apps/v1", "StatefulSet", json::object(), template_patch(set), 1, 0);
  // Someone else's revision already holds the name, with other data.
  json squatter = rev;
  squatter["data"] = template_patch(web_set("other"));
  fake.seed(res::kControllerRevisions, squatter);

  int64_t collisions = 0;
  auto created = create_revision(fake, set, rev, &collisions);
  ASSERT_TRUE(created.has_value()) << created.error().message();
  EXPECT_EQ(collisions, 1);
  EXPECT_NE((*created)["metadata"]["name"], squatter["metadata"]["name"]);
  EXPECT_EQ((*created)["data"], rev["data"]);

  // Creating the same revision again returns the existing one without another collision.
  auto again = create_revision(fake, set, rev, &collisions);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(collisions, 1);
  EXPECT_EQ((*again)["metadata"]["name"], (*created)["metadata"]["name"]);
}

TEST(ControllerRevisions, UpdateRevisionNumber) {
  client::FakeClient fake;
  json set = web_set("nginx:1");
  json rev = new_revision(set, "apps/v1", "StatefulSet", json::object(), template_patch(set), 1, 0);
  json stored = fake.seed(res::kControllerRevisions, rev);
  auto updated = update_revision_number(fake, stored, 5);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(revision_number(*updated), 5);
  ASSERT_TRUE(delete_revision(fake, *updated).has_value());
  EXPECT_TRUE(fake.objects(res::kControllerRevisions).empty());
  EXPECT_TRUE(delete_revision(fake, *updated).has_value());  // NotFound is fine
}

TEST(OwnerRefs, ClaimAdoptsMatchingOrphansAndReleasesNonMatching) {
  client::FakeClient fake;
  json owner = web_set("x");
  fake.seed(res::kStatefulSets, owner);
  auto owner_stored = fake.get(res::kStatefulSets, "default", "web");
  ASSERT_TRUE(owner_stored.has_value());
  owner = *owner_stored;
  auto pod = [&](const std::string& name, const std::string& app, bool owned) {
    json p = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"app", app}}}}}};
    if (owned) p["metadata"]["ownerReferences"] = json::array({controller_ref(owner, "apps/v1", "StatefulSet")});
    return std::make_shared<const json>(fake.seed(res::kPods, p));
  };
  std::vector<client::ObjectPtr> pods = {pod("orphan", "web", false), pod("mine", "web", true),
                                         pod("stray", "other", true), pod("unrelated", "other", false)};
  auto sel = api::LabelSelector::from_json(json{{"matchLabels", {{"app", "web"}}}});
  ASSERT_TRUE(sel.has_value());
  auto claimed = claim_objects(fake, res::kPods, owner, "apps/v1", "StatefulSet", *sel, pods,
                               fresh_owner_check(fake, res::kStatefulSets, owner));
  ASSERT_TRUE(claimed.has_value()) << claimed.error().message();
  std::set<std::string> names;
  for (auto& p : *claimed) names.insert((*p)["metadata"]["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"orphan", "mine"}));
  EXPECT_TRUE(is_controlled_by(*fake.get(res::kPods, "default", "orphan"), meta_string(owner, "uid")));
  EXPECT_EQ(controller_of(*fake.get(res::kPods, "default", "stray")), nullptr);
}

}  // namespace
}  // namespace kite::controllers::history
