"""installer/install.sh brings up a working cluster: `kite server` with its own agent on node s0,
and a second (simulated) node rp1 joins with the token through the same installer as an agent.
Pods run on both nodes and reach each other; kite-killall.sh stops the server node with its
pods. Each node lives in its own network namespace (tests/e2e/kite_cluster.py), so nothing
is added to this machine's network; the installer runs under `nsenter --net` of its node.

Run: /usr/bin/python3 -u tests/e2e/test_installer_cluster.py  (KITE_BIN=<build>/kite)
"""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kite_cluster  # noqa: E402
import kite_e2e  # noqa: E402
from kite_cluster import KiteCluster, NodeSpec  # noqa: E402
from kite_e2e import wait_for  # noqa: E402

INSTALL = os.path.join(kite_e2e.REPO, "installer", "install.sh")
IMAGE = "kite.local/busybox:1.35"


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid) as f:
            return f.read().replace("\0", " ")
    except OSError:
        return ""


class PidProcess:
    """A process the installer started (not our child), driven like a subprocess.Popen."""

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def poll(self):
        if self.returncode is None:
            try:
                with open("/proc/%d/stat" % self.pid) as f:
                    gone = f.read().split(")")[-1].split()[0] == "Z"
            except OSError:
                gone = True
            if gone:
                self.returncode = 0
        return self.returncode

    def send_signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except OSError:
            pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout=None):
        deadline = time.monotonic() + (timeout if timeout is not None else 3600)
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("pid %d" % self.pid, timeout)
            time.sleep(0.05)
        return self.returncode


class InstalledCluster(KiteCluster):
    """KiteCluster whose server (with its agent) and agents are started by installer/install.sh."""

    def install_env(self, node, exec_args):
        return dict(os.environ,
                    INSTALL_KITE_SKIP_BUILD="true",
                    INSTALL_KITE_BUILD_DIR=os.path.dirname(kite_e2e.KITE_BIN),
                    INSTALL_KITE_BIN_DIR=os.path.join(self.workdir, "bin"),
                    INSTALL_KITE_LOG_FILE=node.agent_log,
                    INSTALL_KITE_PID_FILE=self.pid_file(node),
                    INSTALL_KITE_EXEC=exec_args,
                    HOME=self.workdir)

    def pid_file(self, node):
        return os.path.join(node.dir, "kite.pid")

    def install(self, node, exec_args):
        os.makedirs(node.dir, exist_ok=True)
        r = subprocess.run(node.nsenter(["bash", INSTALL]), env=self.install_env(node, exec_args),
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise AssertionError("install.sh on %s failed (%d):\n%s%s\n%s" % (
                node.name, r.returncode, r.stdout, r.stderr, kite_cluster.tail(node.agent_log)))
        with open(self.pid_file(node)) as f:
            return r.stdout, PidProcess(int(f.read().strip()))

    def agent_flags(self, node):
        return ("--data-dir %s --node-name %s --node-ip %s --log-root %s --debug-containerd-state-dir %s" %
                (node.data_dir, node.name, node.ip, node.log_root, node.state_dir))

    def _start_server(self):
        s0 = self.server_node
        os.makedirs(self.server_dir, exist_ok=True)
        s0.data_dir = self.server_data  # the server's agent keeps its files in the server's data dir
        exec_args = ("server --bind-address 0.0.0.0 --advertise-address %s --tls-san %s --tls-san 127.0.0.1 "
                     "--https-listen-port %d --write-kubeconfig %s %s" % (
                         s0.ip, s0.ip, kite_cluster.API_PORT, self.server_kubeconfig, self.agent_flags(s0)))
        self.install_output, self.server = self.install(s0, exec_args)
        self.server_log = s0.agent_log
        self.forwarder = kite_cluster.Forwarder(s0.netns_path, s0.ip, kite_cluster.API_PORT)
        wait_for(self._kubeconfig_written, 60, message="kubeconfig")
        wait_for(self._server_ready, 60, message="/readyz through the forwarder")
        with open(os.path.join(self.server_data, "server", "token")) as f:
            self.token = f.read().strip()

    def install_agent(self, name):
        n = self.nodes[name]
        exec_args = "agent --server https://%s:%d --token %s %s" % (
            self.server_node.ip, kite_cluster.API_PORT, self.token, self.agent_flags(n))
        out, n.agent = self.install(n, exec_args)
        return out


class InstallerClusterTest(unittest.TestCase):
    def test_server_with_its_agent_and_a_joining_node_run_pods(self):
        c = InstalledCluster(nodes=[NodeSpec("s0"), NodeSpec("rp1")], start_agents=False)
        try:
            c.start()
            self.assertIn("node s0 is Ready", c.install_output)
            out = c.install_agent("rp1")
            self.assertIn("installing images", out)
            c.wait_nodes_ready(["s0", "rp1"], timeout=120)
            for node in ("s0", "rp1"):
                c.kubectl("apply", "-f", "-", input=json.dumps({
                    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "on-" + node},
                    "spec": {"nodeSelector": {"kubernetes.io/hostname": node},
                             "containers": [{"name": "c", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                                             "command": ["sh", "-c", "mkdir /www; echo from-%s > /www/index.html;"
                                                         " exec httpd -f -p 80 -h /www" % node]}]}}))
            for node in ("s0", "rp1"):
                c.kubectl("wait", "--for=condition=Ready", "pod/on-" + node, "--timeout=120s", timeout=130)
            rp1_ip = c.kubectl_json("get", "pod", "on-rp1")["status"]["podIP"]
            got = wait_for(lambda: c.kubectl("exec", "on-s0", "--", "timeout", "5", "wget", "-qO-",
                                             "http://%s/" % rp1_ip, check=False).stdout, 30, interval=0.5,
                           message="s0's pod reaching rp1's pod")
            self.assertEqual(got.strip(), "from-rp1")

            # kite-killall.sh on s0 stops the server, its containerd and its pods.
            s0 = c.server_node
            env = dict(os.environ, INSTALL_KITE_PID_FILE=c.pid_file(s0), KITE_DATA_DIR=c.server_data,
                       KITE_CONTAINERD_STATE_DIR=s0.state_dir)
            r = subprocess.run(s0.nsenter([os.path.join(c.workdir, "bin", "kite-killall.sh")]), env=env,
                               capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIsNotNone(c.server.poll())
            self.assertEqual([p for p in c._our_shims() if (s0.state_dir + "/") in cmdline(p)], [])
            links = kite_cluster.run(["ip", "-n", s0.netns, "-o", "link"]).stdout
            self.assertNotIn("cni0", links)
        except BaseException:
            c.dump_logs()
            raise
        finally:
            c.stop()
        self.assertEqual(kite_cluster.leftovers(c), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
