"""kite server over an external etcd that requires TLS client certificates
(--datastore-cafile/--datastore-certfile/--datastore-keyfile)."""
import os
import shutil
import subprocess
import tempfile
import unittest

import kite_e2e


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(d):
    """A CA, an etcd server certificate for 127.0.0.1 and a client certificate."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=etcd-e2e-ca", "-keyout", "ca.key", "-out", "ca.crt", cwd=d)
    for name, ext in [("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth"),
                      ("client", "extendedKeyUsage=clientAuth")]:
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + name,
                "-keyout", name + ".key", "-out", name + ".csr", cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt", cwd=d)


class EtcdTlsTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kite-e2e-etcdtls-")
        self.pki = os.path.join(self.dir, "pki")
        os.makedirs(self.pki)
        make_pki(self.pki)
        self.client_port = kite_e2e.free_port()
        peer = "http://127.0.0.1:%d" % kite_e2e.free_port()
        url = "https://127.0.0.1:%d" % self.client_port
        p = lambda n: os.path.join(self.pki, n)
        self.etcd = kite_e2e.start_process(
            ["etcd", "--name", "tls", "--data-dir", os.path.join(self.dir, "etcd"),
             "--listen-client-urls", url, "--advertise-client-urls", url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "tls=" + peer,
             "--cert-file", p("server.crt"), "--key-file", p("server.key"),
             "--client-cert-auth", "--trusted-ca-file", p("ca.crt")],
            os.path.join(self.dir, "etcd.log"))
        self.server = kite_e2e.KiteServer(self.dir, [
            "--datastore-endpoint", url, "--datastore-cafile", p("ca.crt"),
            "--datastore-certfile", p("client.crt"), "--datastore-keyfile", p("client.key")])

    def tearDown(self):
        self.server.stop()
        kite_e2e.stop_process(self.etcd)
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_serves_over_a_tls_etcd(self):
        self.server.start(timeout=60)
        self.server.kubectl("apply", "-f", "-", input='{"apiVersion":"v1","kind":"ConfigMap",'
                            '"metadata":{"name":"over-tls","namespace":"default"},"data":{"a":"b"}}')
        self.assertEqual(self.server.kubectl_json("get", "cm", "over-tls", "-n", "default")["data"], {"a": "b"})
        # The data really is in that etcd, under Kubernetes' key layout.
        r = subprocess.run(["etcdctl", "--endpoints", "https://127.0.0.1:%d" % self.client_port,
                            "--cacert", os.path.join(self.pki, "ca.crt"), "--cert", os.path.join(self.pki, "client.crt"),
                            "--key", os.path.join(self.pki, "client.key"), "get", "--keys-only",
                            "/registry/configmaps/default/over-tls"],
                           capture_output=True, text=True, env=dict(os.environ, ETCDCTL_API="3"), timeout=20)
        self.assertIn("/registry/configmaps/default/over-tls", r.stdout, r.stderr)

    def test_a_wrong_ca_is_refused_with_a_clear_error(self):
        other = os.path.join(self.dir, "other")
        os.makedirs(other)
        make_pki(other)
        bad = kite_e2e.KiteServer(os.path.join(self.dir, "bad"), [
            "--datastore-endpoint", "https://127.0.0.1:%d" % self.client_port,
            "--datastore-cafile", os.path.join(other, "ca.crt"),
            "--datastore-certfile", os.path.join(self.pki, "client.crt"),
            "--datastore-keyfile", os.path.join(self.pki, "client.key")])
        os.makedirs(bad.workdir, exist_ok=True)
        with self.assertRaises(AssertionError):
            bad.start(timeout=30)
        self.assertNotEqual(bad.stop(), 0)  # kite exited with an error, it did not serve
        log = bad.log()
        self.assertIn("kite: ", log)
        self.assertIn("certificate verify failed", log)


if __name__ == "__main__":
    unittest.main()
