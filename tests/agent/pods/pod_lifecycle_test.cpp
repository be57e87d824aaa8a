// The pod lifecycle users rely on: a pod becomes Running with kubelet's status, init containers
// run in order, restart policies with CrashLoopBackOff timing, image pull failures, env errors.
#include <thread>

#include "tests/agent/pods/pods_test_env.h"

namespace kite::agent::pods::testing_pods {
namespace {

class PodLifecycleTest : public PodsTestEnv {};

TEST_F(PodLifecycleTest, PodBecomesRunningWithKubeletStatusAndCriCalls) {
  json spec_container = container("app");
  spec_container["ports"] = json::array({{{"containerPort", 8080}, {"hostPort", 30080}, {"protocol", "TCP"}}});
  spec_container["resources"] = {{"requests", {{"cpu", "250m"}, {"memory", "64Mi"}}},
                                 {"limits", {{"cpu", "500m"}, {"memory", "128Mi"}}}};
  spec_container["workingDir"] = "/srv";
  json p = seed(pod("web", json::array({spec_container})));
  std::string uid = p["metadata"]["uid"];
  start();

  ASSERT_TRUE(eventually([&] {
    json s = status_of("web", "app");
    return get("web")["status"].value("phase", "") == "Running" && s.is_object() && s.value("ready", false);
  })) << get("web").dump(2);

  // CRI calls in kubelet's order.
  std::vector<std::string> sequence;
  for (const auto& c : runtime.calls()) {
    if (c.method == "run_pod_sandbox" || c.method == "create_container" || c.method == "start_container" ||
        c.method == "pull_image") {
      sequence.push_back(c.method + ":" + c.target);
    }
  }
  auto ids = instances("app");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(sequence, (std::vector<std::string>{"run_pod_sandbox:default/web", "create_container:app",
                                                "start_container:" + ids[0]}));

  auto sandboxes = runtime.list_pod_sandboxes();
  ASSERT_EQ(sandboxes->size(), 1u);
  auto sb = runtime.sandbox_config((*sandboxes)[0].id);
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(sb->hostname, "web");
  EXPECT_EQ(sb->uid, uid);
  EXPECT_EQ(sb->log_directory, (dir / "logs").string() + "/default_web_" + uid);
  EXPECT_EQ(sb->cgroup_parent, "/kite-node-a/kubepods/pod" + uid);
  ASSERT_TRUE(sb->dns.has_value());
  EXPECT_EQ(sb->dns->servers, std::vector<std::string>{"10.43.0.10"});
  EXPECT_EQ(sb->dns->searches, (std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local",
                                                          "cluster.local", "lab.example"}));
  EXPECT_EQ(sb->dns->options, std::vector<std::string>{"ndots:5"});
  ASSERT_EQ(sb->port_mappings.size(), 1u);
  EXPECT_EQ(sb->port_mappings[0].container_port, 8080);
  EXPECT_EQ(sb->port_mappings[0].host_port, 30080);
  EXPECT_EQ(sb->labels.at("io.kubernetes.pod.name"), "web");
  EXPECT_EQ(sb->labels.at("io.kubernetes.pod.namespace"), "default");
  EXPECT_EQ(sb->labels.at("io.kubernetes.pod.uid"), uid);
  EXPECT_EQ(sb->labels.at("app"), "web");

  auto cc = runtime.container_config(ids[0]);
  ASSERT_TRUE(cc.has_value());
  EXPECT_EQ(cc->command, (std::vector<std::string>{"sh", "-c", "sleep 3600"}));
  EXPECT_EQ(cc->working_dir, "/srv");
  EXPECT_EQ(cc->log_path, "app/0.log");
  EXPECT_EQ(cc->labels.at("io.kubernetes.container.name"), "app");
  EXPECT_EQ(cc->labels.at("io.kubernetes.pod.uid"), uid);
  EXPECT_EQ(cc->annotations.at("io.kubernetes.container.restartCount"), "0");
  EXPECT_EQ(cc->annotations.at("io.kubernetes.pod.terminationGracePeriod"), "30");
  EXPECT_FALSE(cc->annotations.at("io.kubernetes.container.hash").empty());
  EXPECT_EQ(cc->resources.cpu_shares, 256);
  EXPECT_EQ(cc->resources.cpu_quota, 50000);
  EXPECT_EQ(cc->resources.cpu_period, 100000);
  EXPECT_EQ(cc->resources.memory_limit_bytes, 128LL << 20);
  // Env from resolve_container_env: the service links of the (empty) namespace are none, so
  // nothing but what the spec says.
  EXPECT_TRUE(cc->envs.empty());

