"""`kite agent` joining a server (issue 4, parts 1-2): CA pinning, node certificates and the node
password, node registration (labels, capacity, nodeInfo, Ready=False while the container runtime
is down), the node Lease heartbeat, and the refusals (wrong CA hash, duplicate node name,
bad token, unreachable server). Real etcd + `kite server --disable-agent` + `kite agent`
processes on 127.0.0.1; the runtime endpoint points at a socket that does not exist."""
import base64
import json
import os
import signal
import stat
import subprocess
import time
import unittest

import kite_e2e
from kite_e2e import KITE_BIN, start_process, stop_process, wait_for


class Agent:
    """One `kite agent` process with its own data dir and log root."""

    def __init__(self, workdir, name, token, server_url, data_tag=None, extra_args=()):
        tag = data_tag or name
        self.data_dir = os.path.join(workdir, "agent-" + tag)
        self.log_path = os.path.join(workdir, "agent-%s-%d.log" % (tag, kite_e2e.free_port()))
        self.argv = [KITE_BIN, "agent", "--server", server_url, "--token", token, "--data-dir", self.data_dir,
                     "--node-name", name, "--node-ip", "127.0.0.1",
                     "--container-runtime-endpoint", "unix:///nonexistent/containerd.sock", "--flannel-backend", "none",
                     "--log-root", os.path.join(self.data_dir, "pod-logs"),
                     "--config", os.path.join(workdir, "no-agent-config.yaml")] + list(extra_args)
        self.proc = None

    def start(self):
        self.proc = start_process(self.argv, self.log_path)
        return self

    def run_to_exit(self, timeout=30):
        """Runs the agent expecting it to exit; returns (code, output)."""
        r = subprocess.run(self.argv, capture_output=True, text=True, timeout=timeout)
        return r.returncode, (r.stdout + r.stderr)

    def stop(self):
        if self.proc:
            return stop_process(self.proc)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""


