#include "agent/podenv/container_env.h"

#include <gtest/gtest.h>

#include "agent/podenv/service_env.h"
#include "base/base64.h"
#include "client/fake_client.h"

namespace kite::agent {
namespace {

using json = nlohmann::json;
namespace res = client::resources;

std::map<std::string, std::string> as_map(const std::vector<KeyValue>& env) {
  std::map<std::string, std::string> m;
  for (auto& kv : env) m[kv.key] = kv.value;
  return m;
}

json service(const std::string& ns, const std::string& name, const std::string& ip, json ports) {
  return {{"apiVersion", "v1"}, {"kind", "Service"}, {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"clusterIP", ip}, {"ports", ports}}}};
}

json pod(json container) {
  json p = json::parse(R"J({"metadata": {"name": "web-0", "namespace": "prod", "uid": "u-1",
      "labels": {"app": "web"}, "annotations": {"team": "blue"}},
    "spec": {"nodeName": "n1", "serviceAccountName": "builder"},
    "status": {"hostIP": "192.168.5.2"}})J");
  p["spec"]["containers"] = json::array({container});
  return p;
}

struct Env {
  Env() {
    fake.seed(res::kServices, service("default", "kubernetes", "10.43.0.1", json::parse(R"J([{"name": "https", "port": 443}])J")));
    fake.seed(res::kServices, service("prod", "redis-master", "10.43.0.7",
                                      json::parse(R"J([{"port": 6379}, {"name": "metrics", "port": 9121, "protocol": "TCP"}])J")));
    fake.seed(res::kServices, service("prod", "headless", "None", json::parse(R"J([{"port": 80}])J")));
    fake.seed(res::kServices, service("other", "elsewhere", "10.43.0.9", json::parse(R"J([{"port": 80}])J")));
    fake.seed(res::kConfigMaps, {{"metadata", {{"name", "app"}, {"namespace", "prod"}}},
                                 {"data", {{"mode", "fast"}, {"LEVEL", "3"}, {"bad key", "x"}}}});
    fake.seed(res::kSecrets, {{"metadata", {{"name", "db"}, {"namespace", "prod"}}},
                              {"data", {{"password", base::base64_encode("s3cret")}}}});
    fake.seed(res::kNodes, json::parse(R"J({"metadata": {"name": "n1"}, "status": {"allocatable": {"cpu": "4", "memory": "8Gi"}}})J"));
    context.client = &fake;
    context.node_name = "n1";
    context.host_ip = "192.168.5.2";
    context.pod_ip = "10.42.0.5";
    context.pod_ips = {"10.42.0.5", "fd00::5"};
  }
  client::FakeClient fake;
  EnvContext context;
};

TEST(ServiceEnv, VariablesAsKubelet) {
  auto vars = service_env_vars(service("prod", "redis-master", "10.43.0.7",
                                       json::parse(R"J([{"port": 6379}, {"name": "metrics", "port": 9121, "protocol": "UDP"}])J")));
  std::vector<std::string> names;
  for (auto& kv : vars) names.push_back(kv.key);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "REDIS_MASTER_SERVICE_HOST", "REDIS_MASTER_SERVICE_PORT", "REDIS_MASTER_SERVICE_PORT_METRICS",
                       "REDIS_MASTER_PORT", "REDIS_MASTER_PORT_6379_TCP", "REDIS_MASTER_PORT_6379_TCP_PROTO",
                       "REDIS_MASTER_PORT_6379_TCP_PORT", "REDIS_MASTER_PORT_6379_TCP_ADDR", "REDIS_MASTER_PORT_9121_UDP",
                       "REDIS_MASTER_PORT_9121_UDP_PROTO", "REDIS_MASTER_PORT_9121_UDP_PORT",
                       "REDIS_MASTER_PORT_9121_UDP_ADDR"}));
  auto m = as_map(vars);
  EXPECT_EQ(m["REDIS_MASTER_PORT"], "tcp://10.43.0.7:6379");
  EXPECT_EQ(m["REDIS_MASTER_PORT_9121_UDP"], "udp://10.43.0.7:9121");
  auto v6 = as_map(service_env_vars(service("a", "v6", "fd00::1", json::parse(R"J([{"port": 80}])J"))));
  EXPECT_EQ(v6["V6_PORT"], "tcp://[fd00::1]:80");
  EXPECT_TRUE(service_env_vars(service("a", "h", "None", json::array())).empty());
  EXPECT_TRUE(is_env_var_name("my.var-1"));
  EXPECT_FALSE(is_env_var_name("1abc"));
  EXPECT_FALSE(is_env_var_name("bad key"));
}

