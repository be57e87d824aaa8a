#include "agent/runtime/fake_runtime.h"

#include <gtest/gtest.h>

namespace kite::agent {
namespace {

using namespace std::chrono_literals;

SandboxConfig sandbox(const std::string& name) {
  SandboxConfig c;
  c.name = name;
  c.namespace_ = "default";
  c.uid = "uid-" + name;
  c.log_directory = "/var/log/pods/default_" + name + "_uid-" + name;
  c.labels = {{"io.kubernetes.pod.uid", c.uid}};
  return c;
}

ContainerConfig container(const std::string& name, const std::string& image) {
  ContainerConfig c;
  c.name = name;
  c.image = image;
  c.log_path = name + "/0.log";
  c.labels = {{"io.kubernetes.container.name", name}};
  return c;
}

class FakeRuntimeTest : public ::testing::Test {
 protected:
  base::ManualClock clock{std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000))};
  FakeRuntime rt{clock};
};

TEST_F(FakeRuntimeTest, SandboxAndContainerLifecycleWithClockTimes) {
  auto sb = rt.run_pod_sandbox(sandbox("web"));
  ASSERT_TRUE(sb.has_value());
  auto st = rt.pod_sandbox_status(*sb);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(st->state, SandboxState::kReady);
  EXPECT_EQ(st->ip, "10.42.0.2");
  EXPECT_EQ(st->created_at, 1'800'000'000LL * 1'000'000'000LL);

  // No image yet: create fails as containerd does.
  auto missing = rt.create_container(*sb, container("app", "busybox"), sandbox("web"));
  ASSERT_FALSE(missing.has_value());
  rt.add_image("busybox:latest");
  auto id = rt.create_container(*sb, container("app", "busybox"), sandbox("web"));
  ASSERT_TRUE(id.has_value()) << id.error().message();
  clock.advance(2s);
  ASSERT_TRUE(rt.start_container(*id).has_value());
  auto cs = rt.container_status(*id);
  ASSERT_TRUE(cs.has_value());
  EXPECT_EQ(cs->state, ContainerState::kRunning);
  EXPECT_EQ(cs->started_at, cs->created_at + 2'000'000'000LL);
  EXPECT_EQ(cs->log_path, "/var/log/pods/default_web_uid-web/app/0.log");
  EXPECT_EQ(cs->image_ref.rfind("sha256:", 0), 0u);

  clock.advance(3s);
  ASSERT_TRUE(rt.exit_container(*id, 1).has_value());
  cs = rt.container_status(*id);
  EXPECT_EQ(cs->state, ContainerState::kExited);
  EXPECT_EQ(cs->exit_code, 1);
  EXPECT_EQ(cs->reason, "Error");
  EXPECT_EQ(cs->finished_at, cs->started_at + 3'000'000'000LL);

  ASSERT_TRUE(rt.remove_pod_sandbox(*sb).has_value());
  EXPECT_FALSE(rt.container_status(*id).has_value());
  EXPECT_TRUE(rt.remove_pod_sandbox(*sb).has_value());  // idempotent
}

TEST_F(FakeRuntimeTest, StopSandboxKillsContainersAndFiltersWork) {
  rt.add_image("busybox:1.35");
  auto a = rt.run_pod_sandbox(sandbox("a"));
  auto b = rt.run_pod_sandbox(sandbox("b"));
  auto ca = rt.create_container(*a, container("app", "busybox:1.35"), sandbox("a"));
  auto cb = rt.create_container(*b, container("app", "busybox:1.35"), sandbox("b"));
  ASSERT_TRUE(rt.start_container(*ca).has_value());
  ASSERT_TRUE(rt.start_container(*cb).has_value());
  ASSERT_TRUE(rt.stop_pod_sandbox(*a).has_value());
  EXPECT_EQ(rt.container_status(*ca)->exit_code, 137);
  EXPECT_EQ(rt.container_status(*cb)->state, ContainerState::kRunning);

  auto ready = rt.list_pod_sandboxes({.id = "", .state = SandboxState::kReady, .label_selector = {}});
  ASSERT_EQ(ready->size(), 1u);
  EXPECT_EQ((*ready)[0].id, *b);
  auto of_a = rt.list_containers({.id = "", .sandbox_id = "", .state = std::nullopt,
                                  .label_selector = {{"io.kubernetes.container.name", "app"}}});
  EXPECT_EQ(of_a->size(), 2u);
  auto running = rt.list_containers({.id = "", .sandbox_id = "", .state = ContainerState::kRunning, .label_selector = {}});
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ((*running)[0].id, *cb);
  EXPECT_EQ((*running)[0].sandbox_id, *b);
}

TEST_F(FakeRuntimeTest, PullFailuresExecScriptsAndFailureInjection) {
  rt.set_pull_failure("registry.local/app:v1", "failed to pull and unpack image: not found");
  auto pull = rt.pull_image("registry.local/app:v1", std::nullopt, sandbox("x"));
  ASSERT_FALSE(pull.has_value());
  EXPECT_EQ(pull.error().message(), "failed to pull and unpack image: not found");
  RegistryAuth auth;
  auth.username = "bob";
  ASSERT_TRUE(rt.pull_image("nginx", auth, sandbox("x")).has_value());
  EXPECT_TRUE(rt.image_status("nginx:latest")->has_value());
  EXPECT_EQ(rt.last_pull_auth("nginx")->username, "bob");

  rt.add_image("busybox");
  auto sb = rt.run_pod_sandbox(sandbox("x"));
  auto id = rt.create_container(*sb, container("app", "busybox"), sandbox("x"));
  ASSERT_TRUE(rt.start_container(*id).has_value());
  rt.set_exec_result({"cat", "/tmp/healthy"}, ExecResult{1, "", "no such file"});
  auto r = rt.exec_sync(*id, {"cat", "/tmp/healthy"}, 1s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->exit_code, 1);
  EXPECT_EQ(r->stderr_, "no such file");
  EXPECT_EQ(rt.exec_sync(*id, {"true"}, 1s)->exit_code, 0);

  rt.fail("stop_container", base::Status(base::Reason::ServiceUnavailable, "down"), 1);
  EXPECT_FALSE(rt.stop_container(*id, 30s).has_value());
  EXPECT_TRUE(rt.stop_container(*id, 30s).has_value());
  auto stops = rt.calls_of("stop_container");
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[1].target, *id);
  EXPECT_EQ(stops[1].detail, "30");
}

TEST_F(FakeRuntimeTest, WaitForSeesChangesFromOtherThreads) {
  rt.add_image("busybox");
  auto sb = rt.run_pod_sandbox(sandbox("w"));
  auto id = rt.create_container(*sb, container("app", "busybox"), sandbox("w"));
  std::thread t([&] { (void)rt.start_container(*id); });
  EXPECT_TRUE(rt.wait_for([&](const FakeRuntime& r) { return !r.calls_of("start_container").empty(); }, 5s));
  t.join();
  EXPECT_EQ(rt.containers_named("app"), std::vector<std::string>{*id});
}

}  // namespace
}  // namespace kite::agent
