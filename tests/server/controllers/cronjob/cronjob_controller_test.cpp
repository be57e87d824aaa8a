// The CronJob controller on a FakeClient with a ManualClock: Jobs start at the scheduled
// minute, concurrency policies, history limits, suspend, starting deadline and time zones.
#include "server/controllers/cronjob/cronjob_controller_impl.h"
#include "server/controllers/cronjob/schedule_times.h"

#include <algorithm>

#include "../job/job_test_env.h"

namespace kite::controllers::cronjob {
namespace {

using namespace kite::controllers::testing;
using client::resources::kCronJobs;
using std::chrono::milliseconds;

class CronJobControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctrl = std::make_unique<CronJobController>(env.ctx, 0, TimeZone::utc());
    ctrl->start();
    env.start();
  }
  void TearDown() override { ctrl->stop(); }

  void seed_cronjob(json spec_extra = json::object()) {
    json cj = {{"apiVersion", "batch/v1"},
               {"kind", "CronJob"},
               {"metadata", {{"name", "c"}, {"namespace", "default"}, {"uid", "cj-uid"}, {"creationTimestamp", "2026-11-22T10:00:30Z"}}},
               {"spec",
                {{"schedule", "*/5 * * * *"},
                 {"concurrencyPolicy", "Allow"},
                 {"suspend", false},
                 {"successfulJobsHistoryLimit", 3},
                 {"failedJobsHistoryLimit", 1},
                 {"jobTemplate",
                  {{"metadata", {{"labels", {{"app", "c"}}}, {"annotations", {{"note", "x"}}}}},
                   {"spec",
                    {{"template",
                      {{"spec",
                        {{"restartPolicy", "Never"},
                         {"containers", json::array({{{"name", "main"}, {"image", "busybox"}}})}}}}}}}}}}}};
    cj["spec"].merge_patch(spec_extra);
    env.fake.seed(kCronJobs, cj);
  }

  void sync() {
    env.settle({kCronJobs, client::resources::kJobs});
    auto r = ctrl->sync_now("default/c");
    ASSERT_TRUE(r.has_value()) << r.error().message();
    env.settle({kCronJobs, client::resources::kJobs});
  }
  void sync_at(const std::string& t) {
    env.clock.set(at(t));
    sync();
  }
  std::vector<std::string> job_names() {
    std::vector<std::string> out;
    for (const auto& j : env.fake.objects(client::resources::kJobs))
      if (!j["metadata"].contains("deletionTimestamp")) out.push_back(j["metadata"]["name"]);
    std::sort(out.begin(), out.end());
    return out;
  }
  json cronjob() { return env.get(kCronJobs, "c"); }
  long long requeue_ms() {
    auto d = ctrl->last_requeue_after("default/c");
    return d ? std::chrono::duration_cast<milliseconds>(*d).count() : -1;
  }
  bool has_event(const std::string& reason) {
    ctrl->flush_events();
    for (const auto& e : env.fake.objects(client::resources::kEvents))
      if (e.value("reason", "") == reason) return true;
    return false;
  }
  void finish_job(const std::string& name, const std::string& type, const std::string& when) {
    json j = env.get(client::resources::kJobs, name);
    j["status"]["conditions"] = json::array({{{"type", type}, {"status", "True"}, {"lastTransitionTime", when}}});
    if (type == "Complete") j["status"]["completionTime"] = when;
    ASSERT_TRUE(env.fake.update(client::resources::kJobs, j, "status").has_value());
  }
  static std::string job_at(const std::string& t) { return job_name_for("c", at(t)); }

  ControllerEnv env;
  std::unique_ptr<CronJobController> ctrl;
};

