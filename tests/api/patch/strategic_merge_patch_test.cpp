#include "api/patch/strategic_merge_patch.h"

#include <gtest/gtest.h>

namespace kite::api {
namespace {

using json = nlohmann::json;

// Small hand-built schemas with the patch metadata of the real Kubernetes types.
SchemaPtr scalar(Schema::Type t = Schema::Type::String) {
  auto s = std::make_shared<Schema>();
  s->type = t;
  return s;
}

SchemaPtr object(std::map<std::string, SchemaPtr> props, std::string strategy = "") {
  auto s = std::make_shared<Schema>();
  s->type = Schema::Type::Object;
  s->properties = std::move(props);
  s->patch_strategy = std::move(strategy);
  return s;
}

SchemaPtr map_of(SchemaPtr values) {
  auto s = std::make_shared<Schema>();
  s->type = Schema::Type::Object;
  s->additional_properties = std::move(values);
  return s;
}

SchemaPtr list(SchemaPtr items, std::string strategy = "", std::string key = "") {
  auto s = std::make_shared<Schema>();
  s->type = Schema::Type::Array;
  s->items = std::move(items);
  s->patch_strategy = std::move(strategy);
  s->patch_merge_key = std::move(key);
  return s;
}

SchemaPtr container_schema() {
  return object({
      {"name", scalar()},
      {"image", scalar()},
      {"args", list(scalar())},
      {"env", list(object({{"name", scalar()},
                           {"value", scalar()},
                           {"valueFrom", object({{"fieldRef", object({{"fieldPath", scalar()}})}})}}),
                   "merge", "name")},
      {"ports", list(object({{"containerPort", scalar(Schema::Type::Integer)},
                             {"name", scalar()},
                             {"protocol", scalar()}}),
                     "merge", "containerPort")},
      {"resources", object({{"limits", map_of(scalar(Schema::Type::Quantity))}})},
  });
}

SchemaPtr pod_spec_schema() {
  return object({
      {"containers", list(container_schema(), "merge", "name")},
      {"initContainers", list(container_schema(), "merge", "name")},
      {"volumes", list(object({{"name", scalar()},
                               {"emptyDir", object({{"medium", scalar()}})},
                               {"configMap", object({{"name", scalar()}})}}),
                       "merge,retainKeys", "name")},
      {"nodeSelector", map_of(scalar())},
  });
}

SchemaPtr metadata_schema() {
  return object({
      {"name", scalar()},
      {"labels", map_of(scalar())},
      {"annotations", map_of(scalar())},
      {"finalizers", list(scalar(), "merge")},
  });
}

SchemaPtr deployment_schema() {
  return object({
      {"metadata", metadata_schema()},
      {"spec", object({
                   {"replicas", scalar(Schema::Type::Integer)},
                   {"strategy", object({{"type", scalar()},
                                        {"rollingUpdate", object({{"maxSurge", scalar()},
                                                                  {"maxUnavailable", scalar()}})}},
                                       "retainKeys")},
                   {"template", object({{"metadata", metadata_schema()}, {"spec", pod_spec_schema()}})},
               })},
  });
}

class StrategicMergePatchTest : public ::testing::Test {
 protected:
  json apply(const json& doc, const char* patch) {
    auto r = apply_strategic_merge_patch(doc, json::parse(patch), schema_.get());
    EXPECT_TRUE(r.has_value()) << patch << ": " << (r ? "" : r.error().message());
    return r ? *r : json();
  }
  base::Status apply_error(const json& doc, const char* patch) {
    auto r = apply_strategic_merge_patch(doc, json::parse(patch), schema_.get());
    EXPECT_FALSE(r.has_value()) << patch << " gave " << (r ? r->dump() : "");
    return r ? base::Status() : r.error();
  }
  static json deployment() {
    return json::parse(R"({
      "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
      "spec": {
        "replicas": 2,
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
        "template": {
          "metadata": {"labels": {"app": "web"}},
          "spec": {
            "containers": [
              {"name": "a", "image": "a:1", "args": ["--x"],
               "env": [{"name": "E1", "value": "1"}, {"name": "E2", "value": "2"}],
               "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443, "name": "https"}]},
              {"name": "b", "image": "b:1", "resources": {"limits": {"cpu": "1"}}}
            ],
            "volumes": [{"name": "cache", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c1"}}]
          }
        }
      }})");
  }
  json& containers(json& d) { return d["spec"]["template"]["spec"]["containers"]; }

  SchemaPtr schema_ = deployment_schema();
};

TEST_F(StrategicMergePatchTest, SetImageKeepsOtherContainersAndFields) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
      "containers":[{"image":"x:2","name":"b"}]}}}})");
  json expected = deployment();
  containers(expected)[1]["image"] = "x:2";
  EXPECT_EQ(out, expected);
}

