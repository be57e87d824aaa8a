#include "storage/volumes/volume_manager.h"

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/base64.h"
#include "client/fake_client.h"
#include "storage/volumes/host_mounts.h"

namespace kite::storage {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
namespace res = client::resources;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/kite-volumes-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    for (auto& p : mount_points_under(path)) ::umount2(p.c_str(), MNT_DETACH);
    fs::remove_all(path);
  }
  std::string path;
};

// FakeClient plus a TokenRequest endpoint (serviceaccounts/<name>/token).
class TokenClient final : public client::Client {
 public:
  explicit TokenClient(client::FakeClient& fake) : fake_(fake) {}
  base::Result<json> get(const client::ResourceRef& r, const std::string& ns, const std::string& n) override { return fake_.get(r, ns, n); }
  base::Result<json> list(const client::ResourceRef& r, const std::string& ns, const client::ListOptions& o) override { return fake_.list(r, ns, o); }
  base::Result<json> create(const client::ResourceRef& r, const std::string& ns, const json& o) override { return fake_.create(r, ns, o); }
  base::Result<json> update(const client::ResourceRef& r, const json& o, const std::string& s) override { return fake_.update(r, o, s); }
  base::Result<json> patch(const client::ResourceRef& r, const std::string& ns, const std::string& n, client::PatchType t,
                           const json& p, const std::string& s) override { return fake_.patch(r, ns, n, t, p, s); }
  base::Result<json> remove(const client::ResourceRef& r, const std::string& ns, const std::string& n,
                            const client::DeleteOptions& o) override { return fake_.remove(r, ns, n, o); }
  base::Result<json> create_subresource(const client::ResourceRef& r, const std::string& ns, const std::string& n,
                                        const std::string& sub, const json& body) override {
    if (r.resource == "serviceaccounts" && sub == "token") {
      ++requests;
      last_request = body;
      json reply = body;
      reply["status"] = {{"token", "token-for-" + ns + "/" + n + "-" + std::to_string(requests)}};
      return reply;
    }
    return fake_.create_subresource(r, ns, n, sub, body);
  }
  base::Result<std::unique_ptr<client::WatchStream>> watch(const client::ResourceRef& r, const std::string& ns,
                                                           const client::ListOptions& o) override { return fake_.watch(r, ns, o); }
  int requests = 0;
  json last_request;

 private:
  client::FakeClient& fake_;
};

json configmap(const std::string& name, json data) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}, {"namespace", "prod"}}}, {"data", data}};
}

json pod_with(json volumes, json mounts = json::array()) {
  json pod = json::parse(R"J({"metadata": {"name": "web", "namespace": "prod", "uid": "uid-1", "labels": {"app": "web"}},
    "spec": {"nodeName": "n1", "serviceAccountName": "builder", "containers": [{"name": "app",
      "resources": {"limits": {"memory": "64Mi"}},
      "env": [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}})J");
  pod["spec"]["volumes"] = volumes;
  pod["spec"]["containers"][0]["volumeMounts"] = mounts;
  return pod;
}

struct Env {
  Env() : manager(fake, {tmp.path + "/pods", "n1", ""}) {}
  std::string vol(const std::string& plugin, const std::string& name) {
    return tmp.path + "/pods/uid-1/volumes/" + plugin + "/" + name;
  }
  TempDir tmp;
  client::FakeClient fake;
  VolumeManager manager;
};

TEST(VolumeManager, ConfigMapItemsModesRefreshAndMissingMessages) {
  Env env;
  env.fake.seed(res::kConfigMaps, configmap("app-config", {{"mode", "fast"}, {"level", "3"}}));
  json pod = pod_with(json::parse(R"J([{"name": "cfg", "configMap": {"name": "app-config", "defaultMode": 384,
      "items": [{"key": "mode", "path": "conf/mode.txt"}, {"key": "level", "path": "level", "mode": 256}]}}])J"));
  ASSERT_TRUE(env.manager.setup(pod).has_value());
  std::string dir = env.vol("kubernetes.io~configmap", "cfg");
  EXPECT_EQ(read(dir + "/conf/mode.txt"), "fast");
  EXPECT_EQ(fs::status(dir + "/conf/mode.txt").permissions() & fs::perms::all, fs::perms(0600));
  EXPECT_EQ(fs::status(dir + "/level").permissions() & fs::perms::all, fs::perms(0400));

  ASSERT_TRUE(env.fake.patch(res::kConfigMaps, "prod", "app-config", client::PatchType::kMerge,
                             {{"data", {{"mode", "slow"}}}}).has_value());
  ASSERT_TRUE(env.manager.setup(pod).has_value());
  EXPECT_EQ(read(dir + "/conf/mode.txt"), "slow");

  json missing = pod_with(json::parse(R"J([{"name": "cfg", "configMap": {"name": "nope"}}])J"));
  auto r = env.manager.setup(missing);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found");
  json optional = pod_with(json::parse(R"J([{"name": "opt", "configMap": {"name": "nope", "optional": true}}])J"));
  EXPECT_TRUE(env.manager.setup(optional).has_value());
  json bad_key = pod_with(json::parse(R"J([{"name": "cfg", "configMap": {"name": "app-config", "items": [{"key": "x", "path": "x"}]}}])J"));
  r = env.manager.setup(bad_key);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("configmap references non-existent config key: x"), std::string::npos);
}

