// The Job controller on a FakeClient: pods from the template, counting with the job-tracking
// finalizer, completion with parallelism, backoffLimit, activeDeadlineSeconds, Indexed jobs,
// suspend and podFailurePolicy.
#include "server/controllers/job/job_controller_impl.h"

#include <algorithm>
#include <set>

#include "job_test_env.h"

namespace kite::controllers::job {
namespace {

using namespace kite::controllers::testing;

class JobControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctrl = std::make_unique<JobController>(env.ctx, 0);
    ctrl->start();
    env.start();
  }
  void TearDown() override { ctrl->stop(); }

  json make_job(json spec_extra = json::object(), const std::string& name = "pi") {
    json job = {{"apiVersion", "batch/v1"},
                {"kind", "Job"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec",
                 {{"completions", 1},
                  {"parallelism", 1},
                  {"backoffLimit", 6},
                  {"completionMode", "NonIndexed"},
                  {"suspend", false},
                  {"podReplacementPolicy", "TerminatingOrFailed"},
                  {"template",
                   {{"metadata", {{"labels", {{"app", name}}}}},
                    {"spec",
                     {{"restartPolicy", "Never"},
                      {"containers", json::array({{{"name", "main"}, {"image", "busybox"}}})}}}}}}}};
    job["spec"].merge_patch(spec_extra);
    auto created = env.fake.create(kJobs, "default", job);
    EXPECT_TRUE(created.has_value());
    return created ? *created : json();
  }

  // One controller pass over a settled cache.
  void sync(const std::string& name = "pi") {
    env.settle({kJobs, kPods});
    ASSERT_TRUE(wait_until([&] { return ctrl->expectations_satisfied("default/" + name); }));
    auto r = ctrl->sync_now("default/" + name);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    env.settle({kJobs, kPods});
  }

  json job(const std::string& name = "pi") { return env.get(kJobs, name); }
  std::vector<json> active_pods() {
    std::vector<json> out;
    for (auto& p : env.pods()) {
      std::string phase = p.value("status", json::object()).value("phase", "");
      if (phase != "Succeeded" && phase != "Failed" && !p["metadata"].contains("deletionTimestamp")) out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](const json& a, const json& b) {
      return a["metadata"]["name"].get<std::string>() < b["metadata"]["name"].get<std::string>();
    });
    return out;
  }
  static std::string name_of(const json& o) { return o["metadata"]["name"]; }
  static bool has_finalizer(const json& pod) {
    const auto f = pod["metadata"].value("finalizers", json::array());
    return std::find(f.begin(), f.end(), json("batch.kubernetes.io/job-tracking")) != f.end();
  }
  bool has_event(const std::string& reason) {
    ctrl->flush_events();
    for (const auto& e : env.fake.objects(client::resources::kEvents))
      if (e.value("reason", "") == reason) return true;
    return false;
  }

  ControllerEnv env;
  std::unique_ptr<JobController> ctrl;
};

TEST_F(JobControllerTest, CreatesPodsFromTheTemplateWithTrackingFinalizer) {
  json j = make_job({{"completions", 3}, {"parallelism", 2}});
  sync();
  auto pods = active_pods();
  ASSERT_EQ(pods.size(), 2u);  // min(parallelism, completions)
  for (const auto& p : pods) {
    EXPECT_EQ(p["metadata"]["generateName"], "pi-");
    EXPECT_EQ(p["metadata"]["labels"]["app"], "pi");
    EXPECT_TRUE(has_finalizer(p));
    const json& ref = p["metadata"]["ownerReferences"][0];
    EXPECT_EQ(ref["kind"], "Job");
    EXPECT_EQ(ref["apiVersion"], "batch/v1");
    EXPECT_EQ(ref["uid"], j["metadata"]["uid"]);
    EXPECT_EQ(ref["controller"], true);
    EXPECT_EQ(ref["blockOwnerDeletion"], true);
    EXPECT_EQ(p["spec"]["containers"][0]["image"], "busybox");
    EXPECT_FALSE(p["spec"].contains("hostname"));
  }
  json s = job()["status"];
  EXPECT_EQ(s["active"], 2);
  EXPECT_EQ(s["ready"], 0);
  EXPECT_EQ(s["startTime"], "2026-11-22T10:00:00Z");
  EXPECT_EQ(s["uncountedTerminatedPods"], json::object());
  EXPECT_TRUE(has_event("SuccessfulCreate"));
  // A second pass creates nothing more.
  sync();
  EXPECT_EQ(env.pods().size(), 2u);
}

