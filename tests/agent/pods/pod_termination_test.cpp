// The end of a pod and agent restarts: graceful deletion with preStop and the grace period,
// confirmation of the delete, adoption of running containers after a restart, spec changes,
// a dead sandbox, and leftovers of pods no longer bound here.
#include "tests/agent/pods/pods_test_env.h"

namespace kite::agent::pods::testing_pods {
namespace {

class PodTerminationTest : public PodsTestEnv {
 protected:
  size_t index_of(const std::string& method, const std::string& target, const std::string& detail = "") {
    auto calls = runtime.calls();
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].method == method && calls[i].target == target && (detail.empty() || calls[i].detail == detail)) {
        return i;
      }
    }
    return std::string::npos;
  }
};

TEST_F(PodTerminationTest, GracefulDeleteRunsPreStopStopsWithGraceAndConfirms) {
  json c = container("app");
  c["lifecycle"] = {{"preStop", {{"exec", {{"command", {"/bin/sh", "-c", "nginx -s quit"}}}}}}};
  seed(pod("web", json::array({c, container("sidecar")}), {{"terminationGracePeriodSeconds", 45}}));
  start();
  ASSERT_TRUE(eventually([&] { return get("web")["status"].value("phase", "") == "Running"; }));
  std::string app = instances("app")[0], sidecar = instances("sidecar")[0];
  std::string log_dir = runtime.sandbox_config(runtime.list_pod_sandboxes()->at(0).id)->log_directory;
  ASSERT_TRUE(std::filesystem::exists(log_dir));

  auto removed = api.remove(client::resources::kPods, "default", "web");  // kubectl delete: grace from the spec
  ASSERT_TRUE(removed.has_value());
  EXPECT_TRUE(removed->contains("metadata") && (*removed)["metadata"].contains("deletionTimestamp"));
  // The agent's confirmation is the second DELETE. (FakeClient also drops a deleting pod on any
  // update, unlike kite's API server, so the object may vanish at the final status write.)
  auto deletes = [&] {
    int n = 0;
    for (const auto& a : api.actions()) n += a.verb == "delete" && a.resource == "pods";
    return n;
  };
  ASSERT_TRUE(eventually([&] { return deletes() == 2; }));
  EXPECT_FALSE(api.get(client::resources::kPods, "default", "web").has_value());

  size_t pre_stop = index_of("exec_sync", app, "/bin/sh -c nginx -s quit");
  size_t stop_app = index_of("stop_container", app, "45");
  size_t stop_sidecar = index_of("stop_container", sidecar, "45");
  ASSERT_NE(pre_stop, std::string::npos);
  ASSERT_NE(stop_app, std::string::npos);
  ASSERT_NE(stop_sidecar, std::string::npos);
  EXPECT_LT(pre_stop, stop_app);
  EXPECT_NE(index_of("stop_pod_sandbox", "sb-1"), std::string::npos);
  EXPECT_NE(index_of("remove_pod_sandbox", "sb-1"), std::string::npos);
  EXPECT_TRUE(runtime.list_pod_sandboxes()->empty());
  EXPECT_TRUE(runtime.list_containers()->empty());
  EXPECT_FALSE(std::filesystem::exists(log_dir));
  EXPECT_TRUE(has_event("Killing", "Stopping container app"));
  EXPECT_TRUE(has_event("Killing", "Stopping container sidecar"));
}

TEST_F(PodTerminationTest, DeletionGracePeriodOverridesTheSpec) {
  seed(pod("quick", json::array({container("app")}), {{"terminationGracePeriodSeconds", 60}}));
  start();
  ASSERT_TRUE(eventually([&] { return get("quick")["status"].value("phase", "") == "Running"; }));
  std::string app = instances("app")[0];
  client::DeleteOptions o;
  o.grace_period_seconds = 5;
  ASSERT_TRUE(api.remove(client::resources::kPods, "default", "quick", o).has_value());
  ASSERT_TRUE(eventually([&] { return index_of("stop_container", app, "5") != std::string::npos; }));
  ASSERT_TRUE(eventually([&] { return runtime.list_pod_sandboxes()->empty(); }));
}

TEST_F(PodTerminationTest, RestartedManagerAdoptsRunningContainers) {
  seed(pod("web", json::array({container("app")})));
  start();
  ASSERT_TRUE(eventually([&] { return status_of("web", "app").value("ready", false); }));
  std::string id = instances("app")[0];
  std::string sandbox = runtime.list_pod_sandboxes()->at(0).id;
  manager->stop();
  manager.reset();

  // Forget the container statuses so the new manager has to write them again.
  ASSERT_TRUE(api.patch(client::resources::kPods, "default", "web", client::PatchType::kMerge,
                        {{"status", {{"containerStatuses", nullptr}}}}, "status")
                  .has_value());
  runtime.clear_calls();
  start();
  ASSERT_TRUE(eventually([&] { return status_of("web", "app").value("containerID", "") == "containerd://" + id; }))
      << get("web").dump(2);
  wait_relists();
  for (const char* m : {"run_pod_sandbox", "stop_pod_sandbox", "create_container", "start_container", "stop_container",
                        "remove_container"}) {
    EXPECT_TRUE(runtime.calls_of(m).empty()) << m;
  }
  EXPECT_TRUE(running(id));
  EXPECT_EQ(runtime.list_pod_sandboxes()->at(0).id, sandbox);
  EXPECT_EQ(status_of("web", "app")["restartCount"], 0);
  EXPECT_EQ(get("web")["status"]["phase"], "Running");
}

