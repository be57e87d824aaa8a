#include "client/fake_client.h"

#include <gtest/gtest.h>

#include <thread>

namespace kite::client {
namespace {

using base::Reason;
namespace res = resources;

json pod(const std::string& ns, const std::string& name, json labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
          {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "nginx"}}})}}}};
}

json deployment(const std::string& ns, const std::string& name, int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", name}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", name}}}}},
              {"spec", {{"containers", json::array({{{"name", "app"}, {"image", "nginx"}}})}}}}}}}};
}

std::string rv(const json& obj) { return obj["metadata"].value("resourceVersion", ""); }

TEST(FakeClientTest, CreateFillsServerFieldsAndGetReturnsTheObject) {
  FakeClient c;
  auto created = c.create(res::kDeployments, "default", deployment("default", "web", 2));
  ASSERT_TRUE(created) << created.error().message();
  const auto& meta = (*created)["metadata"];
  EXPECT_FALSE(meta.value("uid", "").empty());
  EXPECT_FALSE(meta.value("creationTimestamp", "").empty());
  EXPECT_FALSE(rv(*created).empty());
  EXPECT_EQ(meta.value("generation", 0), 1);
  auto got = c.get(res::kDeployments, "default", "web");
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, *created);
  EXPECT_EQ(c.get(res::kDeployments, "other", "web").error().reason(), Reason::NotFound);
  EXPECT_EQ(c.get(res::kDeployments, "default", "web2").error().message(), "deployments.apps \"web2\" not found");
}

TEST(FakeClientTest, CreateAppliesTheServersAdmissionAndJobSelector) {
  FakeClient c;
  auto p = c.create(res::kPods, "default", pod("default", "a"));
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)["spec"]["serviceAccountName"], "default");
  int default_tolerations = 0;
  for (const auto& t : (*p)["spec"]["tolerations"]) default_tolerations += t.value("tolerationSeconds", 0) == 300;
  EXPECT_EQ(default_tolerations, 2);
  json job = {{"metadata", {{"name", "pi"}, {"namespace", "default"}}},
              {"spec", {{"template", {{"spec", {{"restartPolicy", "Never"},
                                                {"containers", json::array({{{"name", "c"}, {"image", "perl"}}})}}}}}}}};
  auto j = c.create(res::kJobs, "default", job);
  ASSERT_TRUE(j) << j.error().message();
  std::string uid = (*j)["metadata"]["uid"];
  EXPECT_EQ((*j)["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], uid);
  EXPECT_EQ((*j)["spec"]["template"]["metadata"]["labels"]["job-name"], "pi");
  auto s = c.create(res::kSecrets, "default",
                    {{"metadata", {{"name", "s"}, {"namespace", "default"}}}, {"stringData", {{"k", "v"}}}});
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["data"]["k"], "dg==");
  EXPECT_FALSE(s->contains("stringData"));
}

TEST(FakeClientTest, CreateRejectsDuplicatesAndHonoursGenerateName) {
  FakeClient c;
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  auto dup = c.create(res::kPods, "default", pod("default", "a"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().reason(), Reason::AlreadyExists);
  json gen = pod("default", "");
  gen["metadata"].erase("name");
  gen["metadata"]["generateName"] = "web-";
  auto g = c.create(res::kPods, "default", gen);
  ASSERT_TRUE(g);
  std::string name = (*g)["metadata"]["name"];
  EXPECT_TRUE(name.starts_with("web-"));
  EXPECT_EQ(name.size(), 9u);
}

TEST(FakeClientTest, CreatedPodStartsPending) {
  FakeClient c;
  json p = pod("default", "a");
  p["status"] = {{"phase", "Running"}};
  auto created = c.create(res::kPods, "", p);
  ASSERT_TRUE(created);
  EXPECT_EQ((*created)["metadata"]["namespace"], "default");
  EXPECT_EQ((*created)["status"]["phase"], "Pending");
}

TEST(FakeClientTest, UpdateChecksResourceVersion) {
  FakeClient c;
  auto created = c.create(res::kDeployments, "default", deployment("default", "web", 2));
  ASSERT_TRUE(created);
  json next = *created;
  next["spec"]["replicas"] = 3;
  auto updated = c.update(res::kDeployments, next);
  ASSERT_TRUE(updated);
  EXPECT_NE(rv(*updated), rv(*created));
  EXPECT_EQ((*updated)["metadata"]["generation"], 2);
  // The same stale copy again: Conflict.
  next["spec"]["replicas"] = 4;
  auto stale = c.update(res::kDeployments, next);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().reason(), Reason::Conflict);
  // Without a resourceVersion the update is unconditional.
  next["metadata"].erase("resourceVersion");
  auto forced = c.update(res::kDeployments, next);
  ASSERT_TRUE(forced);
  EXPECT_EQ((*forced)["spec"]["replicas"], 4);
}

