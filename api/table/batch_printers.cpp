// batch/v1 printers: jobs (STATUS, COMPLETIONS, DURATION) and cronjobs.
#include "api/table/format.h"
#include "api/table/printer.h"

namespace kite::api::table {

namespace {

std::string name_of(const json& obj) { return str(obj, {"metadata", "name"}); }

// The status of the first condition of `type`; true only when it is "True".
bool job_condition(const json& job, std::string_view type) {
  for (const json& c : array(job, {"status", "conditions"})) {
    if (str(c, {"type"}) == type) return str(c, {"status"}) == "True";
  }
  return false;
}

std::string job_completions(const json& job) {
  int64_t succeeded = num(job, {"status", "succeeded"});
  if (has(job, {"spec", "completions"})) {
    return std::to_string(succeeded) + "/" + std::to_string(num(job, {"spec", "completions"}));
  }
  int64_t parallelism = num(job, {"spec", "parallelism"});
  if (parallelism > 1) {
    return std::to_string(succeeded) + "/1 of " + std::to_string(parallelism);
  }
  return std::to_string(succeeded) + "/1";
}

std::string job_duration(const json& job, TimePoint now) {
  auto start = parse_time(str(job, {"status", "startTime"}));
  if (!start) return "";
  auto end = parse_time(str(job, {"status", "completionTime"}));
  return human_duration((end ? *end : now) - *start);
}

std::string job_status(const json& job) {
  if (job_condition(job, "Complete")) return "Complete";
  if (job_condition(job, "Failed")) return "Failed";
  if (has(job, {"metadata", "deletionTimestamp"})) return "Terminating";
  if (job_condition(job, "Suspended")) return "Suspended";
  if (job_condition(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

json job_cells(const json& job, TimePoint now) {
  auto [names, images] = container_cells(array(job, {"spec", "template", "spec", "containers"}));
  return json::array({name_of(job), job_status(job), job_completions(job), job_duration(job, now),
                      age(job, now), names, images,
                      format_label_selector(field(job, {"spec", "selector"}))});
}

json cronjob_cells(const json& cj, TimePoint now) {
  std::string last = "<none>";
  if (has(cj, {"status", "lastScheduleTime"})) last = since(cj, {"status", "lastScheduleTime"}, now);
  std::string suspend = "<unset>";
  if (const json* s = field(cj, {"spec", "suspend"}); s && s->is_boolean()) {
    suspend = s->get<bool>() ? "True" : "False";
  }
  auto [names, images] = container_cells(
      array(cj, {"spec", "jobTemplate", "spec", "template", "spec", "containers"}));
  return json::array({name_of(cj), str(cj, {"spec", "schedule"}),
                      str(cj, {"spec", "timeZone"}, "<none>"), suspend,
                      static_cast<int64_t>(array(cj, {"status", "active"}).size()), last,
                      age(cj, now), names, images,
                      format_label_selector(field(cj, {"spec", "jobTemplate", "spec", "selector"}))});
}

}  // namespace

void add_batch_printers(PrinterMap& m) {
  m["batch/jobs"] = Printer{
      {name_column(), column("Status", "string", "Summary of the job's conditions."),
       column("Completions", "string", "Succeeded pods out of required completions."),
       column("Duration", "string", "Time the job ran (or has been running)."), age_column(),
       containers_column(), images_column(),
       wide("Selector", "string", "Label selector of the job's pods.")},
      job_cells, nullptr};

  m["batch/cronjobs"] = Printer{
      {name_column(), column("Schedule", "string", "The cron schedule."),
       column("Timezone", "string", "Time zone of the schedule."),
       column("Suspend", "boolean", "Whether new runs are suspended."),
       column("Active", "integer", "Number of running jobs."),
       column("Last Schedule", "string", "Time since a job was last scheduled."), age_column(),
       containers_column(), images_column(),
       wide("Selector", "string", "Label selector of the job template.")},
      cronjob_cells, nullptr};
}

}  // namespace kite::api::table
