// The TTL-after-finished controller deletes finished Jobs once their TTL has passed.
#include "server/controllers/job/ttl_after_finished_controller.h"

#include "job_test_env.h"

namespace kite::controllers::job {
namespace {

using namespace kite::controllers::testing;

class TtlAfterFinishedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctrl = std::make_unique<TtlAfterFinishedController>(env.ctx, 0);
    ctrl->start();
    env.start();
  }
  void TearDown() override { ctrl->stop(); }

  void seed_job(const std::string& name, json ttl, const std::string& condition) {
    json job = {{"apiVersion", "batch/v1"},
                {"kind", "Job"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec", {{"template", json::object()}}},
                {"status", json::object()}};
    if (!ttl.is_null()) job["spec"]["ttlSecondsAfterFinished"] = ttl;
    if (!condition.empty())
      job["status"]["conditions"] = json::array(
          {{{"type", condition}, {"status", "True"}, {"lastTransitionTime", "2026-11-22T10:00:00Z"}}});
    env.fake.seed(kJobs, job);
  }
  bool deleting(const std::string& name) {
    json j = env.get(kJobs, name);
    return j.is_null() || j["metadata"].contains("deletionTimestamp");
  }

  ControllerEnv env;
  std::unique_ptr<TtlAfterFinishedController> ctrl;
};

TEST_F(TtlAfterFinishedTest, DeletesFinishedJobsAfterTheirTtlInTheForeground) {
  seed_job("done", 60, "Complete");
  seed_job("failed", 0, "Failed");
  seed_job("running", 60, "");
  seed_job("keep", nullptr, "Complete");
  env.settle({kJobs});
  env.clock.set(at("2026-11-22T10:00:30Z"));
  for (const char* n : {"done", "failed", "running", "keep"}) ASSERT_TRUE(ctrl->sync_now(std::string("default/") + n));
  EXPECT_FALSE(deleting("done"));
  EXPECT_TRUE(deleting("failed"));  // ttl 0: at once
  EXPECT_FALSE(deleting("running"));
  EXPECT_FALSE(deleting("keep"));

  env.clock.set(at("2026-11-22T10:01:00Z"));
  ASSERT_TRUE(ctrl->sync_now("default/done"));
  json j = env.get(kJobs, "done");
  ASSERT_FALSE(j.is_null());  // the foreground finalizer keeps it until its pods are gone
  EXPECT_TRUE(j["metadata"].contains("deletionTimestamp"));
  EXPECT_EQ(j["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
}

TEST(TtlAfterFinishedTimeLeft, ComputedFromTheFinishedCondition) {
  json job = {{"metadata", {{"name", "x"}}},
              {"spec", {{"ttlSecondsAfterFinished", 100}}},
              {"status",
               {{"conditions", json::array({{{"type", "Failed"}, {"status", "True"}, {"lastTransitionTime", "2026-11-22T10:00:00Z"}}})}}}};
  auto left = TtlAfterFinishedController::time_left(job, at("2026-11-22T10:01:00Z"));
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(*left).count(), 40);
  job["status"]["conditions"][0]["status"] = "False";
  EXPECT_FALSE(TtlAfterFinishedController::time_left(job, at("2026-11-22T10:01:00Z")).has_value());
}

}  // namespace
}  // namespace kite::controllers::job
