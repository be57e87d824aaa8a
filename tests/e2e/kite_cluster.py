"""Multi-node e2e harness: one `kite server` and N `kite agent` nodes on this machine.

Every node runs in its own network namespace `kite<pid>-<node>` with one veth (`eth0`) into a
bridge that lives in a private hub namespace `kite<pid>-hub`; node addresses come from a private
test subnet (172.31.250.0/24 by default) that exists ONLY inside these namespaces. Nothing is
added to the root namespace: the test process reaches the API server through a forwarder (a
thread listening on 127.0.0.1:<free port> whose accept loop has setns()'d into s0's namespace,
so the sockets it connects with are s0's) and the kubeconfig used by the tests points at it.

The server (`kite server --disable-agent`, embedded etcd) runs in the first node's namespace;
every node (the server's node too) runs `kite agent` started with
`nsenter --net=/var/run/netns/<ns>` (never `ip netns exec`: it remounts /sys and breaks cgroups).
Each node has its own data dir, log root and containerd state dir
(/run/kite-e2e/kite<pid>/<node>: socket, runc root), the last passed with the first of
STATE_DIR_FLAGS that `kite agent --help` lists; with more than one node and no such flag,
start() fails at once (all containerds would share /run/kite/containerd/containerd.sock).

Teardown (stop(), also run at exit and after a failed start): agents and server by PID, then
the containerd shims and container processes of our containerds (found by the shim's
`-address` under our work dir), their cgroups, mounts under the work dir, the namespaces
(deleting the hub removes the bridge and the veths), the work dir. Namespaces left by a
crashed earlier run (their pid is gone) are deleted at the next start.

Usage:
    c = KiteCluster(nodes=fleet(workers=1)).start()   # waits for all nodes Ready
    c.kubectl("get", "nodes"); c.node_ip("rp1"); c.exec_in("rp1", ["ip", "route"])
    c.kill_agent("rp1"); c.restart_agent("rp1"); c.stop()
Self-test (no agent needed): /usr/bin/python3 tests/e2e/kite_cluster.py --self-test
"""
import atexit
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kite_e2e import KITE_BIN, KUBECTL, start_process, stop_process, wait_for  # noqa: E402

NETNS_DIR = "/var/run/netns"
CLONE_NEWNET = 0x40000000
API_PORT = 6443
# The image archives built by images/ (CMake target kite_images) next to the kite binary.
IMAGES_DIR = os.environ.get("KITE_IMAGES_DIR", os.path.join(os.path.dirname(os.path.abspath(KITE_BIN)), "images"))
_libc = ctypes.CDLL(None, use_errno=True)
_clusters = []


def _stop_clusters():
    for c in list(_clusters):
        c.stop()


atexit.register(_stop_clusters)


def run(argv, check=True, timeout=30):
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise AssertionError("%s failed (%d): %s%s" % (" ".join(argv), r.returncode, r.stdout, r.stderr))
    return r


class ProcessExited(Exception):
    pass


def wait_until(condition, timeout, message, interval=0.1):
    """wait_for(), except that ProcessExited from the condition fails at once."""
    def guarded():
        try:
            return condition()
        except ProcessExited as e:
            return e
    value = wait_for(guarded, timeout, interval=interval, message=message)
    if isinstance(value, ProcessExited):
        raise AssertionError(str(value))
    return value