  json got = get("web");
  json st = got["status"];
  EXPECT_EQ(st["podIP"], "10.42.0.2");
  EXPECT_EQ(st["podIPs"], json::array({{{"ip", "10.42.0.2"}}}));
  EXPECT_EQ(st["hostIP"], "192.168.5.10");
  EXPECT_EQ(st["qosClass"], "Burstable");
  EXPECT_TRUE(st.contains("startTime"));
  for (const char* type : {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    EXPECT_EQ(condition(got, type).value("status", ""), "True") << type;
  }
  EXPECT_EQ(condition(got, "PodScheduled")["lastTransitionTime"], "2026-01-01T00:00:00Z");
  json cs = status_of("web", "app");
  EXPECT_EQ(cs["containerID"], "containerd://" + ids[0]);
  EXPECT_EQ(cs["restartCount"], 0);
  EXPECT_EQ(cs["started"], true);
  EXPECT_EQ(cs["image"], kBusybox);
  EXPECT_EQ(cs["imageID"].get<std::string>().rfind("sha256:", 0), 0u);
  EXPECT_TRUE(cs["state"]["running"].contains("startedAt"));
  EXPECT_EQ(cs["lastState"], json::object());

  EXPECT_TRUE(has_event("Pulled", "Container image \"kite.local/busybox:1.35\" already present on machine"));
  EXPECT_TRUE(has_event("Created", "Created container app"));
  EXPECT_TRUE(has_event("Started", "Started container app"));
}

TEST_F(PodLifecycleTest, RelistLeavesASettledPodAloneButNoticesAnExit) {
  seed(pod("calm", json::array({container("app")})));
  start();
  ASSERT_TRUE(eventually([&] { return get("calm")["status"].value("phase", "") == "Running"; }));
  // Many relists (every 5 ms here) pass: the pod's own sync already saw this state, so none of
  // them syncs it again. A sync reads every container's status: one read, by the first sync.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(runtime.calls_of("container_status").size(), 1u);
  // A container that exits afterwards is a change: it is noticed and restarted.
  ASSERT_TRUE(runtime.exit_container(instances("app")[0], 1));
  ASSERT_TRUE(eventually([&] { return instances("app").size() == 2; }));
}

TEST_F(PodLifecycleTest, InitContainersRunOneAtATimeInOrder) {
  json p = pod("init", json::array({container("app")}));
  p["spec"]["initContainers"] = json::array({container("init-a"), container("init-b")});
  seed(p);
  start();

  ASSERT_TRUE(eventually([&] { return instances("init-a").size() == 1 && running(instances("init-a")[0]); }));
  ASSERT_TRUE(eventually([&] {
    return condition(get("init"), "Initialized").value("message", "") ==
           "containers with incomplete status: [init-a init-b]";
  })) << get("init").dump(2);
  json got = get("init");
  EXPECT_EQ(got["status"]["phase"], "Pending");
  EXPECT_EQ(condition(got, "Initialized")["reason"], "ContainersNotInitialized");
  EXPECT_EQ(condition(got, "Ready")["reason"], "ContainersNotReady");
  EXPECT_EQ(condition(got, "Ready")["message"], "containers with unready status: [app]");
  EXPECT_EQ(waiting_reason("init", "app"), "PodInitializing");
  EXPECT_EQ(waiting_reason("init", "init-b", "initContainerStatuses"), "PodInitializing");
  EXPECT_TRUE(instances("init-b").empty());

  ASSERT_TRUE(runtime.exit_container(instances("init-a")[0], 0).has_value());
  ASSERT_TRUE(eventually([&] { return instances("init-b").size() == 1; }));
  EXPECT_TRUE(instances("app").empty());
  ASSERT_TRUE(runtime.exit_container(instances("init-b")[0], 0).has_value());
  ASSERT_TRUE(eventually([&] { return get("init")["status"].value("phase", "") == "Running"; })) << get("init").dump(2);

  std::vector<std::string> created;
  for (const auto& c : runtime.calls_of("create_container")) created.push_back(c.target);
  EXPECT_EQ(created, (std::vector<std::string>{"init-a", "init-b", "app"}));
  got = get("init");
  EXPECT_EQ(condition(got, "Initialized")["status"], "True");
  json init_a = status_of("init", "init-a", "initContainerStatuses");
  EXPECT_EQ(init_a["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(init_a["state"]["terminated"]["exitCode"], 0);
  EXPECT_EQ(init_a["ready"], true);
}

TEST_F(PodLifecycleTest, FailedInitContainerWithRestartNeverFailsThePod) {
  json p = pod("init-fail", json::array({container("app")}), {{"restartPolicy", "Never"}});
  p["spec"]["initContainers"] = json::array({container("setup")});
  seed(p);
  start();
  ASSERT_TRUE(eventually([&] { return instances("setup").size() == 1 && running(instances("setup")[0]); }));
  ASSERT_TRUE(runtime.exit_container(instances("setup")[0], 3).has_value());
  ASSERT_TRUE(eventually([&] { return get("init-fail")["status"].value("phase", "") == "Failed"; }))
      << get("init-fail").dump(2);
  wait_relists();
  EXPECT_EQ(instances("setup").size(), 1u);
  EXPECT_TRUE(instances("app").empty());
  json s = status_of("init-fail", "setup", "initContainerStatuses");
  EXPECT_EQ(s["state"]["terminated"]["exitCode"], 3);
  EXPECT_EQ(s["state"]["terminated"]["reason"], "Error");
}

TEST_F(PodLifecycleTest, CrashLoopBackOffDoublesOnTheClock) {
  json p = seed(pod("crash", json::array({container("app")})));
  std::string uid = p["metadata"]["uid"];
  start();
  ASSERT_TRUE(eventually([&] { return instances("app").size() == 1 && running(instances("app")[0]); }));

  // First exit: restarted at once (no back-off yet), restartCount 1, lastState shows the exit.
  clock.advance(5s);
  ASSERT_TRUE(runtime.exit_container(instances("app")[0], 1).has_value());
  ASSERT_TRUE(eventually([&] { return instances("app").size() == 2 && running(instances("app")[1]); }));
  ASSERT_TRUE(eventually([&] { return status_of("crash", "app").value("restartCount", -1) == 1; }));
  json s = status_of("crash", "app");
  EXPECT_EQ(s["lastState"]["terminated"]["exitCode"], 1);
  EXPECT_EQ(s["lastState"]["terminated"]["reason"], "Error");
  EXPECT_EQ(runtime.container_config(instances("app")[1])->log_path, "app/1.log");

  // Second exit: CrashLoopBackOff for 10 s.
  ASSERT_TRUE(runtime.exit_container(instances("app")[1], 2).has_value());
  std::string message = "back-off 10s restarting failed container=app pod=crash_default(" + uid + ")";
  ASSERT_TRUE(eventually([&] {
    return waiting_reason("crash", "app") == "CrashLoopBackOff" && waiting_message("crash", "app") == message;
  })) << get("crash").dump(2);
  s = status_of("crash", "app");
  EXPECT_EQ(s["restartCount"], 1);
  EXPECT_EQ(s["lastState"]["terminated"]["exitCode"], 2);
  EXPECT_EQ(s["ready"], false);
  EXPECT_EQ(get("crash")["status"]["phase"], "Running");
  EXPECT_TRUE(has_event("BackOff", "Back-off restarting failed container app in pod crash_default(" + uid + ")"));

  auto before = instances("app");
  clock.advance(9s);
  wait_relists();
  EXPECT_EQ(instances("app"), before);
  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return instances("app").back() != before.back() && running(instances("app").back()); }));
  ASSERT_TRUE(eventually([&] { return status_of("crash", "app").value("restartCount", -1) == 2; }));
  EXPECT_EQ(runtime.container_config(instances("app").back())->annotations.at("io.kubernetes.container.restartCount"),
            "2");
  // Dead instances beyond the newest two are removed (the newest dead one stays for lastState).
  ASSERT_TRUE(eventually([&] { return instances("app").size() == 2; }));
  EXPECT_EQ(instances("app").front(), before.back());

