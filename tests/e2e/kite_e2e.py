"""End-to-end test harness: real etcd, a real `kite server`, the real kubectl.

Every process is started here on 127.0.0.1 with its own temporary data dir and free ports,
and is stopped by PID when the test ends (also when it fails). Nothing here waits by
sleeping for a fixed time: helpers poll for a condition with a deadline.

Environment: KITE_BIN (the kite binary; default build/kite), KUBECTL (default kubectl),
KITE_HOLLOW_BIN (the kite-hollow-nodes test tool; default: next to KITE_BIN).
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KITE_BIN = os.environ.get("KITE_BIN", os.path.join(REPO, "build", "kite"))
KUBECTL = os.environ.get("KUBECTL", "kubectl")
KITE_HOLLOW_BIN = os.environ.get("KITE_HOLLOW_BIN", os.path.join(os.path.dirname(KITE_BIN), "kite-hollow-nodes"))

_children = []  # every Popen started here, stopped at exit whatever happens


def _stop_all():
    for p in list(_children):
        stop_process(p)


atexit.register(_stop_all)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout=30.0, interval=0.05, message="condition"):
    """Polls condition() until it returns a truthy value; returns it. Fails after timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as e:  # the condition may fail while things come up
            last_error = e
        time.sleep(interval)
    raise AssertionError("timed out after %.0fs waiting for %s (last error: %r)" % (timeout, message, last_error))


def start_process(argv, log_path, env=None):
    log = open(log_path, "ab")
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                         start_new_session=True)
    log.close()
    _children.append(p)
    return p


def stop_process(p, sig=signal.SIGTERM, timeout=20):
    if p.poll() is None:
        try:
            p.send_signal(sig)
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in _children:
        _children.remove(p)
    return p.returncode


