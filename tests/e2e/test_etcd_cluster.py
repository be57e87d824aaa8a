"""kite server over an external 3-member etcd cluster: it keeps serving when a member dies."""
import os
import shutil
import signal
import tempfile
import unittest

import kite_e2e
from kite_e2e import wait_for


class EtcdMember:
    def __init__(self, workdir, name):
        self.name = name
        self.dir = os.path.join(workdir, name)
        self.client_port = kite_e2e.free_port()
        self.peer_port = kite_e2e.free_port()
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.client_port

    @property
    def peer(self):
        return "http://127.0.0.1:%d" % self.peer_port

    def start(self, cluster):
        os.makedirs(self.dir, exist_ok=True)
        self.proc = kite_e2e.start_process(
            ["etcd", "--name", self.name, "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", self.peer, "--initial-advertise-peer-urls", self.peer,
             "--initial-cluster", cluster, "--initial-cluster-state", "new",
             "--initial-cluster-token", "kite-e2e"],
            os.path.join(self.dir, "etcd.log"))


class EtcdClusterTest(unittest.TestCase):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="kite-e2e-etcd3-")
        self.members = [EtcdMember(self.workdir, "m%d" % i) for i in range(3)]
        cluster = ",".join("%s=%s" % (m.name, m.peer) for m in self.members)
        for m in self.members:
            m.start(cluster)
        endpoints = ",".join(m.url for m in self.members)
        self.server = kite_e2e.KiteServer(self.workdir, ["--datastore-endpoint", endpoints])

    def tearDown(self):
        self.server.stop()
        for m in self.members:
            if m.proc:
                kite_e2e.stop_process(m.proc)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def test_survives_the_loss_of_one_member(self):
        self.server.start(timeout=90)
        self.server.kubectl("apply", "-f", "-", input='{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"quorum"}}')
        self.server.kubectl("apply", "-f", "-", input='{"apiVersion":"v1","kind":"ConfigMap",'
                            '"metadata":{"name":"before","namespace":"quorum"}}')
        # Kill the first member (the one a client tries first).
        kite_e2e.stop_process(self.members[0].proc, signal.SIGKILL)

        def write_after():
            r = self.server.kubectl("apply", "-f", "-", check=False, timeout=20,
                                    input='{"apiVersion":"v1","kind":"ConfigMap",'
                                          '"metadata":{"name":"after","namespace":"quorum"}}')
            return r.returncode == 0

        wait_for(write_after, 60, interval=0.5, message="a write after losing one etcd member")
        names = self.server.kubectl("get", "cm", "-n", "quorum", "-o", "name").stdout.split()
        # kube-root-ca.crt is published in every namespace by the root CA controller.
        self.assertEqual([n for n in names if n != "configmap/kube-root-ca.crt"], ["configmap/after", "configmap/before"])


if __name__ == "__main__":
    unittest.main()