  // Third exit right away: the back-off doubles to 20 s.
  auto ids = instances("app");
  ASSERT_TRUE(runtime.exit_container(ids.back(), 1).has_value());
  ASSERT_TRUE(eventually([&] {
    return waiting_message("crash", "app") ==
           "back-off 20s restarting failed container=app pod=crash_default(" + uid + ")";
  })) << get("crash").dump(2);
  clock.advance(19s);
  wait_relists();
  EXPECT_EQ(instances("app").back(), ids.back());
  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return instances("app").back() != ids.back() && running(instances("app").back()); }));
}

TEST_F(PodLifecycleTest, RestartPolicyNeverAndOnFailureReachTerminalPhases) {
  seed(pod("job-ok", json::array({container("work")}), {{"restartPolicy", "Never"}}));
  json bad = pod("job-bad", json::array({container("crunch")}), {{"restartPolicy", "Never"}});
  seed(bad);
  seed(pod("retry", json::array({container("task")}), {{"restartPolicy", "OnFailure"}}));
  start();
  ASSERT_TRUE(eventually([&] {
    return instances("work").size() == 1 && instances("crunch").size() == 1 && instances("task").size() == 1;
  }));
  ASSERT_TRUE(runtime.exit_container(instances("work")[0], 0).has_value());
  ASSERT_TRUE(runtime.exit_container(instances("crunch")[0], 7).has_value());
  ASSERT_TRUE(runtime.exit_container(instances("task")[0], 1).has_value());

  ASSERT_TRUE(eventually([&] { return get("job-ok")["status"].value("phase", "") == "Succeeded"; })) << get("job-ok").dump(2);
  ASSERT_TRUE(eventually([&] { return get("job-bad")["status"].value("phase", "") == "Failed"; })) << get("job-bad").dump(2);
  json ok = get("job-ok");
  EXPECT_EQ(status_of("job-ok", "work")["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(condition(ok, "Ready")["reason"], "PodCompleted");
  EXPECT_EQ(condition(ok, "ContainersReady")["reason"], "PodCompleted");
  EXPECT_EQ(condition(ok, "Initialized")["reason"], "PodCompleted");
  json failed = get("job-bad");
  EXPECT_EQ(status_of("job-bad", "crunch")["state"]["terminated"]["exitCode"], 7);
  EXPECT_EQ(condition(failed, "Ready")["reason"], "PodFailed");

  // OnFailure restarts the failed container; its success ends the pod.
  ASSERT_TRUE(eventually([&] { return instances("task").size() == 2 && running(instances("task")[1]); }));
  EXPECT_EQ(get("retry")["status"]["phase"], "Running");
  ASSERT_TRUE(runtime.exit_container(instances("task")[1], 0).has_value());
  ASSERT_TRUE(eventually([&] { return get("retry")["status"].value("phase", "") == "Succeeded"; })) << get("retry").dump(2);
  EXPECT_EQ(status_of("retry", "task")["restartCount"], 1);

  // Terminal pods keep their status; nothing is restarted and their sandboxes are stopped.
  wait_relists();
  EXPECT_EQ(instances("work").size(), 1u);
  EXPECT_EQ(instances("crunch").size(), 1u);
  EXPECT_EQ(instances("task").size(), 2u);
  EXPECT_EQ(get("job-bad")["status"]["phase"], "Failed");
  auto ready = runtime.list_pod_sandboxes({.id = "", .state = SandboxState::kReady, .label_selector = {}});
  EXPECT_TRUE(ready->empty());
}

TEST_F(PodLifecycleTest, ErrImagePullThenImagePullBackOffThenRecovers) {
  const std::string image = "registry.local/missing:v1";
  runtime.set_pull_failure(image, "failed to pull and unpack image \"registry.local/missing:v1\": not found");
  seed(pod("pull", json::array({container("app", image)})));
  start();
  ASSERT_TRUE(eventually([&] { return waiting_reason("pull", "app") == "ErrImagePull"; })) << get("pull").dump(2);
  EXPECT_EQ(status_of("pull", "app")["state"]["waiting"]["message"],
            "failed to pull and unpack image \"registry.local/missing:v1\": not found");
  EXPECT_EQ(get("pull")["status"]["phase"], "Pending");
  EXPECT_TRUE(has_event("Pulling", "Pulling image \"registry.local/missing:v1\""));
  EXPECT_TRUE(has_event("Failed", "Failed to pull image \"registry.local/missing:v1\": failed to pull and unpack image "
                                  "\"registry.local/missing:v1\": not found"));
  EXPECT_TRUE(has_event("Failed", "Error: ErrImagePull"));

  clock.advance(1s);
  ASSERT_TRUE(eventually([&] { return waiting_reason("pull", "app") == "ImagePullBackOff"; })) << get("pull").dump(2);
  EXPECT_EQ(status_of("pull", "app")["state"]["waiting"]["message"], "Back-off pulling image \"registry.local/missing:v1\"");
  EXPECT_TRUE(has_event("BackOff", "Back-off pulling image \"registry.local/missing:v1\""));
  EXPECT_EQ(runtime.calls_of("pull_image").size(), 1u);

  runtime.clear_pull_failure(image);
  clock.advance(9s);
  ASSERT_TRUE(eventually([&] { return get("pull")["status"].value("phase", "") == "Running"; })) << get("pull").dump(2);
  EXPECT_EQ(runtime.calls_of("pull_image").size(), 2u);
  EXPECT_TRUE(eventually([&] {
    for (const auto& m : events("Pulled")) {
      if (m.rfind("Successfully pulled image \"registry.local/missing:v1\" in ", 0) == 0 &&
          m.find("Image size: 1000 bytes.") != std::string::npos) {
        return true;
      }
    }
    return false;
  }));
}

TEST_F(PodLifecycleTest, NeverPullPolicyWithoutImageIsErrImageNeverPull) {
  json c = container("app", "registry.local/absent:v2");
  c["imagePullPolicy"] = "Never";
  seed(pod("never", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return waiting_reason("never", "app") == "ErrImageNeverPull"; }));
  EXPECT_EQ(status_of("never", "app")["state"]["waiting"]["message"],
            "Container image \"registry.local/absent:v2\" is not present with pull policy of Never");
  EXPECT_TRUE(runtime.calls_of("pull_image").empty());
}

TEST_F(PodLifecycleTest, ImagePullSecretsGiveTheRegistryCredentials) {
  json config = {{"auths", {{"registry.local:5000", {{"username", "ci"}, {"password", "s3cret"}}},
                            {"other.example", {{"username", "nope"}, {"password", "x"}}}}}};
  std::string encoded;
  {
    static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string in = config.dump();
    int val = 0, bits = -6;
    for (unsigned char ch : in) {
      val = (val << 8) + ch;
      bits += 8;
      while (bits >= 0) {
        encoded.push_back(b64[(val >> bits) & 0x3F]);
        bits -= 6;
      }
    }
    if (bits > -6) encoded.push_back(b64[((val << 8) >> (bits + 8)) & 0x3F]);
    while (encoded.size() % 4) encoded.push_back('=');
  }
  api.seed(client::resources::kSecrets, {{"apiVersion", "v1"},
                                         {"kind", "Secret"},
                                         {"metadata", {{"name", "regcred"}, {"namespace", "default"}}},
                                         {"type", "kubernetes.io/dockerconfigjson"},
                                         {"data", {{".dockerconfigjson", encoded}}}});
  seed(pod("private", json::array({container("app", "registry.local:5000/team/app:1.0")}),
           {{"imagePullSecrets", json::array({{{"name", "regcred"}}})}}));
  start();
  ASSERT_TRUE(eventually([&] { return get("private")["status"].value("phase", "") == "Running"; }));
  auto auth = runtime.last_pull_auth("registry.local:5000/team/app:1.0");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->username, "ci");
  EXPECT_EQ(auth->password, "s3cret");
  EXPECT_EQ(auth->server_address, "registry.local:5000");
}

