"""Multi-node scenarios (kite issue 4): real `kite server` + `kite agent` nodes, each node in its
own network namespace with its own containerd (tests/e2e/kite_cluster.py).

One cluster for the module: s0 (server + agent, amd64, core-services=true), rp1 (arm64,
backend=true) and s1 (amd64, role=chunkserver); rp1 and s1 also carry kite-test/worker=true so
pods can move between them. The scenario tests fail when a feature is missing; they are skipped
only when `kite agent --help` says the agent is not available. HarnessSelfTest (server only, no
agent) always runs.

Run: /usr/bin/python3 -u tests/e2e/test_multinode.py  (KITE_BIN=<build>/kite)
"""
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kite_cluster  # noqa: E402
from kite_cluster import KiteCluster, NodeSpec, agent_available  # noqa: E402
from kite_e2e import free_port, wait_for  # noqa: E402

IMAGE = "kite.local/busybox:1.35"
WORKER = {"kite-test/worker": "true"}


def container(name, command, **extra):
    c = {"name": name, "image": IMAGE, "imagePullPolicy": "IfNotPresent", "command": ["sh", "-c", command]}
    c.update(extra)
    return c


HTTPD = "mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p %d -h /www"


def drive_pty(argv, env, lines, rows, cols, timeout=60):
    """Runs argv on a new pseudo-terminal of rows x cols, types `lines` one by one (each once the
    previous output has settled) and returns (everything it printed, exit code)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    pending = list(lines)

    def read_for(seconds):
        nonlocal out
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the other side closed
                    return False
                if not chunk:
                    return False
                out += chunk
        return True
    try:
        read_for(2)  # the shell's prompt
        while pending and time.monotonic() < deadline:
            os.write(master, pending.pop(0).encode() + b"\r")
            if not read_for(1.5):
                break
        while p.poll() is None and time.monotonic() < deadline:
            if not read_for(0.5):
                break
        code = p.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    return out.decode(errors="replace"), code


class HarnessSelfTest(unittest.TestCase):
    """The harness without agents: server in s0 reached through the forwarder, clean teardown."""

    def test_server_in_namespace_and_clean_teardown(self):
        before = kite_cluster.run(["ip", "-o", "addr"]).stdout
        c = KiteCluster(nodes=[NodeSpec("s0"), NodeSpec("rp1")], start_agents=False).start()
        try:
            self.assertEqual(c.kubectl("get", "--raw", "/readyz").stdout.strip(), "ok")
            c.kubectl("create", "namespace", "selftest")
            self.assertIn("selftest", c.kubectl("get", "namespaces").stdout)
            probe = "import socket; socket.create_connection(('%s', %d), timeout=5)" % (c.node_ip("s0"),
                                                                                        kite_cluster.API_PORT)
            c.exec_in("rp1", ["/usr/bin/python3", "-c", probe])
        finally:
            c.stop()
        self.assertEqual(kite_cluster.leftovers(c), [])
        self.assertEqual(kite_cluster.run(["ip", "-o", "addr"]).stdout, before)

    def test_teardown_after_failed_start(self):
        c = KiteCluster(nodes=[NodeSpec("s0")], start_agents=False,
                        server_args=["--no-such-flag-for-the-harness-test"])
        with self.assertRaises(AssertionError):
            c.start()
        self.assertEqual(kite_cluster.leftovers(c), [])


class MultiNodeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ok, why = agent_available()
        if not ok:
            raise unittest.SkipTest("kite agent is not available: %s" % why)
        nodes = [NodeSpec("s0", "amd64", {"core-services": "true"}),
                 NodeSpec("rp1", "arm64", dict(WORKER, backend="true")),
                 NodeSpec("s1", "amd64", dict(WORKER, role="chunkserver"))]
        cls.c = KiteCluster(nodes=nodes, server_args=[
            "--kube-controller-manager-arg", "node-monitor-grace-period=10s"]).start()

    @classmethod
    def tearDownClass(cls):
        cls.c.stop()

    def run(self, result=None):
        r = super().run(result)
        if result is not None and (result.failures or result.errors) and hasattr(self, "c"):
            failed = [t for t, _ in result.failures + result.errors if t is self]
            if failed:
                self.c.dump_logs()
        return r

    # ---- helpers ----------------------------------------------------------------------------
    def apply(self, obj):
        self.c.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def pods(self, selector):
        return self.c.kubectl_json("get", "pods", "-l", selector)["items"]

    @staticmethod
    def is_ready(pod):
        return pod.get("status", {}).get("phase") == "Running" and any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in pod["status"].get("conditions", []))

    def wait_ready_pods(self, selector, count, timeout=120):
        def ready():
            ps = [p for p in self.pods(selector) if not p["metadata"].get("deletionTimestamp")]
            good = [p for p in ps if self.is_ready(p)]
            return good if len(good) == count and len(ps) == count else None
        return wait_for(ready, timeout, interval=0.5, message="%d ready pods %s" % (count, selector))

    def http_from(self, node, url, timeout=5):
        code = ("import urllib.request,sys; r=urllib.request.urlopen(%r, timeout=%d); "
                "sys.stdout.write(str(r.status)+' '+r.read().decode())" % (url, timeout))
        r = self.c.exec_in(node, ["/usr/bin/python3", "-c", code], check=False, timeout=timeout + 10)
        return r.stdout if r.returncode == 0 else None

    def node_label(self, node_name, key):
        return self.c.kubectl_json("get", "node", node_name)["metadata"].get("labels", {}).get(key)

    def deploy_backend(self):
        self.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}},
                                          "spec": {"nodeSelector": {"backend": "true"},
                                                   "containers": [container("httpd", HTTPD % 8080, readinessProbe={
                                                       "httpGet": {"path": "/", "port": 8080},
                                                       "periodSeconds": 1})]}}}})
        return self.wait_ready_pods("app=web", 2)

    # ---- scenarios --------------------------------------------------------------------------
    def test_a_backend_deployment_serves_http_only_on_backend_nodes(self):
        pods = self.deploy_backend()
        for p in pods:
            node = p["spec"]["nodeName"]
            self.assertEqual(self.node_label(node, "backend"), "true", node)
            ip = p["status"]["podIP"]
            self.assertTrue(ip.startswith("10.42."), ip)
            # reached from another node (s1 -> rp1 pod CIDR route) and from the pod's own node
            body = wait_for(lambda: self.http_from("s1", "http://%s:8080/" % ip), 30, interval=0.5,
                            message="HTTP from s1 to pod %s" % ip)
            self.assertEqual(body.strip(), "200 hello-%s" % p["metadata"]["name"])
            self.assertTrue(self.http_from(node, "http://%s:8080/" % ip))
        self.assertEqual(self.node_label("rp1", "kubernetes.io/arch"), "arm64")

    def test_b_pod_to_pod_across_nodes(self):
        server = self.deploy_backend()[0]
        self.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "client", "labels": {"app": "client"}},
                    "spec": {"nodeSelector": {"role": "chunkserver"},
                             "containers": [container("c", "exec sleep 3600")]}})
        client = self.wait_ready_pods("app=client", 1)[0]
        self.assertNotEqual(client["spec"]["nodeName"], server["spec"]["nodeName"])
        url = "http://%s:8080/" % server["status"]["podIP"]
        # (busybox-static's `wget -T` crashes: bound it with `timeout` instead)
        out = wait_for(lambda: self.c.kubectl("exec", "client", "--", "timeout", "5", "wget", "-qO-", url,
                                              check=False).stdout, 30, interval=0.5, message="wget " + url)
        self.assertEqual(out.strip(), "hello-%s" % server["metadata"]["name"])
        # and back: the server pod reaches the client pod's IP (ping through the bridge + route)
        r = self.c.kubectl("exec", server["metadata"]["name"], "--", "ping", "-c", "1", "-W", "5",
                           client["status"]["podIP"], check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_c_hostnetwork_daemonset_on_chunkservers(self):
        self.apply({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "chunk"},
                    "spec": {"selector": {"matchLabels": {"app": "chunk"}},
                             "template": {"metadata": {"labels": {"app": "chunk"}},
                                          "spec": {"hostNetwork": True, "nodeSelector": {"role": "chunkserver"},
                                                   "containers": [container("httpd", HTTPD % 9090)]}}}})
        pods = self.wait_ready_pods("app=chunk", 1)
        self.assertEqual(pods[0]["spec"]["nodeName"], "s1")
        self.assertEqual(pods[0]["status"]["podIP"], self.c.node_ip("s1"))
        body = wait_for(lambda: self.http_from("s0", "http://%s:9090/" % self.c.node_ip("s1")), 30,
                        interval=0.5, message="HTTP to s1:9090")
        self.assertTrue(body.startswith("200 hello-"), body)
        self.assertIsNone(self.http_from("s0", "http://%s:9090/" % self.c.node_ip("rp1"), timeout=2))

    def test_d_logs_exec_port_forward_cp(self):
        self.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "tools", "labels": {"app": "tools"}},
                    "spec": {"nodeSelector": {"backend": "true"}, "containers": [container(
                        "c", "echo line-one; echo line-two; " + HTTPD % 8080)]}})
        self.wait_ready_pods("app=tools", 1)
        logs = wait_for(lambda: self.c.kubectl("logs", "tools").stdout, 30, message="logs")
        self.assertIn("line-one\nline-two", logs)
        self.assertEqual(self.c.kubectl("exec", "tools", "--", "sh", "-c", "echo $((6*7))").stdout.strip(), "42")
        r = self.c.kubectl("exec", "tools", "--", "sh", "-c", "exit 3", check=False)
        self.assertEqual(r.returncode, 3)
        self.assertEqual(self.c.kubectl("exec", "-i", "tools", "--", "cat", input="from-stdin").stdout, "from-stdin")
        # cp both ways
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "up.txt")
            with open(src, "w") as f:
                f.write("uploaded\n")
            self.c.kubectl("cp", src, "tools:/tmp/up.txt")
            self.assertEqual(self.c.kubectl("exec", "tools", "--", "cat", "/tmp/up.txt").stdout, "uploaded\n")
            self.c.kubectl("cp", "tools:/www/index.html", os.path.join(d, "down.html"))
            with open(os.path.join(d, "down.html")) as f:
                self.assertEqual(f.read().strip(), "hello-tools")
        # port-forward
        port = free_port()
        pf = subprocess.Popen([kite_cluster.KUBECTL, "port-forward", "pod/tools", "%d:8080" % port],
                              env=self.c.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            import urllib.request
            body = wait_for(lambda: urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=5).read().decode(),
                            30, interval=0.3, message="port-forward")
            self.assertEqual(body.strip(), "hello-tools")
        finally:
            pf.terminate()
            pf.wait(10)

    def test_d2_exec_it_drives_a_shell_on_a_pty(self):
        self.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "shell", "labels": {"app": "shell"}},
                    "spec": {"nodeSelector": {"role": "chunkserver"},
                             "containers": [container("c", "exec sleep 3600")]}})
        self.wait_ready_pods("app=shell", 1)
        out, code = drive_pty([kite_cluster.KUBECTL, "exec", "-it", "shell", "--", "sh"], self.c.env(),
                              ["stty size; echo sum=$((20+22))", "tty; exit 7"], rows=33, cols=91)
        self.assertIn("33 91", out)
        self.assertIn("sum=42", out)
        self.assertIn("/dev/pts/", out)
        self.assertEqual(code, 7, out)

    def test_d3_python_client_stream_exec(self):
        from kubernetes import client, config
        from kubernetes.stream import stream
        self.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pyexec", "labels": {"app": "pyexec"}},
                    "spec": {"nodeSelector": {"backend": "true"}, "containers": [container("c", "exec sleep 3600")]}})
        self.wait_ready_pods("app=pyexec", 1)
        cfg = client.Configuration()
        config.load_kube_config(config_file=self.c.kubeconfig, client_configuration=cfg)
        api = client.CoreV1Api(client.ApiClient(cfg))
        out = stream(api.connect_get_namespaced_pod_exec, "pyexec", "default",
                     command=["sh", "-c", "echo from-python-$(hostname)"], stdout=True, stderr=True, stdin=False,
                     tty=False)
        self.assertEqual(out.strip(), "from-python-pyexec")
        # Interactive: write to stdin, read the answer, then the exit status.
        ws = stream(api.connect_get_namespaced_pod_exec, "pyexec", "default", command=["sh"], stdin=True,
                    stdout=True, stderr=True, tty=False, _preload_content=False)
        try:
            ws.write_stdin("echo $((6*7)); exit 5\n")
            got = ""
            deadline = time.monotonic() + 30
            while ws.is_open() and time.monotonic() < deadline:
                ws.update(timeout=1)
                got += ws.read_stdout()
            self.assertIn("42", got)
            self.assertEqual(ws.returncode, 5)
        finally:
            ws.close()

    def test_e_crashloop_backoff_grows(self):
        self.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "crasher"},
                    "spec": {"nodeSelector": {"role": "chunkserver"},
                             "containers": [container("c", "echo crashing; exit 1")]}})
        seen = {}  # restartCount -> first time seen
        reasons = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(seen) < 4:
            st = self.c.kubectl_json("get", "pod", "crasher").get("status", {})
            for cs in st.get("containerStatuses", []):
                seen.setdefault(cs.get("restartCount", 0), time.monotonic())
                reasons.add(cs.get("state", {}).get("waiting", {}).get("reason"))
            time.sleep(0.25)
        self.assertIn("CrashLoopBackOff", reasons)
        counts = sorted(seen)
        self.assertGreaterEqual(len(counts), 4, "restart counts seen: %s" % counts)
        gaps = [seen[counts[i + 1]] - seen[counts[i]] for i in range(len(counts) - 1)]
        self.assertGreater(gaps[-1], gaps[-2] * 1.3, "backoff does not grow: %s" % gaps)
        self.assertIn("crashing", self.c.kubectl("logs", "crasher", "--previous").stdout)

    def test_f_failing_liveness_restarts(self):
        self.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "unhealthy"},
                    "spec": {"nodeSelector": {"backend": "true"}, "containers": [container(
                        "c", "touch /tmp/alive; sleep 3; rm /tmp/alive; exec sleep 3600",
                        livenessProbe={"exec": {"command": ["test", "-f", "/tmp/alive"]}, "periodSeconds": 1,
                                       "failureThreshold": 2})]}})

        def restarted():
            st = self.c.kubectl_json("get", "pod", "unhealthy").get("status", {})
            cs = (st.get("containerStatuses") or [{}])[0]
            return cs if cs.get("restartCount", 0) >= 1 else None
        cs = wait_for(restarted, 90, interval=0.5, message="liveness restart")
        self.assertIn("terminated", cs.get("lastState", {}))
        events = self.c.kubectl("get", "events", "--field-selector", "involvedObject.name=unhealthy").stdout
        self.assertIn("Unhealthy", events)

    def test_g_restarting_an_agent_keeps_its_pods_running(self):
        pod = self.deploy_backend()[0]
        name, node = pod["metadata"]["name"], pod["spec"]["nodeName"]
        before = pod["status"]["containerStatuses"][0]
        self.c.restart_agent(node, signal.SIGTERM)
        self.c.wait_nodes_ready([node], timeout=120)
        # the container kept running: same id, no restart, still serving
        after = self.c.kubectl_json("get", "pod", name)["status"]["containerStatuses"][0]
        self.assertEqual(after["containerID"], before["containerID"])
        self.assertEqual(after["restartCount"], before["restartCount"])
        self.assertTrue(self.http_from("s1" if node != "s1" else "s0", "http://%s:8080/" % pod["status"]["podIP"]))

    def test_h_killing_an_agent_makes_node_notready_and_pods_move(self):
        tolerations = [{"key": k, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 2}
                       for k in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")]
        self.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "mover"},
                    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "mover"}},
                             "template": {"metadata": {"labels": {"app": "mover"}},
                                          "spec": {"nodeSelector": WORKER, "tolerations": tolerations,
                                                   "terminationGracePeriodSeconds": 1,
                                                   "containers": [container("c", "exec sleep 3600")]}}}})
        first = self.wait_ready_pods("app=mover", 1)[0]
        victim = first["spec"]["nodeName"]
        other = "s1" if victim == "rp1" else "rp1"
        self.c.kill_agent(victim, signal.SIGKILL)
        try:
            wait_for(lambda: not self.c.node_ready(victim), 60, interval=0.5, message="%s NotReady" % victim)

            def moved():
                return [p for p in self.pods("app=mover")
                        if p["spec"].get("nodeName") == other and self.is_ready(p)]
            wait_for(moved, 120, interval=0.5, message="mover pod Running on %s" % other)
        finally:
            self.c.start_agent(victim)
        self.c.wait_nodes_ready([victim], timeout=120)


if __name__ == "__main__":
    unittest.main(verbosity=2)
