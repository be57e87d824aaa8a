"""kite when its etcd dies: requests fail fast with a 503/504 Status, the server keeps
running, and once etcd is back writes succeed again and watches lose no events. Also: the
embedded etcd is restarted by kite's supervisor when it is killed.
"""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import kite_e2e
from kite_e2e import wait_for

NS = "faults"
CM = "/api/v1/namespaces/%s/configmaps" % NS
MAX_FAILED_REQUEST_SECONDS = 15


def configmap(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"n": name}}


class WatchStream:
    """A raw watch on a background thread, collecting events; reconnects from the last seen
    resourceVersion when the server ends the stream (what client-go's reflector does)."""

    def __init__(self, raw, path, resource_version):
        self.raw = raw
        self.path = path
        self.rv = resource_version
        self.events = []  # (type, name, resourceVersion)
        self.errors = []  # ERROR event objects
        self.connects = 0
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.conn = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        wait_for(lambda: self.connects > 0, 10, message="watch connected")
        return self

    def _run(self):
        while not self.stopped.is_set():
            try:
                self._once()
            except Exception:  # connection refused/reset while the server is unhappy: retry
                pass
            self.stopped.wait(0.2)  # client-go backs off between watch attempts too

    def _once(self):
        conn = self.raw.connect(timeout=60)
        self.conn = conn
        try:
            conn.request("GET", "%s?watch=true&allowWatchBookmarks=true&resourceVersion=%s&timeoutSeconds=120" %
                         (self.path, self.rv), headers={"Accept": "application/json"})
            resp = conn.getresponse()
            if resp.status != 200:
                resp.read()
                return
            self.connects += 1
            while not self.stopped.is_set():
                line = resp.readline()
                if not line:
                    return
                if not line.strip():
                    continue
                ev = json.loads(line)
                obj = ev.get("object", {})
                if ev["type"] == "ERROR":
                    with self.lock:
                        self.errors.append(obj)
                    return
                rv = obj.get("metadata", {}).get("resourceVersion")
                with self.lock:
                    if ev["type"] != "BOOKMARK":
                        self.events.append((ev["type"], obj["metadata"]["name"], int(rv)))
                    if rv:
                        self.rv = rv
        finally:
            self.conn = None
            conn.close()

    def added(self):
        with self.lock:
            return [n for t, n, _ in self.events if t == "ADDED"]

    def stop(self):
        self.stopped.set()
        c = self.conn
        if c is not None and c.sock is not None:
            try:
                c.sock.shutdown(2)
            except OSError:
                pass
        self.thread.join(10)


class Load:
    """A thread creating ConfigMaps until stopped; records what succeeded and how failures looked."""

    def __init__(self, raw, prefix):
        self.raw = raw
        self.prefix = prefix
        self.created = []
        self.failures = []  # (seconds, status code, Status body or error)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        i = 0
        while not self.stopped.is_set() and i < 2000:
            name = "%s-%04d" % (self.prefix, i)
            i += 1
            start = time.monotonic()
            try:
                code, _, raw, body = self.raw.request("POST", CM, configmap(name), timeout=30)
            except Exception as e:
                self.failures.append((time.monotonic() - start, None, repr(e)))
                continue
            if code == 201:
                self.created.append(name)
            else:
                self.failures.append((time.monotonic() - start, code, body if body is not None else raw[:300]))

    def stop(self):
        self.stopped.set()
        self.thread.join(60)


