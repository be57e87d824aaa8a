// The embedded built-in schemas: they parse, every kind has one, and they carry the types and
// strategic-merge metadata Kubernetes has.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "api/resource.h"
#include "api/schemas/builtin_schemas.h"
#include "api/schemas/embedded_schemas.h"
#include "api/schemas/kschema_parser.h"

namespace kite::api {
namespace {

using Type = Schema::Type;

const Schema* at(const Schema* s, std::initializer_list<const char*> path) {
  for (const char* p : path) {
    if (!s) return nullptr;
    if (std::string(p) == "[]") {
      s = s->items.get();
    } else {
      s = s->child(p);
    }
  }
  return s;
}

const Schema* def(const std::string& name) {
  SchemaPtr s = builtin_schema(name);
  return s.get();
}

TEST(BuiltinSchemas, ParseWithoutError) {
  EXPECT_TRUE(builtin_schemas_status().is_ok()) << builtin_schemas_status().message();
  EXPECT_GT(builtin_schemas().size(), 250u);
}

TEST(BuiltinSchemas, EmbeddedCopyMatchesSourceFiles) {
  // The build embeds the files; a stale embedded copy would silently diverge.
  std::string dir = std::string(__FILE__);
  dir = dir.substr(0, dir.rfind("/tests/api/schemas/")) + "/api/schemas/";
  for (const auto& f : embedded_schema_files()) {
    std::ifstream in(dir + f.name);
    ASSERT_TRUE(in.good()) << dir + f.name;
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), f.text) << f.name << " differs from its embedded copy";
  }
}

