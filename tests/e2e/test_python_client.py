"""kite through the official Python client (python3-kubernetes): CRUD of built-in kinds,
patches, watch, optimistic concurrency, paging, selectors, CRDs and custom objects,
generateName and delete options.

One kite server for the class; each test works in its own namespace.
"""
import os
import queue
import threading
import time
import unittest

from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

import kite_e2e
from kite_e2e import wait_for


def status_of(e):
    """The decoded Kubernetes Status carried by an ApiException."""
    import json
    try:
        return json.loads(e.body)
    except (TypeError, ValueError):
        return {}


class PythonClientTest(kite_e2e.KiteTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.api = config.new_client_from_config(config_file=cls.server.kubeconfig)
            cls.v1 = client.CoreV1Api(cls.api)
            cls.apps = client.AppsV1Api(cls.api)
            cls.ext = client.ApiextensionsV1Api(cls.api)
            cls.custom = client.CustomObjectsApi(cls.api)
            cls.dyn = dynamic.DynamicClient(cls.api, cache_file=os.path.join(cls.workdir, "discovery.json"))
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        api = getattr(cls, "api", None)
        if api is not None:
            api.close()
        super().tearDownClass()

    def setUp(self):
        # A fresh namespace per test, named after the test.
        self.ns = self._testMethodName.replace("_", "-")[:50].strip("-")
        self.v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=self.ns)))
        # The root CA controller publishes kube-root-ca.crt in every new namespace: each test
        # starts once it is there, so it does not show up in the middle of a list or watch.
        wait_for(lambda: any(i.metadata.name == "kube-root-ca.crt"
                             for i in self.v1.list_namespaced_config_map(self.ns).items), 30,
                 message="kube-root-ca.crt in the test namespace")

    # --- helpers ---

    def assertApiError(self, code, reason, fn, *args, **kw):
        with self.assertRaises(ApiException) as cm:
            fn(*args, **kw)
        e = cm.exception
        body = status_of(e)
        self.assertEqual(e.status, code, "expected HTTP %d, got %d: %s" % (code, e.status, e.body))
        self.assertEqual(body.get("kind"), "Status", e.body)
        self.assertEqual(body.get("code"), code, e.body)
        self.assertEqual(body.get("reason"), reason, e.body)
        return body

    def cm(self, name, data=None, labels=None):
        return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data)

    def deployment(self, name, replicas=1):
        labels = {"app": name}
        return client.V1Deployment(
            metadata=client.V1ObjectMeta(name=name, labels=labels),
            spec=client.V1DeploymentSpec(
                replicas=replicas,
                selector=client.V1LabelSelector(match_labels=labels),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels=labels),
                    spec=client.V1PodSpec(containers=[
                        client.V1Container(name="web", image="nginx:1.25",
                                           ports=[client.V1ContainerPort(container_port=80)]),
                        client.V1Container(name="sidecar", image="busybox:1.36", command=["sleep", "3600"]),
                    ]))))

    # --- ConfigMaps ---

    def test_configmap_crud(self):
        created = self.v1.create_namespaced_config_map(self.ns, self.cm("cfg", {"a": "1", "b": "2"}, {"tier": "x"}))
        self.assertEqual(created.metadata.name, "cfg")
        self.assertEqual(created.metadata.namespace, self.ns)
        self.assertTrue(created.metadata.uid)
        self.assertTrue(created.metadata.resource_version)
        self.assertIsNotNone(created.metadata.creation_timestamp)

        got = self.v1.read_namespaced_config_map("cfg", self.ns)
        self.assertEqual(got.data, {"a": "1", "b": "2"})
        self.assertEqual(got.metadata.uid, created.metadata.uid)
        self.assertEqual(got.metadata.resource_version, created.metadata.resource_version)

        items = self.v1.list_namespaced_config_map(self.ns).items
        self.assertIn("cfg", [i.metadata.name for i in items])

        # Strategic merge patch (the client's default for a dict body): maps merge.
        p = self.v1.patch_namespaced_config_map("cfg", self.ns, {"data": {"c": "3"}, "metadata": {"labels": {"new": "y"}}})
        self.assertEqual(p.data, {"a": "1", "b": "2", "c": "3"})
        self.assertEqual(p.metadata.labels, {"tier": "x", "new": "y"})
        self.assertNotEqual(p.metadata.resource_version, created.metadata.resource_version)

        # JSON patch (a list body).
        p = self.v1.patch_namespaced_config_map("cfg", self.ns, [{"op": "replace", "path": "/data/a", "value": "one"}])
        self.assertEqual(p.data["a"], "one")

        # Merge patch (RFC 7386) through the dynamic client: null deletes a key.
        res = self.dyn.resources.get(api_version="v1", kind="ConfigMap")
        p = res.patch(name="cfg", namespace=self.ns, body={"data": {"b": None, "d": "4"}},
                      content_type="application/merge-patch+json")
        self.assertEqual(dict(p.data), {"a": "one", "c": "3", "d": "4"})

        # Replace with the current object.
        cur = self.v1.read_namespaced_config_map("cfg", self.ns)
        cur.data = {"only": "this"}
        rep = self.v1.replace_namespaced_config_map("cfg", self.ns, cur)
        self.assertEqual(rep.data, {"only": "this"})
        self.assertEqual(rep.metadata.uid, created.metadata.uid)
        self.assertEqual(self.v1.read_namespaced_config_map("cfg", self.ns).data, {"only": "this"})

        self.v1.delete_namespaced_config_map("cfg", self.ns)
        self.assertApiError(404, "NotFound", self.v1.read_namespaced_config_map, "cfg", self.ns)
        self.assertApiError(404, "NotFound", self.v1.delete_namespaced_config_map, "cfg", self.ns)

    # --- Deployments ---

    def test_deployment_crud(self):
        d = self.apps.create_namespaced_deployment(self.ns, self.deployment("web", replicas=2))
        self.assertEqual(d.spec.replicas, 2)
        # Defaults are filled in by the server.
        self.assertEqual(d.spec.strategy.type, "RollingUpdate")
        self.assertEqual(d.spec.template.spec.restart_policy, "Always")
        self.assertEqual(d.metadata.generation, 1)

        got = self.apps.read_namespaced_deployment("web", self.ns)
        self.assertEqual([c.name for c in got.spec.template.spec.containers], ["web", "sidecar"])
        self.assertIn("web", [x.metadata.name for x in self.apps.list_namespaced_deployment(self.ns).items])

        # Strategic merge patch: containers merge by name, the sidecar stays.
        p = self.apps.patch_namespaced_deployment("web", self.ns, {"spec": {"template": {"spec": {
            "containers": [{"name": "web", "image": "nginx:1.26"}]}}}})
        images = {c.name: c.image for c in p.spec.template.spec.containers}
        self.assertEqual(images, {"web": "nginx:1.26", "sidecar": "busybox:1.36"})
        self.assertEqual(p.metadata.generation, 2)

        # Merge patch: the list is replaced as a whole.
        res = self.dyn.resources.get(api_version="apps/v1", kind="Deployment")
        p = res.patch(name="web", namespace=self.ns, content_type="application/merge-patch+json", body={
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "only", "image": "nginx:1.27"}]}}}})
        self.assertEqual([c["name"] for c in p.spec.template.spec.containers], ["only"])
        self.assertEqual(p.spec.replicas, 3)

        # Replace: read-modify-write, retried on 409 as clients do (the deployment controller
        # writes the object's status and annotations concurrently).
        def replace():
            cur = self.apps.read_namespaced_deployment("web", self.ns)
            cur.spec.replicas = 1
            cur.metadata.labels["replaced"] = "yes"
            try:
                return self.apps.replace_namespaced_deployment("web", self.ns, cur)
            except ApiException as e:
                if e.status != 409:
                    raise
                return None
        rep = wait_for(replace, 30, message="a replace without conflict")
        self.assertEqual(rep.spec.replicas, 1)
        self.assertEqual(rep.metadata.labels["replaced"], "yes")

        # Scale subresource.
        scale = self.apps.read_namespaced_deployment_scale("web", self.ns)
        self.assertEqual(scale.spec.replicas, 1)
        self.apps.patch_namespaced_deployment_scale("web", self.ns, {"spec": {"replicas": 4}})
        self.assertEqual(self.apps.read_namespaced_deployment("web", self.ns).spec.replicas, 4)

        self.apps.delete_namespaced_deployment("web", self.ns)
        wait_for(lambda: self._gone(self.apps.read_namespaced_deployment, "web"), 10, message="deployment gone")

    def _gone(self, read, name):
        try:
            read(name, self.ns)
            return False
        except ApiException as e:
            return e.status == 404

    # --- Services ---

    def test_service_crud(self):
        svc = client.V1Service(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1ServiceSpec(selector={"app": "web"}, ports=[
                client.V1ServicePort(name="http", port=80, target_port=8080),
                client.V1ServicePort(name="https", port=443, target_port=8443)]))
        s = self.v1.create_namespaced_service(self.ns, svc)
        self.assertEqual(s.spec.type, "ClusterIP")
        self.assertTrue(s.spec.cluster_ip, "a ClusterIP service gets an IP")
        self.assertTrue(s.spec.cluster_ip.startswith("10.43."), s.spec.cluster_ip)
        self.assertEqual({p.protocol for p in s.spec.ports}, {"TCP"})
        cluster_ip = s.spec.cluster_ip

        # Strategic merge patch: ports merge by port number.
        p = self.v1.patch_namespaced_service("web", self.ns, {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}})
        ports = {x.port: x.target_port for x in p.spec.ports}
        self.assertEqual(ports[80], 9090)
        self.assertEqual(ports[443], 8443)

        # Merge patch of the selector.
        res = self.dyn.resources.get(api_version="v1", kind="Service")
        p = res.patch(name="web", namespace=self.ns, body={"spec": {"selector": {"app": "web2"}}},
                      content_type="application/merge-patch+json")
        self.assertEqual(dict(p.spec.selector), {"app": "web2"})

        # Replace keeps the allocated cluster IP.
        cur = self.v1.read_namespaced_service("web", self.ns)
        cur.metadata.annotations = {"replaced": "yes"}
        rep = self.v1.replace_namespaced_service("web", self.ns, cur)
        self.assertEqual(rep.spec.cluster_ip, cluster_ip)
        self.assertEqual(rep.metadata.annotations, {"replaced": "yes"})

        # clusterIP is immutable.
        cur = self.v1.read_namespaced_service("web", self.ns)
        cur.spec.cluster_ip = "10.43.99.99"
        cur.spec.cluster_i_ps = ["10.43.99.99"]
        self.assertApiError(422, "Invalid", self.v1.replace_namespaced_service, "web", self.ns, cur)

        self.v1.delete_namespaced_service("web", self.ns)
        self.assertApiError(404, "NotFound", self.v1.read_namespaced_service, "web", self.ns)

    # --- watch ---

    def test_watch_sees_changes(self):
        rv = self.v1.list_namespaced_config_map(self.ns).metadata.resource_version
        self.assertTrue(rv)
        events = queue.Queue()
        w = watch.Watch()

        def run():
            try:
                for ev in w.stream(self.v1.list_namespaced_config_map, self.ns, resource_version=rv,
                                   timeout_seconds=30):
                    events.put((ev["type"], ev["object"].metadata.name, ev["object"].data,
                                ev["object"].metadata.resource_version))
            except Exception as e:  # reported to the test thread
                events.put(("EXCEPTION", repr(e), None, None))

        t = threading.Thread(target=run, daemon=True)
        t.start()
        try:
            self.v1.create_namespaced_config_map(self.ns, self.cm("w1", {"k": "v1"}))
            self.v1.patch_namespaced_config_map("w1", self.ns, {"data": {"k": "v2"}})
            self.v1.delete_namespaced_config_map("w1", self.ns)
            seen = []
            deadline = time.monotonic() + 20
            while len(seen) < 3 and time.monotonic() < deadline:
                try:
                    ev = events.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    break
                self.assertNotEqual(ev[0], "EXCEPTION", ev[1])
                seen.append(ev)
            self.assertEqual([(e[0], e[1]) for e in seen], [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")])
            self.assertEqual(seen[0][2], {"k": "v1"})
            self.assertEqual(seen[1][2], {"k": "v2"})
            rvs = [int(e[3]) for e in seen]
            self.assertEqual(rvs, sorted(rvs))
            self.assertGreater(rvs[0], int(rv))
        finally:
            w.stop()

    def test_watch_timeout_ends_stream(self):
        rv = self.v1.list_namespaced_config_map(self.ns).metadata.resource_version
        start = time.monotonic()
        evs = list(watch.Watch().stream(self.v1.list_namespaced_config_map, self.ns, resource_version=rv,
                                        timeout_seconds=1))
        self.assertEqual(evs, [])
        self.assertLess(time.monotonic() - start, 10, "timeoutSeconds=1 must end the watch promptly")

    # --- optimistic concurrency ---

    def test_stale_resource_version_conflicts(self):
        first = self.v1.create_namespaced_config_map(self.ns, self.cm("occ", {"v": "0"}))
        stale = self.v1.read_namespaced_config_map("occ", self.ns)
        fresh = self.v1.read_namespaced_config_map("occ", self.ns)
        fresh.data = {"v": "1"}
        self.v1.replace_namespaced_config_map("occ", self.ns, fresh)
        stale.data = {"v": "stale"}
        body = self.assertApiError(409, "Conflict", self.v1.replace_namespaced_config_map, "occ", self.ns, stale)
        self.assertIn("occ", body.get("message", ""))
        self.assertEqual(self.v1.read_namespaced_config_map("occ", self.ns).data, {"v": "1"})
        # Creating the same name again: AlreadyExists.
        self.assertApiError(409, "AlreadyExists", self.v1.create_namespaced_config_map, self.ns, self.cm("occ"))
        self.assertEqual(self.v1.read_namespaced_config_map("occ", self.ns).metadata.uid, first.metadata.uid)

    # --- paging ---

    def test_paging(self):
        names = ["page-%02d" % i for i in range(25)]
        baseline = len(self.v1.list_namespaced_config_map(self.ns).items)  # kube-root-ca.crt
        for n in names:
            self.v1.create_namespaced_config_map(self.ns, self.cm(n, {"n": n}))
        seen = []
        token = None
        pages = 0
        remaining = []
        while True:
            kw = {"limit": 10}
            if token:
                kw["_continue"] = token
            page = self.v1.list_namespaced_config_map(self.ns, **kw)
            pages += 1
            self.assertLessEqual(len(page.items), 10)
            seen += [i.metadata.name for i in page.items]
            remaining.append(page.metadata.remaining_item_count)
            token = page.metadata._continue
            if not token:
                break
            self.assertLess(pages, 10, "paging does not terminate")
        total = 25 + baseline
        self.assertEqual(pages, (total + 9) // 10)
        self.assertEqual(len(seen), len(set(seen)), "an item was returned twice")
        self.assertEqual(sorted(n for n in seen if n.startswith("page-")), names)
        self.assertEqual(len(seen), total)
        # remainingItemCount counts what is left after each page (absent on the last one).
        self.assertEqual(remaining[0], total - 10)
        self.assertEqual(remaining[1], total - 20)
        self.assertIn(remaining[-1], (None, 0))

    def test_paging_is_consistent_snapshot(self):
        for i in range(6):
            self.v1.create_namespaced_config_map(self.ns, self.cm("snap-%d" % i))
        first = self.v1.list_namespaced_config_map(self.ns, limit=3)
        self.assertEqual(len(first.items), 3)
        # Changes after the first page do not show in later pages of the same list.
        self.v1.create_namespaced_config_map(self.ns, self.cm("snap-9"))
        rest = self.v1.list_namespaced_config_map(self.ns, limit=10, _continue=first.metadata._continue)
        names = [i.metadata.name for i in first.items + rest.items if i.metadata.name.startswith("snap-")]
        self.assertEqual(sorted(names), ["snap-%d" % i for i in range(6)])
        self.assertEqual(rest.metadata.resource_version, first.metadata.resource_version)

    # --- selectors ---

    def test_label_and_field_selectors(self):
        self.v1.create_namespaced_config_map(self.ns, self.cm("a", labels={"app": "web", "tier": "front"}))
        self.v1.create_namespaced_config_map(self.ns, self.cm("b", labels={"app": "web", "tier": "back"}))
        self.v1.create_namespaced_config_map(self.ns, self.cm("c", labels={"app": "db"}))
        self.v1.create_namespaced_config_map(self.ns, self.cm("d"))

        ours = {"a", "b", "c", "d"}  # a controller may add others (kube-root-ca.crt)

        def names(**kw):
            items = self.v1.list_namespaced_config_map(self.ns, **kw).items
            return sorted(i.metadata.name for i in items if i.metadata.name in ours)

        self.assertEqual(names(label_selector="app=web"), ["a", "b"])
        self.assertEqual(names(label_selector="app=web,tier=back"), ["b"])
        self.assertEqual(names(label_selector="app!=web"), ["c", "d"])
        self.assertEqual(names(label_selector="app in (db,cache)"), ["c"])
        self.assertEqual(names(label_selector="app notin (web)"), ["c", "d"])
        self.assertEqual(names(label_selector="tier"), ["a", "b"])
        self.assertEqual(names(label_selector="!tier"), ["c", "d"])
        self.assertEqual(names(field_selector="metadata.name=c"), ["c"])
        self.assertEqual(names(field_selector="metadata.name!=c"), ["a", "b", "d"])
        self.assertEqual(names(field_selector="metadata.namespace=" + self.ns, label_selector="app=db"), ["c"])
        self.assertEqual(names(field_selector="metadata.namespace=elsewhere"), [])
        # Across namespaces.
        all_web = self.v1.list_config_map_for_all_namespaces(label_selector="app=web")
        self.assertEqual(sorted((i.metadata.namespace, i.metadata.name) for i in all_web.items),
                         [(self.ns, "a"), (self.ns, "b")])
        # Pods support spec.nodeName and status.phase field selectors.
        self.v1.list_namespaced_pod(self.ns, field_selector="spec.nodeName=nowhere,status.phase=Running")

    # --- CRDs and custom objects ---

    def crd(self, group, plural, kind, scope):
        schema = client.V1JSONSchemaProps(type="object", properties={
            "spec": client.V1JSONSchemaProps(type="object", x_kubernetes_preserve_unknown_fields=True),
            "status": client.V1JSONSchemaProps(type="object", properties={
                "phase": client.V1JSONSchemaProps(type="string"),
                "count": client.V1JSONSchemaProps(type="integer")}),
        })
        return client.V1CustomResourceDefinition(
            metadata=client.V1ObjectMeta(name="%s.%s" % (plural, group)),
            spec=client.V1CustomResourceDefinitionSpec(
                group=group, scope=scope,
                names=client.V1CustomResourceDefinitionNames(plural=plural, singular=kind.lower(), kind=kind,
                                                             list_kind=kind + "List"),
                versions=[client.V1CustomResourceDefinitionVersion(
                    name="v1", served=True, storage=True,
                    schema=client.V1CustomResourceValidation(open_apiv3_schema=schema),
                    subresources=client.V1CustomResourceSubresources(status={}))]))

    def wait_established(self, name):
        def established():
            c = self.ext.read_custom_resource_definition(name)
            conds = (c.status.conditions or []) if c.status else []
            return any(x.type == "Established" and x.status == "True" for x in conds)
        wait_for(established, 20, message="CRD %s Established" % name)

    def test_namespaced_custom_objects(self):
        group, plural = "monitoring.coreos.com", "servicemonitors"
        crd_name = plural + "." + group
        try:
            self.ext.create_custom_resource_definition(self.crd(group, plural, "ServiceMonitor", "Namespaced"))
        except ApiException as e:  # another run of this test in the same server
            if e.status != 409:
                raise
        self.wait_established(crd_name)
        wait_for(lambda: self.custom.list_namespaced_custom_object(group, "v1", self.ns, plural) is not None, 20,
                 message="custom resource served")

        obj = {"apiVersion": group + "/v1", "kind": "ServiceMonitor", "metadata": {"name": "sm1", "labels": {"team": "a"}},
               "spec": {"endpoints": [{"port": "http"}], "selector": {"matchLabels": {"app": "web"}}}}
        made = self.custom.create_namespaced_custom_object(group, "v1", self.ns, plural, obj)
        self.assertEqual(made["metadata"]["namespace"], self.ns)
        self.assertTrue(made["metadata"]["uid"])
        self.custom.create_namespaced_custom_object(group, "v1", self.ns, plural, dict(
            obj, metadata={"name": "sm2", "labels": {"team": "b"}}))

        got = self.custom.get_namespaced_custom_object(group, "v1", self.ns, plural, "sm1")
        self.assertEqual(got["spec"]["endpoints"], [{"port": "http"}])
        lst = self.custom.list_namespaced_custom_object(group, "v1", self.ns, plural)
        self.assertEqual(lst["kind"], "ServiceMonitorList")
        self.assertEqual(sorted(i["metadata"]["name"] for i in lst["items"]), ["sm1", "sm2"])
        lst = self.custom.list_namespaced_custom_object(group, "v1", self.ns, plural, label_selector="team=b")
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["sm2"])
        everywhere = self.custom.list_cluster_custom_object(group, "v1", plural)
        self.assertIn(("sm1", self.ns), [(i["metadata"]["name"], i["metadata"]["namespace"]) for i in everywhere["items"]])

        # Merge patch of the main resource.
        p = self.custom.patch_namespaced_custom_object(group, "v1", self.ns, plural, "sm1",
                                                       {"spec": {"endpoints": [{"port": "metrics"}], "jobLabel": "x"}})
        self.assertEqual(p["spec"]["endpoints"], [{"port": "metrics"}])
        self.assertEqual(p["spec"]["selector"], {"matchLabels": {"app": "web"}})
        self.assertEqual(p["spec"]["jobLabel"], "x")
        # With a status subresource, status changes through the main resource are ignored...
        p = self.custom.patch_namespaced_custom_object(group, "v1", self.ns, plural, "sm1",
                                                       {"status": {"phase": "Ignored"}})
        self.assertNotEqual(p.get("status", {}).get("phase"), "Ignored")
        # ...and go through /status, which in turn ignores spec changes.
        s = self.custom.patch_namespaced_custom_object_status(group, "v1", self.ns, plural, "sm1",
                                                              {"status": {"phase": "Ready", "count": 2},
                                                               "spec": {"jobLabel": "ignored"}})
        self.assertEqual(s["status"], {"phase": "Ready", "count": 2})
        self.assertEqual(s["spec"]["jobLabel"], "x")
        got = self.custom.get_namespaced_custom_object_status(group, "v1", self.ns, plural, "sm1")
        self.assertEqual(got["status"]["phase"], "Ready")
        # Replace of the main resource keeps the status.
        got = self.custom.get_namespaced_custom_object(group, "v1", self.ns, plural, "sm1")
        got["spec"]["jobLabel"] = "y"
        rep = self.custom.replace_namespaced_custom_object(group, "v1", self.ns, plural, "sm1", got)
        self.assertEqual(rep["spec"]["jobLabel"], "y")
        self.assertEqual(rep["status"]["phase"], "Ready")

        # Stale resourceVersion on a custom object: Conflict.
        stale = dict(got)
        with self.assertRaises(ApiException) as cm:
            self.custom.replace_namespaced_custom_object(group, "v1", self.ns, plural, "sm1", stale)
        self.assertEqual(cm.exception.status, 409)

        self.custom.delete_namespaced_custom_object(group, "v1", self.ns, plural, "sm1")
        self.assertApiError(404, "NotFound", self.custom.get_namespaced_custom_object, group, "v1", self.ns, plural, "sm1")
        lst = self.custom.list_namespaced_custom_object(group, "v1", self.ns, plural)
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["sm2"])

        # The kind shows in discovery for kubectl.
        r = self.kubectl("get", "servicemonitors", "-n", self.ns, "-o", "name")
        self.assertEqual(r.stdout.split(), ["servicemonitor.monitoring.coreos.com/sm2"])

    def test_cluster_scoped_custom_objects(self):
        group, plural = "e2e.kite.io", "clusterwidgets"
        crd_name = plural + "." + group
        self.ext.create_custom_resource_definition(self.crd(group, plural, "ClusterWidget", "Cluster"))
        self.wait_established(crd_name)
        wait_for(lambda: self.custom.list_cluster_custom_object(group, "v1", plural) is not None, 20,
                 message="custom resource served")
        obj = {"apiVersion": group + "/v1", "kind": "ClusterWidget", "metadata": {"name": "w1"}, "spec": {"size": 1}}
        made = self.custom.create_cluster_custom_object(group, "v1", plural, obj)
        self.assertNotIn("namespace", made["metadata"])
        got = self.custom.get_cluster_custom_object(group, "v1", plural, "w1")
        self.assertEqual(got["spec"], {"size": 1})
        p = self.custom.patch_cluster_custom_object(group, "v1", plural, "w1", {"spec": {"color": "red"}})
        self.assertEqual(p["spec"], {"size": 1, "color": "red"})
        s = self.custom.patch_cluster_custom_object_status(group, "v1", plural, "w1", {"status": {"phase": "Up"}})
        self.assertEqual(s["status"], {"phase": "Up"})
        lst = self.custom.list_cluster_custom_object(group, "v1", plural)
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]], ["w1"])
        self.custom.delete_cluster_custom_object(group, "v1", plural, "w1")
        self.assertApiError(404, "NotFound", self.custom.get_cluster_custom_object, group, "v1", plural, "w1")

        # Deleting the CRD stops serving the kind.
        self.ext.delete_custom_resource_definition(crd_name)

        def unserved():
            try:
                self.custom.list_cluster_custom_object(group, "v1", plural)
                return False
            except ApiException as e:
                return e.status == 404
        wait_for(unserved, 20, message="custom resource no longer served")

    # --- generateName ---

    def test_generate_name(self):
        made = set()
        for _ in range(5):
            o = self.v1.create_namespaced_config_map(self.ns, client.V1ConfigMap(
                metadata=client.V1ObjectMeta(generate_name="gen-"), data={"x": "y"}))
            self.assertTrue(o.metadata.name.startswith("gen-"), o.metadata.name)
            self.assertGreater(len(o.metadata.name), len("gen-"))
            self.assertEqual(o.metadata.generate_name, "gen-")
            made.add(o.metadata.name)
        self.assertEqual(len(made), 5)
        listed = {i.metadata.name for i in self.v1.list_namespaced_config_map(self.ns).items}
        self.assertTrue(made <= listed)

    # --- delete options ---

    def test_delete_preconditions_and_propagation(self):
        o = self.v1.create_namespaced_config_map(self.ns, self.cm("pre"))
        body = self.assertApiError(409, "Conflict", self.v1.delete_namespaced_config_map, "pre", self.ns,
                                   body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="not-the-uid")))
        self.assertIn("not-the-uid", body.get("message", ""))
        self.v1.read_namespaced_config_map("pre", self.ns)  # still there
        self.assertApiError(409, "Conflict", self.v1.delete_namespaced_config_map, "pre", self.ns,
                            body=client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version="1")))
        self.v1.delete_namespaced_config_map("pre", self.ns, body=client.V1DeleteOptions(
            preconditions=client.V1Preconditions(uid=o.metadata.uid, resource_version=o.metadata.resource_version)))
        self.assertApiError(404, "NotFound", self.v1.read_namespaced_config_map, "pre", self.ns)

        # Background: gone at once.
        self.apps.create_namespaced_deployment(self.ns, self.deployment("bg"))
        self.apps.delete_namespaced_deployment("bg", self.ns, propagation_policy="Background")
        self.assertApiError(404, "NotFound", self.apps.read_namespaced_deployment, "bg", self.ns)

        # Foreground: either already collected, or marked with deletionTimestamp and the
        # foregroundDeletion finalizer until its dependents are gone.
        self.apps.create_namespaced_deployment(self.ns, self.deployment("fg"))
        self.apps.delete_namespaced_deployment("fg", self.ns, propagation_policy="Foreground")
        try:
            d = self.apps.read_namespaced_deployment("fg", self.ns)
            self.assertIsNotNone(d.metadata.deletion_timestamp)
            self.assertIn("foregroundDeletion", d.metadata.finalizers or [])
            # Removing the last finalizer completes the deletion.
            try:
                self.apps.patch_namespaced_deployment("fg", self.ns, [{"op": "remove", "path": "/metadata/finalizers"}])
            except ApiException as e:
                if e.status != 404:  # the garbage collector may have finished meanwhile
                    raise
            wait_for(lambda: self._gone(self.apps.read_namespaced_deployment, "fg"), 10, message="fg gone")
        except ApiException as e:
            self.assertEqual(e.status, 404)

        # An invalid propagation policy is rejected and nothing is deleted.
        self.v1.create_namespaced_config_map(self.ns, self.cm("keep"))
        with self.assertRaises(ApiException) as cm:
            self.v1.delete_namespaced_config_map("keep", self.ns, propagation_policy="Sideways")
        self.assertIn(cm.exception.status, (400, 422))
        self.v1.read_namespaced_config_map("keep", self.ns)

        # Delete collection with a label selector.
        for i in range(3):
            self.v1.create_namespaced_config_map(self.ns, self.cm("dc-%d" % i, labels={"batch": "1"}))
        self.v1.delete_collection_namespaced_config_map(self.ns, label_selector="batch=1")
        left = [i.metadata.name for i in self.v1.list_namespaced_config_map(self.ns).items]
        self.assertNotIn("dc-0", left)
        self.assertIn("keep", left)


if __name__ == "__main__":
    unittest.main()