TEST_F(JobControllerTest, CompletesAfterCompletionsSucceedWithParallelism) {
  make_job({{"completions", 3}, {"parallelism", 2}});
  sync();
  auto pods = active_pods();
  ASSERT_EQ(pods.size(), 2u);
  env.finish_pod(name_of(pods[0]), "Succeeded");
  sync();
  json s = job()["status"];
  EXPECT_EQ(s["succeeded"], 1);
  EXPECT_EQ(s["active"], 2);  // one replacement: min(2, 3 - 1)
  EXPECT_FALSE(has_finalizer(env.get(kPods, name_of(pods[0]))));  // counted, finalizer gone
  EXPECT_EQ(env.pods().size(), 3u);
  EXPECT_FALSE(has_condition(job(), "Complete"));

  for (const auto& p : active_pods()) env.finish_pod(name_of(p), "Succeeded");
  sync();
  json done = job();
  EXPECT_EQ(done["status"]["succeeded"], 3);
  EXPECT_FALSE(done["status"].contains("active"));
  EXPECT_TRUE(has_condition(done, "SuccessCriteriaMet"));
  ASSERT_TRUE(has_condition(done, "Complete"));
  EXPECT_EQ(condition(done, "Complete")->value("reason", ""), "CompletionsReached");
  EXPECT_EQ(done["status"]["completionTime"], "2026-11-22T10:00:00Z");
  EXPECT_EQ(done["status"]["uncountedTerminatedPods"], json::object());
  for (const auto& p : env.pods()) EXPECT_FALSE(has_finalizer(p));
  EXPECT_EQ(env.pods().size(), 3u);
  EXPECT_TRUE(has_event("Completed"));
  // Finished: nothing changes any more.
  env.fake.clear_actions();
  sync();
  EXPECT_TRUE(env.actions("create", "pods").empty());
  EXPECT_TRUE(env.actions("update-status", "jobs").empty());
}

TEST_F(JobControllerTest, WithoutCompletionsTheFirstSuccessEndsTheJob) {
  make_job({{"parallelism", 2}});
  json cur = job();
  cur["spec"].erase("completions");
  ASSERT_TRUE(env.fake.update(kJobs, cur).has_value());
  sync();
  auto pods = active_pods();
  ASSERT_EQ(pods.size(), 2u);
  env.finish_pod(name_of(pods[0]), "Succeeded");
  sync();
  EXPECT_EQ(active_pods().size(), 1u);  // the other keeps running, nothing new
  EXPECT_FALSE(has_condition(job(), "Complete"));
  env.finish_pod(name_of(pods[1]), "Succeeded");
  sync();
  EXPECT_TRUE(has_condition(job(), "Complete"));
  EXPECT_EQ(job()["status"]["succeeded"], 2);
}

TEST_F(JobControllerTest, FailsWhenFailuresExceedBackoffLimit) {
  make_job({{"backoffLimit", 1}});
  sync();
  auto pods = active_pods();
  ASSERT_EQ(pods.size(), 1u);
  env.finish_pod(name_of(pods[0]), "Failed", 1);
  sync();
  EXPECT_EQ(job()["status"]["failed"], 1);
  EXPECT_TRUE(active_pods().empty());  // replacement waits for the 10 s pod failure backoff
  env.clock.advance(std::chrono::seconds(11));
  sync();
  pods = active_pods();
  ASSERT_EQ(pods.size(), 1u);
  env.finish_pod(name_of(pods[0]), "Failed", 1);
  sync();
  json failed = job();
  EXPECT_EQ(failed["status"]["failed"], 2);
  ASSERT_TRUE(has_condition(failed, "Failed"));
  EXPECT_EQ(condition(failed, "Failed")->value("reason", ""), "BackoffLimitExceeded");
  EXPECT_EQ(condition(failed, "Failed")->value("message", ""), "Job has reached the specified backoff limit");
  EXPECT_TRUE(has_condition(failed, "FailureTarget"));
  EXPECT_FALSE(has_condition(failed, "Complete"));
  EXPECT_FALSE(failed["status"].contains("completionTime"));
  EXPECT_TRUE(has_event("BackoffLimitExceeded"));
  env.fake.clear_actions();
  sync();
  EXPECT_TRUE(env.actions("create", "pods").empty());
}

