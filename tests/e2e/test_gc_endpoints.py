"""Garbage collection and Service endpoints on a real kite server with hollow nodes:
deleting a Deployment cascades (background and foreground), --cascade=orphan keeps the pods,
and a Service gets Endpoints and EndpointSlices listing its ready pods."""
import json
import unittest

import kite_e2e
from kite_e2e import wait_for


def names(items):
    return sorted(i["metadata"]["name"] for i in items)


class GarbageCollectionAndEndpointsTest(kite_e2e.KiteTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.nodes = kite_e2e.HollowNodes(cls.workdir)
        try:
            cls.nodes.start(cls.server.kubeconfig, ["gc-node-0", "gc-node-1"])
        except Exception:
            cls.nodes.stop()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nodes.stop()
        super().tearDownClass()

    def items(self, kind, *selector):
        return self.kubectl_json("get", kind, *selector)["items"]

    def make_deployment(self, name, replicas=2):
        self.kubectl("create", "deployment", name, "--image=busybox", "--replicas=%d" % replicas, "--port=8080")
        wait_for(lambda: len([p for p in self.items("pods", "-l", "app=" + name)
                              if p.get("status", {}).get("phase") == "Running"]) == replicas,
                 60, message="%d running pods of %s" % (replicas, name))

    def test_background_delete_cascades_to_replicasets_and_pods(self):
        self.make_deployment("bg")
        self.kubectl("delete", "deployment", "bg", "--cascade=background")
        wait_for(lambda: not self.items("replicasets", "-l", "app=bg"), 60, message="replicasets of bg gone")
        wait_for(lambda: not self.items("pods", "-l", "app=bg"), 60, message="pods of bg gone")

    def test_foreground_delete_waits_for_dependents(self):
        self.make_deployment("fg")
        self.kubectl("delete", "deployment", "fg", "--cascade=foreground", "--wait=false")
        # While dependents remain the Deployment is held by the foregroundDeletion finalizer.
        d = self.kubectl("get", "deployment", "fg", "-o", "json", check=False)
        if d.returncode == 0:
            meta = json.loads(d.stdout)["metadata"]
            self.assertIn("deletionTimestamp", meta)
        wait_for(lambda: self.kubectl("get", "deployment", "fg", check=False).returncode != 0, 60,
                 message="deployment fg gone")
        self.assertEqual(self.items("replicasets", "-l", "app=fg"), [])
        self.assertEqual(self.items("pods", "-l", "app=fg"), [])

    def test_orphan_delete_keeps_the_pods(self):
        self.make_deployment("orph")
        self.kubectl("delete", "deployment", "orph", "--cascade=orphan")
        wait_for(lambda: self.kubectl("get", "deployment", "orph", check=False).returncode != 0, 30,
                 message="deployment orph gone")
        rss = self.items("replicasets", "-l", "app=orph")
        self.assertEqual(len(rss), 1)
        self.assertNotIn("ownerReferences", rss[0]["metadata"])
        pods = self.items("pods", "-l", "app=orph")
        self.assertEqual(len(pods), 2)
        self.kubectl("delete", "replicaset", "-l", "app=orph", "--cascade=orphan")
        wait_for(lambda: not self.items("replicasets", "-l", "app=orph"), 30, message="replicaset gone")
        self.assertEqual(len(self.items("pods", "-l", "app=orph")), 2)
        self.kubectl("delete", "pods", "-l", "app=orph")

    def test_service_gets_endpoints_and_slices_of_ready_pods(self):
        self.make_deployment("web", replicas=3)
        self.kubectl("expose", "deployment", "web", "--port=80", "--target-port=8080")
        pods = self.items("pods", "-l", "app=web")
        ips = sorted(p["status"]["podIP"] for p in pods)

        def endpoint_ips():
            r = self.kubectl("get", "endpoints", "web", "-o", "json", check=False)
            if r.returncode != 0:
                return []
            subsets = json.loads(r.stdout).get("subsets", [])
            return sorted(a["ip"] for s in subsets for a in s.get("addresses", []))
        wait_for(lambda: endpoint_ips() == ips, 30, message="endpoints of web = %s" % ips)
        ep = self.kubectl_json("get", "endpoints", "web")
        self.assertEqual(ep["subsets"][0]["ports"][0]["port"], 8080)

        def slice_ips():
            out = []
            for s in self.items("endpointslices", "-l", "kubernetes.io/service-name=web"):
                out += [e["addresses"][0] for e in s.get("endpoints", []) if e["conditions"].get("ready")]
            return sorted(out)
        wait_for(lambda: slice_ips() == ips, 30, message="endpointslices of web = %s" % ips)
        s = self.items("endpointslices", "-l", "kubernetes.io/service-name=web")[0]
        self.assertEqual(s["addressType"], "IPv4")
        self.assertEqual(s["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
                         "endpointslice-controller.k8s.io")
        self.assertEqual(s["metadata"]["ownerReferences"][0]["kind"], "Service")
        self.assertEqual(s["ports"][0]["port"], 8080)
        for e in s["endpoints"]:
            self.assertIn(e["nodeName"], ("gc-node-0", "gc-node-1"))
            self.assertEqual(e["targetRef"]["kind"], "Pod")
        # Scaling down drops the pod from both.
        self.kubectl("scale", "deployment", "web", "--replicas=1")
        wait_for(lambda: len(endpoint_ips()) == 1 and len(slice_ips()) == 1, 60, message="one endpoint left")
        # Deleting the Service removes its Endpoints and (by garbage collection) its slices.
        self.kubectl("delete", "service", "web")
        wait_for(lambda: self.kubectl("get", "endpoints", "web", check=False).returncode != 0, 30,
                 message="endpoints of web gone")
        wait_for(lambda: not self.items("endpointslices", "-l", "kubernetes.io/service-name=web"), 30,
                 message="endpointslices of web gone")
        self.kubectl("delete", "deployment", "web")

    def test_default_service_account_and_tolerations(self):
        wait_for(lambda: self.kubectl("get", "serviceaccount", "default", "-n", "default", check=False).returncode == 0,
                 30, message="default service account")
        self.kubectl("create", "namespace", "sa-test")
        wait_for(lambda: self.kubectl("get", "serviceaccount", "default", "-n", "sa-test",
                                      check=False).returncode == 0, 30, message="default SA in sa-test")
        self.kubectl("run", "tol", "--image=busybox", "-n", "sa-test")
        pod = self.kubectl_json("get", "pod", "tol", "-n", "sa-test")
        tolerations = {(t.get("key"), t.get("effect")): t.get("tolerationSeconds") for t in pod["spec"]["tolerations"]}
        self.assertEqual(tolerations[("node.kubernetes.io/not-ready", "NoExecute")], 300)
        self.assertEqual(tolerations[("node.kubernetes.io/unreachable", "NoExecute")], 300)

    def test_nodes_get_pod_cidrs(self):
        wait_for(lambda: all(n["spec"].get("podCIDR") for n in self.items("nodes")), 30, message="pod CIDRs")
        cidrs = [n["spec"]["podCIDR"] for n in self.items("nodes")]
        self.assertEqual(len(set(cidrs)), len(cidrs))
        for c in cidrs:
            self.assertTrue(c.startswith("10.42.") and c.endswith("/24"), c)


if __name__ == "__main__":
    unittest.main()