TEST(FakeClientTest, UnchangedUpdateWritesNothing) {
  FakeClient c;
  auto created = c.create(res::kConfigMaps, "default",
                          {{"metadata", {{"name", "cm"}, {"namespace", "default"}}}, {"data", {{"a", "1"}}}});
  ASSERT_TRUE(created);
  auto same = c.update(res::kConfigMaps, *created);
  ASSERT_TRUE(same);
  EXPECT_EQ(rv(*same), rv(*created));
}

TEST(FakeClientTest, StatusSubresourceChangesOnlyStatus) {
  FakeClient c;
  auto created = c.create(res::kDeployments, "default", deployment("default", "web", 2));
  ASSERT_TRUE(created);
  json next = *created;
  next["spec"]["replicas"] = 5;
  next["status"] = {{"replicas", 2}};
  auto s = c.update(res::kDeployments, next, "status");
  ASSERT_TRUE(s);
  EXPECT_EQ((*s)["spec"]["replicas"], 2);
  EXPECT_EQ((*s)["status"]["replicas"], 2);
  // A main-resource update keeps the stored status.
  json main = *s;
  main["status"] = {{"replicas", 7}};
  main["spec"]["replicas"] = 3;
  auto m = c.update(res::kDeployments, main);
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)["status"]["replicas"], 2);
  EXPECT_EQ((*m)["spec"]["replicas"], 3);
}

TEST(FakeClientTest, PatchTypes) {
  FakeClient c;
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a", {{"app", "web"}})));
  auto merged = c.patch(res::kPods, "default", "a", PatchType::kMerge, {{"metadata", {{"labels", {{"tier", "fe"}}}}}});
  ASSERT_TRUE(merged) << merged.error().message();
  EXPECT_EQ((*merged)["metadata"]["labels"], json({{"app", "web"}, {"tier", "fe"}}));
  // Strategic merge: containers merge by name.
  auto smp = c.patch(res::kPods, "default", "a", PatchType::kStrategicMerge,
                     {{"spec", {{"containers", json::array({{{"name", "sidecar"}, {"image", "busybox"}}})}}}});
  ASSERT_TRUE(smp) << smp.error().message();
  EXPECT_EQ((*smp)["spec"]["containers"].size(), 2u);
  auto jp = c.patch(res::kPods, "default", "a", PatchType::kJson,
                    json::array({{{"op", "remove"}, {"path", "/metadata/labels/tier"}}}));
  ASSERT_TRUE(jp) << jp.error().message();
  EXPECT_FALSE((*jp)["metadata"]["labels"].contains("tier"));
  // A patch that sets a stale resourceVersion conflicts.
  auto stale = c.patch(res::kPods, "default", "a", PatchType::kMerge, {{"metadata", {{"resourceVersion", "1"}}}});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().reason(), Reason::Conflict);
  auto status = c.patch(res::kPods, "default", "a", PatchType::kMerge, {{"status", {{"phase", "Running"}}}}, "status");
  ASSERT_TRUE(status);
  EXPECT_EQ((*status)["status"]["phase"], "Running");
  EXPECT_EQ(c.patch(res::kPods, "default", "missing", PatchType::kMerge, json::object()).error().reason(),
            Reason::NotFound);
}

