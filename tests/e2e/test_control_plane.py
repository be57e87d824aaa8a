"""The control plane inside `kite server`: the scheduler and controllers run under leader
election on Leases in kube-system; with two servers on one etcd exactly one leads, and the
other takes over when the leader dies."""
import json
import os
import shutil
import signal
import tempfile
import unittest

import kite_e2e
from kite_e2e import wait_for

NODE = {
    "apiVersion": "v1", "kind": "Node",
    "metadata": {"name": "cp-node", "labels": {"kubernetes.io/hostname": "cp-node",
                                               "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
    "status": {"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
               "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}},
}


def pod(name, scheduler=None):
    spec = {"containers": [{"name": "c", "image": "busybox"}]}
    if scheduler:
        spec["schedulerName"] = scheduler
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def holder(server, lease):
    r = server.kubectl("get", "lease", "-n", "kube-system", lease, "-o", "json", check=False, timeout=10)
    if r.returncode != 0:
        return ""
    return json.loads(r.stdout)["spec"].get("holderIdentity", "")


def node_name_of(server, name):
    r = server.kubectl("get", "pod", name, "-o", "jsonpath={.spec.nodeName}", check=False, timeout=10)
    return r.stdout.strip() if r.returncode == 0 else ""


class ControlPlaneTest(unittest.TestCase):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kite-e2e-cp-")
        self.etcd = kite_e2e.Etcd(self.workdir).start()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        self.etcd.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def start_server(self, name, *extra):
        d = os.path.join(self.workdir, name)
        os.makedirs(d)
        s = kite_e2e.KiteServer(d, ["--datastore-endpoint", self.etcd.url] + list(extra))
        self.servers.append(s)
        return s.start()

    def test_scheduler_binds_and_leases_are_held(self):
        a = self.start_server("a")
        wait_for(lambda: holder(a, "kube-scheduler"), 30, message="kube-scheduler lease")
        wait_for(lambda: holder(a, "kube-controller-manager"), 30, message="kube-controller-manager lease")
        a.kubectl("apply", "-f", "-", input=json.dumps(NODE))
        a.kubectl("apply", "-f", "-", input=json.dumps(pod("p1")))
        a.kubectl("apply", "-f", "-", input=json.dumps(pod("other", scheduler="not-kite")))
        wait_for(lambda: node_name_of(a, "p1") == "cp-node", 30, message="p1 bound to cp-node")
        events = a.kubectl("get", "events", "--field-selector", "involvedObject.name=p1", "-o", "json").stdout
        reasons = [e["reason"] for e in json.loads(events)["items"]]
        self.assertIn("Scheduled", reasons)
        # A pod for another scheduler is left alone.
        self.assertEqual(node_name_of(a, "other"), "")

    def test_disabled_scheduler_leaves_pods_pending(self):
        a = self.start_server("a", "--disable-scheduler")
        wait_for(lambda: holder(a, "kube-controller-manager"), 30, message="kube-controller-manager lease")
        a.kubectl("apply", "-f", "-", input=json.dumps(NODE))
        a.kubectl("apply", "-f", "-", input=json.dumps(pod("p1")))
        self.assertEqual(holder(a, "kube-scheduler"), "")
        self.assertEqual(node_name_of(a, "p1"), "")

    def test_second_server_takes_over_when_the_leader_dies(self):
        a = self.start_server("a")
        leader = wait_for(lambda: holder(a, "kube-scheduler"), 30, message="kube-scheduler lease")
        b = self.start_server("b")
        # b sees a's lease and does not take it while a renews it.
        self.assertEqual(holder(b, "kube-scheduler"), leader)
        kite_e2e.stop_process(a.proc, signal.SIGKILL)
        wait_for(lambda: holder(b, "kube-scheduler") not in ("", leader), 60, interval=0.5,
                 message="b taking over the kube-scheduler lease")
        b.kubectl("apply", "-f", "-", input=json.dumps(NODE))
        b.kubectl("apply", "-f", "-", input=json.dumps(pod("after-failover")))
        wait_for(lambda: node_name_of(b, "after-failover") == "cp-node", 30, message="pod bound by b")


if __name__ == "__main__":
    unittest.main()
