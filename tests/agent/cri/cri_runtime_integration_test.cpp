// CriRuntime against a real containerd (tests/agent/cri/cri_test_containerd.h): a host-network
// sandbox from kite.local/pause, busybox containers, exit codes, CRI log files, ExecSync,
// streaming URLs, label filters, idempotent teardown. Skips when containerd/runc are missing.
#include <gtest/gtest.h>

#include "agent/cri/cri_runtime.h"
#include "tests/agent/cri/cri_test_containerd.h"

namespace kite::agent {
namespace {

using namespace std::chrono_literals;
using testing_cri::CriTestContainerd;
using testing_cri::read_text;
using testing_cri::wait_until;

TEST(CriRuntimeConnect, MissingContainerdIsServiceUnavailable) {
  const auto start = base::real_clock().now();
  auto r = connect_cri_runtime("unix:///tmp/kite-cri-test-no-such-dir/containerd.sock", 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason(), base::Reason::ServiceUnavailable);
  EXPECT_NE(r.error().message().find("is containerd running?"), std::string::npos) << r.error().message();
  EXPECT_LT(base::real_clock().now() - start, 10s);
}

TEST(CriRuntimeConnect, RejectsNonUnixEndpoint) {
  auto r = connect_cri_runtime("tcp://127.0.0.1:1", 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason(), base::Reason::BadRequest);
}

class CriRuntimeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto reason = CriTestContainerd::skip_reason(); !reason.empty()) GTEST_SKIP() << reason;
    const std::string err = env_.start();
    ASSERT_EQ(err, "") << err;
  }

  SandboxConfig sandbox_config() const {
    SandboxConfig s;
    s.name = "web";
    s.namespace_ = "default";
    s.uid = "0a1b2c3d-0000-4000-8000-000000000001";
    s.hostname = "web";
    s.log_directory = env_.log_root() + "/default_web_" + s.uid;
    s.labels = {{"io.kubernetes.pod.name", "web"}, {"io.kubernetes.pod.namespace", "default"},
                {"io.kubernetes.pod.uid", s.uid}};
    s.annotations = {{"kite.io/test", "yes"}};
    s.cgroup_parent = env_.cgroup_parent();
    s.host_network = true;
    return s;
  }

  ContainerConfig container_config(const SandboxConfig& s, const std::string& name,
                                   std::vector<std::string> command) const {
    ContainerConfig c;
    c.name = name;
    c.image = CriTestContainerd::kBusyboxImage;
    c.command = std::move(command);
    c.envs = {{"GREETING", "hello-from-kite"}};
    c.labels = s.labels;
    c.labels["io.kubernetes.container.name"] = name;
    c.annotations = {{"io.kubernetes.container.restartCount", "0"}};
    c.log_path = name + "/0.log";
    return c;
  }

  ContainerState state_of(const std::string& id) {
    auto st = env_.runtime().container_status(id);
    return st ? st->state : ContainerState::kUnknown;
  }

  CriTestContainerd env_;
};