TEST(FakeClientTest, ListFiltersByNamespaceAndSelectors) {
  FakeClient c;
  json a = pod("ns1", "a", {{"app", "web"}});
  a["spec"]["nodeName"] = "n1";
  a["status"] = {{"phase", "Running"}};
  c.seed(res::kPods, a);
  c.seed(res::kPods, pod("ns1", "b", {{"app", "db"}}));
  c.seed(res::kPods, pod("ns2", "c", {{"app", "web"}}));
  auto names = [&](const std::string& ns, ListOptions o) {
    std::vector<std::string> out;
    auto l = c.list(res::kPods, ns, o);
    EXPECT_TRUE(l) << l.error().message();
    if (l) {
      for (const auto& i : (*l)["items"]) out.push_back(i["metadata"]["name"]);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("", {}), (V{"a", "b", "c"}));
  EXPECT_EQ(names("ns1", {}), (V{"a", "b"}));
  EXPECT_EQ(names("", {.label_selector = "app=web"}), (V{"a", "c"}));
  EXPECT_EQ(names("", {.label_selector = "app in (db,cache)"}), (V{"b"}));
  EXPECT_EQ(names("", {.field_selector = "spec.nodeName=n1"}), (V{"a"}));
  EXPECT_EQ(names("", {.field_selector = "spec.nodeName="}), (V{"b", "c"}));
  EXPECT_EQ(names("", {.field_selector = "status.phase!=Running,metadata.namespace=ns2"}), (V{"c"}));
  EXPECT_EQ(names("", {.field_selector = "metadata.name=b"}), (V{"b"}));
  auto bad = c.list(res::kPods, "", {.field_selector = "spec.bogus=x"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason(), Reason::BadRequest);
  auto l = c.list(res::kPods, "", {});
  ASSERT_TRUE(l);
  EXPECT_EQ((*l)["kind"], "PodList");
  EXPECT_FALSE((*l)["metadata"].value("resourceVersion", "").empty());
}

TEST(FakeClientTest, ListPagesWithLimitAndContinue) {
  FakeClient c;
  for (const char* n : {"a", "b", "c", "d", "e"}) c.seed(res::kConfigMaps, {{"metadata", {{"name", n}, {"namespace", "x"}}}});
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto l = c.list(res::kConfigMaps, "x", {.limit = 2, .continue_token = token});
    ASSERT_TRUE(l);
    for (const auto& i : (*l)["items"]) seen.push_back(i["metadata"]["name"]);
    token = (*l)["metadata"].value("continue", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(FakeClientTest, DeleteRemovesOrWaitsForFinalizers) {
  FakeClient c;
  ASSERT_TRUE(c.create(res::kConfigMaps, "default", {{"metadata", {{"name", "plain"}, {"namespace", "default"}}}}));
  ASSERT_TRUE(c.remove(res::kConfigMaps, "default", "plain"));
  EXPECT_EQ(c.get(res::kConfigMaps, "default", "plain").error().reason(), Reason::NotFound);
  EXPECT_EQ(c.remove(res::kConfigMaps, "default", "plain").error().reason(), Reason::NotFound);

  ASSERT_TRUE(c.create(res::kConfigMaps, "default",
                       {{"metadata", {{"name", "held"}, {"namespace", "default"}, {"finalizers", {"example.com/x"}}}}}));
  auto pending = c.remove(res::kConfigMaps, "default", "held");
  ASSERT_TRUE(pending);
  EXPECT_TRUE((*pending)["metadata"].contains("deletionTimestamp"));
  auto still = c.get(res::kConfigMaps, "default", "held");
  ASSERT_TRUE(still);
  json cleared = *still;
  cleared["metadata"]["finalizers"] = json::array();
  ASSERT_TRUE(c.update(res::kConfigMaps, cleared));
  EXPECT_EQ(c.get(res::kConfigMaps, "default", "held").error().reason(), Reason::NotFound);
}

TEST(FakeClientTest, DeletePreconditionsAndForegroundFinalizer) {
  FakeClient c;
  auto d = c.create(res::kDeployments, "default", deployment("default", "web", 1));
  ASSERT_TRUE(d);
  auto wrong = c.remove(res::kDeployments, "default", "web", {.precondition_uid = "nope"});
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().reason(), Reason::Conflict);
  auto fg = c.remove(res::kDeployments, "default", "web", {.propagation_policy = "Foreground"});
  ASSERT_TRUE(fg);
  EXPECT_EQ((*fg)["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
  EXPECT_TRUE(c.get(res::kDeployments, "default", "web"));
}

TEST(FakeClientTest, PodBoundToANodeIsDeletedGracefully) {
  FakeClient c;
  json p = pod("default", "a");
  p["spec"]["nodeName"] = "n1";
  p["status"] = {{"phase", "Running"}};
  c.seed(res::kPods, p);
  auto pending = c.remove(res::kPods, "default", "a");
  ASSERT_TRUE(pending);
  EXPECT_TRUE((*pending)["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ((*pending)["metadata"]["deletionGracePeriodSeconds"], 30);
  ASSERT_TRUE(c.get(res::kPods, "default", "a"));
  // The node agent confirms with grace 0.
  ASSERT_TRUE(c.remove(res::kPods, "default", "a", {.grace_period_seconds = 0}));
  EXPECT_EQ(c.get(res::kPods, "default", "a").error().reason(), Reason::NotFound);
  // Unscheduled pods go at once.
  c.seed(res::kPods, pod("default", "b"));
  ASSERT_TRUE(c.remove(res::kPods, "default", "b"));
  EXPECT_FALSE(c.get(res::kPods, "default", "b"));
}

TEST(FakeClientTest, BindingAssignsTheNodeOnce) {
  FakeClient c;
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  json binding = {{"apiVersion", "v1"}, {"kind", "Binding"}, {"metadata", {{"name", "a"}}},
                  {"target", {{"kind", "Node"}, {"name", "n1"}}}};
  auto b = c.create_subresource(res::kPods, "default", "a", "binding", binding);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ((*b)["status"], "Success");
  auto got = c.get(res::kPods, "default", "a");
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)["spec"]["nodeName"], "n1");
  ASSERT_TRUE((*got)["status"]["conditions"].is_array());
  EXPECT_EQ((*got)["status"]["conditions"][0]["type"], "PodScheduled");
  auto again = c.create_subresource(res::kPods, "default", "a", "binding", binding);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason(), Reason::Conflict);
  EXPECT_EQ(c.actions().back().verb, "create-binding");
}

TEST(FakeClientTest, EvictionRespectsDisruptionBudgets) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a", {{"app", "web"}}));
  c.seed(res::kPodDisruptionBudgets,
         {{"metadata", {{"name", "pdb"}, {"namespace", "default"}, {"generation", 1}}},
          {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}},
          {"status", {{"disruptionsAllowed", 0}, {"observedGeneration", 1}}}});
  auto denied = c.create_subresource(res::kPods, "default", "a", "eviction", {{"metadata", {{"name", "a"}}}});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().reason(), Reason::TooManyRequests);
  EXPECT_TRUE(c.get(res::kPods, "default", "a"));
  c.seed(res::kPodDisruptionBudgets,
         {{"metadata", {{"name", "pdb"}, {"namespace", "default"}, {"generation", 1}}},
          {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}},
          {"status", {{"disruptionsAllowed", 1}, {"observedGeneration", 1}}}});
  ASSERT_TRUE(c.create_subresource(res::kPods, "default", "a", "eviction", {{"metadata", {{"name", "a"}}}}));
  EXPECT_FALSE(c.get(res::kPods, "default", "a"));
}

