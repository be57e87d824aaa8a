// Pod READY / STATUS / RESTARTS cells over many pod states.
#include <gtest/gtest.h>

#include "tests/api/table/table_test_util.h"

namespace kite::api::table_test {
namespace {

const ResourceInfo kPods = info("", "Pod", "pods");

json pod(json status, json spec = json::object()) {
  json p = {{"metadata", {{"name", "web-0"}, {"namespace", "default"},
                          {"creationTimestamp", ago(300s)}}},
            {"spec", spec},
            {"status", status}};
  if (!p["spec"].contains("containers")) p["spec"]["containers"] = json::array({{{"name", "app"}}});
  return p;
}

json running(bool ready, int restarts = 0) {
  return {{"name", "app"},
          {"ready", ready},
          {"restartCount", restarts},
          {"state", {{"running", {{"startedAt", ago(100s)}}}}}};
}

json cells(const json& p) { return table_row_cells(kPods, p, now()); }

TEST(PodStatus, RunningReady) {
  json c = cells(pod({{"phase", "Running"}, {"containerStatuses", {running(true)}}}));
  ASSERT_EQ(c.size(), 9u);
  EXPECT_EQ(c[0], "web-0");
  EXPECT_EQ(c[1], "1/1");
  EXPECT_EQ(c[2], "Running");
  EXPECT_EQ(c[3], "0");
  EXPECT_EQ(c[4], "5m");
}

TEST(PodStatus, PendingWithoutStatusesShowsPhase) {
  json c = cells(pod({{"phase", "Pending"}}));
  EXPECT_EQ(c[1], "0/1");
  EXPECT_EQ(c[2], "Pending");
  EXPECT_EQ(c[5], "<none>");  // IP
  EXPECT_EQ(c[6], "<none>");  // node
  EXPECT_EQ(c[7], "<none>");  // nominated node
  EXPECT_EQ(c[8], "<none>");  // readiness gates
}

TEST(PodStatus, WaitingReasonsWin) {
  for (const char* reason : {"ContainerCreating", "CrashLoopBackOff", "ImagePullBackOff",
                             "ErrImagePull"}) {
    json cs = {{"name", "app"}, {"ready", false}, {"restartCount", 0},
               {"state", {{"waiting", {{"reason", reason}}}}}};
    json c = cells(pod({{"phase", "Pending"}, {"containerStatuses", {cs}}}));
    EXPECT_EQ(c[2], reason);
    EXPECT_EQ(c[1], "0/1");
  }
}

TEST(PodStatus, TerminatedReasonsAndExitCodes) {
  json completed = {{"name", "app"}, {"ready", false}, {"restartCount", 0},
                    {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}};
  EXPECT_EQ(cells(pod({{"phase", "Succeeded"}, {"containerStatuses", {completed}}}))[2],
            "Completed");
  json oom = completed;
  oom["state"]["terminated"] = {{"exitCode", 137}, {"reason", "OOMKilled"}};
  EXPECT_EQ(cells(pod({{"phase", "Failed"}, {"containerStatuses", {oom}}}))[2], "OOMKilled");
  json bare = completed;
  bare["state"]["terminated"] = {{"exitCode", 3}};
  EXPECT_EQ(cells(pod({{"phase", "Failed"}, {"containerStatuses", {bare}}}))[2], "ExitCode:3");
  bare["state"]["terminated"] = {{"exitCode", 0}, {"signal", 9}};
  EXPECT_EQ(cells(pod({{"phase", "Failed"}, {"containerStatuses", {bare}}}))[2], "Signal:9");
}

TEST(PodStatus, CompletedNextToRunningContainer) {
  json spec = {{"containers", json::array({{{"name", "a"}}, {{"name", "b"}}})}};
  json done = {{"name", "a"}, {"ready", false}, {"restartCount", 0},
               {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}};
  json run = running(true);
  run["name"] = "b";
  json status = {{"phase", "Running"}, {"containerStatuses", {done, run}}};
  // Statuses are walked from the last one, so the first container's "Completed" sticks...
  EXPECT_EQ(cells(pod(status, spec))[2], "NotReady");
  status["conditions"] = json::array({{{"type", "Ready"}, {"status", "True"}}});
  // ...and is turned back into Running while another container runs and the pod is Ready.
  EXPECT_EQ(cells(pod(status, spec))[2], "Running");
  EXPECT_EQ(cells(pod(status, spec))[1], "1/2");
}

TEST(PodStatus, InitContainers) {
  json spec = {{"initContainers", json::array({{{"name", "init-a"}}, {{"name", "init-b"}}})},
               {"containers", json::array({{{"name", "app"}}})}};
  json done = {{"name", "init-a"}, {"restartCount", 0},
               {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}};
  json run_b = {{"name", "init-b"}, {"restartCount", 0}, {"state", {{"running", json::object()}}}};
  json app_wait = {{"name", "app"}, {"restartCount", 0},
                   {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}};
  json status = {{"phase", "Pending"},
                 {"initContainerStatuses", {done, run_b}},
                 {"containerStatuses", {app_wait}}};
  EXPECT_EQ(cells(pod(status, spec))[2], "Init:1/2");

  json first_waiting = {{"name", "init-a"}, {"restartCount", 0},
                        {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}};
  status["initContainerStatuses"] = {first_waiting, run_b};
  EXPECT_EQ(cells(pod(status, spec))[2], "Init:0/2");

  json crash = {{"name", "init-a"}, {"restartCount", 4},
                {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}}};
  status["initContainerStatuses"] = {crash};
  json c = cells(pod(status, spec));
  EXPECT_EQ(c[2], "Init:CrashLoopBackOff");
  EXPECT_EQ(c[3], "4");  // init restarts count while initializing