class AgentJoinTest(kite_e2e.KiteTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        open(os.path.join(cls.workdir, "no-agent-config.yaml"), "w").close()
        with open(os.path.join(cls.server.data_dir, "server", "token")) as f:
            cls.token = f.read().strip()
        cls.agents = []

    @classmethod
    def tearDownClass(cls):
        for a in cls.agents:
            a.stop()
        super().tearDownClass()

    def agent(self, name, **kw):
        a = Agent(self.workdir, name, kw.pop("token", self.token), kw.pop("server_url", self.server.server_url()), **kw)
        self.agents.append(a)
        return a

    def node(self, name):
        r = self.kubectl("get", "node", name, "-o", "json", check=False)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def node_exists(self, name):
        return self.kubectl("get", "node", name, check=False).returncode == 0

    def lease(self, name):
        r = self.kubectl("-n", "kube-node-lease", "get", "lease", name, "-o", "json", check=False)
        return json.loads(r.stdout) if r.returncode == 0 else None

    def start_and_wait(self, agent, name):
        agent.start()

        def registered():
            if agent.proc.poll() is not None:
                raise AssertionError("kite agent exited with %s:\n%s" % (agent.proc.returncode, agent.log()))
            n = self.node(name)
            return n if n and n.get("status", {}).get("nodeInfo") else None
        return wait_for(registered, 60, interval=0.2, message="node %s registered" % name)

    def test_join_registers_node_and_renews_lease(self):
        a = self.agent("e2e-a", extra_args=["--node-label", "role=edge", "--node-taint", "dedicated=gpu:NoSchedule",
                                            "--debug-node-arch", "arm64"])
        node = self.start_and_wait(a, "e2e-a")
        labels = node["metadata"]["labels"]
        self.assertEqual(labels["kubernetes.io/arch"], "arm64")
        self.assertEqual(labels["beta.kubernetes.io/arch"], "arm64")
        self.assertEqual(labels["kubernetes.io/os"], "linux")
        self.assertEqual(labels["kubernetes.io/hostname"], "e2e-a")
        self.assertEqual(labels["node.kubernetes.io/instance-type"], "kite")
        self.assertEqual(labels["role"], "edge")
        self.assertEqual(node["spec"]["taints"][0]["key"], "dedicated")
        st = node["status"]
        self.assertEqual(st["capacity"]["pods"], "110")
        self.assertGreaterEqual(int(st["capacity"]["cpu"]), 1)
        self.assertTrue(st["capacity"]["memory"].endswith("Ki"))
        self.assertIn("ephemeral-storage", st["allocatable"])
        self.assertIn({"type": "InternalIP", "address": "127.0.0.1"}, st["addresses"])
        self.assertIn({"type": "Hostname", "address": "e2e-a"}, st["addresses"])
        self.assertEqual(st["daemonEndpoints"]["kubeletEndpoint"]["Port"], 10250)
        info = st["nodeInfo"]
        self.assertEqual(info["kubeletVersion"], "v1.32.0-kite")
        self.assertEqual(info["operatingSystem"], "linux")
        self.assertEqual(info["architecture"], "arm64")
        self.assertTrue(info["kernelVersion"])
        self.assertTrue(info["osImage"])
        ready = [c for c in st["conditions"] if c["type"] == "Ready"][0]
        self.assertEqual(ready["status"], "False")
        self.assertEqual(ready["reason"], "KubeletNotReady")
        self.assertIn("container runtime", ready["message"])
        for t, reason in (("MemoryPressure", "KubeletHasSufficientMemory"), ("DiskPressure", "KubeletHasNoDiskPressure"),
                          ("PIDPressure", "KubeletHasSufficientPID")):
            c = [c for c in st["conditions"] if c["type"] == t][0]
            self.assertEqual((c["status"], c["reason"]), ("False", reason))

        # Files and modes under <data-dir>/agent.
        d = os.path.join(a.data_dir, "agent")
        for f in ("server-ca.crt", "client-ca.crt", "client-kubelet.crt", "serving-kubelet.crt", "kubelet.kubeconfig"):
            self.assertTrue(os.path.exists(os.path.join(d, f)), f)
        for f in ("client-kubelet.key", "serving-kubelet.key", "node-password", "kubelet.kubeconfig"):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, f)).st_mode), 0o600, f)
        secret = self.kubectl_json("-n", "kube-system", "get", "secret", "e2e-a.node-password.kite")
        with open(os.path.join(d, "node-password")) as f:
            self.assertNotIn(f.read().strip(), base64.b64decode(secret["data"]["hash"]).decode())

        # The node identity is system:node:e2e-a and may not touch other nodes.
        kc = os.path.join(d, "kubelet.kubeconfig")
        who = self.kubectl("--kubeconfig", kc, "auth", "whoami", "-o", "json")
        user_info = json.loads(who.stdout)["status"]["userInfo"]
        self.assertEqual(user_info["username"], "system:node:e2e-a")
        self.assertIn("system:nodes", user_info["groups"])
        self.assertEqual(self.kubectl("--kubeconfig", kc, "get", "pods", "-A").returncode, 0)
        denied = self.kubectl("--kubeconfig", kc, "delete", "namespace", "default", check=False)
        self.assertNotEqual(denied.returncode, 0)
        self.assertIn("forbidden", denied.stderr.lower())
        # Service account tokens: only bound to a pod on this node, for that pod's account.
        wait_for(lambda: self.kubectl("get", "sa", "default", check=False).returncode == 0, 30, message="default sa")
        for pod, node_name in (("on-a", "e2e-a"), ("elsewhere", "e2e-other")):
            self.kubectl("apply", "-f", "-", input=json.dumps({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod},
                "spec": {"nodeName": node_name, "containers": [{"name": "c", "image": "busybox"}]}}))
        unbound = self.kubectl("--kubeconfig", kc, "create", "token", "default", check=False)
        self.assertIn("may only request tokens bound to a pod", unbound.stderr)
        for pod in ("on-a", "elsewhere"):
            uid = self.kubectl_json("get", "pod", pod)["metadata"]["uid"]
            r = self.kubectl("--kubeconfig", kc, "create", "token", "default", "--bound-object-kind", "Pod",
                             "--bound-object-name", pod, "--bound-object-uid", uid, check=False)
            if pod == "on-a":
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stdout.count("."), 2)
            else:
                self.assertIn("may only request tokens for pods bound to it", r.stderr)
        self.kubectl("delete", "pod", "on-a", "elsewhere", "--grace-period=0", "--force")

        # The Lease is held by the node and renewed (every 10 s).
        lease = wait_for(lambda: self.lease("e2e-a"), 20, message="lease e2e-a")
        self.assertEqual(lease["spec"]["holderIdentity"], "e2e-a")
        self.assertEqual(lease["spec"]["leaseDurationSeconds"], 40)
        first = lease["spec"]["renewTime"]
        wait_for(lambda: self.lease("e2e-a")["spec"]["renewTime"] != first, 25, interval=0.5,
                 message="lease renewal")

        # Restart with the same data dir: rejoins with the stored certificates, same node.
        uid = node["metadata"]["uid"]
        self.assertEqual(a.stop(), 0)
        a2 = self.agent("e2e-a", data_tag="e2e-a")
        node2 = self.start_and_wait(a2, "e2e-a")
        self.assertEqual(node2["metadata"]["uid"], uid)
        with open(a2.log_path) as f:
            self.assertIn("reusing the node certificates", f.read())
        renewed = self.lease("e2e-a")["spec"]["renewTime"]
        wait_for(lambda: self.lease("e2e-a")["spec"]["renewTime"] != renewed, 25, interval=0.5,
                 message="lease renewal after restart")

    def test_duplicate_node_name_is_refused(self):
        a = self.agent("e2e-dup", data_tag="dup-1")
        self.start_and_wait(a, "e2e-dup")
        b = self.agent("e2e-dup", data_tag="dup-2")
        code, out = b.run_to_exit()
        self.assertNotEqual(code, 0)
        self.assertIn("Node password rejected", out)
        self.assertTrue(a.proc.poll() is None, "the first agent keeps running")

    def test_wrong_ca_hash_is_refused(self):
        creds = self.token.split("::", 1)[1]
        bad = "K10" + "0" * 64 + "::" + creds
        a = self.agent("e2e-badhash", token=bad)
        code, out = a.run_to_exit()
        self.assertNotEqual(code, 0)
        self.assertIn("CA", out)
        self.assertEqual(len(out.strip().splitlines()[-1:]), 1)
        self.assertFalse(self.node_exists("e2e-badhash"))
        self.assertFalse(os.path.exists(os.path.join(a.data_dir, "agent", "client-kubelet.crt")))
        r = self.kubectl("-n", "kube-system", "get", "secret", "e2e-badhash.node-password.kite", check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_bad_token_and_unreachable_server_exit_non_zero(self):
        hash_part = self.token.split("::", 1)[0]
        a = self.agent("e2e-badtoken", token=hash_part + "::server:wrong")
        code, out = a.run_to_exit()
        self.assertNotEqual(code, 0)
        self.assertIn("rejected the join token", out)
        self.assertFalse(self.node_exists("e2e-badtoken"))
        b = self.agent("e2e-unreachable", server_url="https://127.0.0.1:%d" % kite_e2e.free_port())
        code, out = b.run_to_exit()
        self.assertNotEqual(code, 0)
        self.assertIn("cannot reach the server", out)


class EmbeddedAgentTest(kite_e2e.KiteTestCase):
    """`kite server` without --disable-agent registers its own node over its own API."""

    server_args = ("--disable-agent=false", "--node-name", "e2e-server", "--node-ip", "127.0.0.1",
                   "--node-label", "role=server", "--container-runtime-endpoint", "unix:///nonexistent/c.sock",
                   "--flannel-backend", "none")

    def test_server_node_registers_with_lease(self):
        def node():
            r = self.kubectl("get", "node", "e2e-server", "-o", "json", check=False)
            return json.loads(r.stdout) if r.returncode == 0 else None
        n = wait_for(node, 60, interval=0.2, message="the server's own node")
        self.assertEqual(n["metadata"]["labels"]["role"], "server")
        self.assertEqual(n["metadata"]["labels"]["kubernetes.io/hostname"], "e2e-server")
        lease = self.kubectl_json("-n", "kube-node-lease", "get", "lease", "e2e-server")
        self.assertEqual(lease["spec"]["holderIdentity"], "e2e-server")
        agent_dir = os.path.join(self.server.data_dir, "agent")
        self.assertTrue(os.path.exists(os.path.join(agent_dir, "client-kubelet.crt")))
        self.assertTrue(os.path.exists(os.path.join(self.server.data_dir, "server", "tls", "client-kube-apiserver.crt")))


if __name__ == "__main__":
    unittest.main()