class ExternalEtcdFaultTest(unittest.TestCase):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kite-e2e-etcd-")
        self.addCleanup(shutil.rmtree, self.workdir, True)
        self.etcd = kite_e2e.Etcd(self.workdir)
        self.addCleanup(self.etcd.stop)
        self.etcd.start()
        self.server = kite_e2e.KiteServer(os.path.join(self.workdir, "kite"),
                                          ["--datastore-endpoint", self.etcd.url])
        os.makedirs(self.server.workdir)
        self.addCleanup(self.server.stop)
        self.server.start()
        self.raw = kite_e2e.RawClient(self.server.kubeconfig, self.workdir)
        code, _, raw, _ = self.raw.request("POST", "/api/v1/namespaces",
                                           {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        self.assertEqual(code, 201, raw[:300])

    def assertFailsFast(self, method, path, body=None, allow_ok=False):
        start = time.monotonic()
        code, _, raw, obj = self.raw.request(method, path, body, timeout=60)
        elapsed = time.monotonic() - start
        self.assertLess(elapsed, MAX_FAILED_REQUEST_SECONDS, "%s %s took %.1fs with etcd down" % (method, path, elapsed))
        if allow_ok and code == 200:
            return code
        self.assertIn(code, (503, 504), "%s %s with etcd down: %d %s" % (method, path, code, raw[:400]))
        self.assertEqual(obj.get("kind"), "Status", raw[:400])
        self.assertEqual(obj.get("code"), code, raw[:400])
        self.assertEqual(obj.get("reason"), "ServiceUnavailable" if code == 503 else "Timeout", raw[:400])
        return code

    def test_etcd_killed_and_restarted(self):
        code, _, raw, lst = self.raw.request("GET", CM)
        self.assertEqual(code, 200, raw[:300])
        watch = WatchStream(self.raw, CM, lst["metadata"]["resourceVersion"]).start()
        self.addCleanup(watch.stop)

        load = Load(self.raw, "before").start()
        self.addCleanup(load.stop)
        wait_for(lambda: len(load.created) >= 20, 30, message="20 creates under load")

        # The fault, in the middle of the load.
        self.etcd.kill()
        down_since = time.monotonic()

        self.assertFailsFast("POST", CM, configmap("while-down"))
        self.assertFailsFast("PUT", CM + "/before-0000", dict(configmap("before-0000")))
        self.assertFailsFast("DELETE", CM + "/before-0001")
        # Reads may be answered from the watch cache; if not, they fail fast too.
        self.assertFailsFast("GET", CM + "/before-0000", allow_ok=True)
        self.assertFailsFast("GET", CM, allow_ok=True)
        code, _, raw, _ = self.raw.request("GET", "/readyz")
        self.assertNotEqual(code, 200, "/readyz says ready with etcd down: %s" % raw[:300])

        # Let the load thread meet the outage too, then stop it.
        n_failures = len(load.failures)
        wait_for(lambda: len(load.failures) >= n_failures + 2, 40, message="load sees failures")
        load.stop()
        self.assertIsNone(self.server.proc.poll(), "kite exited when etcd died:\n" + self.server.log())
        for seconds, code, body in load.failures:
            self.assertLess(seconds, MAX_FAILED_REQUEST_SECONDS, "a create took %.1fs to fail" % seconds)
            self.assertIn(code, (503, 504), "a create failed with %s: %s" % (code, body))
        created_before = list(load.created)
        self.assertLess(time.monotonic() - down_since, 120)

        # etcd comes back on the same data dir and ports.
        self.etcd.start()

        def create_ok():
            code, _, _, _ = self.raw.request("POST", CM, configmap("after-restart"), timeout=20)
            return code in (201, 409)  # 409: an earlier attempt of this same create succeeded
        wait_for(create_ok, 30, interval=0.2, message="creates succeed after etcd restart")
        wait_for(lambda: self.raw.request("GET", "/readyz")[0] == 200, 30, message="/readyz ok again")
        self.assertIsNone(self.server.proc.poll(), "kite exited:\n" + self.server.log())

        after = ["after-%02d" % i for i in range(10)]
        for name in after:
            code, _, raw, _ = self.raw.request("POST", CM, configmap(name))
            self.assertEqual(code, 201, raw[:300])

        # The watch opened before the fault sees everything, none lost, none twice.
        code, _, raw, final = self.raw.request("GET", CM)
        self.assertEqual(code, 200, raw[:300])
        # Objects listed before the watch started (the namespace's kube-root-ca.crt) are not
        # events the watch can deliver.
        initial = {i["metadata"]["name"] for i in lst["items"]}
        final_names = {i["metadata"]["name"] for i in final["items"]} - initial
        expected = set(created_before) | set(after) | {"after-restart"}
        self.assertTrue(expected <= final_names, "objects lost: %s" % sorted(expected - final_names))
        wait_for(lambda: set(watch.added()) >= final_names, 30,
                 message="the watch to see every object created (missing: %s)" %
                 sorted(final_names - set(watch.added()))[:10])
        added = watch.added()
        self.assertEqual(len(added), len(set(added)), "an ADDED event was delivered twice")
        self.assertEqual(set(added), final_names)
        rvs = [rv for _, _, rv in watch.events]
        self.assertEqual(rvs, sorted(rvs), "events out of resourceVersion order")
        self.assertEqual(watch.errors, [], "the watch got ERROR events (a relist would be needed)")
        self.assertIsNone(self.server.proc.poll())


    def test_etcd_hung(self):
        """A frozen etcd (SIGSTOP) answers nothing: requests must still end within the bound."""
        code, _, raw, lst = self.raw.request("GET", CM)
        self.assertEqual(code, 200, raw[:300])
        watch = WatchStream(self.raw, CM, lst["metadata"]["resourceVersion"]).start()
        self.addCleanup(watch.stop)
        code, _, raw, _ = self.raw.request("POST", CM, configmap("before-freeze"))
        self.assertEqual(code, 201, raw[:300])

        pid = self.etcd.proc.pid
        os.kill(pid, signal.SIGSTOP)
        self.addCleanup(self._continue, pid)
        self.assertFailsFast("POST", CM, configmap("while-frozen"))
        self.assertIsNone(self.server.proc.poll(), "kite exited:\n" + self.server.log())
        self._continue(pid)

        def create_ok():
            code, _, _, _ = self.raw.request("POST", CM, configmap("after-thaw"), timeout=20)
            return code in (201, 409)
        wait_for(create_ok, 30, interval=0.2, message="creates succeed after etcd resumes")
        code, _, raw, final = self.raw.request("GET", CM)
        self.assertEqual(code, 200, raw[:300])
        initial = {i["metadata"]["name"] for i in lst["items"]}  # listed before the watch started
        final_names = {i["metadata"]["name"] for i in final["items"]} - initial
        self.assertTrue({"before-freeze", "after-thaw"} <= final_names, final_names)
        wait_for(lambda: set(watch.added()) >= final_names, 30, message="the watch to see every object")
        self.assertEqual(sorted(watch.added()), sorted(final_names))

    @staticmethod
    def _continue(pid):
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


class EmbeddedEtcdSupervisionTest(kite_e2e.KiteTestCase):

    def etcd_child(self):
        r = subprocess.run(["ps", "--ppid", str(self.server.proc.pid), "-o", "pid=,comm="],
                           capture_output=True, text=True, timeout=10)
        for line in r.stdout.splitlines():
            pid, comm = line.split(None, 1)
            if comm.strip() == "etcd":
                return int(pid)
        return None

    def test_embedded_etcd_restarted_by_supervisor(self):
        raw = kite_e2e.RawClient(self.server.kubeconfig, self.workdir)
        code, _, body, _ = raw.request("POST", "/api/v1/namespaces/default/configmaps", configmap("before-kill"))
        self.assertEqual(code, 201, body[:300])
        old = wait_for(self.etcd_child, 10, message="kite's etcd child process")
        os.kill(old, signal.SIGKILL)
        new = wait_for(lambda: (self.etcd_child() or old) != old and self.etcd_child(), 30,
                       message="a new etcd child")
        self.assertNotEqual(new, old)

        def create_ok():
            c, _, _, _ = raw.request("POST", "/api/v1/namespaces/default/configmaps", configmap("after-kill"),
                                     timeout=20)
            return c in (201, 409)
        wait_for(create_ok, 30, interval=0.2, message="API serves writes again")
        code, _, body, obj = raw.request("GET", "/api/v1/namespaces/default/configmaps/before-kill")
        self.assertEqual(code, 200, body[:300])
        self.assertEqual(obj["data"], {"n": "before-kill"})
        wait_for(lambda: raw.request("GET", "/readyz")[0] == 200, 30, message="/readyz ok")
        self.assertIsNone(self.server.proc.poll(), "kite exited:\n" + self.server.log())


if __name__ == "__main__":
    unittest.main()