TEST_F(StrategicMergePatchTest, ContainersMergedByNameNewOnesAppended) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{
      "containers":[{"name":"a","image":"a:2"},{"name":"c","image":"c:1"}]}}}})");
  json& cs = containers(out);
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0]["name"], "a");
  EXPECT_EQ(cs[0]["image"], "a:2");
  EXPECT_EQ(cs[0]["args"], json::parse(R"(["--x"])"));
  EXPECT_EQ(cs[0]["env"].size(), 2u);
  // Kubernetes places a new element right after the last patched one it follows.
  EXPECT_EQ(cs[1]["name"], "c");
  EXPECT_EQ(cs[2]["name"], "b");
  EXPECT_EQ(cs[2]["resources"]["limits"]["cpu"], "1");
}

TEST_F(StrategicMergePatchTest, EnvMergedByName) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"name":"a","env":[{"name":"E2","value":"two"},{"name":"E3","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}]}]}}}})");
  EXPECT_EQ(containers(out)[0]["env"], json::parse(R"([
      {"name":"E1","value":"1"},{"name":"E2","value":"two"},
      {"name":"E3","valueFrom":{"fieldRef":{"fieldPath":"spec.nodeName"}}}])"));
}

TEST_F(StrategicMergePatchTest, PortsMergedByContainerPort) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"name":"a","ports":[{"containerPort":443,"protocol":"TCP"},{"containerPort":8080}]}]}}}})");
  EXPECT_EQ(containers(out)[0]["ports"], json::parse(R"([
      {"containerPort":80,"name":"http"},
      {"containerPort":443,"name":"https","protocol":"TCP"},
      {"containerPort":8080}])"));
}

TEST_F(StrategicMergePatchTest, VolumesByNameWithRetainKeys) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{"volumes":[
      {"$retainKeys":["configMap","name"],"name":"cache","configMap":{"name":"c2"}}]}}}})");
  EXPECT_EQ(out["spec"]["template"]["spec"]["volumes"], json::parse(R"([
      {"name":"cache","configMap":{"name":"c2"}},{"name":"cfg","configMap":{"name":"c1"}}])"));
}

TEST_F(StrategicMergePatchTest, DeleteElementWithPatchDelete) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"$patch":"delete","name":"a"}]}}}})");
  ASSERT_EQ(containers(out).size(), 1u);
  EXPECT_EQ(containers(out)[0]["name"], "b");

  json env_out = apply(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"},{"name":"b"}],
      "containers":[{"name":"a","$setElementOrder/env":[{"name":"E2"}],
                     "env":[{"$patch":"delete","name":"E1"}]}]}}}})");
  EXPECT_EQ(containers(env_out)[0]["env"], json::parse(R"([{"name":"E2","value":"2"}])"));
}

TEST_F(StrategicMergePatchTest, ReplaceWholeList) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"$patch":"replace"},{"name":"z","image":"z:1"}]}}}})");
  EXPECT_EQ(containers(out), json::parse(R"([{"name":"z","image":"z:1"}])"));

  json emptied = apply(deployment(), R"({"spec":{"template":{"spec":{"volumes":[{"$patch":"replace"}]}}}})");
  EXPECT_EQ(emptied["spec"]["template"]["spec"]["volumes"], json::array());
}

TEST_F(StrategicMergePatchTest, ListWithoutMergeStrategyIsReplaced) {
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{"containers":[
      {"name":"a","args":["--y","--z"]}]}}}})");
  EXPECT_EQ(containers(out)[0]["args"], json::parse(R"(["--y","--z"])"));
}