  json failed = {{"name", "init-a"}, {"restartCount", 0},
                 {"state", {{"terminated", {{"exitCode", 2}}}}}};
  status["initContainerStatuses"] = {failed};
  EXPECT_EQ(cells(pod(status, spec))[2], "Init:ExitCode:2");
  failed["state"]["terminated"] = {{"exitCode", 1}, {"reason", "Error"}};
  status["initContainerStatuses"] = {failed};
  EXPECT_EQ(cells(pod(status, spec))[2], "Init:Error");
}

TEST(PodStatus, SidecarInitContainersCountAsContainers) {
  json spec = {{"initContainers", json::array({{{"name", "proxy"}, {"restartPolicy", "Always"}}})},
               {"containers", json::array({{{"name", "app"}}})}};
  json proxy = {{"name", "proxy"}, {"ready", true}, {"started", true}, {"restartCount", 2},
                {"lastState", {{"terminated", {{"exitCode", 1}, {"finishedAt", ago(120s)}}}}},
                {"state", {{"running", json::object()}}}};
  json status = {{"phase", "Running"},
                 {"conditions", json::array({{{"type", "Initialized"}, {"status", "True"}},
                                             {{"type", "Ready"}, {"status", "True"}}})},
                 {"initContainerStatuses", {proxy}},
                 {"containerStatuses", {running(true, 1)}}};
  json c = cells(pod(status, spec));
  EXPECT_EQ(c[1], "2/2");
  EXPECT_EQ(c[2], "Running");
  EXPECT_EQ(c[3], "3 (2m ago)");
}

TEST(PodStatus, RestartsShowTimeSinceLastTermination) {
  json cs = running(true, 5);
  cs["lastState"] = {{"terminated", {{"exitCode", 1}, {"finishedAt", ago(200s)}}}};
  json c = cells(pod({{"phase", "Running"}, {"containerStatuses", {cs}}}));
  EXPECT_EQ(c[3], "5 (3m20s ago)");
  // Restarts without a recorded termination time show the bare count.
  EXPECT_EQ(cells(pod({{"phase", "Running"}, {"containerStatuses", {running(true, 2)}}}))[3], "2");
}

TEST(PodStatus, TerminatingAndNodeLost) {
  json p = pod({{"phase", "Running"}, {"containerStatuses", {running(true)}}});
  p["metadata"]["deletionTimestamp"] = ago(1s);
  EXPECT_EQ(cells(p)[2], "Terminating");
  p["status"]["reason"] = "NodeLost";
  EXPECT_EQ(cells(p)[2], "Unknown");
  json done = pod({{"phase", "Succeeded"}});
  done["metadata"]["deletionTimestamp"] = ago(1s);
  EXPECT_EQ(cells(done)[2], "Succeeded");  // terminal pods keep their phase
}

TEST(PodStatus, StatusReasonAndSchedulingGated) {
  EXPECT_EQ(cells(pod({{"phase", "Failed"}, {"reason", "Evicted"}}))[2], "Evicted");
  json gated = {{"phase", "Pending"},
                {"conditions", json::array({{{"type", "PodScheduled"}, {"status", "False"},
                                             {"reason", "SchedulingGated"}}})}};
  EXPECT_EQ(cells(pod(gated))[2], "SchedulingGated");
}

TEST(PodStatus, WideCells) {
  json spec = {{"nodeName", "node-a"},
               {"containers", json::array({{{"name", "app"}}})},
               {"readinessGates", json::array({{{"conditionType", "example.com/lb"}},
                                               {{"conditionType", "example.com/dns"}}})}};
  json status = {{"phase", "Running"},
                 {"podIP", "10.42.0.7"},
                 {"podIPs", json::array({{{"ip", "10.42.0.7"}}, {{"ip", "fd00::7"}}})},
                 {"nominatedNodeName", "node-b"},
                 {"conditions", json::array({{{"type", "example.com/lb"}, {"status", "True"}},
                                             {{"type", "example.com/dns"}, {"status", "False"}}})},
                 {"containerStatuses", {running(true)}}};
  json c = cells(pod(status, spec));
  EXPECT_EQ(c[5], "10.42.0.7");
  EXPECT_EQ(c[6], "node-a");
  EXPECT_EQ(c[7], "node-b");
  EXPECT_EQ(c[8], "1/2");
}

TEST(PodStatus, CompletedPodsGetRowCondition) {
  std::vector<const json*> items;
  json ok = pod({{"phase", "Succeeded"}});
  json running_pod = pod({{"phase", "Running"}});
  items = {&ok, &running_pod};
  json t = build_table(kPods, items, IncludeObject::None, "5", "", std::nullopt, now());
  ASSERT_EQ(t["rows"].size(), 2u);
  ASSERT_TRUE(t["rows"][0].contains("conditions"));
  EXPECT_EQ(t["rows"][0]["conditions"][0]["type"], "Completed");
  EXPECT_EQ(t["rows"][0]["conditions"][0]["reason"], "Succeeded");
  EXPECT_FALSE(t["rows"][1].contains("conditions"));
}

}  // namespace
}  // namespace kite::api::table_test