TEST_F(PodTerminationTest, ChangedSpecRestartsTheContainer) {
  seed(pod("web", json::array({container("app")})));
  start();
  ASSERT_TRUE(eventually([&] { return get("web")["status"].value("phase", "") == "Running"; }));
  std::string first = instances("app")[0];
  runtime.add_image("kite.local/busybox:1.36");
  json update = {{"spec", {{"containers", json::array({container("app", "kite.local/busybox:1.36")})}}}};
  ASSERT_TRUE(api.patch(client::resources::kPods, "default", "web", client::PatchType::kMerge, update).has_value());
  ASSERT_TRUE(eventually([&] { return instances("app").back() != first && running(instances("app").back()); }));
  EXPECT_EQ(runtime.container_config(instances("app").back())->image, "kite.local/busybox:1.36");
  EXPECT_TRUE(has_event("Killing", "Container app definition changed, will be restarted"));
  ASSERT_TRUE(eventually([&] { return status_of("web", "app").value("image", "") == "kite.local/busybox:1.36"; }));
  EXPECT_EQ(status_of("web", "app")["restartCount"], 1);
}

TEST_F(PodTerminationTest, DeadSandboxIsRecreatedWithEverything) {
  json p = pod("web", json::array({container("app")}));
  p["spec"]["initContainers"] = json::array({container("setup")});
  seed(p);
  start();
  ASSERT_TRUE(eventually([&] { return instances("setup").size() == 1 && running(instances("setup")[0]); }));
  ASSERT_TRUE(runtime.exit_container(instances("setup")[0], 0).has_value());
  ASSERT_TRUE(eventually([&] { return get("web")["status"].value("phase", "") == "Running"; }));
  std::string old_sandbox = runtime.list_pod_sandboxes()->at(0).id;
  ASSERT_TRUE(runtime.kill_sandbox(old_sandbox).has_value());

  ASSERT_TRUE(eventually([&] {
    auto ready = runtime.list_pod_sandboxes({.id = "", .state = SandboxState::kReady, .label_selector = {}});
    return ready->size() == 1 && ready->at(0).id != old_sandbox && ready->at(0).attempt == 1;
  }));
  // The init container runs again in the new sandbox, then the app restarts.
  ASSERT_TRUE(eventually([&] { return !instances("setup").empty() && running(instances("setup").back()); }));
  ASSERT_TRUE(runtime.exit_container(instances("setup").back(), 0).has_value());
  ASSERT_TRUE(eventually([&] { return running(instances("app").back()) && instances("app").size() == 2; }));
  ASSERT_TRUE(eventually([&] { return status_of("web", "app").value("restartCount", -1) == 1; })) << get("web").dump(2);
  EXPECT_EQ(get("web")["status"]["phase"], "Running");
}

TEST_F(PodTerminationTest, LeftoversOfPodsNotBoundHereAreRemoved) {
  SandboxConfig ghost;
  ghost.name = "ghost";
  ghost.namespace_ = "default";
  ghost.uid = "ghost-uid";
  ghost.log_directory = (dir / "logs" / "default_ghost_ghost-uid").string();
  ghost.labels = {{"io.kubernetes.pod.name", "ghost"},
                  {"io.kubernetes.pod.namespace", "default"},
                  {"io.kubernetes.pod.uid", "ghost-uid"}};
  std::filesystem::create_directories(ghost.log_directory);
  auto sb = runtime.run_pod_sandbox(ghost);
  ContainerConfig cc;
  cc.name = "app";
  cc.image = kBusybox;
  cc.labels = ghost.labels;
  cc.labels["io.kubernetes.container.name"] = "app";
  cc.annotations = {{"io.kubernetes.pod.terminationGracePeriod", "7"}};
  auto id = runtime.create_container(*sb, cc, ghost);
  ASSERT_TRUE(runtime.start_container(*id).has_value());
  seed(pod("kept", json::array({container("web")})));
  start();
  ASSERT_TRUE(eventually([&] { return runtime.list_pod_sandboxes()->size() == 1 && instances("app").empty(); }));
  EXPECT_EQ(runtime.list_pod_sandboxes()->at(0).name, "kept");
  auto stops = runtime.calls_of("stop_container");
  ASSERT_FALSE(stops.empty());
  EXPECT_EQ(stops[0].target, *id);
  EXPECT_EQ(stops[0].detail, "7");
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(ghost.log_directory); }));
}

TEST_F(PodTerminationTest, FailedSandboxCreationIsReportedAndRetried) {
  runtime.fail("run_pod_sandbox", base::Status(base::Reason::InternalError, "failed to setup network for sandbox"), 1);
  seed(pod("net", json::array({container("app")})));
  start();
  EXPECT_TRUE(has_event("FailedCreatePodSandBox", "Failed to create pod sandbox: failed to setup network for sandbox"));
  ASSERT_TRUE(eventually([&] { return get("net")["status"].value("phase", "") == "Running"; }));
  EXPECT_EQ(runtime.calls_of("run_pod_sandbox").size(), 2u);
}

}  // namespace
}  // namespace kite::agent::pods::testing_pods
