// CronJobController::sync_cronjob and the history clean-up (upstream syncCronJob,
// cleanupFinishedJobs, removeOldestJobs, deleteJob, getJobFromTemplate2).
#include <algorithm>
#include <cstdio>
#include <set>

#include "base/ids.h"
#include "server/controllers/cronjob/civil_time.h"
#include "server/controllers/cronjob/cronjob_controller_impl.h"
#include "server/controllers/cronjob/schedule_times.h"

namespace kite::controllers::cronjob {

namespace {

constexpr const char* kScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

// "Complete" or "Failed" when the Job has that condition True, else "".
std::string finished_type(const json& job) {
  const json::json_pointer p("/status/conditions");
  if (!job.contains(p) || !job.at(p).is_array()) return "";
  for (const auto& c : job.at(p)) {
    std::string type = c.value("type", "");
    if ((type == "Complete" || type == "Failed") && c.value("status", "") == "True") return type;
  }
  return "";
}

std::string meta(const json& obj, const char* field) {
  const json m = obj.value("metadata", json::object());
  return m.contains(field) && m[field].is_string() ? m[field].get<std::string>() : "";
}

json& active_list(json& cj) {
  json& status = cj["status"];
  if (!status.is_object()) status = json::object();
  json& active = status["active"];
  if (!active.is_array()) active = json::array();
  return active;
}

bool in_active_list(json& cj, const std::string& uid) {
  for (const auto& ref : active_list(cj))
    if (ref.value("uid", "") == uid) return true;
  return false;
}

bool in_active_list_by_name(json& cj, const std::string& ns, const std::string& name) {
  for (const auto& ref : active_list(cj))
    if (ref.value("name", "") == name && ref.value("namespace", "") == ns) return true;
  return false;
}

void delete_from_active_list(json& cj, const std::string& uid) {
  json kept = json::array();
  for (const auto& ref : active_list(cj))
    if (ref.value("uid", "") != uid) kept.push_back(ref);
  cj["status"]["active"] = kept;
}

// The status as written: an empty active list is omitted.
void tidy_status(json& cj) {
  if (cj.contains("status") && cj["status"].is_object() && cj["status"].contains("active") &&
      (!cj["status"]["active"].is_array() || cj["status"]["active"].empty()))
    cj["status"].erase("active");
}

std::string rfc1123z_utc(time_point t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  int64_t days = floor_div(secs, 86400), sod = floor_mod(secs, 86400);
  CivilDate d = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02lld:%02lld:%02lld +0000", kDays[weekday_from_days(days)], d.day,
                kMonths[d.month - 1], static_cast<long long>(d.year), static_cast<long long>(sod / 3600),
                static_cast<long long>(sod / 60 % 60), static_cast<long long>(sod % 60));
  return buf;
}

json job_from_template(const json& cj, time_point scheduled, const TimeZone& annotation_zone) {
  const json tmpl = cj.value("spec", json::object()).value("jobTemplate", json::object());
  const json tmeta = tmpl.value("metadata", json::object());
  json job = {{"apiVersion", "batch/v1"}, {"kind", "Job"}};
  json& m = job["metadata"];
  m["name"] = job_name_for(meta(cj, "name"), scheduled);
  m["namespace"] = meta(cj, "namespace");
  if (tmeta.contains("labels") && tmeta["labels"].is_object() && !tmeta["labels"].empty()) m["labels"] = tmeta["labels"];
  json annotations = tmeta.contains("annotations") && tmeta["annotations"].is_object() ? tmeta["annotations"] : json::object();
  annotations[kScheduledTimestampAnnotation] = rfc3339_in_zone(scheduled, annotation_zone);
  m["annotations"] = annotations;
  m["creationTimestamp"] = base::rfc3339(scheduled);
  m["ownerReferences"] = json::array({{{"apiVersion", "batch/v1"},
                                       {"kind", "CronJob"},
                                       {"name", meta(cj, "name")},
                                       {"uid", meta(cj, "uid")},
                                       {"controller", true},
                                       {"blockOwnerDeletion", true}}});
  job["spec"] = tmpl.value("spec", json::object());
  return job;
}

bool controlled_by(const json& job, const json& cj) {
  const json::json_pointer p("/metadata/ownerReferences");
  if (!job.contains(p) || !job.at(p).is_array()) return false;
  for (const auto& ref : job.at(p))
    if (ref.value("controller", false) && ref.value("uid", "") == meta(cj, "uid")) return true;
  return false;
}

}  // namespace

