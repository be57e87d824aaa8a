"""StatefulSets and DaemonSets with the real kubectl against `kite server` + hollow nodes.

Nodes: `s1..s3` carry role=chunkserver, `w1..w2` do not. The hollow kubelets report pods bound
to them as Running and Ready, so the controllers' ordering and rollouts can be watched end to
end (scheduler included).
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from kite_e2e import HollowNodes, KiteTestCase, wait_for  # noqa: E402

FAST = ("--lease-renew-interval", "1s", "--status-interval", "2s")


def statefulset(name, replicas, claims=False, policy="OrderedReady", image="registry.local/app:1"):
    spec = {"replicas": replicas, "serviceName": name, "podManagementPolicy": policy,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "app", "image": image}]}}}
    if claims:
        spec["volumeClaimTemplates"] = [{"metadata": {"name": "data"},
                                         "spec": {"accessModes": ["ReadWriteOnce"],
                                                  "resources": {"requests": {"storage": "1Gi"}}}}]
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name}, "spec": spec}


def daemonset(name, image="registry.local/chunkserver:1"):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"nodeSelector": {"role": "chunkserver"},
                                           "containers": [{"name": "cs", "image": image}]}}}}


def is_ready(pod):
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in pod.get("status", {}).get("conditions", []))


def ready_since(pod):
    for c in pod.get("status", {}).get("conditions", []):
        if c.get("type") == "Ready" and c.get("status") == "True":
            return c.get("lastTransitionTime")
    return None


class WorkloadsTest(KiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            kc = cls.server.kubeconfig
            cls.fleets = [
                HollowNodes(cls.workdir, "s").start(kc, ["s1", "s2", "s3"], {"role": "chunkserver"},
                                                    extra_args=FAST, wait=False),
                HollowNodes(cls.workdir, "w").start(kc, ["w1", "w2"], {"role": "worker"},
                                                    extra_args=FAST, wait=False),
            ]
            for f in cls.fleets:
                wait_for(f.all_ready, 60, interval=0.2, message="hollow nodes Ready")
        except Exception:
            for f in getattr(cls, "fleets", []):
                f.stop()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for f in cls.fleets:
            f.stop()
        super().tearDownClass()

    def apply(self, obj):
        self.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def pods(self, selector):
        return self.kubectl_json("get", "pods", "-l", selector)["items"]

    # -- StatefulSet ----------------------------------------------------------------------

    def test_statefulset_creates_ordered_pods_and_claims(self):
        self.apply(statefulset("web", 3, claims=True))
        self.kubectl("rollout", "status", "statefulset/web", "--timeout=90s", timeout=120)
        pods = {p["metadata"]["name"]: p for p in self.pods("app=web")}
        self.assertEqual(sorted(pods), ["web-0", "web-1", "web-2"])
        for i in range(3):
            p = pods["web-%d" % i]
            self.assertTrue(is_ready(p))
            self.assertEqual(p["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "web-%d" % i)
            self.assertEqual(p["metadata"]["labels"]["apps.kubernetes.io/pod-index"], str(i))
            self.assertEqual(p["spec"]["hostname"], "web-%d" % i)
            self.assertEqual(p["spec"]["subdomain"], "web")
            vols = {v["name"]: v for v in p["spec"].get("volumes", [])}
            self.assertEqual(vols["data"]["persistentVolumeClaim"]["claimName"], "data-web-%d" % i)
            if i > 0:
                # OrderedReady: each pod was created only after its predecessor became Ready.
                self.assertGreaterEqual(p["metadata"]["creationTimestamp"], ready_since(pods["web-%d" % (i - 1)]))
        pvcs = {c["metadata"]["name"]: c for c in self.kubectl_json("get", "pvc", "-l", "app=web")["items"]}
        self.assertEqual(sorted(pvcs), ["data-web-0", "data-web-1", "data-web-2"])

        sts = self.kubectl_json("get", "statefulset", "web")
        self.assertEqual(sts["status"]["readyReplicas"], 3)
        self.assertEqual(sts["status"]["currentRevision"], sts["status"]["updateRevision"])
        revs = self.kubectl_json("get", "controllerrevisions")["items"]
        self.assertIn(sts["status"]["updateRevision"], [r["metadata"]["name"] for r in revs])

        # Scale down: the highest ordinal goes, its claim stays (Retain).
        self.kubectl("patch", "statefulset", "web", "--type=merge", "-p", '{"spec":{"replicas":2}}')
        wait_for(lambda: sorted(p["metadata"]["name"] for p in self.pods("app=web")) == ["web-0", "web-1"], 60,
                 message="web-2 deleted")
        names = [c["metadata"]["name"] for c in self.kubectl_json("get", "pvc", "-l", "app=web")["items"]]
        self.assertIn("data-web-2", names)

        # Rolling update through rollout status.
        self.kubectl("set", "image", "statefulset/web", "app=registry.local/app:2")
        self.kubectl("rollout", "status", "statefulset/web", "--timeout=90s", timeout=120)
        for p in self.pods("app=web"):
            self.assertEqual(p["spec"]["containers"][0]["image"], "registry.local/app:2")
        self.kubectl("delete", "statefulset", "web")

    # -- DaemonSet ------------------------------------------------------------------------

    def chunkserver_nodes(self):
        out = {}
        for p in self.pods("app=chunkserver"):
            if p["metadata"].get("deletionTimestamp"):
                continue
            out.setdefault(p["spec"].get("nodeName", ""), []).append(p["metadata"]["name"])
        return out

    def covers(self, nodes):
        got = self.chunkserver_nodes()
        return sorted(got) == sorted(nodes) and all(len(v) == 1 for v in got.values())

    def test_daemonset_covers_exactly_the_chunkserver_nodes(self):
        self.apply(daemonset("chunkserver"))
        wait_for(lambda: self.covers(["s1", "s2", "s3"]), 60, message="a pod on each chunkserver node")
        self.kubectl("rollout", "status", "daemonset/chunkserver", "--timeout=90s", timeout=120)
        ds = self.kubectl_json("get", "daemonset", "chunkserver")
        self.assertEqual(ds["status"]["desiredNumberScheduled"], 3)
        self.assertEqual(ds["status"]["numberReady"], 3)
        for p in self.pods("app=chunkserver"):
            terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
                "nodeSelectorTerms"]
            self.assertEqual(terms[0]["matchFields"][0]["values"], [p["spec"]["nodeName"]])

        # Labels move: s3 leaves the role, w1 joins it.
        self.kubectl("label", "node", "s3", "role-")
        self.kubectl("label", "node", "w1", "role=chunkserver", "--overwrite")
        wait_for(lambda: self.covers(["s1", "s2", "w1"]), 60, message="daemon pods follow the labels")

        # A rolling update replaces every pod.
        self.kubectl("set", "image", "daemonset/chunkserver", "cs=registry.local/chunkserver:2")
        self.kubectl("rollout", "status", "daemonset/chunkserver", "--timeout=90s", timeout=120)
        for p in self.pods("app=chunkserver"):
            if not p["metadata"].get("deletionTimestamp"):
                self.assertEqual(p["spec"]["containers"][0]["image"], "registry.local/chunkserver:2")
        self.kubectl("label", "node", "s3", "role=chunkserver", "--overwrite")
        self.kubectl("label", "node", "w1", "role=worker", "--overwrite")
        self.kubectl("delete", "daemonset", "chunkserver")


if __name__ == "__main__":
    unittest.main()
