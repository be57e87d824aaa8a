// Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job and CronJob
// defaults (apps/v1 and batch/v1 defaulting).
#include "api/defaults/kind_defaults.h"

namespace kite::api::defaults {
namespace {

void default_template_of(json& spec) {
  if (auto it = spec.find("template"); it != spec.end()) default_pod_template(*it);
}

void default_job_spec(json& spec) {
  if (!spec.contains("completions") && !spec.contains("parallelism")) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  set_default(spec, "parallelism", 1);
  if (spec.contains("backoffLimitPerIndex") && !spec["backoffLimitPerIndex"].is_null())
    set_default(spec, "backoffLimit", 2147483647);
  else
    set_default(spec, "backoffLimit", 6);
  set_default(spec, "completionMode", "NonIndexed");
  set_default(spec, "suspend", false);
  bool failure_policy = spec.contains("podFailurePolicy") && !spec["podFailurePolicy"].is_null();
  set_default(spec, "podReplacementPolicy", failure_policy ? "Failed" : "TerminatingOrFailed");
  if (failure_policy && spec["podFailurePolicy"].contains("rules") && spec["podFailurePolicy"]["rules"].is_array())
    for (auto& rule : spec["podFailurePolicy"]["rules"])
      if (rule.contains("onPodConditions") && rule["onPodConditions"].is_array())
        for (auto& c : rule["onPodConditions"]) set_default(c, "status", "True");
  default_template_of(spec);
}

}  // namespace

void default_workload(const std::string& kind, json& obj) {
  if (!obj.is_object()) return;
  json& spec = child_object(obj, "spec");
  if (!spec.is_object()) return;
  if (kind == "Deployment") {
    set_default(spec, "replicas", 1);
    json& strategy = child_object(spec, "strategy");
    set_default(strategy, "type", "RollingUpdate");
    if (strategy["type"] == "RollingUpdate") {
      json& ru = child_object(strategy, "rollingUpdate");
      set_default(ru, "maxUnavailable", "25%");
      set_default(ru, "maxSurge", "25%");
    }
    set_default(spec, "revisionHistoryLimit", 10);
    set_default(spec, "progressDeadlineSeconds", 600);
    default_template_of(spec);
  } else if (kind == "ReplicaSet") {
    set_default(spec, "replicas", 1);
    default_template_of(spec);
  } else if (kind == "ReplicationController") {
    set_default(spec, "replicas", 1);
    if (spec.contains("template") && spec["template"].is_object()) {
      const json& tmpl = spec["template"];
      if (tmpl.contains("metadata") && tmpl["metadata"].contains("labels")) {
        const json& labels = tmpl["metadata"]["labels"];
        set_default(spec, "selector", labels);
        set_default(child_object(obj, "metadata"), "labels", labels);
      }
    }
    default_template_of(spec);
  } else if (kind == "StatefulSet") {
    set_default(spec, "replicas", 1);
    set_default(spec, "podManagementPolicy", "OrderedReady");
    json& us = child_object(spec, "updateStrategy");
    set_default(us, "type", "RollingUpdate");
    if (us["type"] == "RollingUpdate") set_default(child_object(us, "rollingUpdate"), "partition", 0);
    set_default(spec, "revisionHistoryLimit", 10);
    json& retention = child_object(spec, "persistentVolumeClaimRetentionPolicy");
    set_default(retention, "whenDeleted", "Retain");
    set_default(retention, "whenScaled", "Retain");
    if (auto vct = spec.find("volumeClaimTemplates"); vct != spec.end() && vct->is_array())
      for (auto& pvc : *vct)
        if (pvc.is_object()) set_default(child_object(pvc, "spec"), "volumeMode", "Filesystem");
    default_template_of(spec);
  } else if (kind == "DaemonSet") {
    json& us = child_object(spec, "updateStrategy");
    set_default(us, "type", "RollingUpdate");
    if (us["type"] == "RollingUpdate") {
      json& ru = child_object(us, "rollingUpdate");
      set_default(ru, "maxUnavailable", 1);
      set_default(ru, "maxSurge", 0);
    }
    set_default(spec, "revisionHistoryLimit", 10);
    default_template_of(spec);
  } else if (kind == "Job") {
    default_job_spec(spec);
    json& meta = child_object(obj, "metadata");
    bool no_labels = !meta.contains("labels") || meta["labels"].is_null() || meta["labels"].empty();
    if (no_labels && spec.contains("template") && spec["template"].contains("metadata") &&
        spec["template"]["metadata"].contains("labels"))
      meta["labels"] = spec["template"]["metadata"]["labels"];
  } else if (kind == "CronJob") {
    set_default(spec, "concurrencyPolicy", "Allow");
    set_default(spec, "suspend", false);
    set_default(spec, "successfulJobsHistoryLimit", 3);
    set_default(spec, "failedJobsHistoryLimit", 1);
    if (auto jt = spec.find("jobTemplate"); jt != spec.end() && jt->is_object())
      if (auto js = jt->find("spec"); js != jt->end() && js->is_object()) default_template_of(*js);
  }
}

}  // namespace kite::api::defaults
