"""Authentication and the authorization seam: client certificates, static bearer tokens,
401 for anonymous requests and 403 for users outside system:masters."""
import os
import unittest

import kite_e2e


class AuthTest(kite_e2e.KiteTestCase):

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.token_dir = tempfile.mkdtemp(prefix="kite-e2e-tokens-")
        cls.token_file = os.path.join(cls.token_dir, "tokens.csv")
        with open(cls.token_file, "w") as f:
            f.write('admin-token-123,alice,uid-alice,"system:masters,devs"\n')
            f.write("viewer-token-456,bob,uid-bob\n")
        cls.server_args = ("--token-auth-file", cls.token_file)
        super().setUpClass()
        cls.raw = kite_e2e.RawClient(cls.server.kubeconfig, cls.workdir)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        import shutil
        shutil.rmtree(cls.token_dir, ignore_errors=True)

    def bearer(self, token, path):
        return self.raw.request("GET", path, authenticated=False, headers={"Authorization": "Bearer " + token})

    def test_anonymous_is_unauthorized(self):
        status, _, _, body = self.raw.request("GET", "/api/v1/namespaces", authenticated=False)
        self.assertEqual(status, 401)
        self.assertEqual((body["kind"], body["reason"], body["code"]), ("Status", "Unauthorized", 401))

    def test_unknown_token_is_unauthorized(self):
        status, _, _, body = self.bearer("not-a-token", "/api/v1/namespaces")
        self.assertEqual(status, 401)

    def test_masters_token_may_do_everything(self):
        status, _, _, body = self.bearer("admin-token-123", "/api/v1/namespaces")
        self.assertEqual(status, 200)
        self.assertEqual(body["kind"], "NamespaceList")
        status, _, _, body = self.raw.request(
            "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", authenticated=False,
            headers={"Authorization": "Bearer admin-token-123"},
            body={"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"})
        self.assertEqual(status, 201)
        self.assertEqual(body["status"]["userInfo"]["username"], "alice")
        self.assertIn("devs", body["status"]["userInfo"]["groups"])

    def test_other_users_are_forbidden_for_resources_but_see_discovery(self):
        status, _, _, body = self.bearer("viewer-token-456", "/api/v1/namespaces/default/configmaps")
        self.assertEqual(status, 403)
        self.assertEqual(body["reason"], "Forbidden")
        self.assertIn('User "bob" cannot list resource "configmaps"', body["message"])
        status, _, _, _ = self.bearer("viewer-token-456", "/version")
        self.assertEqual(status, 200)

    def test_client_certificate_is_the_admin(self):
        status, _, _, body = self.raw.request("GET", "/api/v1/namespaces/kube-system")
        self.assertEqual(status, 200)
        self.assertEqual(body["metadata"]["name"], "kube-system")


if __name__ == "__main__":
    unittest.main()