TEST_F(StrategicMergePatchTest, RetainKeysStrategySwitchToRecreate) {
  json out = apply(deployment(),
                   R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}})");
  EXPECT_EQ(out["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));

  // Without a null for rollingUpdate, $retainKeys alone still clears it.
  json out2 = apply(deployment(), R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})");
  EXPECT_EQ(out2["spec"]["strategy"], json::parse(R"({"type":"Recreate"})"));

  base::Status st = apply_error(
      deployment(), R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{"maxSurge":1}}}})");
  EXPECT_EQ(st.reason(), base::Reason::BadRequest);
}

TEST_F(StrategicMergePatchTest, FinalizersPrimitiveMergeAndDelete) {
  json out = apply(deployment(), R"({"metadata":{"finalizers":["b","c"]}})");
  EXPECT_EQ(out["metadata"]["finalizers"], json::parse(R"(["a","b","c"])"));

  json removed = apply(deployment(), R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  EXPECT_EQ(removed["metadata"]["finalizers"], json::parse(R"(["b"])"));

  json both = apply(deployment(), R"({"metadata":{
      "$setElementOrder/finalizers":["c","b"],
      "$deleteFromPrimitiveList/finalizers":["a"],
      "finalizers":["c"]}})");
  EXPECT_EQ(both["metadata"]["finalizers"], json::parse(R"(["c","b"])"));

  json absent = apply(json::parse(R"({"metadata":{}})"),
                      R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})");
  EXPECT_EQ(absent, json::parse(R"({"metadata":{}})"));
}

TEST_F(StrategicMergePatchTest, NullRemovesKeys) {
  json out = apply(deployment(), R"({"metadata":{"labels":{"app":null,"new":"1"}},
                                     "spec":{"replicas":null,"template":{"spec":{"containers":[{"name":"b","resources":null}]}}}})");
  EXPECT_EQ(out["metadata"]["labels"], json::parse(R"({"new":"1"})"));
  EXPECT_FALSE(out["spec"].contains("replicas"));
  EXPECT_FALSE(containers(out)[1].contains("resources"));
  EXPECT_EQ(containers(out)[1]["image"], "b:1");
}

TEST_F(StrategicMergePatchTest, SetElementOrderWithElementsAbsentFromPatch) {
  // Reorder only: the patch names no container.
  json out = apply(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}}})");
  EXPECT_EQ(containers(out)[0]["name"], "b");
  EXPECT_EQ(containers(out)[1]["name"], "a");
  EXPECT_EQ(containers(out)[1]["env"].size(), 2u);

  // Order lists a new container and omits a live one: the live one keeps its place.
  json d = deployment();
  containers(d).push_back(json::parse(R"({"name":"c","image":"c:1"})"));
  json out2 = apply(d, R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"n"}],
      "containers":[{"name":"n","image":"n:1"}]}}}})");
  std::vector<std::string> names;
  for (const auto& c : containers(out2)) names.push_back(c["name"]);
  // Listed ones follow the order list; "b" goes before "c" because the live list had it
  // earlier (Kubernetes' interleaving rule).
  EXPECT_EQ(names, (std::vector<std::string>{"b", "c", "a", "n"}));
  EXPECT_EQ(containers(out2)[3]["image"], "n:1");

  base::Status st = apply_error(deployment(), R"({"spec":{"template":{"spec":{
      "$setElementOrder/containers":[{"name":"a"}],
      "containers":[{"name":"zz","image":"zz:1"}]}}}})");
  EXPECT_EQ(st.reason(), base::Reason::BadRequest);
}

TEST_F(StrategicMergePatchTest, NestedMapsMerge) {
  json out = apply(deployment(), R"({"spec":{"template":{"metadata":{"labels":{"version":"2"},
                                      "annotations":{"kubectl.kubernetes.io/restartedAt":"now"}}}}})");
  EXPECT_EQ(out["spec"]["template"]["metadata"],
            json::parse(R"({"labels":{"app":"web","version":"2"},
                           "annotations":{"kubectl.kubernetes.io/restartedAt":"now"}})"));
  EXPECT_EQ(out["spec"]["replicas"], 2);
}