bool CronJobController::delete_job(json& cj, const json& job) {
  client::DeleteOptions opts;
  opts.propagation_policy = "Background";
  auto r = ctx_.client.remove(client::resources::kJobs, meta(job, "namespace"), meta(job, "name"), opts);
  if (!r && r.error().reason() != base::Reason::NotFound) {
    event(cj, "Warning", "FailedDelete", "Deleted job: " + r.error().message());
    return false;
  }
  delete_from_active_list(cj, meta(job, "uid"));
  event(cj, "Normal", "SuccessfulDelete", "Deleted job " + meta(job, "name"));
  return true;
}

bool CronJobController::remove_oldest_jobs(json& cj, std::vector<client::ObjectPtr> jobs, int64_t keep) {
  int64_t to_delete = static_cast<int64_t>(jobs.size()) - keep;
  if (to_delete <= 0) return false;
  std::stable_sort(jobs.begin(), jobs.end(), [](const client::ObjectPtr& a, const client::ObjectPtr& b) {
    auto sa = read_time(*a, json::json_pointer("/status/startTime"));
    auto sb = read_time(*b, json::json_pointer("/status/startTime"));
    if (!sa && sb) return false;
    if (sa && !sb) return true;
    if (sa == sb) return meta(*a, "name") < meta(*b, "name");
    return *sa < *sb;
  });
  bool updated = false;
  for (int64_t i = 0; i < to_delete; ++i)
    if (delete_job(cj, *jobs[i])) updated = true;
  return updated;
}

bool CronJobController::cleanup_finished_jobs(json& cj, const std::vector<client::ObjectPtr>& jobs) {
  const json spec = cj.value("spec", json::object());
  const bool has_success_limit = spec.contains("successfulJobsHistoryLimit") && spec["successfulJobsHistoryLimit"].is_number_integer();
  const bool has_failed_limit = spec.contains("failedJobsHistoryLimit") && spec["failedJobsHistoryLimit"].is_number_integer();
  if (!has_success_limit && !has_failed_limit) return false;
  std::vector<client::ObjectPtr> succeeded, failed;
  for (const auto& j : jobs) {
    std::string type = finished_type(*j);
    if (type == "Complete") succeeded.push_back(j);
    if (type == "Failed") failed.push_back(j);
  }
  bool updated = false;
  if (has_success_limit && remove_oldest_jobs(cj, succeeded, spec["successfulJobsHistoryLimit"].get<int64_t>())) updated = true;
  if (has_failed_limit && remove_oldest_jobs(cj, failed, spec["failedJobsHistoryLimit"].get<int64_t>())) updated = true;
  return updated;
}