TEST(VolumeManager, SecretIsDecodedAndReadOnlyMounted) {
  Env env;
  env.fake.seed(res::kSecrets, {{"apiVersion", "v1"}, {"kind", "Secret"},
                                {"metadata", {{"name", "db"}, {"namespace", "prod"}}},
                                {"data", {{"password", base::base64_encode("s3cret")}}}});
  json pod = pod_with(json::parse(R"J([{"name": "creds", "secret": {"secretName": "db"}}])J"),
                      json::parse(R"J([{"name": "creds", "mountPath": "/etc/creds"}])J"));
  ASSERT_TRUE(env.manager.setup(pod).has_value());
  std::string dir = env.vol("kubernetes.io~secret", "creds");
  EXPECT_EQ(read(dir + "/password"), "s3cret");
  auto mounts = env.manager.mounts_for(pod, pod["spec"]["containers"][0]);
  ASSERT_TRUE(mounts.has_value());
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].container_path, "/etc/creds");
  EXPECT_EQ((*mounts)[0].host_path, dir);
  EXPECT_TRUE((*mounts)[0].readonly);
  EXPECT_EQ((*mounts)[1].container_path, "/dev/termination-log");
  EXPECT_EQ(fs::path((*mounts)[1].host_path).parent_path(), env.tmp.path + "/pods/uid-1/containers/app");
  EXPECT_TRUE(fs::is_regular_file((*mounts)[1].host_path));
}

TEST(VolumeManager, DownwardApiAndProjectedWithTokenAndRootCa) {
  Env env;
  std::string ca_file = env.tmp.path + "/ca.crt";
  std::ofstream(ca_file) << "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n";
  TokenClient tokens(env.fake);
  VolumeManager manager(tokens, {env.tmp.path + "/pods", "n1", ca_file});
  json pod = pod_with(json::parse(R"J([
    {"name": "info", "downwardAPI": {"items": [
      {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
      {"path": "mem", "resourceFieldRef": {"containerName": "app", "resource": "limits.memory", "divisor": "1Mi"}}]}},
    {"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
      {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token", "audience": "api"}},
      {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
      {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}])J"));
  ASSERT_TRUE(manager.setup(pod).has_value());
  EXPECT_EQ(read(env.vol("kubernetes.io~downward-api", "info") + "/labels"), "app=\"web\"");
  EXPECT_EQ(read(env.vol("kubernetes.io~downward-api", "info") + "/mem"), "64");
  std::string projected = env.vol("kubernetes.io~projected", "kube-api-access");
  EXPECT_EQ(read(projected + "/token"), "token-for-prod/builder-1");
  EXPECT_EQ(read(projected + "/ca.crt"), "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
  EXPECT_EQ(read(projected + "/namespace"), "prod");
  EXPECT_EQ(tokens.last_request["spec"]["audiences"], json::array({"api"}));
  EXPECT_EQ(tokens.last_request["spec"]["expirationSeconds"], 3607);
  EXPECT_EQ(tokens.last_request["spec"]["boundObjectRef"]["uid"], "uid-1");
  // The cached token is reused until 80% of its lifetime.
  ASSERT_TRUE(manager.setup(pod).has_value());
  EXPECT_EQ(tokens.requests, 1);
  // The published ConfigMap wins over the file.
  env.fake.seed(res::kConfigMaps, configmap("kube-root-ca.crt", {{"ca.crt", "from-configmap"}}));
  ASSERT_TRUE(manager.setup(pod).has_value());
  EXPECT_EQ(read(projected + "/ca.crt"), "from-configmap");
}

TEST(VolumeManager, TokenSubresourceNotServedIsAClearMountError) {
  Env env;
  json pod = pod_with(json::parse(R"J([{"name": "kube-api-access", "projected": {"sources": [
      {"serviceAccountToken": {"path": "token"}}]}}])J"));
  auto r = env.manager.setup(pod);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("MountVolume.SetUp failed for volume \"kube-api-access\" : failed to fetch token: "
                                     "the API server does not serve the serviceaccounts/token subresource"),
            std::string::npos)
      << r.error().message();
}

TEST(VolumeManager, HostPathTypesAndPvcError) {
  Env env;
  std::string base = env.tmp.path + "/host";
  json pod = pod_with(json{{{"name", "d"}, {"hostPath", {{"path", base + "/made"}, {"type", "DirectoryOrCreate"}}}},
                           {{"name", "f"}, {"hostPath", {{"path", base + "/made/file"}, {"type", "FileOrCreate"}}}},
                           {{"name", "n"}, {"hostPath", {{"path", "/dev/null"}, {"type", "CharDevice"}}}},
                           {{"name", "any"}, {"hostPath", {{"path", base + "/whatever"}}}}});
  ASSERT_TRUE(env.manager.setup(pod).has_value());
  EXPECT_TRUE(fs::is_directory(base + "/made"));
  EXPECT_TRUE(fs::is_regular_file(base + "/made/file"));
  json wrong = pod_with(json{{{"name", "d"}, {"hostPath", {{"path", base + "/made/file"}, {"type", "Directory"}}}}});
  auto r = env.manager.setup(wrong);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "MountVolume.SetUp failed for volume \"d\" : hostPath type check failed: " + base +
                                     "/made/file is not a directory");
  json sock = pod_with(json{{{"name", "s"}, {"hostPath", {{"path", base + "/made"}, {"type", "Socket"}}}}});
  EXPECT_FALSE(env.manager.setup(sock).has_value());
  json pvc = pod_with(json{{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "c1"}}}}});
  r = env.manager.setup(pvc);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("not supported by kite's agent until local volumes land"), std::string::npos);
}