TEST_F(JobControllerTest, RestartsBeyondBackoffLimitFailOnFailureJobs) {
  make_job({{"backoffLimit", 2}, {"template", {{"spec", {{"restartPolicy", "OnFailure"}}}}}});
  sync();
  auto pod = active_pods().at(0);
  pod["status"] = {{"phase", "Running"}, {"containerStatuses", json::array({{{"name", "main"}, {"restartCount", 2}}})}};
  ASSERT_TRUE(env.fake.update(kPods, pod, "status").has_value());
  sync();  // FailureTarget; the running pod is deleted
  sync();  // the deleted pod is gone: Failed
  EXPECT_TRUE(has_condition(job(), "Failed"));
  EXPECT_EQ(condition(job(), "Failed")->value("reason", ""), "BackoffLimitExceeded");
}

TEST_F(JobControllerTest, ActiveDeadlineFailsTheJobAndDeletesItsPods) {
  make_job({{"completions", 2}, {"parallelism", 2}, {"activeDeadlineSeconds", 30}});
  sync();
  ASSERT_EQ(active_pods().size(), 2u);
  env.clock.advance(std::chrono::seconds(29));
  sync();
  EXPECT_FALSE(has_condition(job(), "FailureTarget"));
  env.clock.advance(std::chrono::seconds(2));
  sync();
  EXPECT_TRUE(active_pods().empty());
  EXPECT_TRUE(has_condition(job(), "FailureTarget"));
  sync();
  json failed = job();
  ASSERT_TRUE(has_condition(failed, "Failed"));
  EXPECT_EQ(condition(failed, "Failed")->value("reason", ""), "DeadlineExceeded");
  EXPECT_EQ(condition(failed, "Failed")->value("message", ""), "Job was active longer than specified deadline");
  EXPECT_EQ(failed["status"]["failed"], 2);  // the killed pods count as failed
  EXPECT_TRUE(env.pods().empty());
}

TEST_F(JobControllerTest, IndexedJobsRunOnePodPerIndex) {
  make_job({{"completions", 3}, {"parallelism", 2}, {"completionMode", "Indexed"}});
  sync();
  auto pods = active_pods();
  ASSERT_EQ(pods.size(), 2u);
  std::map<std::string, json> by_index;
  for (const auto& p : pods) by_index[p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]] = p;
  ASSERT_EQ(by_index.size(), 2u);
  ASSERT_TRUE(by_index.count("0") && by_index.count("1"));
  const json& p0 = by_index["0"];
  EXPECT_EQ(p0["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"], "0");
  EXPECT_EQ(p0["metadata"]["generateName"], "pi-0-");
  EXPECT_EQ(p0["spec"]["hostname"], "pi-0");
  json env_var = p0["spec"]["containers"][0]["env"][0];
  EXPECT_EQ(env_var["name"], "JOB_COMPLETION_INDEX");
  EXPECT_EQ(env_var["valueFrom"]["fieldRef"]["fieldPath"], "metadata.labels['batch.kubernetes.io/job-completion-index']");

  env.finish_pod(name_of(by_index["1"]), "Succeeded");
  sync();
  EXPECT_EQ(job()["status"]["completedIndexes"], "1");
  EXPECT_EQ(job()["status"]["succeeded"], 1);
  pods = active_pods();
  ASSERT_EQ(pods.size(), 2u);
  std::set<std::string> indexes;
  for (const auto& p : pods) indexes.insert(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]);
  EXPECT_EQ(indexes, (std::set<std::string>{"0", "2"}));

  // A failed index is retried with a new pod for the same index.
  for (const auto& p : pods) {
    if (p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "2") env.finish_pod(name_of(p), "Succeeded");
    else env.finish_pod(name_of(p), "Failed", 3);
  }
  sync();
  EXPECT_EQ(job()["status"]["completedIndexes"], "1,2");
  EXPECT_EQ(job()["status"]["failed"], 1);
  env.clock.advance(std::chrono::seconds(11));
  sync();
  pods = active_pods();
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"], "0");
  env.finish_pod(name_of(pods[0]), "Succeeded");
  sync();
  EXPECT_EQ(job()["status"]["completedIndexes"], "0-2");
  EXPECT_EQ(job()["status"]["succeeded"], 3);
  EXPECT_TRUE(has_condition(job(), "Complete"));
}