TEST_F(PodLifecycleTest, EnvErrorIsCreateContainerConfigErrorUntilTheConfigMapExists) {
  json c = container("app");
  c["env"] = json::array({{{"name", "MODE"},
                           {"valueFrom", {{"configMapKeyRef", {{"name", "app-config"}, {"key", "mode"}}}}}}});
  seed(pod("cfg", json::array({c})));
  start();
  ASSERT_TRUE(eventually([&] { return waiting_reason("cfg", "app") == "CreateContainerConfigError"; }))
      << get("cfg").dump(2);
  EXPECT_EQ(status_of("cfg", "app")["state"]["waiting"]["message"], "configmap \"app-config\" not found");
  EXPECT_TRUE(has_event("Failed", "Error: configmap \"app-config\" not found"));
  EXPECT_TRUE(runtime.calls_of("create_container").empty());
  EXPECT_EQ(get("cfg")["status"]["phase"], "Pending");

  api.seed(client::resources::kConfigMaps, {{"apiVersion", "v1"},
                                            {"kind", "ConfigMap"},
                                            {"metadata", {{"name", "app-config"}, {"namespace", "default"}}},
                                            {"data", {{"mode", "fast"}}}});
  clock.advance(10s);  // kubelet retries a failed start after its 10 s pod back-off
  ASSERT_TRUE(eventually([&] { return get("cfg")["status"].value("phase", "") == "Running"; })) << get("cfg").dump(2);
  auto cc = runtime.container_config(instances("app")[0]);
  ASSERT_TRUE(cc.has_value());
  bool found = false;
  for (const auto& kv : cc->envs) found = found || (kv.key == "MODE" && kv.value == "fast");
  EXPECT_TRUE(found);
}

