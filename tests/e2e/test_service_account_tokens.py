"""Service account tokens with real kubectl: `kubectl create token` (the TokenRequest API), the
token as a credential (who it is, what it may not do), bound tokens that die with their pod,
and the kube-api-access volume the API server adds to pods."""
import json
import os
import unittest

import kite_e2e
from kite_e2e import wait_for

MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"


class ServiceAccountTokenTest(kite_e2e.KiteTestCase):

    def token_kubeconfig(self, token):
        """A kubeconfig that authenticates with `token` only (no client certificate)."""
        server = self.kubectl("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}").stdout
        path = os.path.join(self.workdir, "token-%d.kubeconfig" % kite_e2e.free_port())
        ca = os.path.join(self.server.data_dir, "server", "tls", "server-ca.crt")
        with open(path, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "Config",
                       "clusters": [{"name": "c", "cluster": {"server": server, "certificate-authority": ca}}],
                       "users": [{"name": "u", "user": {"token": token}}],
                       "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
                       "current-context": "c"}, f)
        return path

    def as_token(self, token, *args):
        return self.kubectl("--kubeconfig", self.token_kubeconfig(token), *args, check=False)

    def default_sa(self, ns="default"):
        wait_for(lambda: self.kubectl("get", "sa", "default", "-n", ns, check=False).returncode == 0, 30,
                 message="default service account")

    def test_created_token_authenticates_as_the_service_account(self):
        self.default_sa()
        token = self.kubectl("create", "token", "default").stdout.strip()
        self.assertEqual(token.count("."), 2, token)
        who = json.loads(self.as_token(token, "auth", "whoami", "-o", "json").stdout)["status"]["userInfo"]
        self.assertEqual(who["username"], "system:serviceaccount:default:default")
        self.assertEqual(who["groups"], ["system:serviceaccounts", "system:serviceaccounts:default",
                                         "system:authenticated"])
        sa_uid = self.kubectl_json("get", "sa", "default")["metadata"]["uid"]
        self.assertEqual(who["uid"], sa_uid)
        # No role grants it anything: listing pods is forbidden, as on a cluster with RBAC.
        r = self.as_token(token, "get", "pods")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('User "system:serviceaccount:default:default" cannot list resource "pods"', r.stderr)
        # A token that is not exactly what kite signed is no credential at all.
        r = self.as_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "auth", "whoami")
        self.assertIn("Unauthorized", r.stderr)

    def test_bad_requests_are_refused(self):
        self.default_sa()
        r = self.kubectl("create", "token", "default", "--duration", "1m", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("may not specify a duration less than 10 minutes", r.stderr)
        r = self.kubectl("create", "token", "no-such-account", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('serviceaccounts "no-such-account" not found', r.stderr)

    def test_bound_token_dies_with_its_pod_and_deleted_account(self):
        self.kubectl("create", "namespace", "tok")
        self.default_sa("tok")
        self.kubectl("create", "serviceaccount", "robot", "-n", "tok")
        self.kubectl("apply", "-n", "tok", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "holder"},
            "spec": {"serviceAccountName": "robot", "containers": [{"name": "c", "image": "busybox"}]}}))
        uid = self.kubectl_json("get", "pod", "holder", "-n", "tok")["metadata"]["uid"]
        bound = self.kubectl("create", "token", "robot", "-n", "tok", "--bound-object-kind", "Pod",
                             "--bound-object-name", "holder", "--bound-object-uid", uid).stdout.strip()
        plain = self.kubectl("create", "token", "robot", "-n", "tok").stdout.strip()
        self.assertIn("system:serviceaccount:tok:robot", self.as_token(bound, "auth", "whoami").stdout)
        self.kubectl("delete", "pod", "holder", "-n", "tok", "--grace-period=0", "--force")
        wait_for(lambda: "Unauthorized" in self.as_token(bound, "auth", "whoami").stderr, 30,
                 message="bound token refused after its pod is gone")
        self.assertIn("system:serviceaccount:tok:robot", self.as_token(plain, "auth", "whoami").stdout)
        self.kubectl("delete", "serviceaccount", "robot", "-n", "tok")
        wait_for(lambda: "Unauthorized" in self.as_token(plain, "auth", "whoami").stderr, 30,
                 message="token refused after its service account is gone")

    def test_pods_get_the_kube_api_access_volume_unless_they_opt_out(self):
        self.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "with-token"},
                 "spec": {"initContainers": [{"name": "i", "image": "busybox"}],
                          "containers": [{"name": "c", "image": "busybox"}]}},
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "without-token"},
                 "spec": {"automountServiceAccountToken": False, "containers": [{"name": "c", "image": "busybox"}]}}]}))
        spec = self.kubectl_json("get", "pod", "with-token")["spec"]
        vol = spec["volumes"][0]
        self.assertRegex(vol["name"], r"^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$")
        sources = vol["projected"]["sources"]
        self.assertEqual(sources[0], {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}})
        self.assertEqual(sources[1]["configMap"]["name"], "kube-root-ca.crt")
        self.assertEqual(sources[2]["downwardAPI"]["items"][0]["fieldRef"]["fieldPath"], "metadata.namespace")
        for c in spec["initContainers"] + spec["containers"]:
            self.assertIn({"name": vol["name"], "readOnly": True, "mountPath": MOUNT}, c["volumeMounts"])
        self.assertNotIn("volumes", self.kubectl_json("get", "pod", "without-token")["spec"])
        # A ServiceAccount that opts out decides for pods that do not say; a pod that says wins.
        self.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "quiet"},
            "automountServiceAccountToken": False}))
        self.kubectl("get", "sa", "quiet")
        self.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "quiet-default"},
                 "spec": {"serviceAccountName": "quiet", "containers": [{"name": "c", "image": "busybox"}]}},
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "quiet-but-wants"},
                 "spec": {"serviceAccountName": "quiet", "automountServiceAccountToken": True,
                          "containers": [{"name": "c", "image": "busybox"}]}}]}))
        self.assertNotIn("volumes", self.kubectl_json("get", "pod", "quiet-default")["spec"])
        wants = self.kubectl_json("get", "pod", "quiet-but-wants")["spec"]["volumes"]
        self.assertTrue(wants[0]["name"].startswith("kube-api-access-"))


if __name__ == "__main__":
    unittest.main()