TEST_F(JobControllerTest, SuspendDeletesPodsAndResumeRestartsTheClock) {
  make_job({{"suspend", true}, {"completions", 2}, {"parallelism", 2}});
  sync();
  EXPECT_TRUE(env.pods().empty());
  json j = job();
  ASSERT_TRUE(has_condition(j, "Suspended"));
  EXPECT_EQ(condition(j, "Suspended")->value("reason", ""), "JobSuspended");
  EXPECT_FALSE(j["status"].contains("startTime"));

  env.clock.advance(std::chrono::minutes(5));
  j["spec"]["suspend"] = false;
  ASSERT_TRUE(env.fake.update(kJobs, j).has_value());
  sync();
  EXPECT_EQ(active_pods().size(), 2u);
  j = job();
  EXPECT_TRUE(has_condition(j, "Suspended", "False"));
  EXPECT_EQ(condition(j, "Suspended")->value("reason", ""), "JobResumed");
  EXPECT_EQ(j["status"]["startTime"], "2026-11-22T10:05:00Z");

  j["spec"]["suspend"] = true;
  ASSERT_TRUE(env.fake.update(kJobs, j).has_value());
  sync();
  EXPECT_TRUE(active_pods().empty());
  EXPECT_TRUE(has_condition(job(), "Suspended"));
  EXPECT_FALSE(job()["status"].contains("failed"));  // suspending is not a failure
}

TEST_F(JobControllerTest, PodFailurePolicyFailJobOnExitCode) {
  make_job({{"podReplacementPolicy", "Failed"},
            {"podFailurePolicy",
             {{"rules", json::array({{{"action", "FailJob"}, {"onExitCodes", {{"operator", "In"}, {"values", json::array({42})}}}}})}}}});
  sync();
  auto pod = active_pods().at(0);
  env.finish_pod(name_of(pod), "Failed", 42);
  sync();
  json j = job();
  ASSERT_TRUE(has_condition(j, "Failed"));
  EXPECT_EQ(condition(j, "Failed")->value("reason", ""), "PodFailurePolicy");
  EXPECT_EQ(condition(j, "Failed")->value("message", ""),
            "Container main for pod default/" + name_of(pod) + " failed with exit code 42 matching FailJob rule at index 0");
}

TEST_F(JobControllerTest, PodFailurePolicyIgnoreDoesNotCountDisruptions) {
  make_job({{"backoffLimit", 0},
            {"podReplacementPolicy", "Failed"},
            {"podFailurePolicy",
             {{"rules", json::array({{{"action", "Ignore"},
                                      {"onPodConditions", json::array({{{"type", "DisruptionTarget"}, {"status", "True"}}})}},
                                     {{"action", "Count"}, {"onExitCodes", {{"operator", "NotIn"}, {"values", json::array({0})}}}}})}}}});
  sync();
  auto pod = active_pods().at(0);
  json p = env.get(kPods, name_of(pod));
  p["status"] = {{"phase", "Failed"}, {"conditions", json::array({{{"type", "DisruptionTarget"}, {"status", "True"}}})}};
  ASSERT_TRUE(env.fake.update(kPods, p, "status").has_value());
  sync();
  EXPECT_FALSE(has_condition(job(), "Failed"));
  EXPECT_FALSE(job()["status"].contains("failed"));
  env.clock.advance(std::chrono::seconds(11));
  sync();
  auto pods = active_pods();
  ASSERT_EQ(pods.size(), 1u);  // replaced
  env.finish_pod(name_of(pods[0]), "Failed", 2);  // a real failure counts: backoffLimit 0 exceeded
  sync();
  EXPECT_TRUE(has_condition(job(), "Failed"));
  EXPECT_EQ(condition(job(), "Failed")->value("reason", ""), "BackoffLimitExceeded");
}

TEST_F(JobControllerTest, OrphanPodsLoseTheTrackingFinalizer) {
  make_job();
  sync();
  auto pod = active_pods().at(0);
  ASSERT_TRUE(env.fake.remove(kJobs, "default", "pi").has_value());
  env.settle({kJobs, kPods});
  auto r = ctrl->sync_now("orphan-pod:default/" + name_of(pod));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(has_finalizer(env.get(kPods, name_of(pod))));
}

TEST_F(JobControllerTest, ReadyPodsAreReported) {
  make_job({{"completions", 2}, {"parallelism", 2}});
  sync();
  auto pods = active_pods();
  json p = env.get(kPods, name_of(pods[0]));
  p["status"] = {{"phase", "Running"}, {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}};
  ASSERT_TRUE(env.fake.update(kPods, p, "status").has_value());
  sync();
  EXPECT_EQ(job()["status"]["ready"], 1);
  EXPECT_EQ(job()["status"]["active"], 2);
}

}  // namespace
}  // namespace kite::controllers::job