TEST_F(PodLifecycleTest, TerminatedStateCarriesTheTerminationMessageAndMounts) {
  auto o = options();
  std::string message_file = (dir / "termination-log").string();
  int setups = 0;
  o.seams.setup_volumes = [&](const json&) -> base::Result<void> {
    ++setups;
    return {};
  };
  o.seams.mounts_for = [&](const json&, const json& c) -> base::Result<std::vector<storage::HostMount>> {
    return std::vector<storage::HostMount>{{"/data", "/srv/data", true, "rslave"},
                                           {c.value("terminationMessagePath", ""), message_file, false, ""}};
  };
  seed(pod("msg", json::array({container("app")}), {{"restartPolicy", "Never"}}));
  start(o);
  ASSERT_TRUE(eventually([&] { return instances("app").size() == 1 && running(instances("app")[0]); }));
  auto cc = runtime.container_config(instances("app")[0]);
  ASSERT_EQ(cc->mounts.size(), 2u);
  EXPECT_EQ(cc->mounts[0].container_path, "/data");
  EXPECT_EQ(cc->mounts[0].host_path, "/srv/data");
  EXPECT_TRUE(cc->mounts[0].readonly);
  EXPECT_EQ(cc->mounts[0].propagation, "rslave");
  EXPECT_GE(setups, 1);

  std::ofstream(message_file) << "disk full";
  ASSERT_TRUE(runtime.exit_container(instances("app")[0], 1).has_value());
  ASSERT_TRUE(eventually([&] { return get("msg")["status"].value("phase", "") == "Failed"; }));
  json t = status_of("msg", "app")["state"]["terminated"];
  EXPECT_EQ(t["message"], "disk full");
  EXPECT_EQ(t["exitCode"], 1);
  EXPECT_EQ(t["containerID"], "containerd://" + instances("app")[0]);
}

TEST_F(PodLifecycleTest, FailedMountIsReportedAndBlocksTheSandbox) {
  auto o = options();
  o.seams.setup_volumes = [&](const json&) -> base::Result<void> {
    return base::error(base::Reason::NotFound,
                       "MountVolume.SetUp failed for volume \"cfg\" : configmap \"app-config\" not found");
  };
  seed(pod("mount", json::array({container("app")})));
  start(o);
  EXPECT_TRUE(has_event("FailedMount", "MountVolume.SetUp failed for volume \"cfg\" : configmap \"app-config\" not found"));
  ASSERT_TRUE(eventually([&] { return waiting_reason("mount", "app") == "ContainerCreating"; }));
  EXPECT_EQ(get("mount")["status"]["phase"], "Pending");
  EXPECT_TRUE(runtime.calls_of("run_pod_sandbox").empty());
}

}  // namespace
}  // namespace kite::agent::pods::testing_pods
