"""Bad requests against kite over raw HTTPS: each must get the right Kubernetes Status (kind
Status, code, reason) and must leave nothing written behind.
"""
import json
import os
import tempfile
import unittest
import urllib.parse

import kite_e2e
from kite_e2e import wait_for

NS = "bad-input"
CM = "/api/v1/namespaces/%s/configmaps" % NS
PODS = "/api/v1/namespaces/%s/pods" % NS
DEPLOY = "/apis/apps/v1/namespaces/%s/deployments" % NS


def configmap(name, **extra):
    o = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "v"}}
    o.update(extra)
    return o


def deployment(name, selector=True, containers=None, replicas=1):
    spec = {"replicas": replicas,
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": containers if containers is not None
                                  else [{"name": "c", "image": "busybox:1.36"}]}}}
    if selector:
        spec["selector"] = {"matchLabels": {"app": name}}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}, "spec": spec}


def pod(name, containers):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": containers}}


class BadInputTest(kite_e2e.KiteTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.raw = kite_e2e.RawClient(cls.server.kubeconfig, cls.workdir)
            code, _, raw, _ = cls.raw.request("POST", "/api/v1/namespaces", {
                "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
            if code != 201:
                raise AssertionError("creating namespace %s: %d %s" % (NS, code, raw))
        except Exception:
            cls.tearDownClass()
            raise

    # --- helpers ---

    def req(self, method, path, body=None, content_type=None, **kw):
        return self.raw.request(method, path, body, content_type, **kw)

    def assertStatus(self, resp, code, reason, message_contains=None):
        status, headers, raw, body = resp
        self.assertEqual(status, code, "expected HTTP %d %s, got %d: %s" % (code, reason, status, raw[:600]))
        self.assertIsInstance(body, dict, "the error body is not JSON: %r" % raw[:600])
        self.assertEqual(body.get("kind"), "Status", raw[:600])
        self.assertEqual(body.get("apiVersion"), "v1", raw[:600])
        self.assertEqual(body.get("status"), "Failure", raw[:600])
        self.assertEqual(body.get("code"), code, raw[:600])
        self.assertEqual(body.get("reason"), reason, raw[:600])
        self.assertTrue(body.get("message"), "a Status needs a message: %r" % raw[:600])
        self.assertIn("application/json", headers.get("content-type", [""])[0])
        if message_contains:
            self.assertIn(message_contains, body["message"])
        return body

    def assertAbsent(self, path):
        code, _, raw, _ = self.req("GET", path)
        self.assertEqual(code, 404, "%s should not exist, got %d: %s" % (path, code, raw[:300]))

    def names(self, path):
        code, _, raw, body = self.req("GET", path)
        self.assertEqual(code, 200, raw[:300])
        return sorted(i["metadata"]["name"] for i in body["items"])

    def assertCauseField(self, body, field):
        causes = body.get("details", {}).get("causes", [])
        fields = [c.get("field") for c in causes]
        self.assertIn(field, fields, "causes: %r" % causes)

    # --- bodies that do not decode ---

    def test_malformed_json(self):
        before = self.names(CM)
        r = self.req("POST", CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bad-json"',
                     "application/json")
        self.assertStatus(r, 400, "BadRequest")
        self.assertAbsent(CM + "/bad-json")
        self.assertEqual(self.names(CM), before)

    def test_malformed_yaml(self):
        before = self.names(CM)
        r = self.req("POST", CM, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-yaml\n data: [oops\n",
                     "application/yaml")
        self.assertStatus(r, 400, "BadRequest")
        self.assertAbsent(CM + "/bad-yaml")
        self.assertEqual(self.names(CM), before)

    def test_valid_yaml_is_accepted(self):
        r = self.req("POST", CM, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good-yaml\ndata:\n  a: b\n",
                     "application/yaml")
        self.assertEqual(r[0], 201, r[2][:300])
        self.assertEqual(r[3]["data"], {"a": "b"})

    def test_wrong_kind_for_url(self):
        body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "wrong-kind"}, "data": {}}
        self.assertStatus(self.req("POST", CM, body), 400, "BadRequest")
        self.assertAbsent(CM + "/wrong-kind")
        self.assertAbsent("/api/v1/namespaces/%s/secrets/wrong-kind" % NS)

    def test_wrong_api_version(self):
        for api_version in ("apps/v1", "v2", "nonsense.example.com/v9"):
            with self.subTest(api_version=api_version):
                body = configmap("wrong-version")
                body["apiVersion"] = api_version
                self.assertStatus(self.req("POST", CM, body), 400, "BadRequest")
                self.assertAbsent(CM + "/wrong-version")

    def test_body_not_an_object(self):
        self.assertStatus(self.req("POST", CM, "[1, 2, 3]", "application/json"), 400, "BadRequest")
        self.assertStatus(self.req("POST", CM, "", "application/json"), 400, "BadRequest")

    # --- validation: 422 Invalid with causes ---

    def test_invalid_names(self):
        before = self.names(CM)
        b = self.assertStatus(self.req("POST", CM, configmap("Bad_Name")), 422, "Invalid")
        self.assertCauseField(b, "metadata.name")
        self.assertEqual(b.get("details", {}).get("name"), "Bad_Name")
        self.assertEqual(b.get("details", {}).get("kind"), "ConfigMap")
        too_long = "a" * 254
        b = self.assertStatus(self.req("POST", CM, configmap(too_long)), 422, "Invalid")
        self.assertCauseField(b, "metadata.name")
        self.assertEqual(self.names(CM), before)
        self.assertAbsent(CM + "/Bad_Name")

        namespaces = self.names("/api/v1/namespaces")
        b = self.assertStatus(self.req("POST", "/api/v1/namespaces", {
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "has.dots"}}), 422, "Invalid")
        self.assertCauseField(b, "metadata.name")
        self.assertAbsent("/api/v1/namespaces/has.dots")
        self.assertEqual(self.names("/api/v1/namespaces"), namespaces)

    def test_missing_name(self):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
        b = self.assertStatus(self.req("POST", CM, body), 422, "Invalid")
        self.assertCauseField(b, "metadata.name")

    def test_invalid_labels(self):
        before = self.names(CM)
        cases = [
            ({"bad key!": "v"}, "metadata.labels"),
            ({"ok": "bad value with spaces"}, "metadata.labels"),
            ({"ok": "x" * 64}, "metadata.labels"),
            ({"-leading": "v"}, "metadata.labels"),
        ]
        for labels, field in cases:
            with self.subTest(labels=labels):
                body = configmap("bad-labels")
                body["metadata"]["labels"] = labels
                b = self.assertStatus(self.req("POST", CM, body), 422, "Invalid")
                causes = b.get("details", {}).get("causes", [])
                self.assertTrue(any(c.get("field", "").startswith(field) for c in causes), causes)
        self.assertEqual(self.names(CM), before)

    def test_missing_required_fields(self):
        b = self.assertStatus(self.req("POST", DEPLOY, deployment("no-selector", selector=False)), 422, "Invalid")
        self.assertCauseField(b, "spec.selector")
        self.assertAbsent(DEPLOY + "/no-selector")

        b = self.assertStatus(self.req("POST", PODS, pod("no-containers", [])), 422, "Invalid")
        self.assertCauseField(b, "spec.containers")
        self.assertAbsent(PODS + "/no-containers")

        b = self.assertStatus(self.req("POST", PODS, pod("no-image", [{"name": "c"}])), 422, "Invalid")
        self.assertCauseField(b, "spec.containers[0].image")
        self.assertAbsent(PODS + "/no-image")

        b = self.assertStatus(self.req("POST", DEPLOY, deployment("no-image", containers=[{"name": "c"}])),
                              422, "Invalid")
        self.assertCauseField(b, "spec.template.spec.containers[0].image")
        self.assertAbsent(DEPLOY + "/no-image")

    def test_selector_must_match_template(self):
        d = deployment("mismatch")
        d["spec"]["selector"] = {"matchLabels": {"app": "other"}}
        b = self.assertStatus(self.req("POST", DEPLOY, d), 422, "Invalid")
        self.assertCauseField(b, "spec.template.metadata.labels")
        self.assertAbsent(DEPLOY + "/mismatch")

    def test_wrong_field_type(self):
        # Kubernetes answers a body that does not decode into the kind's types with 400.
        d = deployment("wrong-type")
        d["spec"]["replicas"] = "two"
        b = self.assertStatus(self.req("POST", DEPLOY, d), 400, "BadRequest")
        self.assertIn("replicas", b["message"])
        self.assertAbsent(DEPLOY + "/wrong-type")

        cm = configmap("wrong-type")
        cm["data"] = {"k": 5}
        self.assertStatus(self.req("POST", CM, cm), 400, "BadRequest")
        self.assertAbsent(CM + "/wrong-type")

        cm = configmap("wrong-type")
        cm["metadata"]["labels"] = ["not", "a", "map"]
        self.assertStatus(self.req("POST", CM, cm), 400, "BadRequest")
        self.assertAbsent(CM + "/wrong-type")

    # --- field validation ---

    def test_unknown_field_strict(self):
        body = configmap("unknown-strict", bogusField=1)
        b = self.assertStatus(self.req("POST", CM + "?fieldValidation=Strict", body), 400, "BadRequest")
        self.assertIn("bogusField", b["message"])
        self.assertAbsent(CM + "/unknown-strict")
        # Nested unknown field.
        body = configmap("unknown-strict")
        body["metadata"]["bogusMeta"] = "x"
        b = self.assertStatus(self.req("POST", CM + "?fieldValidation=Strict", body), 400, "BadRequest")
        self.assertIn("bogusMeta", b["message"])
        self.assertAbsent(CM + "/unknown-strict")

    def test_unknown_field_warn(self):
        body = configmap("unknown-warn", bogusField=1)
        status, headers, raw, obj = self.req("POST", CM + "?fieldValidation=Warn", body)
        self.assertEqual(status, 201, raw[:400])
        warnings = headers.get("warning", [])
        self.assertTrue(any("bogusField" in w for w in warnings), "Warning headers: %r" % warnings)
        self.assertTrue(all(w.startswith("299 ") for w in warnings), warnings)
        self.assertNotIn("bogusField", obj)
        code, _, _, stored = self.req("GET", CM + "/unknown-warn")
        self.assertEqual(code, 200)
        self.assertNotIn("bogusField", stored, "unknown fields are dropped, not stored")

    def test_invalid_field_validation_value(self):
        self.assertStatus(self.req("POST", CM + "?fieldValidation=Loose", configmap("fv-loose")), 400, "BadRequest")
        self.assertAbsent(CM + "/fv-loose")

    def test_duplicate_fields_strict(self):
        raw_body = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},'
                    '"data":{"a":"1"},"data":{"b":"2"}}')
        b = self.assertStatus(self.req("POST", CM + "?fieldValidation=Strict", raw_body, "application/json"),
                              400, "BadRequest")
        self.assertIn("data", b["message"])
        self.assertAbsent(CM + "/dup")

    # --- sizes ---

    def test_body_over_3mib(self):
        before = self.names(CM)
        body = configmap("huge", data={"big": "x" * (3 * 1024 * 1024 + 100)})
        try:
            resp = self.req("POST", CM, body)
        except (BrokenPipeError, ConnectionResetError) as e:
            self.fail("the server dropped the connection instead of answering 413: %r" % e)
        self.assertStatus(resp, 413, "RequestEntityTooLarge")
        self.assertAbsent(CM + "/huge")
        self.assertEqual(self.names(CM), before)
        # The server still serves afterwards.
        self.assertEqual(self.req("GET", CM)[0], 200)

    def test_configmap_over_1mib(self):
        before = self.names(CM)
        body = configmap("big", data={"big": "x" * (1024 * 1024 + 1024)})
        b = self.assertStatus(self.req("POST", CM, body), 422, "Invalid")
        self.assertTrue(b.get("details", {}).get("causes"), b)
        self.assertAbsent(CM + "/big")
        self.assertEqual(self.names(CM), before)

    # --- unknown routes ---

    def test_unknown_resource(self):
        self.assertStatus(self.req("GET", "/api/v1/foos"), 404, "NotFound")
        self.assertStatus(self.req("GET", "/api/v1/namespaces/%s/foos" % NS), 404, "NotFound")
        self.assertStatus(self.req("POST", "/api/v1/namespaces/%s/foos" % NS,
                                   {"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "f"}}), 404, "NotFound")

    def test_unknown_group(self):
        self.assertStatus(self.req("GET", "/apis/nope.example.com/v1/widgets"), 404, "NotFound")
        self.assertStatus(self.req("GET", "/apis/nope.example.com/v1"), 404, "NotFound")
        self.assertStatus(self.req("GET", "/apis/apps/v9/deployments"), 404, "NotFound")

    # --- content types ---

    def test_unsupported_content_type(self):
        b = self.assertStatus(self.req("POST", CM, json.dumps(configmap("text-plain")), "text/plain"),
                              415, "UnsupportedMediaType")
        self.assertIn("application/json", b["message"])
        self.assertAbsent(CM + "/text-plain")

    def test_server_side_apply_is_refused_clearly(self):
        code, _, raw, _ = self.req("POST", CM, configmap("ssa"))
        self.assertEqual(code, 201, raw[:300])
        body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  k: changed\n"
        b = self.assertStatus(self.req("PATCH", CM + "/ssa?fieldManager=e2e", body, "application/apply-patch+yaml"),
                              415, "UnsupportedMediaType")
        self.assertIn("apply", b["message"].lower())
        code, _, _, obj = self.req("GET", CM + "/ssa")
        self.assertEqual(obj["data"], {"k": "v"}, "a refused patch must not change the object")

    def test_patch_with_bad_body(self):
        code, _, raw, created = self.req("POST", CM, configmap("patch-bad"))
        self.assertEqual(code, 201, raw[:300])
        rv = created["metadata"]["resourceVersion"]
        self.assertStatus(self.req("PATCH", CM + "/patch-bad", "{not json", "application/merge-patch+json"),
                          400, "BadRequest")
        # A JSON patch that is not a list of operations.
        r = self.req("PATCH", CM + "/patch-bad", {"op": "add"}, "application/json-patch+json")
        self.assertIn(r[0], (400, 422), r[2][:300])
        self.assertEqual(r[3].get("kind"), "Status")
        # A JSON patch test operation that fails.
        r = self.req("PATCH", CM + "/patch-bad", [{"op": "test", "path": "/data/k", "value": "nope"},
                                                  {"op": "replace", "path": "/data/k", "value": "changed"}],
                     "application/json-patch+json")
        self.assertIn(r[0], (409, 422, 400), r[2][:300])
        self.assertEqual(r[3].get("kind"), "Status")
        # A patch that makes the object invalid.
        self.assertStatus(self.req("PATCH", CM + "/patch-bad", {"metadata": {"labels": {"bad key!": "x"}}},
                                   "application/merge-patch+json"), 422, "Invalid")
        code, _, _, obj = self.req("GET", CM + "/patch-bad")
        self.assertEqual(obj["data"], {"k": "v"})
        self.assertEqual(obj["metadata"]["resourceVersion"], rv, "nothing may be written by failed patches")

    def test_patch_with_unsupported_content_type(self):
        code, _, raw, created = self.req("POST", CM, configmap("patch-ct"))
        self.assertEqual(code, 201, raw[:300])
        self.assertStatus(self.req("PATCH", CM + "/patch-ct", {"data": {"k": "x"}}, "application/json"),
                          415, "UnsupportedMediaType")
        _, _, _, obj = self.req("GET", CM + "/patch-ct")
        self.assertEqual(obj["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"])

    def test_namespace_mismatch(self):
        body = configmap("ns-mismatch")
        body["metadata"]["namespace"] = "default"
        self.assertStatus(self.req("POST", CM, body), 400, "BadRequest")
        self.assertAbsent(CM + "/ns-mismatch")
        self.assertAbsent("/api/v1/namespaces/default/configmaps/ns-mismatch")

    def test_method_not_allowed(self):
        self.assertStatus(self.req("PUT", CM, configmap("x")), 405, "MethodNotAllowed")
        self.assertStatus(self.req("PATCH", CM, {"data": {}}, "application/merge-patch+json"), 405, "MethodNotAllowed")
        self.assertStatus(self.req("DELETE", "/api/v1/namespaces"), 405, "MethodNotAllowed")
        self.assertStatus(self.req("POST", CM + "/x", configmap("x")), 405, "MethodNotAllowed")
        self.assertAbsent(CM + "/x")

    def test_dry_run_writes_nothing(self):
        code, _, raw, obj = self.req("POST", CM + "?dryRun=All", configmap("dry"))
        self.assertEqual(code, 201, raw[:300])
        self.assertEqual(obj["metadata"]["name"], "dry")
        self.assertAbsent(CM + "/dry")
        self.assertStatus(self.req("POST", CM + "?dryRun=Maybe", configmap("dry")), 400, "BadRequest")
        self.assertAbsent(CM + "/dry")

    def test_malformed_delete_options(self):
        code, _, raw, _ = self.req("POST", CM, configmap("del-bad"))
        self.assertEqual(code, 201, raw[:300])
        self.assertStatus(self.req("DELETE", CM + "/del-bad", "{nope", "application/json"), 400, "BadRequest")
        self.assertEqual(self.req("GET", CM + "/del-bad")[0], 200, "a refused delete must not delete")

    # --- authentication ---

    def test_no_credentials(self):
        r = self.req("GET", "/api/v1/namespaces", authenticated=False)
        self.assertStatus(r, 401, "Unauthorized")
        r = self.req("POST", CM, configmap("anon"), authenticated=False)
        self.assertStatus(r, 401, "Unauthorized")
        self.assertAbsent(CM + "/anon")
        r = self.req("GET", "/api/v1/namespaces", authenticated=False,
                     headers={"Authorization": "Bearer not-a-real-token"})
        self.assertStatus(r, 401, "Unauthorized")

    # --- list and watch parameters ---

    def test_bad_continue_token(self):
        for token in ("garbage", "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ", "%%%"):
            with self.subTest(token=token):
                self.assertStatus(self.req("GET", CM + "?limit=1&continue=" + urllib.parse.quote(token)),
                                  400, "BadRequest")

    def test_bad_label_selector(self):
        for sel in ("app in (a", "=x", "a==b==c", "bad key!=x"):
            with self.subTest(selector=sel):
                self.assertStatus(self.req("GET", CM + "?labelSelector=" + urllib.parse.quote(sel)),
                                  400, "BadRequest")

    def test_unsupported_field_selector(self):
        b = self.assertStatus(self.req("GET", PODS + "?fieldSelector=" + urllib.parse.quote("spec.foo=bar")),
                              400, "BadRequest")
        self.assertIn("spec.foo", b["message"])
        self.assertStatus(self.req("GET", CM + "?fieldSelector=" + urllib.parse.quote("data.k=v")),
                          400, "BadRequest")
        # Supported ones work.
        self.assertEqual(self.req("GET", PODS + "?fieldSelector=" + urllib.parse.quote("spec.nodeName=n1"))[0], 200)

    def test_bad_limit(self):
        r = self.req("GET", CM + "?limit=abc")
        self.assertIn(r[0], (400,), r[2][:300])
        self.assertEqual(r[3].get("kind"), "Status")

    def test_watch_from_resource_version_1(self):
        """resourceVersion=1 may be older than the watch history: the server either replays
        events from there, or sends one ERROR event carrying a 410 Status."""
        code, _, raw, _ = self.req("POST", CM, configmap("watch-old"))
        self.assertEqual(code, 201, raw[:300])
        conn = self.raw.connect(timeout=20)
        try:
            conn.request("GET", CM + "?watch=true&resourceVersion=1&timeoutSeconds=2",
                         headers={"Accept": "application/json"})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200)
            lines = [l for l in resp.read().split(b"\n") if l.strip()]
        finally:
            conn.close()
        self.assertTrue(lines, "the watch ended without a single event")
        events = [json.loads(l) for l in lines]
        for ev in events:
            self.assertIn(ev.get("type"), ("ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"), ev)
            self.assertIsInstance(ev.get("object"), dict, ev)
        if events[0]["type"] == "ERROR":
            self.assertEqual(len(events), 1, "nothing may follow an ERROR event")
            st = events[0]["object"]
            self.assertEqual(st.get("kind"), "Status", st)
            self.assertEqual(st.get("code"), 410, st)
            self.assertIn(st.get("reason"), ("Expired", "Gone"), st)
        else:
            self.assertNotIn("ERROR", [e["type"] for e in events])
            names = [e["object"]["metadata"]["name"] for e in events if e["type"] == "ADDED"]
            self.assertIn("watch-old", names)
            for e in events:
                self.assertEqual(e["object"].get("kind"), "ConfigMap", e)
                self.assertGreater(int(e["object"]["metadata"]["resourceVersion"]), 1)

    def test_watch_with_bad_resource_version(self):
        self.assertStatus(self.req("GET", CM + "?watch=true&resourceVersion=abc"), 400, "BadRequest")

    # --- namespaces ---

    def test_create_in_missing_namespace(self):
        path = "/api/v1/namespaces/no-such-ns/configmaps"
        b = self.assertStatus(self.req("POST", path, configmap("orphan")), 404, "NotFound")
        self.assertIn("no-such-ns", b["message"])
        self.assertAbsent(path + "/orphan")
        self.assertAbsent("/api/v1/namespaces/no-such-ns")

    def test_create_in_terminating_namespace(self):
        ns = "terminating"
        path = "/api/v1/namespaces/%s/configmaps" % ns
        code, _, raw, _ = self.req("POST", "/api/v1/namespaces",
                                   {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        self.assertEqual(code, 201, raw[:300])
        holder = configmap("holder")
        holder["metadata"]["finalizers"] = ["e2e.kite.io/hold"]
        code, _, raw, _ = self.req("POST", path, holder)
        self.assertEqual(code, 201, raw[:300])
        try:
            code, _, raw, _ = self.req("DELETE", "/api/v1/namespaces/" + ns)
            self.assertIn(code, (200, 202), raw[:300])

            def terminating():
                _, _, _, obj = self.req("GET", "/api/v1/namespaces/" + ns)
                return obj.get("status", {}).get("phase") == "Terminating"
            wait_for(terminating, 10, message="namespace Terminating")
            b = self.assertStatus(self.req("POST", path, configmap("late")), 403, "Forbidden")
            self.assertIn("terminat", b["message"])
            self.assertAbsent(path + "/late")
        finally:
            # Release the finalizer; then the namespace goes away.
            self.req("PATCH", path + "/holder", {"metadata": {"finalizers": None}}, "application/merge-patch+json")
        wait_for(lambda: self.req("GET", "/api/v1/namespaces/" + ns)[0] == 404, 30, message="namespace deleted")

    # --- concurrency ---

    def test_stale_resource_version_put(self):
        code, _, raw, made = self.req("POST", CM, configmap("stale"))
        self.assertEqual(code, 201, raw[:300])
        fresh = dict(made, data={"k": "fresh"})
        code, _, raw, updated = self.req("PUT", CM + "/stale", fresh)
        self.assertEqual(code, 200, raw[:300])
        stale = dict(made, data={"k": "stale"})
        self.assertStatus(self.req("PUT", CM + "/stale", stale), 409, "Conflict")
        _, _, _, obj = self.req("GET", CM + "/stale")
        self.assertEqual(obj["data"], {"k": "fresh"})
        self.assertEqual(obj["metadata"]["resourceVersion"], updated["metadata"]["resourceVersion"])
        # A PUT whose name differs from the URL.
        self.assertStatus(self.req("PUT", CM + "/stale", dict(obj, metadata=dict(obj["metadata"], name="other"))),
                          400, "BadRequest")
        self.assertAbsent(CM + "/other")

    def test_create_existing_name(self):
        code, _, raw, made = self.req("POST", CM, configmap("twice"))
        self.assertEqual(code, 201, raw[:300])
        b = self.assertStatus(self.req("POST", CM, configmap("twice", data={"k": "second"})), 409, "AlreadyExists")
        self.assertEqual(b.get("details", {}).get("name"), "twice")
        _, _, _, obj = self.req("GET", CM + "/twice")
        self.assertEqual(obj["data"], {"k": "v"})
        self.assertEqual(obj["metadata"]["uid"], made["metadata"]["uid"])

    # --- through kubectl ---

    def test_kubectl_create_generators(self):
        """`kubectl create namespace|configmap|deployment` send protobuf bodies
        (application/vnd.kubernetes.protobuf), as every typed client-go client does."""
        self.kubectl("create", "namespace", "made-by-kubectl")
        self.kubectl("create", "configmap", "made-by-kubectl", "-n", NS, "--from-literal=a=b")
        self.kubectl("create", "deployment", "made-by-kubectl", "-n", NS, "--image=busybox:1.36")
        _, _, _, obj = self.req("GET", CM + "/made-by-kubectl")
        self.assertEqual(obj["data"], {"a": "b"})
        self.assertEqual(self.req("GET", DEPLOY + "/made-by-kubectl")[0], 200)
        self.assertEqual(self.req("GET", "/api/v1/namespaces/made-by-kubectl")[0], 200)

    def test_kubectl_apply_invalid_object(self):
        manifest = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: %s\n"
                    "data:\n  a: b\n" % NS)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=self.workdir, delete=False) as f:
            f.write(manifest)
        try:
            r = self.kubectl("apply", "-f", f.name, check=False)
        finally:
            os.unlink(f.name)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("Bad_Name", r.stderr)
        self.assertIn("nvalid", r.stderr)
        self.assertNotIn("panic", r.stderr)
        self.assertAbsent(CM + "/Bad_Name")

        # An unknown field: kubectl asks for Strict validation.
        manifest = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-cm\n  namespace: %s\n"
                    "bogusField: 1\n" % NS)
        r = self.kubectl("apply", "-f", "-", input=manifest, check=False)
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("bogusField", r.stderr)
        self.assertAbsent(CM + "/strict-cm")


if __name__ == "__main__":
    unittest.main()
