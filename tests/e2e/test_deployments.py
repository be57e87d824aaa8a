"""Deployments with the real kubectl against `kite server` + hollow nodes.

The hollow kubelets report pods bound to them as Running and Ready, so rollouts driven by the
deployment and replicaset controllers (with the scheduler binding the pods) can be watched end
to end with `kubectl rollout status`, as CI pipelines do.
"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from kite_e2e import HollowNodes, KiteTestCase, wait_for  # noqa: E402

FAST = ("--lease-renew-interval", "1s", "--status-interval", "2s")


def deployment(name, replicas, image="registry.local/app:1"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas,
                     "selector": {"matchLabels": {"app": name}},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": image}]}}}}


class DeploymentsTest(KiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.nodes = HollowNodes(cls.workdir, "d").start(cls.server.kubeconfig, ["d1", "d2", "d3"],
                                                           extra_args=FAST)
        except Exception:
            if getattr(cls, "nodes", None):
                cls.nodes.stop()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nodes.stop()
        super().tearDownClass()

    def apply(self, obj):
        self.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def rollout_status(self, name):
        r = self.kubectl("rollout", "status", "deployment/" + name, "--timeout=90s", timeout=120)
        self.assertIn("successfully rolled out", r.stdout)

    def pods(self, selector):
        return [p for p in self.kubectl_json("get", "pods", "-l", selector)["items"]
                if not p["metadata"].get("deletionTimestamp")]

    def images(self, selector):
        return sorted({p["spec"]["containers"][0]["image"] for p in self.pods(selector)})

    def replicasets(self, selector):
        return self.kubectl_json("get", "replicasets", "-l", selector)["items"]

    def test_rollout_set_image_undo_scale_delete(self):
        self.apply(deployment("web", 3))
        self.rollout_status("web")
        d = self.kubectl_json("get", "deployment", "web")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1")
        self.assertEqual(d["status"]["updatedReplicas"], 3)
        self.assertEqual(d["status"]["availableReplicas"], 3)
        rss = self.replicasets("app=web")
        self.assertEqual(len(rss), 1)
        rs1 = rss[0]["metadata"]["name"]
        self.assertEqual(rs1, "web-" + rss[0]["metadata"]["labels"]["pod-template-hash"])
        pods = self.pods("app=web")
        self.assertEqual(len(pods), 3)
        for p in pods:
            self.assertTrue(p["metadata"]["name"].startswith(rs1 + "-"))
            self.assertEqual(p["metadata"]["ownerReferences"][0]["name"], rs1)

        # set image -> a second rollout.
        self.kubectl("set", "image", "deployment/web", "app=registry.local/app:2")
        self.rollout_status("web")
        wait_for(lambda: self.images("app=web") == ["registry.local/app:2"] and len(self.pods("app=web")) == 3,
                 60, message="pods on app:2")
        d = self.kubectl_json("get", "deployment", "web")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2")
        history = self.kubectl("rollout", "history", "deployment/web").stdout
        self.assertIn("1", history)
        self.assertIn("2", history)
        events = self.kubectl("get", "events", "--field-selector", "involvedObject.name=web").stdout
        self.assertIn("Scaled up replica set", events)

        # undo -> back to the first template, the first ReplicaSet reused as revision 3.
        self.kubectl("rollout", "undo", "deployment/web")
        self.rollout_status("web")
        wait_for(lambda: self.images("app=web") == ["registry.local/app:1"] and len(self.pods("app=web")) == 3,
                 60, message="pods back on app:1")
        rs = self.kubectl_json("get", "replicaset", rs1)
        self.assertEqual(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3")
        self.assertEqual(rs["spec"]["replicas"], 3)

        # scale up and down.
        self.kubectl("scale", "deployment/web", "--replicas=5")
        self.rollout_status("web")
        wait_for(lambda: len(self.pods("app=web")) == 5, 60, message="5 pods")
        self.kubectl("scale", "deployment/web", "--replicas=2")
        self.rollout_status("web")
        wait_for(lambda: len(self.pods("app=web")) == 2, 60, message="2 pods")

        # restart -> a new ReplicaSet with the restartedAt annotation.
        self.kubectl("rollout", "restart", "deployment/web")
        self.rollout_status("web")
        d = self.kubectl_json("get", "deployment", "web")
        self.assertEqual(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "4")

        # delete cascades to ReplicaSets and pods.
        self.kubectl("delete", "deployment", "web", "--wait=true", "--timeout=60s", timeout=90)
        wait_for(lambda: not self.replicasets("app=web") and not self.pods("app=web"), 60,
                 message="replicasets and pods garbage-collected")

    def test_pause_and_resume(self):
        self.apply(deployment("paused", 2))
        self.rollout_status("paused")
        self.kubectl("rollout", "pause", "deployment/paused")
        self.kubectl("set", "image", "deployment/paused", "app=registry.local/app:2")
        wait_for(lambda: any(c.get("reason") == "DeploymentPaused" for c in
                             self.kubectl_json("get", "deployment", "paused")["status"].get("conditions", [])),
                 30, message="DeploymentPaused condition")
        self.assertEqual(len(self.replicasets("app=paused")), 1)
        self.kubectl("rollout", "resume", "deployment/paused")
        self.rollout_status("paused")
        wait_for(lambda: self.images("app=paused") == ["registry.local/app:2"], 60, message="resumed rollout")
        self.kubectl("delete", "deployment", "paused")


if __name__ == "__main__":
    unittest.main()
