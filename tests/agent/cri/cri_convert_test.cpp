// Unit tests of the agent::Runtime <-> CRI v1 conversions (agent/cri/cri_convert.h) and the
// gRPC status mapping (agent/cri/cri_errors.h). No containerd needed.
#include <gtest/gtest.h>

#include "agent/cri/cri_convert.h"
#include "agent/cri/cri_errors.h"

namespace kite::agent::cri {
namespace {

SandboxConfig sample_sandbox() {
  SandboxConfig s;
  s.name = "web";
  s.namespace_ = "default";
  s.uid = "uid-1";
  s.attempt = 2;
  s.hostname = "web";
  s.log_directory = "/var/log/pods/default_web_uid-1";
  s.dns = DnsConfig{{"10.43.0.10"}, {"default.svc.cluster.local", "svc.cluster.local"}, {"ndots:5"}};
  s.port_mappings = {PortMapping{"udp", 53, 5353, "127.0.0.1"}, PortMapping{"TCP", 80, 8080, ""}};
  s.labels = {{"io.kubernetes.pod.name", "web"}, {"io.kubernetes.pod.namespace", "default"}};
  s.annotations = {{"a", "b"}};
  s.cgroup_parent = "/kubepods/besteffort/poduid-1";
  s.sysctls = {{"net.ipv4.ip_unprivileged_port_start", "0"}};
  s.run_as_user = 1000;
  s.supplemental_groups = {10, 20};
  return s;
}

TEST(CriConvert, SandboxConfigCopiesEveryField) {
  const auto c = to_cri_sandbox_config(sample_sandbox());
  EXPECT_EQ(c.metadata().name(), "web");
  EXPECT_EQ(c.metadata().namespace_(), "default");
  EXPECT_EQ(c.metadata().uid(), "uid-1");
  EXPECT_EQ(c.metadata().attempt(), 2u);
  EXPECT_EQ(c.hostname(), "web");
  EXPECT_EQ(c.log_directory(), "/var/log/pods/default_web_uid-1");
  ASSERT_TRUE(c.has_dns_config());
  EXPECT_EQ(c.dns_config().servers(0), "10.43.0.10");
  EXPECT_EQ(c.dns_config().searches_size(), 2);
  EXPECT_EQ(c.dns_config().options(0), "ndots:5");
  ASSERT_EQ(c.port_mappings_size(), 2);
  EXPECT_EQ(c.port_mappings(0).protocol(), runtime::v1::UDP);
  EXPECT_EQ(c.port_mappings(0).container_port(), 53);
  EXPECT_EQ(c.port_mappings(0).host_port(), 5353);
  EXPECT_EQ(c.port_mappings(0).host_ip(), "127.0.0.1");
  EXPECT_EQ(c.port_mappings(1).protocol(), runtime::v1::TCP);
  EXPECT_EQ(c.labels().at("io.kubernetes.pod.name"), "web");
  EXPECT_EQ(c.annotations().at("a"), "b");
  EXPECT_EQ(c.linux().cgroup_parent(), "/kubepods/besteffort/poduid-1");
  EXPECT_EQ(c.linux().sysctls().at("net.ipv4.ip_unprivileged_port_start"), "0");
  const auto& sc = c.linux().security_context();
  EXPECT_EQ(sc.namespace_options().network(), runtime::v1::POD);
  EXPECT_EQ(sc.namespace_options().pid(), runtime::v1::CONTAINER);
  EXPECT_EQ(sc.namespace_options().ipc(), runtime::v1::POD);
  ASSERT_TRUE(sc.has_run_as_user());
  EXPECT_EQ(sc.run_as_user().value(), 1000);
  EXPECT_FALSE(sc.has_run_as_group());
  EXPECT_EQ(sc.supplemental_groups_size(), 2);
  EXPECT_FALSE(sc.privileged());
}

TEST(CriConvert, SandboxWithoutDnsHasNoDnsConfigAndHostNamespacesAreNode) {
  SandboxConfig s;
  s.host_network = s.host_pid = s.host_ipc = true;
  s.hostname = "web";
  const auto c = to_cri_sandbox_config(s);
  EXPECT_FALSE(c.has_dns_config());
  EXPECT_EQ(c.hostname(), "");  // the node's UTS namespace
  const auto& ns = c.linux().security_context().namespace_options();
  EXPECT_EQ(ns.network(), runtime::v1::NODE);
  EXPECT_EQ(ns.pid(), runtime::v1::NODE);
  EXPECT_EQ(ns.ipc(), runtime::v1::NODE);
  EXPECT_FALSE(c.linux().security_context().has_run_as_user());
}

TEST(CriConvert, ContainerConfigCopiesFieldsAndAppliesKubeletDefaults) {
  ContainerConfig c;
  c.name = "app";
  c.attempt = 3;
  c.image = "kite.local/busybox:1.35";
  c.command = {"sh", "-c"};
  c.args = {"echo hi"};
  c.working_dir = "/tmp";
  c.envs = {{"A", "1"}, {"B", ""}};
  c.mounts = {Mount{"/data", "/var/lib/kite/x", true, "rslave"}, Mount{"/m", "/h", false, ""},
              Mount{"/s", "/hs", false, "rshared"}};
  c.labels = {{"io.kubernetes.container.name", "app"}};
  c.annotations = {{"io.kubernetes.container.restartCount", "3"}};
  c.log_path = "app/3.log";
  c.stdin_ = true;
  c.tty = true;
  c.resources = ContainerResources{100000, 50000, 512, 64 << 20, 1000};
  c.security.add_capabilities = {"NET_ADMIN"};
  c.security.drop_capabilities = {"ALL"};
  c.security.run_as_group = 3000;
  c.security.supplemental_groups = {20, 30};
  c.security.readonly_rootfs = true;
  c.security.no_new_privs = true;
  c.security.run_as_username = "nobody";

  const auto out = to_cri_container_config(c, sample_sandbox());
  EXPECT_EQ(out.metadata().name(), "app");
  EXPECT_EQ(out.metadata().attempt(), 3u);
  EXPECT_EQ(out.image().image(), "kite.local/busybox:1.35");
  ASSERT_EQ(out.command_size(), 2);
  EXPECT_EQ(out.args(0), "echo hi");
  EXPECT_EQ(out.working_dir(), "/tmp");
  ASSERT_EQ(out.envs_size(), 2);
  EXPECT_EQ(out.envs(0).key(), "A");
  EXPECT_EQ(out.envs(0).value(), "1");
  ASSERT_EQ(out.mounts_size(), 3);
  EXPECT_EQ(out.mounts(0).container_path(), "/data");
  EXPECT_EQ(out.mounts(0).host_path(), "/var/lib/kite/x");
  EXPECT_TRUE(out.mounts(0).readonly());
  EXPECT_EQ(out.mounts(0).propagation(), runtime::v1::PROPAGATION_HOST_TO_CONTAINER);
  EXPECT_EQ(out.mounts(1).propagation(), runtime::v1::PROPAGATION_PRIVATE);
  EXPECT_EQ(out.mounts(2).propagation(), runtime::v1::PROPAGATION_BIDIRECTIONAL);
  EXPECT_EQ(out.labels().at("io.kubernetes.container.name"), "app");
  EXPECT_EQ(out.annotations().at("io.kubernetes.container.restartCount"), "3");
  EXPECT_EQ(out.log_path(), "app/3.log");
  EXPECT_TRUE(out.stdin());
  EXPECT_FALSE(out.stdin_once());
  EXPECT_TRUE(out.tty());

  const auto& r = out.linux().resources();
  EXPECT_EQ(r.cpu_period(), 100000);
  EXPECT_EQ(r.cpu_quota(), 50000);
  EXPECT_EQ(r.cpu_shares(), 512);
  EXPECT_EQ(r.memory_limit_in_bytes(), 64 << 20);
  EXPECT_EQ(r.oom_score_adj(), 1000);

  const auto& sc = out.linux().security_context();
  EXPECT_EQ(sc.capabilities().add_capabilities(0), "NET_ADMIN");
  EXPECT_EQ(sc.capabilities().drop_capabilities(0), "ALL");
  EXPECT_EQ(sc.run_as_user().value(), 1000);   // the pod's
  EXPECT_EQ(sc.run_as_group().value(), 3000);  // the container's
  EXPECT_EQ(sc.run_as_username(), "nobody");
  ASSERT_EQ(sc.supplemental_groups_size(), 3);  // pod's 10, 20 then container's 30
  EXPECT_EQ(sc.supplemental_groups(0), 10);
  EXPECT_EQ(sc.supplemental_groups(2), 30);
  EXPECT_TRUE(sc.readonly_rootfs());
  EXPECT_TRUE(sc.no_new_privs());
  EXPECT_EQ(sc.namespace_options().pid(), runtime::v1::CONTAINER);
  EXPECT_EQ(sc.namespace_options().network(), runtime::v1::POD);
  EXPECT_EQ(static_cast<size_t>(sc.masked_paths_size()), default_masked_paths().size());
  EXPECT_EQ(static_cast<size_t>(sc.readonly_paths_size()), default_readonly_paths().size());
}

TEST(CriConvert, PrivilegedContainerHasNoMaskedPathsAndFollowsHostNamespaces) {
  ContainerConfig c;
  c.security.privileged = true;
  c.security.run_as_user = 0;
  SandboxConfig s = sample_sandbox();
  s.host_network = true;
  s.host_pid = true;
  const auto out = to_cri_container_config(c, s);
  const auto& sc = out.linux().security_context();
  EXPECT_TRUE(sc.privileged());
  EXPECT_EQ(sc.masked_paths_size(), 0);
  EXPECT_EQ(sc.readonly_paths_size(), 0);
  EXPECT_EQ(sc.run_as_user().value(), 0);  // the container's 0 wins over the pod's 1000
  EXPECT_EQ(sc.namespace_options().network(), runtime::v1::NODE);
  EXPECT_EQ(sc.namespace_options().pid(), runtime::v1::NODE);
}

TEST(CriConvert, Filters) {
  SandboxFilter sf{"sb1", SandboxState::kReady, {{"k", "v"}}};
  auto s = to_cri_sandbox_filter(sf);
  EXPECT_EQ(s.id(), "sb1");
  ASSERT_TRUE(s.has_state());
  EXPECT_EQ(s.state().state(), runtime::v1::SANDBOX_READY);
  EXPECT_EQ(s.label_selector().at("k"), "v");
  EXPECT_FALSE(to_cri_sandbox_filter({}).has_state());
  EXPECT_EQ(to_cri_sandbox_filter({"", SandboxState::kNotReady, {}}).state().state(), runtime::v1::SANDBOX_NOTREADY);

  ContainerFilter cf{"c1", "sb1", ContainerState::kExited, {{"a", "b"}}};
  auto c = to_cri_container_filter(cf);
  EXPECT_EQ(c.id(), "c1");
  EXPECT_EQ(c.pod_sandbox_id(), "sb1");
  EXPECT_EQ(c.state().state(), runtime::v1::CONTAINER_EXITED);
  EXPECT_EQ(c.label_selector().at("a"), "b");
  EXPECT_FALSE(to_cri_container_filter({}).has_state());
}

TEST(CriConvert, SandboxStatusFromCri) {
  runtime::v1::PodSandboxStatus st;
  st.set_id("sb1");
  st.mutable_metadata()->set_name("web");
  st.mutable_metadata()->set_namespace_("ns");
  st.mutable_metadata()->set_uid("u");
  st.mutable_metadata()->set_attempt(1);
  st.set_state(runtime::v1::SANDBOX_READY);
  st.set_created_at(123);
  st.mutable_network()->set_ip("10.42.0.5");
  st.mutable_network()->add_additional_ips()->set_ip("fd00::5");
  (*st.mutable_labels())["l"] = "1";
  (*st.mutable_annotations())["a"] = "2";
  const auto s = from_cri_sandbox_status(st);
  EXPECT_EQ(s.id, "sb1");
  EXPECT_EQ(s.name, "web");
  EXPECT_EQ(s.namespace_, "ns");
  EXPECT_EQ(s.uid, "u");
  EXPECT_EQ(s.attempt, 1u);
  EXPECT_EQ(s.state, SandboxState::kReady);
  EXPECT_EQ(s.created_at, 123);
  EXPECT_EQ(s.ip, "10.42.0.5");
  EXPECT_EQ(s.additional_ips, std::vector<std::string>{"fd00::5"});
  EXPECT_EQ(s.labels.at("l"), "1");
  EXPECT_EQ(s.annotations.at("a"), "2");

  runtime::v1::PodSandbox item;
  item.set_id("sb2");
  item.set_state(runtime::v1::SANDBOX_NOTREADY);
  item.mutable_metadata()->set_name("x");
  const auto i = from_cri_sandbox(item);
  EXPECT_EQ(i.id, "sb2");
  EXPECT_EQ(i.name, "x");
  EXPECT_EQ(i.state, SandboxState::kNotReady);
}

TEST(CriConvert, ContainerStatusFromCri) {
  runtime::v1::ContainerStatus st;
  st.set_id("c1");
  st.mutable_metadata()->set_name("app");
  st.mutable_metadata()->set_attempt(4);
  st.set_state(runtime::v1::CONTAINER_EXITED);
  st.set_created_at(1);
  st.set_started_at(2);
  st.set_finished_at(3);
  st.set_exit_code(7);
  st.mutable_image()->set_image("kite.local/busybox:1.35");
  st.set_image_ref("sha256:abc");
  st.set_reason("Error");
  st.set_message("boom");
  st.set_log_path("/var/log/pods/x/app/4.log");
  (*st.mutable_labels())["l"] = "1";
  const auto s = from_cri_container_status(st);
  EXPECT_EQ(s.id, "c1");
  EXPECT_EQ(s.sandbox_id, "");
  EXPECT_EQ(s.name, "app");
  EXPECT_EQ(s.attempt, 4u);
  EXPECT_EQ(s.state, ContainerState::kExited);
  EXPECT_EQ(s.created_at, 1);
  EXPECT_EQ(s.started_at, 2);
  EXPECT_EQ(s.finished_at, 3);
  EXPECT_EQ(s.exit_code, 7);
  EXPECT_EQ(s.image, "kite.local/busybox:1.35");
  EXPECT_EQ(s.image_ref, "sha256:abc");
  EXPECT_EQ(s.reason, "Error");
  EXPECT_EQ(s.message, "boom");
  EXPECT_EQ(s.log_path, "/var/log/pods/x/app/4.log");
  EXPECT_EQ(s.labels.at("l"), "1");

  runtime::v1::Container c;
  c.set_id("c2");
  c.set_pod_sandbox_id("sb");
  c.mutable_metadata()->set_name("side");
  c.set_state(runtime::v1::CONTAINER_RUNNING);
  c.mutable_image()->set_image("img");
  c.set_image_ref("sha256:def");
  const auto l = from_cri_container(c);
  EXPECT_EQ(l.id, "c2");
  EXPECT_EQ(l.sandbox_id, "sb");
  EXPECT_EQ(l.name, "side");
  EXPECT_EQ(l.state, ContainerState::kRunning);
  EXPECT_EQ(l.image, "img");
  EXPECT_EQ(l.image_ref, "sha256:def");
}

TEST(CriConvert, StatesImagesAuthVersion) {
  EXPECT_EQ(from_cri_container_state(runtime::v1::CONTAINER_CREATED), ContainerState::kCreated);
  EXPECT_EQ(from_cri_container_state(runtime::v1::CONTAINER_UNKNOWN), ContainerState::kUnknown);
  EXPECT_EQ(to_cri_protocol("sctp"), runtime::v1::SCTP);
  EXPECT_EQ(to_cri_protocol("bogus"), runtime::v1::TCP);

  runtime::v1::Image img;
  img.set_id("sha256:1");
  img.add_repo_tags("kite.local/pause:3.10");
  img.add_repo_digests("kite.local/pause@sha256:2");
  img.set_size(300000);
  const auto i = from_cri_image(img);
  EXPECT_EQ(i.id, "sha256:1");
  EXPECT_EQ(i.repo_tags, std::vector<std::string>{"kite.local/pause:3.10"});
  EXPECT_EQ(i.repo_digests, std::vector<std::string>{"kite.local/pause@sha256:2"});
  EXPECT_EQ(i.size, 300000u);

  const auto a = to_cri_auth(RegistryAuth{"u", "p", "dTpw", "reg:5000", "id", "rt"});
  EXPECT_EQ(a.username(), "u");
  EXPECT_EQ(a.password(), "p");
  EXPECT_EQ(a.auth(), "dTpw");
  EXPECT_EQ(a.server_address(), "reg:5000");
  EXPECT_EQ(a.identity_token(), "id");
  EXPECT_EQ(a.registry_token(), "rt");

  runtime::v1::VersionResponse v;
  v.set_runtime_name("containerd");
  v.set_runtime_version("1.6.20");
  v.set_runtime_api_version("v1");
  const auto rv = from_cri_version(v);
  EXPECT_EQ(rv.runtime_name, "containerd");
  EXPECT_EQ(rv.runtime_version, "1.6.20");
  EXPECT_EQ(rv.runtime_api_version, "v1");
}

TEST(CriErrors, MapsGrpcCodes) {
  auto nf = status_from_grpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "container \"x\" not found"), "ContainerStatus x");
  EXPECT_EQ(nf.reason(), base::Reason::NotFound);
  EXPECT_EQ(nf.message(), "ContainerStatus x: container \"x\" not found");
  EXPECT_EQ(status_from_grpc(grpc::Status(grpc::StatusCode::UNAVAILABLE, "conn refused"), "op").reason(),
            base::Reason::ServiceUnavailable);
  auto dl = status_from_grpc(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, ""), "ExecSync");
  EXPECT_EQ(dl.reason(), base::Reason::Timeout);
  EXPECT_EQ(dl.message(), "ExecSync: deadline exceeded");
  auto other = status_from_grpc(grpc::Status(grpc::StatusCode::UNKNOWN, "failed to pull image \"x\": not found"),
                                "PullImage x");
  EXPECT_EQ(other.reason(), base::Reason::InternalError);
  EXPECT_EQ(other.message(), "PullImage x: failed to pull image \"x\": not found");
  EXPECT_TRUE(status_from_grpc(grpc::Status::OK, "op").is_ok());
}

}  // namespace
}  // namespace kite::agent::cri