TEST_F(CriRuntimeIntegrationTest, RunsPodsThroughCri) {
  Runtime& rt = env_.runtime();

  auto version = rt.version();
  ASSERT_TRUE(version) << version.error().message();
  EXPECT_EQ(version->runtime_name, "containerd");
  EXPECT_EQ(version->runtime_api_version, "v1");

  // Images: the imported ones are present, an unknown one is nullopt.
  auto busybox = rt.image_status(CriTestContainerd::kBusyboxImage);
  ASSERT_TRUE(busybox) << busybox.error().message();
  ASSERT_TRUE(busybox->has_value());
  EXPECT_TRUE((*busybox)->id.starts_with("sha256:"));
  EXPECT_NE(std::find((*busybox)->repo_tags.begin(), (*busybox)->repo_tags.end(), CriTestContainerd::kBusyboxImage),
            (*busybox)->repo_tags.end());
  auto missing = rt.image_status("kite.local/no-such-image:1");
  ASSERT_TRUE(missing) << missing.error().message();
  EXPECT_FALSE(missing->has_value());
  auto images = rt.list_images();
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_GE(images->size(), 2u);

  // Sandbox.
  const SandboxConfig sc = sandbox_config();
  auto sandbox_id = rt.run_pod_sandbox(sc);
  ASSERT_TRUE(sandbox_id) << sandbox_id.error().message() << "\n" << env_.containerd_log();
  auto sstatus = rt.pod_sandbox_status(*sandbox_id);
  ASSERT_TRUE(sstatus) << sstatus.error().message();
  EXPECT_EQ(sstatus->state, SandboxState::kReady);
  EXPECT_EQ(sstatus->name, "web");
  EXPECT_EQ(sstatus->namespace_, "default");
  EXPECT_EQ(sstatus->uid, sc.uid);
  EXPECT_GT(sstatus->created_at, 0);
  EXPECT_EQ(sstatus->labels.at("io.kubernetes.pod.name"), "web");
  EXPECT_EQ(sstatus->annotations.at("kite.io/test"), "yes");

  // A container that writes to stdout and stderr and exits 3.
  auto once_id = rt.create_container(
      *sandbox_id, container_config(sc, "once", {"sh", "-c", "echo $GREETING; echo oops >&2; exit 3"}), sc);
  ASSERT_TRUE(once_id) << once_id.error().message() << "\n" << env_.containerd_log();
  EXPECT_EQ(state_of(*once_id), ContainerState::kCreated);
  auto started = rt.start_container(*once_id);
  ASSERT_TRUE(started) << started.error().message() << "\n" << env_.containerd_log();
  ASSERT_TRUE(wait_until([&] { return state_of(*once_id) == ContainerState::kExited; }, 30s));
  auto once = rt.container_status(*once_id);
  ASSERT_TRUE(once) << once.error().message();
  EXPECT_EQ(once->exit_code, 3);
  EXPECT_EQ(once->reason, "Error");
  EXPECT_EQ(once->name, "once");
  EXPECT_EQ(once->image, CriTestContainerd::kBusyboxImage);
  EXPECT_FALSE(once->image_ref.empty());
  EXPECT_GT(once->started_at, 0);
  // containerd stamps the exit from the shim's event and the start after the start RPC: for a
  // container this short, finished_at may precede started_at by microseconds.
  EXPECT_GT(once->finished_at, 0);
  EXPECT_EQ(once->log_path, sc.log_directory + "/once/0.log");
  EXPECT_EQ(once->labels.at("io.kubernetes.container.name"), "once");
  EXPECT_EQ(once->annotations.at("io.kubernetes.container.restartCount"), "0");
  // CRI log format: "<RFC3339Nano> <stream> <P|F> <line>".
  std::string log;
  ASSERT_TRUE(wait_until(
      [&] {
        log = read_text(once->log_path);
        return log.find(" stderr F oops\n") != std::string::npos;
      },
      10s))
      << log;
  EXPECT_NE(log.find(" stdout F hello-from-kite\n"), std::string::npos) << log;

  // A long-running container: exec_sync, streaming URLs, resources.
  auto sleeper_id = rt.create_container(*sandbox_id, container_config(sc, "sleeper", {"sleep", "3600"}), sc);
  ASSERT_TRUE(sleeper_id) << sleeper_id.error().message();
  ASSERT_TRUE(rt.start_container(*sleeper_id));
  EXPECT_EQ(state_of(*sleeper_id), ContainerState::kRunning);

  auto exec = rt.exec_sync(*sleeper_id, {"sh", "-c", "echo out:$GREETING; echo err >&2; exit 5"}, 10s);
  ASSERT_TRUE(exec) << exec.error().message();
  EXPECT_EQ(exec->exit_code, 5);
  EXPECT_EQ(exec->stdout_, "out:hello-from-kite\n");
  EXPECT_EQ(exec->stderr_, "err\n");
  auto ok = rt.exec_sync(*sleeper_id, {"cat", "/etc/passwd"}, 0s);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(ok->exit_code, 0);
  EXPECT_NE(ok->stdout_.find("nobody:x:65534"), std::string::npos);

  auto exec_url = rt.exec({*sleeper_id, {"sh"}, false, true, true, false});
  ASSERT_TRUE(exec_url) << exec_url.error().message();
  EXPECT_TRUE(exec_url->starts_with("http://127.0.0.1:")) << *exec_url;
  EXPECT_NE(exec_url->find("/exec/"), std::string::npos) << *exec_url;
  auto attach_url = rt.attach({*sleeper_id, {}, false, false, true, true});
  ASSERT_TRUE(attach_url) << attach_url.error().message();
  EXPECT_NE(attach_url->find("/attach/"), std::string::npos) << *attach_url;
  auto pf_url = rt.port_forward(*sandbox_id, {8080});
  ASSERT_TRUE(pf_url) << pf_url.error().message();
  EXPECT_NE(pf_url->find("/portforward/"), std::string::npos) << *pf_url;

  ContainerResources res;
  res.cpu_shares = 512;
  res.memory_limit_bytes = 64 << 20;
  auto updated = rt.update_container_resources(*sleeper_id, res);
  EXPECT_TRUE(updated) << updated.error().message();

  // Lists with label filters and states.
  auto by_name = rt.list_containers({.label_selector = {{"io.kubernetes.container.name", "once"}}});
  ASSERT_TRUE(by_name) << by_name.error().message();
  ASSERT_EQ(by_name->size(), 1u);
  EXPECT_EQ((*by_name)[0].id, *once_id);
  EXPECT_EQ((*by_name)[0].sandbox_id, *sandbox_id);
  EXPECT_EQ((*by_name)[0].state, ContainerState::kExited);
  auto running = rt.list_containers({.sandbox_id = *sandbox_id, .state = ContainerState::kRunning});
  ASSERT_TRUE(running);
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ((*running)[0].id, *sleeper_id);
  auto in_pod = rt.list_containers({.label_selector = {{"io.kubernetes.pod.uid", sc.uid}}});
  ASSERT_TRUE(in_pod);
  EXPECT_EQ(in_pod->size(), 2u);
  auto none = rt.list_containers({.label_selector = {{"io.kubernetes.pod.uid", "other"}}});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto pods = rt.list_pod_sandboxes({.label_selector = {{"io.kubernetes.pod.uid", sc.uid}}});
  ASSERT_TRUE(pods);
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ((*pods)[0].id, *sandbox_id);
  EXPECT_EQ((*pods)[0].state, SandboxState::kReady);
  auto not_ready = rt.list_pod_sandboxes({.state = SandboxState::kNotReady});
  ASSERT_TRUE(not_ready);
  EXPECT_TRUE(not_ready->empty());

  // Teardown, twice (idempotent), then NotFound.
  auto stopped = rt.stop_container(*sleeper_id, 1s);
  ASSERT_TRUE(stopped) << stopped.error().message();
  EXPECT_EQ(state_of(*sleeper_id), ContainerState::kExited);
  for (const auto& id : {*once_id, *sleeper_id}) {
    ASSERT_TRUE(rt.remove_container(id));
    EXPECT_TRUE(rt.remove_container(id));
    EXPECT_TRUE(rt.stop_container(id, 1s));
    auto gone = rt.container_status(id);
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().reason(), base::Reason::NotFound) << gone.error().message();
  }
  ASSERT_TRUE(rt.stop_pod_sandbox(*sandbox_id));
  auto after_stop = rt.pod_sandbox_status(*sandbox_id);
  ASSERT_TRUE(after_stop);
  EXPECT_EQ(after_stop->state, SandboxState::kNotReady);
  ASSERT_TRUE(rt.remove_pod_sandbox(*sandbox_id));
  EXPECT_TRUE(rt.remove_pod_sandbox(*sandbox_id));
  EXPECT_TRUE(rt.stop_pod_sandbox(*sandbox_id));
  auto gone = rt.pod_sandbox_status(*sandbox_id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().reason(), base::Reason::NotFound) << gone.error().message();
  auto all = rt.list_pod_sandboxes();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TEST_F(CriRuntimeIntegrationTest, ErrorsCarryTheRuntimesMessage) {
  Runtime& rt = env_.runtime();
  auto st = rt.container_status("no-such-container");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().reason(), base::Reason::NotFound) << st.error().message();
  EXPECT_NE(st.error().message().find("ContainerStatus no-such-container"), std::string::npos);

  // CRI PullImage always contacts a registry; kite.local does not resolve here.
  auto pulled = rt.pull_image("kite.local/not-there:1", std::nullopt, sandbox_config());
  ASSERT_FALSE(pulled);
  EXPECT_NE(pulled.error().message().find("PullImage kite.local/not-there:1"), std::string::npos)
      << pulled.error().message();

  // A container in a sandbox that does not exist.
  const SandboxConfig sc = sandbox_config();
  auto created = rt.create_container("no-such-sandbox", container_config(sc, "x", {"true"}), sc);
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message().find("CreateContainer x in no-such-sandbox"), std::string::npos);
}

// The fixture must leave nothing behind even when containerd dies under running pods.
TEST_F(CriRuntimeIntegrationTest, FixtureCleansUpAfterContainerdIsKilled) {
  Runtime& rt = env_.runtime();
  const SandboxConfig sc = sandbox_config();
  auto sandbox_id = rt.run_pod_sandbox(sc);
  ASSERT_TRUE(sandbox_id) << sandbox_id.error().message();
  auto id = rt.create_container(*sandbox_id, container_config(sc, "sleeper", {"sleep", "3600"}), sc);
  ASSERT_TRUE(id) << id.error().message();
  ASSERT_TRUE(rt.start_container(*id));
  const std::string dir = env_.dir(), cgroup = env_.cgroup_parent();
  ASSERT_TRUE(std::filesystem::exists("/sys/fs/cgroup/pids" + cgroup));
  ASSERT_EQ(::kill(env_.containerd_pid(), SIGKILL), 0);

  env_.cleanup();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_TRUE(wait_until([&] { return !std::filesystem::exists("/sys/fs/cgroup/pids" + cgroup); }, 10s));
  EXPECT_EQ(read_text("/proc/self/mountinfo").find(dir), std::string::npos);
}

}  // namespace
}  // namespace kite::agent