class Etcd:
    """A standalone etcd on loopback (for --datastore-endpoint tests)."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "etcd")
        self.client_port = free_port()
        self.peer_port = free_port()
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.client_port

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        peer = "http://127.0.0.1:%d" % self.peer_port
        self.proc = start_process(
            ["etcd", "--name", "e2e", "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", "e2e=" + peer, "--max-request-bytes", str(1536 * 1024)],
            os.path.join(self.dir, "etcd.log"))
        wait_for(self._healthy, 20, message="etcd health")
        return self

    def _healthy(self):
        r = subprocess.run(["etcdctl", "--endpoints", self.url, "endpoint", "health"],
                           capture_output=True, env=dict(os.environ, ETCDCTL_API="3"), timeout=5)
        return r.returncode == 0

    def kill(self):
        stop_process(self.proc, signal.SIGKILL)

    def stop(self):
        if self.proc:
            stop_process(self.proc)


class KiteServer:
    """`kite server` with its own data dir and port; the admin kubeconfig in `kubeconfig`."""

    def __init__(self, workdir, extra_args=(), port=None):
        self.workdir = workdir
        self.data_dir = os.path.join(workdir, "data")
        self.kubeconfig = os.path.join(workdir, "kubeconfig.yaml")
        self.log_path = os.path.join(workdir, "kite.log")
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.proc = None

    def start(self, timeout=60):
        argv = [KITE_BIN, "server", "--data-dir", self.data_dir, "--bind-address", "127.0.0.1",
                "--https-listen-port", str(self.port), "--write-kubeconfig", self.kubeconfig,
                "--disable-agent"] + self.extra_args
        self.proc = start_process(argv, self.log_path)
        wait_for(self.ready, timeout, interval=0.1, message="kite server /readyz")
        return self

    def ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("kite server exited with %s:\n%s" % (self.proc.returncode, self.log()))
        if not os.path.exists(self.kubeconfig):
            return False
        r = self.kubectl("get", "--raw", "/readyz", check=False, timeout=5)
        return r.returncode == 0 and r.stdout.strip() == "ok"

    def stop(self):
        if self.proc:
            return stop_process(self.proc)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def env(self):
        # HOME keeps kubectl's discovery cache inside the test's directory.
        return dict(os.environ, KUBECONFIG=self.kubeconfig, HOME=self.workdir)

    def kubectl(self, *args, input=None, check=True, timeout=60, env=None):
        e = self.env()
        if env:
            e.update(env)
        r = subprocess.run([KUBECTL] + list(args), input=input, capture_output=True, text=True, env=e,
                           timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("kubectl %s failed (%d):\nstdout: %s\nstderr: %s" %
                                 (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def kubectl_json(self, *args):
        return json.loads(self.kubectl(*(list(args) + ["-o", "json"])).stdout)

    def server_url(self):
        return "https://127.0.0.1:%d" % self.port


class HollowNodes:
    """One `kite-hollow-nodes` process: fake nodes (hollow kubelets) that register with a server,
    renew their Leases and report the pods bound to them as Running (see
    tools/hollow-nodes/README.md). stop() is SIGTERM (the nodes stay registered, their Leases go
    stale), kill() is SIGKILL; either way the process is also stopped at exit."""

    def __init__(self, workdir, tag="hollow"):
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "%s-%d.log" % (tag, free_port()))
        self.names = []
        self.kubeconfig = None
        self.proc = None

    def start(self, kubeconfig, names, labels=None, taints=(), arch="amd64", cpu=None, memory=None, pods=None,
              zone=None, lease_duration=None, lease_renew_interval=None, status_interval=None,
              delete_nodes_on_exit=False, extra_args=(), wait=True, timeout=60):
        """Starts the process for `names` (a list); labels is a dict, taints "k=v:Effect" strings.
        With wait, returns once every node is Ready as kubectl sees it."""
        self.kubeconfig = kubeconfig
        self.names = list(names)
        argv = [KITE_HOLLOW_BIN, "--kubeconfig", kubeconfig, "--names", ",".join(self.names), "--arch", arch]
        for k, v in sorted((labels or {}).items()):
            argv += ["--label", "%s=%s" % (k, v)]
        for t in taints:
            argv += ["--taint", t]
        for flag, value in (("cpu", cpu), ("memory", memory), ("pods", pods), ("zone", zone),
                            ("lease-duration", lease_duration), ("lease-renew-interval", lease_renew_interval),
                            ("status-interval", status_interval)):
            if value is not None:
                argv += ["--" + flag, str(value)]
        if delete_nodes_on_exit:
            argv.append("--delete-nodes-on-exit")
        argv += list(extra_args)
        self.proc = start_process(argv, self.log_path)
        if wait:
            wait_for(self.all_ready, timeout, interval=0.2, message="hollow nodes %s Ready" % ",".join(self.names))
        return self

    def all_ready(self):
        if self.proc.poll() is not None:
            raise AssertionError("kite-hollow-nodes exited with %s:\n%s" % (self.proc.returncode, self.log()))
        r = subprocess.run([KUBECTL, "get", "nodes"] + self.names + ["-o", "json"], capture_output=True, text=True,
                           env=dict(os.environ, KUBECONFIG=self.kubeconfig, HOME=self.workdir), timeout=30)
        if r.returncode != 0:
            return False
        doc = json.loads(r.stdout)
        items = doc.get("items", []) if doc.get("kind") == "List" else [doc]
        ready = [n for n in items
                 if any(c.get("type") == "Ready" and c.get("status") == "True"
                        for c in n.get("status", {}).get("conditions", []))]
        return len(ready) == len(self.names)

    def stop(self):
        if self.proc:
            return stop_process(self.proc)

    def kill(self):
        if self.proc:
            return stop_process(self.proc, signal.SIGKILL)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""


class KiteTestCase(unittest.TestCase):
    """One kite server (embedded etcd) for the whole test class, in a temporary directory."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="kite-e2e-")
        cls.server = KiteServer(cls.workdir, cls.server_args)
        try:
            cls.server.start()
        except Exception:
            cls.server.stop()
            shutil.rmtree(cls.workdir, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def kubectl(self, *args, **kw):
        return self.server.kubectl(*args, **kw)

    def kubectl_json(self, *args):
        return self.server.kubectl_json(*args)


class RawClient:
    """Plain HTTPS requests to a kite server with the admin client certificate of a kubeconfig
    (or with no credentials at all), for checking exact status codes, headers and bodies."""

    def __init__(self, kubeconfig, workdir):
        import base64
        import yaml
        with open(kubeconfig) as f:
            kc = yaml.safe_load(f)
        cluster = kc["clusters"][0]["cluster"]
        user = kc["users"][0]["user"]
        self.server = cluster["server"]
        self.files = {}
        for key, field in (("ca", "certificate-authority-data"), ("cert", "client-certificate-data"),
                           ("key", "client-key-data")):
            path = os.path.join(workdir, "raw-%s.pem" % key)
            with open(path, "wb") as f:
                f.write(base64.b64decode(user.get(field) or cluster[field]))
            self.files[key] = path
        hostport = self.server.split("://", 1)[1].rstrip("/")
        self.host, self.port = hostport.rsplit(":", 1)[0], int(hostport.rsplit(":", 1)[1])

    def context(self, authenticated=True):
        import ssl
        ctx = ssl.create_default_context(cafile=self.files["ca"])
        if authenticated:
            ctx.load_cert_chain(self.files["cert"], self.files["key"])
        return ctx

    def connect(self, authenticated=True, timeout=30):
        import http.client
        return http.client.HTTPSConnection(self.host, self.port, context=self.context(authenticated),
                                           timeout=timeout)

    def request(self, method, path, body=None, content_type=None, headers=None, authenticated=True,
                timeout=30):
        """Returns (status, headers as a dict of lists, raw body, decoded JSON or None)."""
        import http.client
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            content_type = content_type or "application/json"
        if isinstance(body, str):
            body = body.encode()
        h = {"Accept": "application/json"}
        if content_type:
            h["Content-Type"] = content_type
        h.update(headers or {})
        conn = self.connect(authenticated, timeout)
        try:
            try:
                conn.request(method, path, body=body, headers=h)
                resp = conn.getresponse()
            except OSError:
                # The server may answer (e.g. 413) and close before the whole body is sent;
                # a Go client still reads that answer, so read it too.
                if conn.sock is None:
                    raise
                resp = http.client.HTTPResponse(conn.sock, method=method)
                resp.begin()
            raw = resp.read()
            hdrs = {}
            for k, v in resp.getheaders():
                hdrs.setdefault(k.lower(), []).append(v)
            try:
                decoded = json.loads(raw) if raw else None
            except ValueError:
                decoded = None
            return resp.status, hdrs, raw, decoded
        finally:
            conn.close()