TEST_F(CronJobControllerTest, StartsAJobAtTheScheduledMinute) {
  seed_cronjob();
  sync_at("2026-11-22T10:04:00Z");
  EXPECT_TRUE(job_names().empty());
  EXPECT_EQ(requeue_ms(), 60 * 1000 + 100);  // until 10:05:00 + 100 ms

  sync_at("2026-11-22T10:05:00.100Z");
  ASSERT_EQ(job_names(), std::vector<std::string>{"c-29922365"});
  EXPECT_EQ(job_at("2026-11-22T10:05:00Z"), "c-29922365");
  json job = env.get(client::resources::kJobs, "c-29922365");
  EXPECT_EQ(job["metadata"]["labels"]["app"], "c");
  EXPECT_EQ(job["metadata"]["annotations"]["note"], "x");
  EXPECT_EQ(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2026-11-22T10:05:00Z");
  const json& ref = job["metadata"]["ownerReferences"][0];
  EXPECT_EQ(ref["kind"], "CronJob");
  EXPECT_EQ(ref["uid"], "cj-uid");
  EXPECT_EQ(ref["controller"], true);
  EXPECT_EQ(job["spec"]["template"]["spec"]["containers"][0]["image"], "busybox");
  json cj = cronjob();
  ASSERT_EQ(cj["status"]["active"].size(), 1u);
  EXPECT_EQ(cj["status"]["active"][0]["name"], "c-29922365");
  EXPECT_EQ(cj["status"]["active"][0]["kind"], "Job");
  EXPECT_EQ(cj["status"]["active"][0]["uid"], job["metadata"]["uid"]);
  EXPECT_EQ(cj["status"]["lastScheduleTime"], "2026-11-22T10:05:00Z");
  EXPECT_EQ(requeue_ms(), 300 * 1000);  // 10:10:00.100 - 10:05:00.100
  EXPECT_TRUE(has_event("SuccessfulCreate"));

  // The same scheduled time is not started twice.
  sync_at("2026-11-22T10:06:00Z");
  EXPECT_EQ(job_names().size(), 1u);

  // When the Job completes it leaves status.active and sets lastSuccessfulTime.
  finish_job("c-29922365", "Complete", "2026-11-22T10:06:30Z");
  sync_at("2026-11-22T10:07:00Z");
  cj = cronjob();
  EXPECT_FALSE(cj["status"].contains("active"));
  EXPECT_EQ(cj["status"]["lastSuccessfulTime"], "2026-11-22T10:06:30Z");
  EXPECT_TRUE(has_event("SawCompletedJob"));
}

TEST_F(CronJobControllerTest, ForbidSkipsWhileAJobIsActive) {
  seed_cronjob({{"concurrencyPolicy", "Forbid"}});
  sync_at("2026-11-22T10:05:00.100Z");
  ASSERT_EQ(job_names().size(), 1u);
  sync_at("2026-11-22T10:10:00.100Z");
  EXPECT_EQ(job_names().size(), 1u);
  EXPECT_TRUE(has_event("JobAlreadyActive"));
  EXPECT_EQ(cronjob()["status"]["lastScheduleTime"], "2026-11-22T10:05:00Z");
  // Once it finishes, the schedule that is still due starts.
  finish_job(job_at("2026-11-22T10:05:00Z"), "Complete", "2026-11-22T10:10:20Z");
  sync_at("2026-11-22T10:10:30Z");
  EXPECT_EQ(job_names(), (std::vector<std::string>{job_at("2026-11-22T10:05:00Z"), job_at("2026-11-22T10:10:00Z")}));
}

TEST_F(CronJobControllerTest, ReplaceDeletesTheActiveJob) {
  seed_cronjob({{"concurrencyPolicy", "Replace"}});
  sync_at("2026-11-22T10:05:00.100Z");
  sync_at("2026-11-22T10:10:00.100Z");
  EXPECT_EQ(job_names(), std::vector<std::string>{job_at("2026-11-22T10:10:00Z")});
  json cj = cronjob();
  ASSERT_EQ(cj["status"]["active"].size(), 1u);
  EXPECT_EQ(cj["status"]["active"][0]["name"], job_at("2026-11-22T10:10:00Z"));
  EXPECT_TRUE(has_event("SuccessfulDelete"));
}

TEST_F(CronJobControllerTest, AllowRunsJobsSideBySide) {
  seed_cronjob();
  sync_at("2026-11-22T10:05:00.100Z");
  sync_at("2026-11-22T10:10:00.100Z");
  EXPECT_EQ(job_names().size(), 2u);
  EXPECT_EQ(cronjob()["status"]["active"].size(), 2u);
}

TEST_F(CronJobControllerTest, HistoryLimitsDeleteTheOldestFinishedJobs) {
  seed_cronjob({{"successfulJobsHistoryLimit", 1}, {"failedJobsHistoryLimit", 1}, {"suspend", true}});
  auto seed_job = [&](const std::string& name, const std::string& start, const std::string& type) {
    json j = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata",
               {{"name", name},
                {"namespace", "default"},
                {"ownerReferences", json::array({{{"apiVersion", "batch/v1"}, {"kind", "CronJob"}, {"name", "c"}, {"uid", "cj-uid"}, {"controller", true}}})}}},
              {"spec", json::object()},
              {"status", {{"startTime", start}, {"conditions", json::array({{{"type", type}, {"status", "True"}}})}}}};
    env.fake.seed(client::resources::kJobs, j);
  };
  seed_job("ok-3", "2026-11-22T09:03:00Z", "Complete");
  seed_job("ok-1", "2026-11-22T09:01:00Z", "Complete");
  seed_job("ok-2", "2026-11-22T09:02:00Z", "Complete");
  seed_job("bad-1", "2026-11-22T09:01:00Z", "Failed");
  seed_job("bad-2", "2026-11-22T09:02:00Z", "Failed");
  sync_at("2026-11-22T10:04:00Z");
  EXPECT_EQ(job_names(), (std::vector<std::string>{"bad-2", "ok-3"}));
}

