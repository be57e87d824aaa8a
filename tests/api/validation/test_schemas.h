// Hand-built schemas and ResourceInfos for the api/validation, api/defaults and api/openapi
// tests, so they do not depend on the built-in schemas in api/schemas/.
#pragma once

#include <memory>

#include "api/resource.h"
#include "api/schema.h"

namespace kite::api::testing {

inline std::shared_ptr<Schema> node(Schema::Type t, std::string ref = "") {
  auto s = std::make_shared<Schema>();
  s->type = t;
  s->ref_name = std::move(ref);
  return s;
}
inline SchemaPtr str_s() { return node(Schema::Type::String); }
inline SchemaPtr int_s() {
  auto s = node(Schema::Type::Integer);
  s->format = "int32";
  return s;
}
inline SchemaPtr bool_s() { return node(Schema::Type::Boolean); }
inline SchemaPtr map_of(SchemaPtr v) {
  auto s = node(Schema::Type::Object);
  s->additional_properties = std::move(v);
  return s;
}
inline std::shared_ptr<Schema> array_of(SchemaPtr items, std::string merge_key = "") {
  auto s = node(Schema::Type::Array);
  s->items = std::move(items);
  if (!merge_key.empty()) {
    s->patch_strategy = "merge";
    s->patch_merge_key = std::move(merge_key);
  }
  return s;
}

inline SchemaPtr object_meta() {
  auto m = node(Schema::Type::Object, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  m->description = "Standard object's metadata.";
  for (const char* k : {"name", "generateName", "namespace", "uid", "resourceVersion",
                        "creationTimestamp"})
    m->properties[k] = str_s();
  m->properties["labels"] = map_of(str_s());
  m->properties["annotations"] = map_of(str_s());
  m->properties["finalizers"] = array_of(str_s());
  return m;
}

inline SchemaPtr container() {
  auto c = node(Schema::Type::Object, "io.k8s.api.core.v1.Container");
  c->description = "A single application container that you want to run within a pod.";
  c->required = {"name"};
  c->properties["name"] = str_s();
  c->properties["image"] = str_s();
  auto policy = node(Schema::Type::String);
  policy->enum_values = {"Always", "IfNotPresent", "Never"};
  c->properties["imagePullPolicy"] = policy;
  auto port = node(Schema::Type::Object, "io.k8s.api.core.v1.ContainerPort");
  port->properties["containerPort"] = int_s();
  port->properties["name"] = str_s();
  port->properties["protocol"] = str_s();
  port->required = {"containerPort"};
  c->properties["ports"] = array_of(port, "containerPort");
  auto probe = node(Schema::Type::Object, "io.k8s.api.core.v1.Probe");
  auto http = node(Schema::Type::Object, "io.k8s.api.core.v1.HTTPGetAction");
  http->properties["path"] = str_s();
  http->properties["port"] = node(Schema::Type::IntOrString, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  http->properties["scheme"] = str_s();
  probe->properties["httpGet"] = http;
  for (const char* k : {"timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold",
                        "initialDelaySeconds"})
    probe->properties[k] = int_s();
  c->properties["livenessProbe"] = probe;
  c->properties["readinessProbe"] = probe;
  auto res = node(Schema::Type::Object, "io.k8s.api.core.v1.ResourceRequirements");
  res->properties["limits"] = map_of(node(Schema::Type::Quantity, "io.k8s.apimachinery.pkg.api.resource.Quantity"));
  res->properties["requests"] = map_of(node(Schema::Type::Quantity, "io.k8s.apimachinery.pkg.api.resource.Quantity"));
  c->properties["resources"] = res;
  for (const char* k : {"terminationMessagePath", "terminationMessagePolicy"}) c->properties[k] = str_s();
  return c;
}

inline SchemaPtr pod_spec() {
  auto s = node(Schema::Type::Object, "io.k8s.api.core.v1.PodSpec");
  s->description = "PodSpec is a description of a pod.";
  s->required = {"containers"};
  s->properties["containers"] = array_of(container(), "name");
  s->properties["initContainers"] = array_of(container(), "name");
  for (const char* k : {"restartPolicy", "dnsPolicy", "schedulerName", "nodeName",
                        "serviceAccountName"})
    s->properties[k] = str_s();
  s->properties["terminationGracePeriodSeconds"] = int_s();
  s->properties["enableServiceLinks"] = bool_s();
  s->properties["securityContext"] = node(Schema::Type::Object, "io.k8s.api.core.v1.PodSecurityContext");
  return s;
}

inline SchemaPtr pod() {
  auto s = node(Schema::Type::Object, "io.k8s.api.core.v1.Pod");
  s->description = "Pod is a collection of containers that can run on a host.";
  s->properties["apiVersion"] = str_s();
  s->properties["kind"] = str_s();
  s->properties["metadata"] = object_meta();
  s->properties["spec"] = pod_spec();
  s->properties["status"] = node(Schema::Type::Object, "io.k8s.api.core.v1.PodStatus");
  return s;
}

inline SchemaPtr deployment() {
  auto tmpl = node(Schema::Type::Object, "io.k8s.api.core.v1.PodTemplateSpec");
  tmpl->properties["metadata"] = object_meta();
  tmpl->properties["spec"] = pod_spec();
  auto sel = node(Schema::Type::Object, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector");
  sel->properties["matchLabels"] = map_of(str_s());
  auto spec = node(Schema::Type::Object, "io.k8s.api.apps.v1.DeploymentSpec");
  spec->properties["replicas"] = int_s();
  spec->properties["selector"] = sel;
  spec->properties["template"] = tmpl;
  spec->properties["revisionHistoryLimit"] = int_s();
  spec->properties["progressDeadlineSeconds"] = int_s();
  spec->properties["strategy"] = node(Schema::Type::Any);
  auto d = node(Schema::Type::Object, "io.k8s.api.apps.v1.Deployment");
  d->description = "Deployment enables declarative updates for Pods and ReplicaSets.";
  d->properties["apiVersion"] = str_s();
  d->properties["kind"] = str_s();
  d->properties["metadata"] = object_meta();
  d->properties["spec"] = spec;
  return d;
}

inline std::shared_ptr<ResourceInfo> info(std::string group, std::string version, std::string kind,
                                          std::string plural, bool namespaced, SchemaPtr schema) {
  auto i = std::make_shared<ResourceInfo>();
  i->group = std::move(group);
  i->version = std::move(version);
  i->kind = std::move(kind);
  i->list_kind = i->kind + "List";
  i->plural = std::move(plural);
  i->namespaced = namespaced;
  i->verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  i->schema = std::move(schema);
  return i;
}

inline std::shared_ptr<ResourceInfo> pod_info() { return info("", "v1", "Pod", "pods", true, pod()); }
inline std::shared_ptr<ResourceInfo> deployment_info() {
  return info("apps", "v1", "Deployment", "deployments", true, deployment());
}

}  // namespace kite::api::testing
