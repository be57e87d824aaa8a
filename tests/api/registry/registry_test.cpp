// Registry::with_builtins: names, scope, verbs, subresources, field selectors, storage layout;
// lookups; group and version order.
#include <algorithm>

#include <gtest/gtest.h>

#include "api/resource.h"

namespace kite::api {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Registry, BuiltinPods) {
  auto reg = Registry::with_builtins();
  auto pods = reg->find("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->kind, "Pod");
  EXPECT_EQ(pods->list_kind, "PodList");
  EXPECT_EQ(pods->singular, "pod");
  EXPECT_TRUE(pods->namespaced);
  EXPECT_EQ(pods->short_names, std::vector<std::string>{"po"});
  EXPECT_TRUE(has(pods->categories, "all"));
  for (const char* sub : {"status", "binding", "eviction", "log", "exec", "attach", "portforward"})
    EXPECT_TRUE(pods->has_subresource(sub)) << sub;
  EXPECT_FALSE(pods->has_subresource("scale"));
  EXPECT_TRUE(has(pods->selectable_fields, "spec.nodeName"));
  EXPECT_TRUE(has(pods->selectable_fields, "status.phase"));
  EXPECT_EQ(pods->storage_prefix, "/registry/pods");
  EXPECT_EQ(pods->key("default", "web-1"), "/registry/pods/default/web-1");
  EXPECT_EQ(pods->api_version(), "v1");
  EXPECT_EQ(pods->group_resource(), "pods");
  EXPECT_EQ(pods->verbs.size(), 8u);
}

TEST(Registry, BuiltinDetails) {
  auto reg = Registry::with_builtins();
  auto ns = reg->find("", "v1", "namespaces");
  ASSERT_NE(ns, nullptr);
  EXPECT_FALSE(ns->namespaced);
  EXPECT_EQ(ns->name_rule, "label");
  EXPECT_FALSE(has(ns->verbs, "deletecollection"));
  EXPECT_EQ(ns->key("ignored", "kube-system"), "/registry/namespaces/kube-system");

  auto nodes = reg->find("", "v1", "nodes");
  EXPECT_EQ(nodes->storage_prefix, "/registry/minions");
  EXPECT_FALSE(nodes->namespaced);
  EXPECT_EQ(reg->find("", "v1", "services")->storage_prefix, "/registry/services/specs");
  EXPECT_EQ(reg->find("", "v1", "services")->name_rule, "label");
  EXPECT_EQ(reg->find("", "v1", "endpoints")->storage_prefix, "/registry/services/endpoints");
  EXPECT_EQ(reg->find("", "v1", "bindings")->verbs, std::vector<std::string>{"create"});
  EXPECT_EQ(reg->find("", "v1", "secrets")->selectable_fields, std::vector<std::string>{"type"});
  EXPECT_TRUE(has(reg->find("", "v1", "events")->selectable_fields, "involvedObject.name"));

  auto deploy = reg->find("apps", "v1", "deployments");
  ASSERT_NE(deploy, nullptr);
  EXPECT_TRUE(deploy->has_subresource("scale"));
  EXPECT_TRUE(deploy->has_subresource("status"));
  EXPECT_EQ(deploy->api_version(), "apps/v1");
  EXPECT_EQ(deploy->group_resource(), "deployments.apps");
  EXPECT_EQ(deploy->key("prod", "api"), "/registry/deployments/prod/api");
  EXPECT_EQ(reg->find("networking.k8s.io", "v1", "ingresses")->storage_prefix, "/registry/ingress");
  EXPECT_EQ(reg->find("events.k8s.io", "v1", "events")->storage_prefix, "/registry/events");
  EXPECT_EQ(reg->find("", "v1", "events")->storage_prefix, "/registry/events");
  auto crd = reg->find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  ASSERT_NE(crd, nullptr);
  EXPECT_EQ(crd->short_names, (std::vector<std::string>{"crd", "crds"}));
  EXPECT_EQ(crd->categories, std::vector<std::string>{"api-extensions"});
  EXPECT_EQ(crd->storage_prefix, "/registry/apiextensions.k8s.io/customresourcedefinitions");

  // Every built-in resource is complete.
  for (const auto& r : reg->all()) {
    EXPECT_FALSE(r->kind.empty());
    EXPECT_FALSE(r->singular.empty()) << r->plural;
    EXPECT_FALSE(r->verbs.empty()) << r->plural;
    if (r->plural != "bindings" && r->plural != "selfsubjectreviews") {  // never stored
      EXPECT_EQ(r->storage_prefix.rfind("/registry/", 0), 0u) << r->plural;
    }
    EXPECT_FALSE(r->custom);
  }
  // The "all" category is what `kubectl get all` shows.
  std::vector<std::string> all;
  for (const auto& r : reg->all())
    if (has(r->categories, "all")) all.push_back(r->plural);
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, (std::vector<std::string>{"cronjobs", "daemonsets", "deployments", "jobs", "pods",
                                           "replicasets", "services", "statefulsets"}));
}