TEST(FakeClientTest, InjectedFailuresAndRecordedActions) {
  FakeClient c;
  c.fail("create", "pods", base::Status(Reason::InternalError, "boom"));
  auto r = c.create(res::kPods, "default", pod("default", "a"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "boom");
  EXPECT_TRUE(c.create(res::kConfigMaps, "default", {{"metadata", {{"name", "x"}}}}));
  c.clear_failures();
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a")));
  auto actions = c.actions();
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[0].verb, "create");
  EXPECT_EQ(actions[0].resource, "pods");
  EXPECT_EQ(actions[2].name, "a");
  EXPECT_EQ(actions[2].object["metadata"]["name"], "a");
  c.clear_actions();
  EXPECT_TRUE(c.actions().empty());
  EXPECT_EQ(c.objects(res::kPods).size(), 1u);
}

TEST(FakeClientTest, WatchDeliversLaterChangesFromAVersion) {
  FakeClient c;
  auto a = c.create(res::kPods, "default", pod("default", "a"));
  ASSERT_TRUE(a);
  auto b = c.create(res::kPods, "default", pod("default", "b"));
  ASSERT_TRUE(b);
  // From a's version: b's creation is replayed, then live changes follow.
  auto w = c.watch(res::kPods, "default", {.resource_version = rv(*a)});
  ASSERT_TRUE(w);
  ASSERT_TRUE(c.remove(res::kPods, "default", "a"));
  auto e1 = (*w)->next();
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(e1->object["metadata"]["name"], "b");
  auto e2 = (*w)->next();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->type, WatchEvent::Type::kDeleted);
  EXPECT_EQ(e2->object["metadata"]["name"], "a");
  EXPECT_NE(rv(e2->object), rv(*a));
  (*w)->stop();
  EXPECT_FALSE((*w)->next());
}