def setns_net(path):
    """Moves the calling OS thread into the network namespace at `path` (python 3.11 has no os.setns)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns(%s): %s" % (path, os.strerror(e)))
    finally:
        os.close(fd)


# The agent flag that moves containerd's state dir (socket, runc root) off the shared default
# /run/kite/containerd, so simulated nodes do not collide; passed when `kite agent --help` has it.
STATE_DIR_FLAGS = ("--debug-containerd-state-dir", "--containerd-state-dir", "--state-dir")


def agent_state_dir_flag():
    try:
        out = subprocess.run([KITE_BIN, "agent", "--help"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    for flag in STATE_DIR_FLAGS:
        if re.search(r"(^|\s)%s(\s|=|$)" % re.escape(flag), out, re.M):
            return flag
    return None


def agent_available():
    """(available, message): whether this kite binary has a working `kite agent`."""
    try:
        r = subprocess.run([KITE_BIN, "agent", "--help"], capture_output=True, text=True, timeout=30)
    except OSError as e:
        return False, "cannot run %s: %s" % (KITE_BIN, e)
    out = r.stdout + r.stderr
    for line in out.splitlines():
        if "not available" in line:
            return False, line.strip()
    return True, ""


class NodeSpec:
    def __init__(self, name, arch="amd64", labels=None, taints=()):
        self.name, self.arch, self.labels, self.taints = name, arch, dict(labels or {}), list(taints)


def fleet(backends=3, chunkservers=3):
    """The issue's fleet: s0 (server, amd64, core-services=true), rp1..rpN arm64 backend=true,
    s1..sM amd64 role=chunkserver. Ask for fewer to keep CI time down."""
    nodes = [NodeSpec("s0", "amd64", {"core-services": "true"})]
    nodes += [NodeSpec("rp%d" % i, "arm64", {"backend": "true"}) for i in range(1, backends + 1)]
    nodes += [NodeSpec("s%d" % i, "amd64", {"role": "chunkserver"}) for i in range(1, chunkservers + 1)]
    return nodes


class Forwarder:
    """127.0.0.1:<port> in the root namespace -> target host:port inside a namespace."""

    def __init__(self, netns_path, host, port):
        self.netns_path, self.host, self.port = netns_path, host, port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # created in the root namespace
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.local_port = self.listener.getsockname()[1]
        self.closed = False
        self.error = None
        self.conns = []
        self._ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="kite-forwarder", daemon=True)
        self.thread.start()
        self._ready.wait(10)
        if self.error:
            raise self.error

    def _serve(self):
        try:
            setns_net(self.netns_path)  # this thread only: outgoing sockets are the namespace's
        except OSError as e:
            self.error = e
            self._ready.set()
            return
        self._ready.set()
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((self.host, self.port), timeout=10)
                upstream.settimeout(None)
                for s in (client, upstream):  # no Nagle: relayed pieces must not wait for ACKs
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                client.close()
                continue
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def close(self):
        self.closed = True
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for s in self.conns:
            try:
                s.close()
            except OSError:
                pass
        self.thread.join(5)


class Node:
    def __init__(self, cluster, spec, index):
        self.spec = spec
        self.name = spec.name
        self.netns = "%s-%s" % (cluster.prefix, spec.name)
        self.netns_path = os.path.join(NETNS_DIR, self.netns)
        self.ip = "%s.%d" % (cluster.subnet, 10 + index)
        self.dir = os.path.join(cluster.workdir, "nodes", spec.name)
        self.data_dir = os.path.join(self.dir, "data")
        self.log_root = os.path.join(self.dir, "pod-logs")
        self.state_dir = os.path.join(cluster.state_root, spec.name)
        self.agent_log = os.path.join(self.dir, "agent.log")
        self.agent = None

    def nsenter(self, argv):
        return ["nsenter", "--net=" + self.netns_path] + list(argv)


class KiteCluster:
    def __init__(self, nodes=None, workdir=None, subnet="172.31.250", server_args=(), agent_args=(),
                 start_agents=True):
        self.specs = list(nodes or fleet(1, 1))
        self.prefix = "kite%d" % os.getpid()
        if len(self.prefix) + 1 + max(len(s.name) for s in self.specs) > 32:
            raise ValueError("node names too long for netns names")
        self.own_workdir = workdir is None
        self.workdir = workdir or tempfile.mkdtemp(prefix="kite-cluster-")
        self.subnet = subnet
        self.server_args, self.agent_args = list(server_args), list(agent_args)
        self.start_agents = start_agents
        self.hub = "%s-hub" % self.prefix
        # containerd's state dir holds its socket (unix path limit 108 bytes): keep it short
        self.state_root = os.path.join("/run/kite-e2e", self.prefix)
        self.nodes = {}
        for i, s in enumerate(self.specs):
            self.nodes[s.name] = Node(self, s, i)
        self.server_node = self.nodes[self.specs[0].name]
        self.server_dir = os.path.join(self.workdir, "server")
        self.server_data = os.path.join(self.server_dir, "data")
        self.server_log = os.path.join(self.server_dir, "kite.log")
        self.server_kubeconfig = os.path.join(self.server_dir, "kubeconfig-in-s0.yaml")
        self.kubeconfig = os.path.join(self.workdir, "kubeconfig.yaml")
        self.server = None
        self.forwarder = None
        self.token = None
        self.cgroups = set()
        self.state_dir_flag = None
        self.stopped = False
        _clusters.append(self)

    # ---- bring-up -------------------------------------------------------------------------
    def start(self, ready_timeout=180):
        try:
            self._remove_stale_namespaces()
            self._make_network()
            self._start_server()
            if self.start_agents:
                self.state_dir_flag = agent_state_dir_flag()
                if self.state_dir_flag is None and len(self.nodes) > 1:
                    raise AssertionError(
                        "kite agent has none of %s: the simulated nodes' containerds would share "
                        "/run/kite/containerd (one socket for all nodes)" % ", ".join(STATE_DIR_FLAGS))
                for n in self.nodes.values():
                    self.start_agent(n.name)
                self.wait_nodes_ready(timeout=ready_timeout)
            return self
        except BaseException:
            self.dump_logs()
            self.stop()
            raise

    def _remove_stale_namespaces(self):
        """Namespaces and state dirs of earlier harness runs whose process is gone."""
        names = os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []
        for name in names:
            m = re.match(r"^kite(\d+)-", name)
            if m and not os.path.exists("/proc/%s" % m.group(1)):
                run(["ip", "netns", "delete", name], check=False)
        parent = os.path.dirname(self.state_root)
        for name in (os.listdir(parent) if os.path.isdir(parent) else []):
            m = re.match(r"^kite(\d+)$", name)
            if m and not os.path.exists("/proc/%s" % m.group(1)):
                shutil.rmtree(os.path.join(parent, name), ignore_errors=True)

    def _make_network(self):
        run(["ip", "netns", "add", self.hub])
        run(["ip", "-n", self.hub, "link", "add", "br0", "type", "bridge"])
        run(["ip", "-n", self.hub, "link", "set", "br0", "up"])
        run(["ip", "-n", self.hub, "link", "set", "lo", "up"])
        for i, n in enumerate(self.nodes.values()):
            run(["ip", "netns", "add", n.netns])
            hub_end = "v%d" % i
            run(["ip", "-n", self.hub, "link", "add", hub_end, "type", "veth", "peer", "name", "eth0",
                 "netns", n.netns])
            run(["ip", "-n", self.hub, "link", "set", hub_end, "master", "br0", "up"])
            run(["ip", "-n", n.netns, "link", "set", "lo", "up"])
            run(["ip", "-n", n.netns, "addr", "add", n.ip + "/24", "dev", "eth0"])
            run(["ip", "-n", n.netns, "link", "set", "eth0", "up"])

    def _start_server(self):
        os.makedirs(self.server_dir, exist_ok=True)
        s0 = self.server_node
        argv = s0.nsenter([KITE_BIN, "server", "--data-dir", self.server_data, "--bind-address", "0.0.0.0",
                           "--advertise-address", s0.ip, "--tls-san", s0.ip, "--tls-san", "127.0.0.1",
                           "--https-listen-port", str(API_PORT), "--write-kubeconfig", self.server_kubeconfig,
                           "--disable-agent"] + self.server_args)
        self.server = start_process(argv, self.server_log)
        self.forwarder = Forwarder(s0.netns_path, s0.ip, API_PORT)
        wait_until(self._kubeconfig_written, 60, "kite server kubeconfig")
        wait_until(self._server_ready, 60, "kite server /readyz through the forwarder")
        with open(os.path.join(self.server_data, "server", "token")) as f:
            self.token = f.read().strip()

    def _kubeconfig_written(self):
        if self.server.poll() is not None:
            raise ProcessExited("kite server exited with %s:\n%s" % (self.server.returncode, tail(self.server_log)))
        if not os.path.exists(self.server_kubeconfig):
            return False
        with open(self.server_kubeconfig) as f:
            text = f.read()
        text = re.sub(r"server: https://[^\s]+", "server: https://127.0.0.1:%d" % self.forwarder.local_port, text)
        with open(self.kubeconfig + ".tmp", "w") as f:
            f.write(text)
        os.rename(self.kubeconfig + ".tmp", self.kubeconfig)
        return True

    def _server_ready(self):
        if self.server.poll() is not None:
            raise ProcessExited("kite server exited with %s:\n%s" % (self.server.returncode, tail(self.server_log)))
        r = self.kubectl("get", "--raw", "/readyz", check=False, timeout=5)
        return r.returncode == 0 and r.stdout.strip() == "ok"

    # ---- agents ---------------------------------------------------------------------------
    def agent_argv(self, name):
        n = self.nodes[name]
        argv = [KITE_BIN, "agent", "--server", "https://%s:%d" % (self.server_node.ip, API_PORT),
                "--token", self.token, "--data-dir", n.data_dir, "--node-name", n.name, "--node-ip", n.ip,
                "--log-root", n.log_root, "--debug-node-arch", n.spec.arch]
        for k, v in sorted(n.spec.labels.items()):
            argv += ["--node-label", "%s=%s" % (k, v)]
        for t in n.spec.taints:
            argv += ["--node-taint", t]
        if self.state_dir_flag:
            argv += [self.state_dir_flag, n.state_dir]
        return n.nsenter(argv + self.agent_args)

    def start_agent(self, name):
        n = self.nodes[name]
        os.makedirs(n.dir, exist_ok=True)
        self._place_images(n)
        n.agent = start_process(self.agent_argv(name), n.agent_log)
        return n.agent

    def _place_images(self, n):
        """kite's built image archives (images/, built next to the binary) go into the node's
        <data-dir>/agent/images, where the agent imports them at start (k3s's airgap folder)."""
        if not os.path.isdir(IMAGES_DIR):
            return
        dest = os.path.join(n.data_dir, "agent", "images")
        os.makedirs(dest, exist_ok=True)
        for name in os.listdir(IMAGES_DIR):
            if name.endswith(".tar") and not os.path.exists(os.path.join(dest, name)):
                shutil.copyfile(os.path.join(IMAGES_DIR, name), os.path.join(dest, name))

    def kill_agent(self, name, sig=signal.SIGKILL):
        """Stops one agent by PID (SIGKILL by default: pods and containerd's children stay)."""
        n = self.nodes[name]
        if n.agent:
            stop_process(n.agent, sig)
        return n.agent.returncode if n.agent else None

    def restart_agent(self, name, sig=signal.SIGTERM):
        self.kill_agent(name, sig)
        return self.start_agent(name)

    # ---- queries --------------------------------------------------------------------------
    def node_ip(self, name):
        return self.nodes[name].ip

    def env(self):
        return dict(os.environ, KUBECONFIG=self.kubeconfig, HOME=self.workdir)

    def kubectl(self, *args, input=None, check=True, timeout=60):
        r = subprocess.run([KUBECTL] + list(args), input=input, capture_output=True, text=True, env=self.env(),
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("kubectl %s failed (%d):\nstdout: %s\nstderr: %s" %
                                 (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def kubectl_json(self, *args):
        return json.loads(self.kubectl(*(list(args) + ["-o", "json"])).stdout)

    def exec_in(self, name, argv, check=True, timeout=30, input=None):
        """Runs argv in node `name`'s network namespace (mount namespace and /sys untouched)."""
        r = subprocess.run(self.nodes[name].nsenter(argv), capture_output=True, text=True, timeout=timeout,
                           input=input)
        if check and r.returncode != 0:
            raise AssertionError("%s in %s failed (%d): %s%s" % (" ".join(argv), name, r.returncode, r.stdout,
                                                                  r.stderr))
        return r

    def node_ready(self, name):
        r = self.kubectl("get", "node", name, "-o", "json", check=False, timeout=20)
        if r.returncode != 0:
            return False
        conds = json.loads(r.stdout).get("status", {}).get("conditions", [])
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)

    def wait_nodes_ready(self, names=None, timeout=180):
        names = list(names or self.nodes)

        def all_ready():
            for name in names:
                a = self.nodes[name].agent
                if a is not None and a.poll() is not None:
                    raise ProcessExited("agent %s exited with %s:\n%s" % (name, a.returncode,
                                                                          tail(self.nodes[name].agent_log)))
            return all(self.node_ready(n) for n in names)

        wait_until(all_ready, timeout, "nodes %s Ready" % ",".join(names), interval=0.5)

    def logs(self):
        out = ["== server ==", tail(self.server_log)]
        for n in self.nodes.values():
            out += ["== agent %s ==" % n.name, tail(n.agent_log)]
        return "\n".join(out)

    def dump_logs(self):
        sys.stderr.write(self.logs() + "\n")

    # ---- teardown -------------------------------------------------------------------------
    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        for n in self.nodes.values():
            if n.agent:
                stop_process(n.agent)
        self._kill_runtime_leftovers()
        if self.server:
            stop_process(self.server)
        if self.forwarder:
            self.forwarder.close()
        self._unmount_under_workdir()
        for n in self.nodes.values():
            run(["ip", "netns", "delete", n.netns], check=False)
        run(["ip", "netns", "delete", self.hub], check=False)  # takes the bridge and veths with it
        self._remove_cgroups()
        if self.own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        shutil.rmtree(self.state_root, ignore_errors=True)
        if self in _clusters:
            _clusters.remove(self)

    def _our_processes(self):
        """PIDs (other than shims) whose command line names our work or state dirs, e.g. a
        containerd whose agent was SIGKILLed."""
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == os.getpid():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    cmd = f.read().decode(errors="replace")
            except OSError:
                continue
            if (self.workdir + "/") in cmd or (self.state_root + "/") in cmd:
                pids.append(int(pid))
        return pids

    def _our_shims(self):
        """PIDs of containerd shims serving one of our containerds (their -address is under workdir)."""
        pids = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    args = f.read().split(b"\0")
            except OSError:
                continue
            if not args or not args[0].decode(errors="replace").endswith(("containerd-shim-runc-v2",
                                                                         "containerd-shim")):
                continue
            for i, a in enumerate(args[:-1]):
                addr = args[i + 1].decode(errors="replace")
                if a == b"-address" and (addr.startswith(self.workdir) or addr.startswith(self.state_root)):
                    pids.append(int(pid))
        return pids

    @staticmethod
    def _children(pid):
        out = []
        try:
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                    out += [int(c) for c in f.read().split()]
        except OSError:
            pass
        return out

    def _record_cgroups(self, pid):
        try:
            with open("/proc/%d/cgroup" % pid) as f:
                for line in f:
                    parts = line.strip().split(":", 2)
                    if len(parts) == 3 and parts[2] not in ("", "/"):
                        self.cgroups.add((parts[1], parts[2]))
        except OSError:
            pass

    def _kill_runtime_leftovers(self):
        """Containers and shims of our containerds (the shims are not our children: they
        daemonize). Their cgroups are remembered and removed once empty."""
        shims = self._our_shims()
        victims = []
        for shim in shims:
            stack = self._children(shim)
            while stack:
                pid = stack.pop()
                victims.append(pid)
                stack += self._children(pid)
        for pid in victims:
            self._record_cgroups(pid)
        others = [p for p in self._our_processes() if p not in shims and p not in victims]
        for pid in victims + shims + others:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for pid in victims + shims + others:
            while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
                try:
                    with open("/proc/%d/stat" % pid) as f:
                        if f.read().split(")")[-1].split()[0] == "Z":
                            break  # a zombie waiting for its (reparented) parent
                except OSError:
                    break
                time.sleep(0.02)

    def _remove_cgroups(self):
        roots = []
        for controllers, path in self.cgroups:
            if controllers == "":
                roots.append(("/sys/fs/cgroup/unified", path))
                roots.append(("/sys/fs/cgroup", path))
            else:
                for c in controllers.split(","):
                    c = c.replace("name=", "")
                    roots.append(("/sys/fs/cgroup/" + c, path))
        for root, path in roots:
            d = os.path.join(root, path.lstrip("/"))
            # the container's own cgroup and its (now empty) pod-level parents
            for _ in range(3):
                if os.path.realpath(d) in ("/sys/fs/cgroup", os.path.realpath(root)) or not os.path.isdir(d):
                    break
                try:
                    os.rmdir(d)
                except OSError:
                    break
                d = os.path.dirname(d)

    def _unmount_under_workdir(self):
        try:
            with open("/proc/self/mountinfo") as f:
                points = [line.split()[4] for line in f]
        except OSError:
            return
        ours = [p for p in points
                if p == self.workdir or p.startswith(self.workdir + "/") or p.startswith(self.state_root + "/")]
        for p in sorted(ours, key=len, reverse=True):
            run(["umount", "-l", p], check=False)


def tail(path, n=4000):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-n:]
    except OSError:
        return ""


def leftovers(cluster):
    """What a stopped cluster left behind (namespaces, processes, work dir): [] when clean."""
    left = []
    names = os.listdir(NETNS_DIR) if os.path.isdir(NETNS_DIR) else []
    left += ["netns " + n for n in names if n.startswith(cluster.prefix + "-")]
    for p in [cluster.server] + [n.agent for n in cluster.nodes.values()]:
        if p is not None and p.poll() is None:
            left.append("process %d" % p.pid)
    left += ["shim %d" % p for p in cluster._our_shims()]
    left += ["process %d" % p for p in cluster._our_processes()]
    if os.path.exists(cluster.state_root):
        left.append("dir " + cluster.state_root)
    if cluster.own_workdir and os.path.exists(cluster.workdir):
        left.append("dir " + cluster.workdir)
    return left


def self_test():
    """Server in s0 plus two empty node namespaces: kubectl through the forwarder, node-to-node
    reachability on the test subnet, the root namespace untouched, clean teardown."""
    before = run(["ip", "-o", "addr"]).stdout
    c = KiteCluster(nodes=[NodeSpec("s0"), NodeSpec("rp1"), NodeSpec("s1")], start_agents=False).start()
    try:
        assert c.kubectl("get", "--raw", "/readyz").stdout.strip() == "ok"
        c.kubectl("get", "namespaces")
        r = c.exec_in("rp1", ["/usr/bin/python3", "-c",
                              "import socket; socket.create_connection(('%s', %d), timeout=5)" % (c.node_ip("s0"),
                                                                                                   API_PORT)])
        assert r.returncode == 0
    finally:
        c.stop()
    left = leftovers(c)
    assert not left, "left behind: %s" % left
    after = run(["ip", "-o", "addr"]).stdout
    assert before == after, "root namespace addresses changed"
    print("kite_cluster self-test OK")


if __name__ == "__main__":
    if "--self-test" in sys.argv:
        self_test()
    else:
        print(__doc__)