TEST(BuiltinSchemas, EveryRegisteredKindHasASchema) {
  auto reg = Registry::with_builtins();
  for (const auto& r : reg->all()) {
    if (r->plural == "selfsubjectreviews") continue;  // answered by the server, never stored
    ASSERT_NE(r->schema, nullptr) << r->group_resource();
    EXPECT_EQ(r->schema->type, Type::Object) << r->kind;
    EXPECT_NE(r->schema->property("apiVersion"), nullptr) << r->kind;
    EXPECT_NE(r->schema->property("kind"), nullptr) << r->kind;
    const Schema* meta = r->schema->property("metadata");
    ASSERT_NE(meta, nullptr) << r->kind;
    EXPECT_EQ(meta->ref_name, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") << r->kind;
  }
  for (const char* kind : {"Pod", "Service", "Node", "Namespace", "PersistentVolume",
                           "PersistentVolumeClaim"}) {
    const Schema* s = kind_schema("", "v1", kind).get();
    ASSERT_NE(s, nullptr) << kind;
    EXPECT_NE(s->property("spec"), nullptr) << kind;
    EXPECT_NE(s->property("status"), nullptr) << kind;
  }
  for (const char* kind : {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"}) {
    const Schema* s = kind_schema("apps", "v1", kind).get();
    ASSERT_NE(s, nullptr) << kind;
    EXPECT_NE(at(s, {"spec", "template", "spec", "containers"}), nullptr) << kind;
  }
  EXPECT_NE(kind_schema("autoscaling", "v1", "Scale"), nullptr);
  EXPECT_NE(kind_schema("policy", "v1", "Eviction"), nullptr);
  EXPECT_NE(builtin_schema("io.k8s.api.core.v1.PodList"), nullptr);
  EXPECT_NE(builtin_schema("io.k8s.apimachinery.pkg.apis.meta.v1.Status"), nullptr);
  EXPECT_EQ(kind_schema("", "v1", "Event")->ref_name, "io.k8s.api.core.v1.Event");
  EXPECT_EQ(kind_schema("events.k8s.io", "v1", "Event")->ref_name, "io.k8s.api.events.v1.Event");
}

TEST(BuiltinSchemas, TypesAndFormats) {
  const Schema* pod = kind_schema("", "v1", "Pod").get();
  const Schema* port = at(pod, {"spec", "containers", "[]", "ports", "[]", "containerPort"});
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(port->type, Type::Integer);
  EXPECT_EQ(port->format, "int32");
  const Schema* grace = at(pod, {"spec", "terminationGracePeriodSeconds"});
  ASSERT_NE(grace, nullptr);
  EXPECT_EQ(grace->format, "int64");
  const Schema* ts = at(pod, {"metadata", "creationTimestamp"});
  ASSERT_NE(ts, nullptr);
  EXPECT_EQ(ts->type, Type::String);
  EXPECT_EQ(ts->format, "date-time");
  const Schema* limits = at(pod, {"spec", "containers", "[]", "resources", "limits", "cpu"});
  ASSERT_NE(limits, nullptr);
  EXPECT_EQ(limits->type, Type::Quantity);
  EXPECT_EQ(at(pod, {"spec", "volumes", "[]", "emptyDir", "sizeLimit"})->type, Type::Quantity);
  EXPECT_EQ(at(pod, {"metadata", "labels", "app"})->type, Type::String);
  EXPECT_EQ(at(pod, {"spec", "nodeSelector", "disk"})->type, Type::String);
  const Schema* probe_port = at(pod, {"spec", "containers", "[]", "livenessProbe", "httpGet", "port"});
  ASSERT_NE(probe_port, nullptr);
  EXPECT_EQ(probe_port->type, Type::IntOrString);
  EXPECT_NE(std::find(at(pod, {"spec", "containers", "[]"})->required.begin(),
                      at(pod, {"spec", "containers", "[]"})->required.end(), "name"),
            at(pod, {"spec", "containers", "[]"})->required.end());

  const Schema* svc = kind_schema("", "v1", "Service").get();
  EXPECT_EQ(at(svc, {"spec", "ports", "[]", "targetPort"})->type, Type::IntOrString);
  EXPECT_EQ(at(svc, {"spec", "ports", "[]", "port"})->format, "int32");

  const Schema* secret = kind_schema("", "v1", "Secret").get();
  EXPECT_EQ(at(secret, {"data", "x"})->format, "byte");
  EXPECT_EQ(at(kind_schema("", "v1", "ConfigMap").get(), {"data", "x"})->format, "");

  const Schema* deploy = kind_schema("apps", "v1", "Deployment").get();
  EXPECT_EQ(at(deploy, {"spec", "strategy", "rollingUpdate", "maxSurge"})->type, Type::IntOrString);
  EXPECT_EQ(at(deploy, {"spec", "strategy", "rollingUpdate", "maxUnavailable"})->type,
            Type::IntOrString);
  EXPECT_EQ(at(deploy, {"spec", "replicas"})->format, "int32");

  const Schema* node = kind_schema("", "v1", "Node").get();
  EXPECT_EQ(at(node, {"status", "allocatable", "memory"})->type, Type::Quantity);
  EXPECT_EQ(at(kind_schema("coordination.k8s.io", "v1", "Lease").get(), {"spec", "renewTime"})->ref_name,
            "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime");

  const Schema* crd = kind_schema("apiextensions.k8s.io", "v1", "CustomResourceDefinition").get();
  const Schema* v3 = at(crd, {"spec", "versions", "[]", "schema", "openAPIV3Schema"});
  ASSERT_NE(v3, nullptr);
  EXPECT_EQ(v3->type, Type::Object);
  EXPECT_TRUE(v3->preserve_unknown_fields);
  EXPECT_TRUE(at(kind_schema("apps", "v1", "ControllerRevision").get(), {"data"})->preserve_unknown_fields);
  EXPECT_TRUE(at(pod, {"metadata", "managedFields", "[]", "fieldsV1"})->preserve_unknown_fields);
}

struct MergeKeyCase {
  const char* def;
  const char* field;
  const char* strategy;
  const char* key;
};

TEST(BuiltinSchemas, StrategicMergeMetadata) {
  const MergeKeyCase cases[] = {
      {"io.k8s.api.core.v1.PodSpec", "containers", "merge", "name"},
      {"io.k8s.api.core.v1.PodSpec", "initContainers", "merge", "name"},
      {"io.k8s.api.core.v1.PodSpec", "ephemeralContainers", "merge", "name"},
      {"io.k8s.api.core.v1.PodSpec", "volumes", "merge,retainKeys", "name"},
      {"io.k8s.api.core.v1.PodSpec", "imagePullSecrets", "merge", "name"},
      {"io.k8s.api.core.v1.PodSpec", "hostAliases", "merge", "ip"},
      {"io.k8s.api.core.v1.PodSpec", "topologySpreadConstraints", "merge", "topologyKey"},
      {"io.k8s.api.core.v1.Container", "ports", "merge", "containerPort"},
      {"io.k8s.api.core.v1.Container", "env", "merge", "name"},
      {"io.k8s.api.core.v1.Container", "volumeMounts", "merge", "mountPath"},
      {"io.k8s.api.core.v1.Container", "volumeDevices", "merge", "devicePath"},
      {"io.k8s.api.core.v1.ServiceSpec", "ports", "merge", "port"},
      {"io.k8s.api.core.v1.PodStatus", "conditions", "merge", "type"},
      {"io.k8s.api.core.v1.NodeStatus", "conditions", "merge", "type"},
      {"io.k8s.api.core.v1.NodeStatus", "addresses", "merge", "type"},
      {"io.k8s.api.apps.v1.DeploymentStatus", "conditions", "merge", "type"},
      {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers", "merge", ""},
      {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ownerReferences", "merge", "uid"},
      {"io.k8s.api.apps.v1.DeploymentSpec", "strategy", "retainKeys", ""},
  };
  for (const auto& c : cases) {
    const Schema* d = def(c.def);
    ASSERT_NE(d, nullptr) << c.def;
    const Schema* f = d->property(c.field);
    ASSERT_NE(f, nullptr) << c.def << "." << c.field;
    EXPECT_EQ(f->patch_strategy, c.strategy) << c.def << "." << c.field;
    EXPECT_EQ(f->patch_merge_key, c.key) << c.def << "." << c.field;
  }
  EXPECT_EQ(def("io.k8s.api.core.v1.PodSpec")->property("tolerations")->list_type, "atomic");
  EXPECT_EQ(def("io.k8s.api.core.v1.Container")->property("args")->list_type, "atomic");
  EXPECT_EQ(def("io.k8s.api.core.v1.Container")->property("command")->list_type, "atomic");
  const Schema* ports = def("io.k8s.api.core.v1.Container")->property("ports");
  EXPECT_EQ(ports->list_type, "map");
  EXPECT_EQ(ports->list_map_keys, (std::vector<std::string>{"containerPort", "protocol"}));
  // Field-level metadata must not leak into the shared definition.
  EXPECT_EQ(def("io.k8s.api.apps.v1.DeploymentStrategy")->patch_strategy, "");
}

TEST(KschemaParser, ParsesRefsMapsArraysAndAttributes) {
  auto parsed = parse_kschema({{"t.kschema",
                                "^example v1 Thing x.Thing\n"
                                "@x.Thing object -- A thing.\n"
                                "  name string required -- Its name.\n"
                                "  parts []x.Part patch=merge key=id list=map mapkeys=id\n"
                                "  tags {}string map=atomic\n"
                                "  size x.Size\n"
                                "  mode string enum=A|B default=\"A\"\n"
                                "@x.Part object\n"
                                "  id integer:int32 required\n"
                                "@x.Size quantity\n"}});
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  ASSERT_EQ(parsed->kinds.size(), 1u);
  EXPECT_EQ(parsed->kinds[0].group, "example");
  const Schema& t = *parsed->definitions.at("x.Thing");
  EXPECT_EQ(t.description, "A thing.");
  EXPECT_EQ(t.required, std::vector<std::string>{"name"});
  EXPECT_EQ(t.property("name")->description, "Its name.");
  EXPECT_EQ(t.property("parts")->items, parsed->definitions.at("x.Part"));
  EXPECT_EQ(t.property("parts")->patch_merge_key, "id");
  EXPECT_EQ(t.property("tags")->additional_properties->type, Type::String);
  EXPECT_EQ(t.property("tags")->map_type, "atomic");
  EXPECT_EQ(t.properties.at("size"), parsed->definitions.at("x.Size"));  // shared, no attrs
  EXPECT_EQ(t.property("mode")->enum_values.size(), 2u);
  EXPECT_EQ(*t.property("mode")->default_value, json("A"));
}

TEST(KschemaParser, RejectsBadInput) {
  EXPECT_FALSE(parse_kschema({{"a", "@x.A object\n  f x.Missing\n"}}).has_value());
  EXPECT_FALSE(parse_kschema({{"a", "@x.A object\n  f strin\n"}}).has_value());
  EXPECT_FALSE(parse_kschema({{"a", "@x.A object\n  f string bogus=1\n"}}).has_value());
  EXPECT_FALSE(parse_kschema({{"a", "@x.A object\n  b x.B required\n@x.B object\n  a x.A required\n"}})
                   .has_value());
  EXPECT_FALSE(parse_kschema({{"a", "  f string\n"}}).has_value());
}

}  // namespace
}  // namespace kite::api