TEST_F(CronJobControllerTest, SuspendedCronJobsStartNothing) {
  seed_cronjob({{"suspend", true}});
  sync_at("2026-11-22T10:05:00.100Z");
  EXPECT_TRUE(job_names().empty());
  EXPECT_EQ(requeue_ms(), -1);  // woken again by the update that resumes it
}

TEST_F(CronJobControllerTest, StartingDeadlineSkipsLateRuns) {
  seed_cronjob({{"startingDeadlineSeconds", 10}});
  sync_at("2026-11-22T10:05:30Z");  // 30 s late, deadline 10 s
  EXPECT_TRUE(job_names().empty());
  EXPECT_EQ(requeue_ms(), 270 * 1000 + 100);
  sync_at("2026-11-22T10:10:05Z");  // 5 s late: still in time
  EXPECT_EQ(job_names(), std::vector<std::string>{job_at("2026-11-22T10:10:00Z")});
}

TEST_F(CronJobControllerTest, TooManyMissedStartsWarnsAndRunsTheLatest) {
  seed_cronjob();
  sync_at("2026-11-23T10:02:00Z");  // a day of */5 missed
  EXPECT_EQ(job_names(), std::vector<std::string>{job_at("2026-11-23T10:00:00Z")});
  EXPECT_TRUE(has_event("TooManyMissedTimes"));
}

TEST_F(CronJobControllerTest, TimeZoneSetsTheScheduleAndTheAnnotation) {
  seed_cronjob({{"schedule", "0 9 * * *"}, {"timeZone", "America/New_York"}});
  sync_at("2026-11-22T13:59:00Z");
  EXPECT_TRUE(job_names().empty());
  EXPECT_EQ(requeue_ms(), 60 * 1000 + 100);
  sync_at("2026-11-22T14:00:00.100Z");  // 09:00 EST
  ASSERT_EQ(job_names(), std::vector<std::string>{job_at("2026-11-22T14:00:00Z")});
  json job = env.get(client::resources::kJobs, job_at("2026-11-22T14:00:00Z"));
  EXPECT_EQ(job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2026-11-22T09:00:00-05:00");
}

TEST_F(CronJobControllerTest, BadSchedulesAndZonesAreReportedNotRetried) {
  seed_cronjob({{"timeZone", "Mars/Olympus_Mons"}});
  sync_at("2026-11-22T10:05:00.100Z");
  EXPECT_TRUE(job_names().empty());
  EXPECT_TRUE(has_event("UnknownTimeZone"));
  EXPECT_EQ(requeue_ms(), -1);

  json cj = cronjob();
  cj["spec"].erase("timeZone");
  cj["spec"]["schedule"] = "61 * * * *";
  ASSERT_TRUE(env.fake.update(kCronJobs, cj).has_value());
  sync();
  EXPECT_TRUE(has_event("UnparseableSchedule"));
  EXPECT_EQ(requeue_ms(), -1);

  cj = cronjob();
  cj["spec"]["schedule"] = "0 0 30 2 *";  // February 30th never comes
  ASSERT_TRUE(env.fake.update(kCronJobs, cj).has_value());
  sync();
  EXPECT_TRUE(has_event("InvalidSchedule"));
  EXPECT_TRUE(job_names().empty());
}

TEST_F(CronJobControllerTest, MissingActiveJobsLeaveTheActiveList) {
  seed_cronjob({{"suspend", true}});
  json cj = cronjob();
  cj["status"]["active"] = json::array({{{"kind", "Job"}, {"namespace", "default"}, {"name", "gone"}, {"uid", "gone-uid"}}});
  ASSERT_TRUE(env.fake.update(kCronJobs, cj, "status").has_value());
  sync();
  EXPECT_FALSE(cronjob()["status"].contains("active"));
  EXPECT_TRUE(has_event("MissingJob"));
}

}  // namespace
}  // namespace kite::controllers::cronjob