TEST(ContainerEnv, ServiceLinksEnvFromAndExpansionInOrder) {
  Env env;
  json container = json::parse(R"J({"name": "app",
    "envFrom": [{"configMapRef": {"name": "app"}, "prefix": "CFG_"}, {"secretRef": {"name": "db"}},
                {"configMapRef": {"name": "missing", "optional": true}}],
    "env": [{"name": "GREETING", "value": "hello"},
            {"name": "MSG", "value": "$(GREETING) world $$(GREETING) $(UNDEFINED) $(REDIS_MASTER_SERVICE_HOST)"},
            {"name": "CFG_mode", "value": "overridden"},
            {"name": "LATER", "value": "$(AFTER)"}, {"name": "AFTER", "value": "x"}]})J");
  auto r = resolve_container_env(pod(container), container, env.context);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto m = as_map(*r);
  EXPECT_EQ(m["KUBERNETES_SERVICE_HOST"], "10.43.0.1");
  EXPECT_EQ(m["KUBERNETES_SERVICE_PORT"], "443");
  EXPECT_EQ(m["KUBERNETES_SERVICE_PORT_HTTPS"], "443");
  EXPECT_EQ(m["KUBERNETES_PORT_443_TCP_ADDR"], "10.43.0.1");
  EXPECT_EQ(m["REDIS_MASTER_SERVICE_HOST"], "10.43.0.7");
  EXPECT_FALSE(m.contains("HEADLESS_SERVICE_HOST"));
  EXPECT_FALSE(m.contains("ELSEWHERE_SERVICE_HOST"));
  EXPECT_EQ(m["CFG_LEVEL"], "3");
  EXPECT_FALSE(m.contains("CFG_bad key"));
  EXPECT_EQ(m["password"], "s3cret");
  EXPECT_EQ(m["MSG"], "hello world $(GREETING) $(UNDEFINED) 10.43.0.7");
  EXPECT_EQ(m["CFG_mode"], "overridden");
  EXPECT_EQ(m["LATER"], "$(AFTER)");
  // Order: service links first, then envFrom, then env; an override keeps its first position.
  size_t services = 0, cfg = 0, greeting = 0;
  for (size_t i = 0; i < r->size(); ++i) {
    if ((*r)[i].key == "KUBERNETES_SERVICE_HOST") services = i;
    if ((*r)[i].key == "CFG_mode") cfg = i;
    if ((*r)[i].key == "GREETING") greeting = i;
  }
  EXPECT_LT(services, cfg);
  EXPECT_LT(cfg, greeting);
}

TEST(ContainerEnv, DisabledServiceLinksKeepOnlyTheMasterService) {
  Env env;
  json container = json::parse(R"J({"name": "app"})J");
  json p = pod(container);
  p["spec"]["enableServiceLinks"] = false;
  auto m = as_map(*resolve_container_env(p, container, env.context));
  EXPECT_EQ(m["KUBERNETES_SERVICE_HOST"], "10.43.0.1");
  EXPECT_FALSE(m.contains("REDIS_MASTER_SERVICE_HOST"));
}

TEST(ContainerEnv, KeyRefsFieldRefsAndResourceRefs) {
  Env env;
  json container = json::parse(R"J({"name": "app", "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "64Mi"}},
    "env": [
      {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "mode"}}},
      {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
      {"name": "OPT", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "nope", "optional": true}}},
      {"name": "OPT2", "valueFrom": {"secretKeyRef": {"name": "none", "key": "k", "optional": true}}},
      {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
      {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
      {"name": "UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
      {"name": "APP", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
      {"name": "TEAM", "valueFrom": {"fieldRef": {"fieldPath": "metadata.annotations['team']"}}},
      {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
      {"name": "SA", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
      {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
      {"name": "HOST_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIPs"}}},
      {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
      {"name": "POD_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}},
      {"name": "CPU_M", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu", "divisor": "1m"}}},
      {"name": "MEM_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
      {"name": "MEM_REQ", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Mi"}}}]})J");
  auto r = resolve_container_env(pod(container), container, env.context);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto m = as_map(*r);
  EXPECT_EQ(m["MODE"], "fast");
  EXPECT_EQ(m["PASS"], "s3cret");
  EXPECT_FALSE(m.contains("OPT"));
  EXPECT_FALSE(m.contains("OPT2"));
  EXPECT_EQ(m["POD"], "web-0");
  EXPECT_EQ(m["NS"], "prod");
  EXPECT_EQ(m["UID"], "u-1");
  EXPECT_EQ(m["APP"], "web");
  EXPECT_EQ(m["TEAM"], "blue");
  EXPECT_EQ(m["NODE"], "n1");
  EXPECT_EQ(m["SA"], "builder");
  EXPECT_EQ(m["HOST_IP"], "192.168.5.2");
  EXPECT_EQ(m["HOST_IPS"], "192.168.5.2");
  EXPECT_EQ(m["POD_IP"], "10.42.0.5");
  EXPECT_EQ(m["POD_IPS"], "10.42.0.5,fd00::5");
  EXPECT_EQ(m["CPU_M"], "500");
  EXPECT_EQ(m["MEM_LIMIT"], "8192");  // unset limit: the node's allocatable
  EXPECT_EQ(m["MEM_REQ"], "64");
}

TEST(ContainerEnv, ErrorsAsKubeletWordsThem) {
  Env env;
  auto run = [&](const std::string& env_json) {
    json container = json::parse(R"J({"name": "app"})J");
    container["env"] = json::parse(env_json);
    auto r = resolve_container_env(pod(container), container, env.context);
    return r ? std::string("ok") : r.error().message();
  };
  EXPECT_EQ(run(R"J([{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k"}}}])J"),
            "configmap \"nope\" not found");
  EXPECT_EQ(run(R"J([{"name": "A", "valueFrom": {"configMapKeyRef": {"name": "app", "key": "missing"}}}])J"),
            "couldn't find key missing in ConfigMap prod/app");
  EXPECT_EQ(run(R"J([{"name": "A", "valueFrom": {"secretKeyRef": {"name": "db", "key": "user"}}}])J"),
            "couldn't find key user in Secret prod/db");
  EXPECT_EQ(run(R"J([{"name": "A", "valueFrom": {"secretKeyRef": {"name": "gone", "key": "k"}}}])J"),
            "secret \"gone\" not found");
  json container = json::parse(R"J({"name": "app", "envFrom": [{"secretRef": {"name": "gone"}}]})J");
  auto r = resolve_container_env(pod(container), container, env.context);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "secret \"gone\" not found");
}

}  // namespace
}  // namespace kite::agent