TEST(FakeClientTest, WatchWithSelectorSeesObjectsMoveInAndOut) {
  FakeClient c;
  c.seed(res::kPods, pod("default", "a", {{"app", "web"}}));
  auto w = c.watch(res::kPods, "", {.label_selector = "app=web"});
  ASSERT_TRUE(w);
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "other", {{"app", "db"}})));
  ASSERT_TRUE(c.patch(res::kPods, "default", "a", PatchType::kMerge, {{"metadata", {{"labels", {{"app", "db"}}}}}}));
  ASSERT_TRUE(c.patch(res::kPods, "default", "other", PatchType::kMerge, {{"metadata", {{"labels", {{"app", "web"}}}}}}));
  auto e1 = (*w)->next();
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->type, WatchEvent::Type::kDeleted);
  EXPECT_EQ(e1->object["metadata"]["name"], "a");
  auto e2 = (*w)->next();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(e2->object["metadata"]["name"], "other");
}

TEST(FakeClientTest, NextBlocksUntilAnEventArrives) {
  FakeClient c;
  auto w = c.watch(res::kNodes, "", {});
  ASSERT_TRUE(w);
  std::thread writer([&] { c.seed(res::kNodes, {{"metadata", {{"name", "n1"}}}}); });
  auto e = (*w)->next();
  writer.join();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(e->object["kind"], "Node");
  EXPECT_FALSE(e->object["metadata"].contains("namespace"));
}