CronJobController::SyncResult CronJobController::sync_cronjob(json& cj, const std::vector<client::ObjectPtr>& jobs) {
  SyncResult out;
  const time_point now = ctx_.clock.now();
  const std::string ns = meta(cj, "namespace");
  std::set<std::string> children;
  for (const auto& jp : jobs) {
    const json& j = *jp;
    const std::string uid = meta(j, "uid");
    children.insert(uid);
    const bool found = in_active_list(cj, uid);
    const std::string finished = finished_type(j);
    if (!found && finished.empty()) {
      auto fresh = ctx_.client.get(client::resources::kCronJobs, ns, meta(cj, "name"));
      if (!fresh) {
        out.error = fresh.error();
        return out;
      }
      if (in_active_list(*fresh, uid)) {
        cj = *fresh;
        continue;
      }
      event(cj, "Warning", "UnexpectedJob", "Saw a job that the controller did not create or forgot: " + meta(j, "name"));
    } else if (!finished.empty()) {
      if (found) {
        delete_from_active_list(cj, uid);
        event(cj, "Normal", "SawCompletedJob", "Saw completed job: " + meta(j, "name") + ", condition: " + finished);
        out.update_status = true;
      }
      if (finished == "Complete") {
        auto completion = read_time(j, json::json_pointer("/status/completionTime"));
        auto last = read_time(cj, json::json_pointer("/status/lastSuccessfulTime"));
        if (completion && (!last || *completion > *last)) {
          cj["status"]["lastSuccessfulTime"] = j["status"]["completionTime"];
          out.update_status = true;
        }
      }
    }
  }
  // Active Jobs that vanished.
  for (const auto& ref : json(active_list(cj))) {
    const std::string uid = ref.value("uid", "");
    if (children.count(uid)) continue;
    auto live = ctx_.client.get(client::resources::kJobs, ref.value("namespace", ""), ref.value("name", ""));
    if (!live && live.error().reason() == base::Reason::NotFound) {
      event(cj, "Normal", "MissingJob", "Active job went missing: " + ref.value("name", ""));
      delete_from_active_list(cj, uid);
      out.update_status = true;
    } else if (!live) {
      out.error = live.error();
      tidy_status(cj);
      return out;
    }
  }
  tidy_status(cj);

  if (cj["metadata"].contains("deletionTimestamp") && !cj["metadata"]["deletionTimestamp"].is_null()) return out;

  const json spec = cj.value("spec", json::object());
  std::shared_ptr<const TimeZone> annotation_zone = TimeZone::utc();
  if (spec.contains("timeZone") && spec["timeZone"].is_string()) {
    const std::string tz = spec["timeZone"].get<std::string>();
    auto zone = TimeZone::load(tz);
    if (!zone) {
      event(cj, "Warning", "UnknownTimeZone", "invalid timeZone: \"" + tz + "\": " + zone.error().message());
      return out;
    }
    annotation_zone = *zone;
  }
  if (spec.value("suspend", false)) return out;

  const std::string schedule_text = spec.contains("schedule") && spec["schedule"].is_string() ? spec["schedule"].get<std::string>() : "";
  auto schedule = CronSchedule::parse(format_schedule(cj, true), default_zone_);
  if (!schedule) {
    event(cj, "Warning", "UnparseableSchedule", "unparseable schedule: \"" + schedule_text + "\" : " + schedule.error().message());
    return out;
  }
  auto recent = most_recent_schedule_time(cj, now, *schedule, true);
  std::optional<time_point> scheduled;
  if (recent.most_recent && *recent.most_recent <= now) {
    if (recent.missed == MissedSchedules::kMany)
      event(cj, "Warning", "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    scheduled = recent.most_recent;
  }
  if (recent.error) {
    event(cj, "Warning", "InvalidSchedule", "invalid schedule: " + schedule_text + " : " + *recent.error);
    return out;
  }
  if (!scheduled) {
    out.requeue_after = next_schedule_delay(cj, now, *schedule);
    return out;
  }
  if (spec.contains("startingDeadlineSeconds") && spec["startingDeadlineSeconds"].is_number_integer() &&
      *scheduled + std::chrono::seconds(spec["startingDeadlineSeconds"].get<int64_t>()) < now) {
    event(cj, "Warning", "MissSchedule", "Missed scheduled time to start a job: " + rfc1123z_utc(*scheduled));
    out.requeue_after = next_schedule_delay(cj, now, *schedule);
    return out;
  }
  const std::string job_name = job_name_for(meta(cj, "name"), *scheduled);
  auto last = read_time(cj, json::json_pointer("/status/lastScheduleTime"));
  if (in_active_list_by_name(cj, ns, job_name) || (last && *last == *scheduled)) {
    tidy_status(cj);
    out.requeue_after = next_schedule_delay(cj, now, *schedule);
    return out;
  }
  const std::string policy = spec.value("concurrencyPolicy", "Allow");
  if (policy == "Forbid" && !active_list(cj).empty()) {
    event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
    out.requeue_after = next_schedule_delay(cj, now, *schedule);
    return out;
  }
  tidy_status(cj);
  if (policy == "Replace") {
    for (const auto& ref : json(active_list(cj))) {
      auto job = ctx_.client.get(client::resources::kJobs, ref.value("namespace", ""), ref.value("name", ""));
      if (!job) {
        event(cj, "Warning", "FailedGet", "Get job: " + job.error().message());
        out.error = job.error();
        tidy_status(cj);
        return out;
      }
      if (!delete_job(cj, *job)) {
        out.error = base::Status(base::Reason::InternalError,
                                 "could not replace job " + ref.value("namespace", "") + "/" + ref.value("name", ""));
        tidy_status(cj);
        return out;
      }
      out.update_status = true;
    }
    tidy_status(cj);
  }

  json request = job_from_template(cj, *scheduled, *annotation_zone);
  auto created = ctx_.client.create(client::resources::kJobs, ns, request);
  json job;
  if (!created && created.error().reason() == base::Reason::AlreadyExists) {
    auto existing = ctx_.client.get(client::resources::kJobs, ns, job_name);
    if (!existing) {
      out.error = existing.error();
      return out;
    }
    if (!controlled_by(*existing, cj) || in_active_list(cj, meta(*existing, "uid"))) {
      tidy_status(cj);
      return out;
    }
    tidy_status(cj);
    job = *existing;
  } else if (!created) {
    event(cj, "Warning", "FailedCreate", "Error creating job: " + created.error().message());
    out.error = created.error();
    return out;
  } else {
    job = *created;
    event(cj, "Normal", "SuccessfulCreate", "Created job " + meta(job, "name"));
  }
  active_list(cj).push_back({{"kind", "Job"},
                             {"namespace", meta(job, "namespace")},
                             {"name", meta(job, "name")},
                             {"uid", meta(job, "uid")},
                             {"apiVersion", "batch/v1"},
                             {"resourceVersion", meta(job, "resourceVersion")}});
  cj["status"]["lastScheduleTime"] = base::rfc3339(*scheduled);
  out.update_status = true;
  out.requeue_after = next_schedule_delay(cj, now, *schedule);
  return out;
}

}  // namespace kite::controllers::cronjob
