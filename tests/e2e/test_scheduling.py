"""Scheduling and node lifecycle with the real kubectl against hollow nodes.

The nodes are modelled on the target fleet: `s0` (amd64, core-services=true), `rp1..rp3`
(arm64, backend=true), `s1..s3` (amd64, role=chunkserver), plus `t1` registered with a
NoSchedule taint. Each group is its own kite-hollow-nodes process. The server runs with a
short node-monitor-grace-period so that a node whose Lease stops goes NotReady within seconds.
"""
import json
import os
import subprocess
import unittest

from kite_e2e import KUBECTL, HollowNodes, KiteTestCase, wait_for

FAST = ("--lease-renew-interval", "1s", "--status-interval", "2s")


def deployment(name, replicas, node_selector, cpu="100m", tolerations=None, labels=None):
    labels = labels or {"app": name}
    spec = {"containers": [{"name": "app", "image": "registry.local/app:1",
                            "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}],
            "nodeSelector": node_selector}
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}


def pod(name, node_selector=None, tolerations=None, cpu="100m", labels=None):
    spec = {"containers": [{"name": "app", "image": "registry.local/app:1",
                            "resources": {"requests": {"cpu": cpu}}}]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if tolerations:
        spec["tolerations"] = tolerations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": spec}


class SchedulingTest(KiteTestCase):
    server_args = ("--kube-controller-manager-arg", "node-monitor-grace-period=10s",
                   "--kube-controller-manager-arg", "node-monitor-period=1s")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            kc = cls.server.kubeconfig
            cls.fleets = [
                HollowNodes(cls.workdir, "s0").start(kc, ["s0"], {"core-services": "true"}, arch="amd64",
                                                     extra_args=FAST, wait=False),
                HollowNodes(cls.workdir, "rp").start(kc, ["rp1", "rp2", "rp3"], {"backend": "true"}, arch="arm64",
                                                     cpu=4, memory="8Gi", extra_args=FAST, wait=False),
                HollowNodes(cls.workdir, "s").start(kc, ["s1", "s2", "s3"], {"role": "chunkserver"}, arch="amd64",
                                                    extra_args=FAST, wait=False),
                HollowNodes(cls.workdir, "t").start(kc, ["t1"], {"role": "tainted"},
                                                    taints=["dedicated=gpu:NoSchedule"], extra_args=FAST, wait=False),
            ]
            for f in cls.fleets:
                wait_for(f.all_ready, 60, interval=0.2, message="hollow nodes %s Ready" % f.names)
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for f in getattr(cls, "fleets", []):
            f.stop()
        super().tearDownClass()

    def setUp(self):
        self.ns = "t-%s" % self._testMethodName.replace("_", "-")[5:40].strip("-")
        self.kubectl("create", "namespace", self.ns)

    def tearDown(self):
        self.kubectl("delete", "namespace", self.ns, "--wait=false", check=False)

    # helpers

    def apply(self, obj):
        self.kubectl("apply", "-n", self.ns, "-f", "-", input=json.dumps(obj))

    def pods(self, selector):
        return self.kubectl_json("get", "pods", "-n", self.ns, "-l", selector)["items"]

    def live_pods(self, selector):
        return [p for p in self.pods(selector) if not p["metadata"].get("deletionTimestamp")]

    def running_on(self, selector, count):
        """The nodes of `count` Running, Ready, not terminating pods; falsy until there are that many."""
        items = [p for p in self.live_pods(selector) if p.get("status", {}).get("phase") == "Running"
                 and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))]
        if len(items) != count:
            return None
        return [p["spec"]["nodeName"] for p in items]

    def node(self, name):
        return self.kubectl_json("get", "node", name)

    def events_text(self, pod_name):
        return self.kubectl("describe", "pod", "-n", self.ns, pod_name).stdout

    # tests

    def test_nodes_registered_like_the_fleet(self):
        out = self.kubectl("get", "nodes", "-l", "backend=true", "-o", "name").stdout.split()
        self.assertEqual(sorted(out), ["node/rp1", "node/rp2", "node/rp3"])
        rp1 = self.node("rp1")
        self.assertEqual(rp1["metadata"]["labels"]["kubernetes.io/arch"], "arm64")
        self.assertEqual(rp1["status"]["nodeInfo"]["architecture"], "arm64")
        self.assertEqual(rp1["status"]["allocatable"]["cpu"], "4")
        lease = self.kubectl_json("get", "lease", "-n", "kube-node-lease", "rp1")
        self.assertEqual(lease["spec"]["holderIdentity"], "rp1")
        wide = self.kubectl("get", "nodes", "-o", "wide").stdout
        self.assertRegex(wide, r"s0\s+Ready")

    def test_node_selector_spreads_only_over_backend_nodes(self):
        self.apply(deployment("backend", 6, {"backend": "true"}))
        nodes = wait_for(lambda: self.running_on("app=backend", 6), 90, interval=0.3,
                         message="6 backend pods Running")
        self.assertTrue(set(nodes) <= {"rp1", "rp2", "rp3"}, nodes)
        self.assertEqual(set(nodes), {"rp1", "rp2", "rp3"}, "replicas not spread: %s" % nodes)
        d = wait_for(lambda: (lambda d: d if d.get("status", {}).get("readyReplicas") == 6 else None)(
            self.kubectl_json("get", "deployment", "-n", self.ns, "backend")), 60, message="deployment ready")
        self.assertEqual(d["status"]["availableReplicas"], 6)

    def test_taints_keep_pods_off(self):
        # A taint added with kubectl on one chunkserver keeps new replicas off it.
        self.kubectl("taint", "nodes", "s3", "maintenance=yes:NoSchedule")
        self.addCleanup(self.kubectl, "taint", "nodes", "s3", "maintenance=yes:NoSchedule-", check=False)
        self.apply(deployment("chunks", 4, {"role": "chunkserver"}))
        nodes = wait_for(lambda: self.running_on("app=chunks", 4), 90, interval=0.3, message="4 chunk pods Running")
        self.assertNotIn("s3", nodes)
        self.assertTrue(set(nodes) <= {"s1", "s2"}, nodes)

        # A node registered with a taint: pods that do not tolerate it stay Pending with the
        # reason in their events; a pod that tolerates it runs there.
        self.apply(pod("intolerant", {"role": "tainted"}))
        text = wait_for(lambda: (lambda t: t if "FailedScheduling" in t else None)(self.events_text("intolerant")),
                        60, interval=0.5, message="FailedScheduling event")
        self.assertIn("untolerated taint", text)
        self.assertIn("dedicated", text)
        self.assertEqual(self.kubectl_json("get", "pod", "-n", self.ns, "intolerant")["status"]["phase"], "Pending")
        self.apply(pod("tolerant", {"role": "tainted"},
                       [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]))
        self.assertEqual(wait_for(lambda: self.running_on("app=tolerant", 1), 60, message="tolerant pod Running"),
                         ["t1"])

    def test_unschedulable_pod_reports_failed_scheduling(self):
        self.apply(pod("huge", {"backend": "true"}, cpu="64"))
        text = wait_for(lambda: (lambda t: t if "FailedScheduling" in t else None)(self.events_text("huge")),
                        60, interval=0.5, message="FailedScheduling event in describe")
        self.assertRegex(text, r"0/\d+ nodes are available")
        self.assertIn("Insufficient cpu", text)
        self.assertIn("didn't match Pod's node affinity/selector", text)
        p = self.kubectl_json("get", "pod", "-n", self.ns, "huge")
        self.assertEqual(p["status"]["phase"], "Pending")
        self.assertFalse(p["spec"].get("nodeName"))
        cond = [c for c in p["status"].get("conditions", []) if c["type"] == "PodScheduled"]
        self.assertEqual(cond[0]["status"], "False")
        self.assertEqual(cond[0]["reason"], "Unschedulable")

    def test_cordon_and_uncordon(self):
        self.kubectl("cordon", "s0")
        self.addCleanup(self.kubectl, "uncordon", "s0", check=False)
        self.assertTrue(self.node("s0")["spec"].get("unschedulable"))
        self.assertRegex(self.kubectl("get", "node", "s0").stdout, r"Ready,SchedulingDisabled")
        self.apply(pod("core", {"core-services": "true"}))
        text = wait_for(lambda: (lambda t: t if "FailedScheduling" in t else None)(self.events_text("core")),
                        60, interval=0.5, message="FailedScheduling on a cordoned node")
        self.assertIn("unschedulable", text)
        self.kubectl("uncordon", "s0")
        self.assertFalse(self.node("s0")["spec"].get("unschedulable"))
        self.assertEqual(wait_for(lambda: self.running_on("app=core", 1), 60, message="pod Running after uncordon"),
                         ["s0"])

    def test_drain_respects_pod_disruption_budget(self):
        # All four replicas on s1 while s2 and s3 are cordoned.
        self.kubectl("cordon", "s2", "s3")
        self.addCleanup(self.kubectl, "uncordon", "s1", "s2", "s3", check=False)
        self.apply(deployment("store", 4, {"role": "chunkserver"}, labels={"app": "store"}))
        nodes = wait_for(lambda: self.running_on("app=store", 4), 90, interval=0.3, message="4 store pods on s1")
        self.assertEqual(set(nodes), {"s1"})
        self.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "store"},
                    "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "store"}}}})

        def pdb_allows():
            st = self.kubectl_json("get", "pdb", "-n", self.ns, "store").get("status", {})
            return st.get("observedGeneration") and st.get("disruptionsAllowed") == 1
        wait_for(pdb_allows, 30, interval=0.3, message="PDB status from the disruption controller")

        # Drain s1 while no other node takes pods: the budget allows one eviction; the replacement
        # stays Pending, so every further eviction is refused (429) and kubectl keeps retrying.
        out_path = os.path.join(self.workdir, "drain.out")
        with open(out_path, "w") as out:
            drain = subprocess.Popen([KUBECTL, "drain", "s1", "--ignore-daemonsets", "--delete-emptydir-data",
                                      "--timeout=150s"], stdout=out, stderr=subprocess.STDOUT,
                                     env=self.server.env(), text=True)
        self.addCleanup(lambda: drain.poll() is None and drain.kill())

        def drain_output():
            with open(out_path) as f:
                return f.read()
        wait_for(lambda: "disruption budget" in drain_output(), 60, interval=0.3,
                 message="kubectl drain told the budget refused an eviction")
        on_s1 = [p for p in self.live_pods("app=store") if p["spec"].get("nodeName") == "s1"]
        self.assertEqual(len(on_s1), 3, "only one pod may be evicted while the budget is spent")
        self.assertIsNone(drain.poll(), drain_output())

        # Room elsewhere: the replacement turns Ready, the budget allows the next eviction, and so on.
        self.kubectl("uncordon", "s2", "s3")
        self.assertEqual(drain.wait(timeout=150), 0, drain_output())
        self.assertIn("drained", drain_output())
        nodes = wait_for(lambda: self.running_on("app=store", 4), 90, interval=0.3, message="store pods moved")
        self.assertNotIn("s1", nodes)
        self.assertTrue(self.node("s1")["spec"].get("unschedulable"))

    def test_node_whose_lease_stops_is_tainted_and_its_pods_move(self):
        kc = self.server.kubeconfig
        d1 = HollowNodes(self.workdir, "d1").start(kc, ["d1"], {"pool": "lease"}, extra_args=FAST)
        self.addCleanup(d1.stop)
        tolerate_fast = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
                          "tolerationSeconds": 2},
                         {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
                          "tolerationSeconds": 2}]
        self.apply(deployment("web", 2, {"pool": "lease"}, tolerations=tolerate_fast))
        self.assertEqual(wait_for(lambda: self.running_on("app=web", 2), 90, message="web pods on d1"),
                         ["d1", "d1"])
        before = {p["metadata"]["name"] for p in self.live_pods("app=web")}
        d2 = HollowNodes(self.workdir, "d2").start(kc, ["d2"], {"pool": "lease"}, extra_args=FAST)
        self.addCleanup(d2.stop)

        d1.kill()  # the Lease of d1 is no longer renewed

        def not_ready_and_tainted():
            n = self.node("d1")
            ready = [c for c in n["status"]["conditions"] if c["type"] == "Ready"][0]
            taints = {(t["key"], t["effect"]) for t in n["spec"].get("taints", [])}
            return ready["status"] != "True" and (
                ("node.kubernetes.io/unreachable", "NoExecute") in taints
                or ("node.kubernetes.io/not-ready", "NoExecute") in taints)
        wait_for(not_ready_and_tainted, 60, interval=0.5, message="d1 NotReady with a NoExecute taint")
        self.assertRegex(self.kubectl("get", "node", "d1").stdout, r"d1\s+NotReady")

        nodes = wait_for(lambda: self.running_on("app=web", 2), 90, interval=0.5, message="web pods recreated on d2")
        self.assertEqual(nodes, ["d2", "d2"])
        after = {p["metadata"]["name"] for p in self.live_pods("app=web")}
        self.assertFalse(before & after, "the pods on d1 were not evicted")


if __name__ == "__main__":
    unittest.main()
