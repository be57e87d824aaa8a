// The per-kind defaulting functions of api/defaults/, and their shared helper. Internal.
#pragma once

#include <string>

#include "api/resource.h"

namespace kite::api::defaults {

// obj[key] = value when obj is an object and key is absent or null.
void set_default(json& obj, const char* key, json value);
// obj[key] as an object (created when absent or null); obj must be an object.
json& child_object(json& obj, const char* key);

// PodSpec defaults shared by Pods and pod templates.
void default_pod_spec(json& spec);
// Defaults only a Pod gets (enableServiceLinks, host ports, requests from limits) + pod spec.
void default_pod(json& pod);
// A PodTemplateSpec: its spec gets default_pod_spec.
void default_pod_template(json& tmpl);

void default_workload(const std::string& kind, json& obj);
void default_service(json& obj);
// Everything else (Secret, PVC, PV, Namespace, Node, NetworkPolicy, RBAC, ...).
void default_other(const ResourceInfo& info, json& obj);

}  // namespace kite::api::defaults