TEST(VolumeManager, SubPathsStayInsideAndTeardownRemovesEverything) {
  Env env;
  json pod = pod_with(json::parse(R"J([{"name": "scratch", "emptyDir": {}}])J"),
                      json::parse(R"J([{"name": "scratch", "mountPath": "/a", "subPath": "x/y"},
                                      {"name": "scratch", "mountPath": "/b", "subPathExpr": "logs/$(POD)",
                                       "mountPropagation": "HostToContainer", "readOnly": true}])J"));
  ASSERT_TRUE(env.manager.setup(pod).has_value());
  std::string dir = env.vol("kubernetes.io~empty-dir", "scratch");
  auto mounts = env.manager.mounts_for(pod, pod["spec"]["containers"][0]);
  ASSERT_TRUE(mounts.has_value()) << mounts.error().message();
  EXPECT_EQ((*mounts)[0].host_path, dir + "/x/y");
  EXPECT_FALSE((*mounts)[0].readonly);
  EXPECT_EQ((*mounts)[1].host_path, dir + "/logs/web");
  EXPECT_TRUE((*mounts)[1].readonly);
  EXPECT_EQ((*mounts)[1].propagation, "rslave");

  // A symlink planted in the volume must not lead a subPath outside it.
  fs::create_directory_symlink("/etc", dir + "/escape");
  json evil = pod;
  evil["spec"]["containers"][0]["volumeMounts"] = json::parse(R"J([{"name": "scratch", "mountPath": "/c", "subPath": "escape"}])J");
  auto r = env.manager.mounts_for(evil, evil["spec"]["containers"][0]);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("outside the volume"), std::string::npos);
  evil["spec"]["containers"][0]["volumeMounts"] = json::parse(R"J([{"name": "scratch", "mountPath": "/c", "subPath": "../../x"}])J");
  EXPECT_FALSE(env.manager.mounts_for(evil, evil["spec"]["containers"][0]).has_value());

  ASSERT_TRUE(env.manager.teardown("uid-1").has_value());
  EXPECT_FALSE(fs::exists(env.tmp.path + "/pods/uid-1"));
  EXPECT_TRUE(fs::exists("/etc/hostname") || fs::exists("/etc/passwd"));
  EXPECT_TRUE(env.manager.teardown("uid-1").has_value());
  EXPECT_FALSE(env.manager.teardown("../etc").has_value());
}

TEST(VolumeManager, TeardownRefusesASymlinkedPodDir) {
  Env env;
  fs::create_directories(env.tmp.path + "/pods");
  fs::create_directories(env.tmp.path + "/victim/keep");
  fs::create_directory_symlink(env.tmp.path + "/victim", env.tmp.path + "/pods/uid-9");
  EXPECT_FALSE(env.manager.teardown("uid-9").has_value());
  EXPECT_TRUE(fs::exists(env.tmp.path + "/victim/keep"));
}

TEST(VolumeManager, MemoryEmptyDirIsATmpfsWithSizeLimit) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting tmpfs needs root";
  Env env;
  json pod = pod_with(json::parse(R"J([{"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Mi"}}])J"));
  auto r = env.manager.setup(pod);
  if (!r && r.error().message().find("Operation not permitted") != std::string::npos) GTEST_SKIP() << "no mount permission";
  ASSERT_TRUE(r.has_value()) << r.error().message();
  std::string dir = env.vol("kubernetes.io~empty-dir", "shm");
  EXPECT_TRUE(is_mount_point(dir));
  ASSERT_TRUE(env.manager.setup(pod).has_value());  // idempotent: no second mount
  EXPECT_EQ(mount_points_under(env.tmp.path).size(), 1u);
  auto space = fs::space(dir);
  EXPECT_EQ(space.capacity, 8u * 1024 * 1024);
  ASSERT_TRUE(env.manager.teardown("uid-1").has_value());
  EXPECT_TRUE(mount_points_under(env.tmp.path).empty());
  EXPECT_FALSE(fs::exists(env.tmp.path + "/pods/uid-1"));
}

}  // namespace
}  // namespace kite::storage
