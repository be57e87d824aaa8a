"""The kite-hollow-nodes test tool itself: flags, node registration, Leases, and how it reports
the pods bound to its nodes (pods here are bound by setting spec.nodeName, so no scheduler is
involved)."""
import json
import subprocess
import unittest

from kite_e2e import KITE_HOLLOW_BIN, HollowNodes, KiteTestCase, wait_for


def bound_pod(name, node, annotations=None, restart_policy="Always", init=False):
    spec = {"nodeName": node, "restartPolicy": restart_policy,
            "containers": [{"name": "main", "image": "registry.local/app:1",
                            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"},
                                          "limits": {"cpu": "100m", "memory": "64Mi"}}}]}
    if init:
        spec["initContainers"] = [{"name": "setup", "image": "registry.local/setup:1",
                                   "resources": spec["containers"][0]["resources"]}]
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "annotations": annotations or {}}, "spec": spec}


class HollowFlagsTest(unittest.TestCase):
    def run_tool(self, *args):
        return subprocess.run([KITE_HOLLOW_BIN] + list(args), capture_output=True, text=True, timeout=30)

    def test_bad_flags_exit_2_with_one_line(self):
        for args, text in ((["--count", "3"], "--kubeconfig is required"),
                           (["--kubeconfig", "x", "--count", "0"], "--count must be >= 1"),
                           (["--kubeconfig", "x", "--taint", "a=b:Sometimes"], "effect must be"),
                           (["--kubeconfig", "x", "--memory", "lots"], "not a quantity"),
                           (["--kubeconfig", "x", "--lease-renew-interval", "10"], "lease-renew-interval"),
                           (["--kubeconfig", "x", "--bogus"], "unknown flag")):
            r = self.run_tool(*args)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(text, r.stderr)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_help(self):
        r = self.run_tool("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--lease-renew-interval", r.stdout)