TEST(FakeClientTest, ExpireWatchesEndsStreamsWithGone) {
  FakeClient c;
  auto first = c.create(res::kPods, "default", pod("default", "a"));
  ASSERT_TRUE(first);
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "a2")));
  auto w = c.watch(res::kPods, "", {});
  ASSERT_TRUE(w);
  c.expire_watches();
  auto e = (*w)->next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, WatchEvent::Type::kError);
  EXPECT_EQ(e->object["code"], 410);
  EXPECT_FALSE((*w)->next());
  // "0" (any version) starts with the current objects.
  auto any = c.watch(res::kPods, "", {.resource_version = "0"});
  ASSERT_TRUE(any);
  auto e0 = (*any)->next();
  ASSERT_TRUE(e0);
  EXPECT_EQ(e0->type, WatchEvent::Type::kAdded);
  EXPECT_EQ(e0->object["metadata"]["name"], "a");
  // A watch from before the expiry is too old now.
  auto w2 = c.watch(res::kPods, "", {.resource_version = rv(*first)});
  ASSERT_TRUE(w2);
  auto e2 = (*w2)->next();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->type, WatchEvent::Type::kError);
  // From the current version it works.
  auto l = c.list(res::kPods, "", {});
  ASSERT_TRUE(l);
  auto w3 = c.watch(res::kPods, "", {.resource_version = rv(*l)});
  ASSERT_TRUE(w3);
  ASSERT_TRUE(c.create(res::kPods, "default", pod("default", "b")));
  auto e3 = (*w3)->next();
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->type, WatchEvent::Type::kAdded);
}

TEST(FakeClientTest, WatchSeesPendingDeletionThenTheDeleteWhenTheLastFinalizerGoes) {
  FakeClient c;
  ASSERT_TRUE(c.create(res::kConfigMaps, "default",
                       {{"metadata", {{"name", "held"}, {"namespace", "default"}, {"finalizers", {"example.com/x"}}}}}));
  auto w = c.watch(res::kConfigMaps, "default", {});
  ASSERT_TRUE(w);
  auto pending = c.remove(res::kConfigMaps, "default", "held");
  ASSERT_TRUE(pending);
  auto removed = c.patch(res::kConfigMaps, "default", "held", PatchType::kMerge,
                         {{"metadata", {{"finalizers", nullptr}}}});
  ASSERT_TRUE(removed) << removed.error().message();
  auto e1 = (*w)->next();
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->type, WatchEvent::Type::kModified);
  EXPECT_TRUE(e1->object["metadata"].contains("deletionTimestamp"));
  auto e2 = (*w)->next();
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->type, WatchEvent::Type::kDeleted);
  EXPECT_FALSE(c.get(res::kConfigMaps, "default", "held"));
}

TEST(FakeClientTest, PodUpdateKeepsStatusAndSeedKeepsEverything) {
  FakeClient c;
  json p = pod("default", "a");
  p["spec"]["nodeName"] = "n1";
  p["status"] = {{"phase", "Running"}, {"podIP", "10.42.0.5"}};
  json seeded = c.seed(res::kPods, p);
  EXPECT_EQ(seeded["status"]["phase"], "Running");
  EXPECT_EQ(seeded["spec"]["nodeName"], "n1");
  json next = seeded;
  next["status"]["phase"] = "Failed";
  next["metadata"]["labels"]["x"] = "y";
  auto u = c.update(res::kPods, next);
  ASSERT_TRUE(u);
  EXPECT_EQ((*u)["status"]["phase"], "Running");
  EXPECT_EQ((*u)["metadata"]["labels"]["x"], "y");
}

TEST(FakeClientTest, NamespaceDeletionWaitsForFinalize) {
  FakeClient c;
  auto ns = c.create(res::kNamespaces, "", {{"metadata", {{"name", "team"}}}});
  ASSERT_TRUE(ns);
  EXPECT_EQ((*ns)["status"]["phase"], "Active");
  auto pending = c.remove(res::kNamespaces, "", "team");
  ASSERT_TRUE(pending);
  EXPECT_EQ((*pending)["status"]["phase"], "Terminating");
  json fin = *pending;
  fin["spec"]["finalizers"] = json::array();
  ASSERT_TRUE(c.update(res::kNamespaces, fin, "finalize"));
  EXPECT_FALSE(c.get(res::kNamespaces, "", "team"));
}

}  // namespace
}  // namespace kite::client
