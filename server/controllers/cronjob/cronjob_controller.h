// The CronJob controller (batch/v1 CronJobs), as kube-controller-manager's cronjob controller
// (v2) in 1.32.
//
// Each sync of a CronJob: deletes the oldest finished Jobs beyond successfulJobsHistoryLimit /
// failedJobsHistoryLimit (Background propagation); keeps status.active in step with its Jobs
// (finished or vanished ones leave it, status.lastSuccessfulTime follows the newest completion);
// then, unless suspended or being deleted, finds the latest scheduled time that is due (after
// status.lastScheduleTime or creation, and within startingDeadlineSeconds), and starts a Job
// for it: named "<cronjob>-<scheduled time in minutes since the epoch>", the jobTemplate's
// labels/annotations plus batch.kubernetes.io/cronjob-scheduled-timestamp (RFC 3339 in the
// CronJob's time zone), a controller ownerReference, and the jobTemplate's spec. Forbid skips a
// run while a Job is active; Replace deletes the active Jobs first; Allow runs them side by
// side. More than 100 missed times raise a TooManyMissedTimes warning; a run missed by more
// than startingDeadlineSeconds a MissSchedule warning. The CronJob is requeued for its next
// scheduled time (+100 ms) computed from the controller's clock.
//
// The schedule (cron_schedule.h) is read in spec.timeZone (from the system tz database), or
// in the controller's local zone when unset; a schedule carrying TZ=/CRON_TZ= is honoured with
// an UnsupportedSchedule warning, an unknown timeZone gives an UnknownTimeZone warning and an
// unparseable schedule UnparseableSchedule; neither is retried until the CronJob changes.
//
// Threads: informer handlers enqueue; `workers` threads sync CronJobs.
#pragma once

#include <memory>

#include "server/controllers/framework/controller.h"

namespace kite::controllers {

std::unique_ptr<Controller> make_cronjob_controller(ControllerContext& ctx);

}  // namespace kite::controllers