TEST(Registry, LookupByKindAndShortName) {
  auto reg = Registry::with_builtins();
  EXPECT_EQ(reg->find_kind("apps", "v1", "StatefulSet")->plural, "statefulsets");
  EXPECT_EQ(reg->find_kind("", "v1", "Deployment"), nullptr);
  EXPECT_EQ(reg->find("", "v1", "deployments"), nullptr);

  auto one = [&](const std::string& n) {
    auto r = reg->resolve(n);
    return r.size() == 1 ? r[0]->group_resource() : std::string("<" + std::to_string(r.size()) + ">");
  };
  EXPECT_EQ(one("po"), "pods");
  EXPECT_EQ(one("svc"), "services");
  EXPECT_EQ(one("deploy"), "deployments.apps");
  EXPECT_EQ(one("Deployment"), "deployments.apps");
  EXPECT_EQ(one("deployments.apps"), "deployments.apps");
  EXPECT_EQ(one("deploy.v1.apps"), "deployments.apps");
  EXPECT_EQ(one("pvc"), "persistentvolumeclaims");
  EXPECT_EQ(one("crds"), "customresourcedefinitions.apiextensions.k8s.io");
  EXPECT_EQ(one("cj"), "cronjobs.batch");
  EXPECT_EQ(one("nosuchthing"), "<0>");
  // "events" exists in the core group and events.k8s.io: core first.
  auto ev = reg->resolve("ev");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0]->group, "");
  EXPECT_EQ(ev[1]->group, "events.k8s.io");
}

TEST(Registry, GroupsAndVersions) {
  auto reg = Registry::with_builtins();
  auto add = [&](const std::string& v) {
    auto r = std::make_shared<ResourceInfo>();
    r->group = "example.com";
    r->version = v;
    r->kind = "Widget";
    r->plural = "widgets";
    r->custom = true;
    reg->add(r);
  };
  add("v1beta1");
  add("v1");
  add("v2alpha1");
  add("v1alpha1");
  auto groups = reg->groups();
  ASSERT_FALSE(groups.empty());
  EXPECT_EQ(groups.front().first, "");
  EXPECT_EQ(groups[1].first, "apps");
  EXPECT_EQ(groups.back().first, "example.com");
  EXPECT_EQ(groups.back().second,
            (std::vector<std::string>{"v1", "v1beta1", "v2alpha1", "v1alpha1"}));
  reg->remove_custom("example.com", "widgets");
  EXPECT_EQ(reg->find("example.com", "v1", "widgets"), nullptr);
  EXPECT_NE(reg->find("apps", "v1", "deployments"), nullptr);
  // remove_custom never removes built-ins.
  reg->remove_custom("apps", "deployments");
  EXPECT_NE(reg->find("apps", "v1", "deployments"), nullptr);
}

}  // namespace
}  // namespace kite::api
