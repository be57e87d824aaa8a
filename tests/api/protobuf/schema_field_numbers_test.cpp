// The built-in schemas carry protobuf field numbers (api/schemas/*.kschema `pb=`, `omitzero`).
#include <gtest/gtest.h>

#include "api/protobuf/wrapper_types.h"
#include "api/schemas/builtin_schemas.h"

namespace kite::api {
namespace {

const Schema* at(const Schema* s, std::initializer_list<const char*> path) {
  for (const char* p : path) {
    if (!s) return nullptr;
    s = s->type == Schema::Type::Array ? s->items->property(p) : s->property(p);
  }
  return s;
}

TEST(SchemaFieldNumbers, EveryBuiltinFieldHasOne) {
  ASSERT_TRUE(builtin_schemas_status().is_ok()) << builtin_schemas_status().message();
  int numbered = 0;
  for (const auto& [name, def] : builtin_schemas()) {
    for (const auto& [field, child] : def->properties) {
      if (field == "apiVersion" || field == "kind") {
        // TypeMeta travels in the envelope, except where the message has its own fields.
        continue;
      }
      EXPECT_GT(child->proto_field, 0) << name << "." << field;
      ++numbered;
    }
  }
  EXPECT_GT(numbered, 1200);
}

TEST(SchemaFieldNumbers, KnownNumbers) {
  auto deploy = kind_schema("apps", "v1", "Deployment");
  ASSERT_TRUE(deploy);
  EXPECT_EQ(at(deploy.get(), {"metadata"})->proto_field, 1);
  EXPECT_EQ(at(deploy.get(), {"spec"})->proto_field, 2);
  EXPECT_EQ(at(deploy.get(), {"status"})->proto_field, 3);
  const Schema* replicas = at(deploy.get(), {"spec", "replicas"});
  EXPECT_EQ(replicas->proto_field, 1);
  EXPECT_FALSE(replicas->omit_zero);  // *int32
  EXPECT_TRUE(at(deploy.get(), {"spec", "minReadySeconds"})->omit_zero);
  EXPECT_EQ(at(deploy.get(), {"metadata", "labels"})->proto_field, 11);
  EXPECT_EQ(at(deploy.get(), {"metadata", "creationTimestamp"})->ref_name, kTimeDefinition);

  auto pod = kind_schema("", "v1", "Pod");
  const Schema* empty_dir = at(pod.get(), {"spec", "volumes", "emptyDir"});
  ASSERT_TRUE(empty_dir);
  EXPECT_EQ(empty_dir->proto_embedded_in, std::vector<int>{2});  // VolumeSource
  EXPECT_EQ(empty_dir->proto_field, 2);
  const Schema* exec = at(pod.get(), {"spec", "containers", "livenessProbe", "exec"});
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->proto_embedded_in, std::vector<int>{1});  // ProbeHandler
  EXPECT_FALSE(at(pod.get(), {"spec", "containers", "name"})->omit_zero);  // json:"name"

  auto ev = kind_schema("policy", "v1", "Eviction");
  EXPECT_EQ(at(ev.get(), {"deleteOptions"})->proto_field, 2);
  EXPECT_EQ(at(ev.get(), {"deleteOptions", "propagationPolicy"})->proto_field, 4);
}

TEST(SchemaFieldNumbers, WrapperDefinitionsAreRecognised) {
  for (auto name : {kTimeDefinition, kMicroTimeDefinition, kIntOrStringDefinition,
                    kQuantityDefinition, kRawExtensionDefinition, kFieldsV1Definition}) {
    EXPECT_TRUE(builtin_schema(std::string(name))) << name;
    EXPECT_TRUE(is_protobuf_wrapper(name));
  }
}

}  // namespace
}  // namespace kite::api
