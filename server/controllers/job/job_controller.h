// The Job controller (batch/v1 Jobs), as kube-controller-manager's job controller in 1.32.
//
// For every Job it creates pods from spec.template (generateName "<job>-", labels/annotations
// of the template, controller ownerReference, finalizer batch.kubernetes.io/job-tracking) until
// min(parallelism, completions - succeeded) are active; Indexed Jobs get one pod per pending
// index with the completion index annotation + label, env JOB_COMPLETION_INDEX (a fieldRef to
// that label) and hostname "<job>-<index>", and status.completedIndexes.
// Terminated pods are counted with the finalizer protocol: their uids go to
// status.uncountedTerminatedPods first, then the finalizer is removed, then they move to
// status.succeeded/failed. Failed pods beyond backoffLimit (or container restarts beyond it
// for restartPolicy OnFailure) fail the Job with reason BackoffLimitExceeded,
// activeDeadlineSeconds with DeadlineExceeded, a podFailurePolicy FailJob rule with
// PodFailurePolicy (Ignore rules do not count a failure). Finishing goes through the interim
// conditions SuccessCriteriaMet / FailureTarget, then Complete (with completionTime) or Failed
// once no pod is uncounted or terminating; active pods of a failing Job are deleted.
// Replacement pods after failures wait 10 s * 2^(failures-1) (max 6 min). spec.suspend
// deletes active pods and sets the Suspended condition; resuming resets startTime.
// status.active/ready/terminating/startTime are kept current. Pods whose Job is gone or
// finished lose the tracking finalizer.
//
// Threads: informer handlers enqueue and record expectations; `workers` threads sync Jobs.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_job_controller(ControllerContext& ctx);

}  // namespace kite::controllers