class HollowNodesTest(KiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.fleet = HollowNodes(cls.workdir, "h").start(
                cls.server.kubeconfig, ["h1", "h2"], {"tier": "test"}, taints=["dedicated=db:NoSchedule"],
                arch="arm64", cpu=8, memory="16Gi", pods=50, zone="zone-a",
                extra_args=("--lease-renew-interval", "1s"))
        except Exception:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.fleet.stop()
        super().tearDownClass()

    def apply(self, obj):
        self.kubectl("apply", "-f", "-", input=json.dumps(obj))
        self.addCleanup(self.kubectl, "delete", "pod", obj["metadata"]["name"], "--wait=false",
                        "--ignore-not-found", check=False)

    def pod(self, name):
        return self.kubectl_json("get", "pod", name)

    def wait_pod(self, name, predicate, message, timeout=30):
        return wait_for(lambda: (lambda p: p if predicate(p) else None)(self.pod(name)), timeout, interval=0.2,
                        message=message)

    def test_node_object(self):
        n = self.kubectl_json("get", "node", "h1")
        labels = n["metadata"]["labels"]
        self.assertEqual(labels["kubernetes.io/hostname"], "h1")
        self.assertEqual(labels["kubernetes.io/arch"], "arm64")
        self.assertEqual(labels["beta.kubernetes.io/os"], "linux")
        self.assertEqual(labels["topology.kubernetes.io/zone"], "zone-a")
        self.assertEqual(labels["tier"], "test")
        self.assertIn({"key": "dedicated", "value": "db", "effect": "NoSchedule"}, n["spec"]["taints"])
        self.assertEqual(n["status"]["capacity"]["pods"], "50")
        self.assertEqual(n["status"]["allocatable"]["memory"], "16Gi")
        conds = {c["type"]: c for c in n["status"]["conditions"]}
        self.assertEqual(conds["Ready"]["status"], "True")
        self.assertEqual(conds["Ready"]["reason"], "KubeletReady")
        for t in ("MemoryPressure", "DiskPressure", "PIDPressure"):
            self.assertEqual(conds[t]["status"], "False")
        self.assertTrue(any(a["type"] == "InternalIP" and a["address"].startswith("127.0.")
                            for a in n["status"]["addresses"]))

    def test_lease_is_renewed(self):
        first = self.kubectl_json("get", "lease", "-n", "kube-node-lease", "h2")
        self.assertEqual(first["spec"]["holderIdentity"], "h2")
        self.assertEqual(first["spec"]["leaseDurationSeconds"], 40)
        wait_for(lambda: self.kubectl_json("get", "lease", "-n", "kube-node-lease", "h2")["spec"]["renewTime"]
                 != first["spec"]["renewTime"], 20, interval=0.3, message="lease renewal")

    def test_bound_pod_is_reported_running(self):
        self.apply(bound_pod("run", "h1", init=True))
        p = self.wait_pod("run", lambda p: p.get("status", {}).get("phase") == "Running", "pod Running")
        st = p["status"]
        conds = {c["type"]: c["status"] for c in st["conditions"]}
        for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready"):
            self.assertEqual(conds[t], "True", t)
        cs = st["containerStatuses"][0]
        self.assertTrue(cs["ready"])
        self.assertTrue(cs["started"])
        self.assertEqual(cs["restartCount"], 0)
        self.assertIn("startedAt", cs["state"]["running"])
        self.assertEqual(cs["containerID"], "hollow://%s/main" % p["metadata"]["uid"])
        self.assertEqual(st["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed")
        self.assertTrue(st["podIP"])
        self.assertTrue(st["hostIP"].startswith("127.0."))
        self.assertEqual(st["qosClass"], "Guaranteed")
        self.assertIn("startTime", st)

    def test_not_ready_annotation(self):
        self.apply(bound_pod("lame", "h2", {"hollow.kite.io/ready": "false"}))
        p = self.wait_pod("lame", lambda p: p.get("status", {}).get("phase") == "Running", "pod Running")
        conds = {c["type"]: c["status"] for c in p["status"]["conditions"]}
        self.assertEqual(conds["Ready"], "False")
        self.assertFalse(p["status"]["containerStatuses"][0]["ready"])
        self.kubectl("annotate", "pod", "lame", "hollow.kite.io/ready-")
        self.wait_pod("lame", lambda p: any(c["type"] == "Ready" and c["status"] == "True"
                                            for c in p["status"]["conditions"]), "pod Ready after the annotation went")

    def test_exit_codes(self):
        self.apply(bound_pod("ok", "h1", {"hollow.kite.io/exit-code": "0", "hollow.kite.io/run-seconds": "1"},
                             restart_policy="Never"))
        self.apply(bound_pod("bad", "h2", {"hollow.kite.io/exit-code": "3", "hollow.kite.io/run-seconds": "1"},
                             restart_policy="Never"))
        self.apply(bound_pod("loop", "h1", {"hollow.kite.io/exit-code": "1", "hollow.kite.io/run-seconds": "1"}))
        ok = self.wait_pod("ok", lambda p: p.get("status", {}).get("phase") == "Succeeded", "pod Succeeded")
        term = ok["status"]["containerStatuses"][0]["state"]["terminated"]
        self.assertEqual((term["exitCode"], term["reason"]), (0, "Completed"))
        bad = self.wait_pod("bad", lambda p: p.get("status", {}).get("phase") == "Failed", "pod Failed")
        term = bad["status"]["containerStatuses"][0]["state"]["terminated"]
        self.assertEqual((term["exitCode"], term["reason"]), (3, "Error"))
        loop = self.wait_pod("loop", lambda p: p.get("status", {}).get("containerStatuses", [{}])[0]
                             .get("restartCount", 0) >= 2, "restarts under restartPolicy Always")
        self.assertEqual(loop["status"]["phase"], "Running")
        self.assertEqual(loop["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 1)

    def test_graceful_deletion_is_confirmed(self):
        self.apply(bound_pod("gone", "h2"))
        self.wait_pod("gone", lambda p: p.get("status", {}).get("phase") == "Running", "pod Running")
        r = self.kubectl("delete", "pod", "gone", "--timeout=30s", timeout=40)
        self.assertIn("deleted", r.stdout)
        r = self.kubectl("get", "pod", "gone", check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_stop_keeps_nodes_and_delete_on_exit_removes_them(self):
        kc = self.server.kubeconfig
        keep = HollowNodes(self.workdir, "keep").start(kc, ["k1"])
        self.assertEqual(keep.stop(), 0)
        self.kubectl("get", "node", "k1")
        self.kubectl("get", "lease", "-n", "kube-node-lease", "k1")
        temp = HollowNodes(self.workdir, "temp").start(kc, ["x1", "x2"], delete_nodes_on_exit=True)
        self.assertEqual(temp.stop(), 0)
        r = self.kubectl("get", "node", "x1", "x2", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("NotFound", r.stderr)


if __name__ == "__main__":
    unittest.main()
