// resources_from_crd: a CustomResourceDefinition becomes one ResourceInfo per served version.
#include <gtest/gtest.h>

#include "api/registry/crd_resources.h"

namespace kite::api {
namespace {

json widget_crd() {
  return json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
      "group": "example.com",
      "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                "shortNames": ["wd"], "categories": ["all", "toys"]},
      "versions": [
        {"name": "v1", "served": true, "storage": true,
         "schema": {"openAPIV3Schema": {"type": "object", "properties": {
           "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}, "color": {"type": "string"}}},
           "status": {"type": "object", "properties": {"replicas": {"type": "integer"}, "selector": {"type": "string"}}}}}},
         "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                    "statusReplicasPath": ".status.replicas",
                                                    "labelSelectorPath": ".status.selector"}},
         "additionalPrinterColumns": [
           {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
           {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "priority": 1,
            "description": "desired"}],
         "selectableFields": [{"jsonPath": ".spec.color"}]},
        {"name": "v1beta1", "served": true, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
        {"name": "v1alpha1", "served": false, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}}
      ]
    }
  })");
}

TEST(CrdResources, ServedVersions) {
  auto r = resources_from_crd(widget_crd());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  const ResourceInfo& v1 = *(*r)[0];
  EXPECT_EQ(v1.group, "example.com");
  EXPECT_EQ(v1.version, "v1");
  EXPECT_EQ(v1.kind, "Widget");
  EXPECT_EQ(v1.list_kind, "WidgetList");
  EXPECT_EQ(v1.plural, "widgets");
  EXPECT_EQ(v1.singular, "widget");
  EXPECT_TRUE(v1.namespaced);
  EXPECT_TRUE(v1.custom);
  EXPECT_EQ(v1.short_names, std::vector<std::string>{"wd"});
  EXPECT_EQ(v1.categories, (std::vector<std::string>{"all", "toys"}));
  EXPECT_TRUE(v1.has_subresource("status"));
  EXPECT_TRUE(v1.has_subresource("scale"));
  EXPECT_EQ(v1.scale_spec_replicas_path, ".spec.replicas");
  EXPECT_EQ(v1.scale_status_replicas_path, ".status.replicas");
  EXPECT_EQ(v1.scale_label_selector_path, ".status.selector");
  ASSERT_EQ(v1.printer_columns.size(), 2u);
  EXPECT_EQ(v1.printer_columns[1].name, "Replicas");
  EXPECT_EQ(v1.printer_columns[1].priority, 1);
  EXPECT_EQ(v1.printer_columns[1].json_path, ".spec.replicas");
  EXPECT_EQ(v1.selectable_fields, std::vector<std::string>{"spec.color"});
  EXPECT_EQ(v1.storage_prefix, "/registry/example.com/widgets");
  EXPECT_EQ(v1.key("ns1", "w"), "/registry/example.com/widgets/ns1/w");
  ASSERT_NE(v1.schema, nullptr);
  EXPECT_NE(v1.schema->property("spec")->property("color"), nullptr);
  EXPECT_EQ(v1.schema->property("metadata")->ref_name,
            "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_NE(v1.schema->property("apiVersion"), nullptr);

  const ResourceInfo& beta = *(*r)[1];
  EXPECT_EQ(beta.version, "v1beta1");
  EXPECT_FALSE(beta.has_subresource("status"));
  EXPECT_TRUE(beta.schema->preserve_unknown_fields);
}

TEST(CrdResources, ClusterScopedDefaults) {
  json crd = widget_crd();
  crd["spec"]["scope"] = "Cluster";
  crd["spec"]["names"].erase("singular");
  auto r = resources_from_crd(crd);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE((*r)[0]->namespaced);
  EXPECT_EQ((*r)[0]->singular, "widget");
  EXPECT_EQ((*r)[0]->key("ignored", "w"), "/registry/example.com/widgets/w");
}

TEST(CrdResources, Errors) {
  struct Case {
    const char* what;
    std::function<void(json&)> mutate;
    const char* field;
  };
  const Case cases[] = {
      {"no group", [](json& c) { c["spec"].erase("group"); }, "spec.group"},
      {"bad name", [](json& c) { c["metadata"]["name"] = "widgets"; }, "metadata.name"},
      {"no kind", [](json& c) { c["spec"]["names"].erase("kind"); }, "spec.names.kind"},
      {"bad scope", [](json& c) { c["spec"]["scope"] = "Global"; }, "spec.scope"},
      {"no versions", [](json& c) { c["spec"]["versions"] = json::array(); }, "spec.versions"},
      {"two storage", [](json& c) { c["spec"]["versions"][1]["storage"] = true; }, "spec.versions"},
      {"no storage", [](json& c) { c["spec"]["versions"][0]["storage"] = false; }, "spec.versions"},
      {"no schema", [](json& c) { c["spec"]["versions"][0].erase("schema"); },
       "spec.versions[0].schema.openAPIV3Schema"},
      {"non-structural",
       [](json& c) { c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].erase("type"); },
       "spec.versions[0].schema.openAPIV3Schema.properties[spec].type"},
      {"bad column type",
       [](json& c) { c["spec"]["versions"][0]["additionalPrinterColumns"][0]["type"] = "text"; },
       "spec.versions[0].additionalPrinterColumns[0].type"},
      {"scale without spec path",
       [](json& c) { c["spec"]["versions"][0]["subresources"]["scale"].erase("specReplicasPath"); },
       "spec.versions[0].subresources.scale.specReplicasPath"},
      {"duplicate version", [](json& c) { c["spec"]["versions"][1]["name"] = "v1"; },
       "spec.versions[1].name"},
  };
  for (const auto& c : cases) {
    json crd = widget_crd();
    c.mutate(crd);
    auto r = resources_from_crd(crd);
    ASSERT_FALSE(r.has_value()) << c.what;
    EXPECT_EQ(r.error().reason(), base::Reason::Invalid) << c.what;
    ASSERT_FALSE(r.error().causes().empty()) << c.what;
    EXPECT_EQ(r.error().causes()[0].field, c.field) << c.what;
  }
}

}  // namespace
}  // namespace kite::api
