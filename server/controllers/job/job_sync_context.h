// The state one JobController sync pass works on (upstream syncJobCtx). Private to the job
// controller's .cpp files.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/informer.h"
#include "server/controllers/job/completed_indexes.h"
#include "server/controllers/job/job_controller_impl.h"
#include "server/controllers/job/job_expectations.h"

namespace kite::controllers::job {

struct JobController::SyncContext {
  std::string key;
  json job;              // working copy; status is edited in place
  json original_status;  // status as last read or written
  time_point now;
  std::vector<client::ObjectPtr> pods;         // pods this Job controls
  std::vector<client::ObjectPtr> active_pods;  // not terminal, not deleting
  std::set<std::string> uncounted_succeeded, uncounted_failed;
  std::set<std::string> expected_rm;  // finalizer removals not yet seen by the informer
  std::vector<client::ObjectPtr> new_succeeded, new_failed;
  std::optional<Condition> finished;  // the condition the Job is heading to
  bool indexed = false;
  std::optional<int> completions;
  int parallelism = 1;
  int succeeded = 0, failed = 0, terminating = 0;
  CompletedIndexes prev_indexes, succeeded_indexes;
  BackoffRecord backoff;
};

}  // namespace kite::controllers::job