TEST_F(StrategicMergePatchTest, MapDirectives) {
  json replaced = apply(deployment(), R"({"metadata":{"labels":{"$patch":"replace","only":"1"}}})");
  EXPECT_EQ(replaced["metadata"]["labels"], json::parse(R"({"only":"1"})"));

  json deleted = apply(deployment(), R"({"metadata":{"labels":{"$patch":"delete"}}})");
  EXPECT_EQ(deleted["metadata"]["labels"], json::object());

  json merged = apply(deployment(), R"({"metadata":{"labels":{"$patch":"merge","x":"1"}}})");
  EXPECT_EQ(merged["metadata"]["labels"], json::parse(R"({"app":"web","x":"1"})"));

  EXPECT_EQ(apply_error(deployment(), R"({"metadata":{"labels":{"$patch":"bogus"}}})").reason(),
            base::Reason::BadRequest);
}

TEST_F(StrategicMergePatchTest, NewValuesAreCleanedOfDirectivesAndNulls) {
  json doc = json::parse(R"({"spec":{"template":{"spec":{}}}})");
  json out = apply(doc, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null},
                                    "template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],
                                                        "containers":[{"name":"a","image":"a:1","args":null}]}}}})");
  EXPECT_EQ(out, json::parse(R"({"spec":{"strategy":{"type":"Recreate"},
                                         "template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}}}})"));
}

TEST_F(StrategicMergePatchTest, BadPatches) {
  EXPECT_EQ(apply_error(deployment(), "[]").reason(), base::Reason::BadRequest);
  EXPECT_EQ(apply_error(deployment(), R"("x")").reason(), base::Reason::BadRequest);
  EXPECT_EQ(apply_error(deployment(), R"({"spec":{"$frobnicate":1}})").reason(),
            base::Reason::BadRequest);
  base::Status no_key = apply_error(deployment(), R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})");
  EXPECT_EQ(no_key.reason(), base::Reason::BadRequest);
  EXPECT_NE(no_key.message().find("does not contain declared merge key: name"), std::string::npos);
  EXPECT_EQ(apply_error(deployment(), R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_error(deployment(), R"({"metadata":{"$setElementOrder/finalizers":"a"}})").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_error(deployment(), R"({"spec":{"strategy":{"$retainKeys":"type"}}})").reason(),
            base::Reason::BadRequest);
  EXPECT_EQ(apply_error(json::parse(R"({"metadata":{"finalizers":[["a"]]}})"),
                        R"({"metadata":{"finalizers":[["b"]]}})")
                .reason(),
            base::Reason::Invalid);
}

TEST(StrategicMergePatchNoSchema, BehavesLikeMergePatchAndReplacesLists) {
  json doc = json::parse(R"({"a":{"b":1,"c":2},"l":[{"name":"x","v":1},{"name":"y"}],"s":"v"})");
  auto out = apply_strategic_merge_patch(
      doc, json::parse(R"({"a":{"b":null,"d":3},"l":[{"name":"x","v":2}],"s":"w"})"), nullptr);
  ASSERT_TRUE(out.has_value()) << out.error().message();
  EXPECT_EQ(*out, json::parse(R"({"a":{"c":2,"d":3},"l":[{"name":"x","v":2}],"s":"w"})"));

  // An unknown property of a known schema behaves the same way.
  SchemaPtr s = object({{"known", list(object({{"name", scalar()}}), "merge", "name")}});
  auto out2 = apply_strategic_merge_patch(
      json::parse(R"({"known":[{"name":"a"}],"other":[{"name":"a","x":1}]})"),
      json::parse(R"({"known":[{"name":"b"}],"other":[{"name":"b"}]})"), s.get());
  ASSERT_TRUE(out2.has_value()) << out2.error().message();
  // A new element that follows no live element named by the patch goes first, as in
  // Kubernetes (kubectl patch without $setElementOrder prepends).
  EXPECT_EQ(*out2, json::parse(R"({"known":[{"name":"b"},{"name":"a"}],"other":[{"name":"b"}]})"));
}

TEST(StrategicMergePatchNoSchema, InputIsNotModified) {
  json doc = json::parse(R"({"a":{"b":1}})");
  json before = doc;
  auto out = apply_strategic_merge_patch(doc, json::parse(R"({"a":{"b":2}})"), nullptr);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(doc, before);
  EXPECT_EQ((*out)["a"]["b"], 2);
}

}  // namespace
}  // namespace kite::api
