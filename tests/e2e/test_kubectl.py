"""kubectl v1.32 against a real kite server: the commands a kubectl user relies on."""
import json
import os
import signal
import stat
import subprocess
import tempfile
import unittest

import yaml

import kite_e2e
from kite_e2e import wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
CRD = os.path.join(HERE, "manifests", "servicemonitor-crd.yaml")
APP = os.path.join(HERE, "manifests", "app.yaml")


class KubectlTest(kite_e2e.KiteTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The CRD first (as with any cluster), then the whole stack including the CRD again.
        cls.server.kubectl("apply", "-f", CRD)
        cls.server.kubectl("wait", "--for", "condition=established", "--timeout=30s",
                           "crd/servicemonitors.monitoring.coreos.com")
        with open(CRD) as a, open(APP) as b:
            cls.manifest = a.read() + "---\n" + b.read()
        cls.first_apply = cls.server.kubectl("apply", "-f", "-", input=cls.manifest)

    def test_apply_creates_every_kind_with_default_validation(self):
        out = self.first_apply.stdout
        for line in ["namespace/shop created", "configmap/web-config created", "secret/web-secret created",
                     "deployment.apps/web created", "service/web created", "statefulset.apps/db created",
                     "daemonset.apps/chunkserver created", "job.batch/migrate created",
                     "cronjob.batch/report created", "ingress.networking.k8s.io/web created",
                     "servicemonitor.monitoring.coreos.com/web created"]:
            self.assertIn(line, out)
        # stringData was folded into data.
        secret = self.kubectl_json("get", "secret", "web-secret", "-n", "shop")
        self.assertEqual(secret["data"]["password"], "czNjcmV0")
        self.assertNotIn("stringData", secret)

    def test_reapply_is_unchanged_and_changes_merge_three_ways(self):
        again = self.kubectl("apply", "-f", "-", input=self.manifest).stdout
        # As on any cluster, a Secret applied with stringData and a StatefulSet whose claim
        # templates get defaults are re-sent ("configured"); everything else is unchanged.
        for line in ["namespace/shop", "configmap/web-config", "deployment.apps/web", "service/web",
                     "daemonset.apps/chunkserver", "job.batch/migrate", "cronjob.batch/report",
                     "ingress.networking.k8s.io/web", "servicemonitor.monitoring.coreos.com/web",
                     "customresourcedefinition.apiextensions.k8s.io/servicemonitors.monitoring.coreos.com"]:
            self.assertIn(line + " unchanged", again)
        # Re-sending defaulted claim templates changes nothing, so the generation stays.
        gen = self.kubectl_json("get", "sts", "db", "-n", "shop")["metadata"]["generation"]
        self.kubectl("apply", "-f", "-", input=self.manifest)
        self.assertEqual(self.kubectl_json("get", "sts", "db", "-n", "shop")["metadata"]["generation"], gen)
        # A field set out of band survives a re-apply; a field dropped from the manifest goes.
        self.kubectl("annotate", "configmap", "web-config", "-n", "shop", "ops/note=kept")
        changed = self.manifest.replace("labels: {app: web, tier: frontend}\ndata:", "labels: {app: web}\ndata:")
        changed = changed.replace("greeting: hello", "greeting: bonjour")
        out = self.kubectl("apply", "-f", "-", input=changed).stdout
        self.assertIn("configmap/web-config configured", out)
        cm = self.kubectl_json("get", "cm", "web-config", "-n", "shop")
        self.assertEqual(cm["data"]["greeting"], "bonjour")
        self.assertNotIn("tier", cm["metadata"]["labels"])
        self.assertEqual(cm["metadata"]["annotations"]["ops/note"], "kept")
        self.kubectl("apply", "-f", "-", input=self.manifest)

    def test_get_output_formats(self):
        wide = self.kubectl("get", "deploy", "web", "-n", "shop", "-o", "wide").stdout
        header = wide.splitlines()[0].split()
        self.assertEqual(header, ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"])
        self.assertIn("web,sidecar", wide)
        doc = yaml.safe_load(self.kubectl("get", "deploy", "web", "-n", "shop", "-o", "yaml").stdout)
        self.assertEqual(doc["kind"], "Deployment")
        self.assertEqual(doc["spec"]["strategy"]["type"], "RollingUpdate")  # defaulted
        self.assertEqual(doc["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent")
        self.assertEqual(self.kubectl("get", "svc", "web", "-n", "shop", "-o",
                                      "jsonpath={.spec.ports[0].port}").stdout, "80")
        self.assertEqual(self.kubectl("get", "cm", "-n", "shop", "-l", "app=web", "-o", "name").stdout.split(),
                         ["configmap/web-config"])
        pods_header = self.kubectl("get", "sts", "-n", "shop").stdout.splitlines()[0].split()
        self.assertEqual(pods_header, ["NAME", "READY", "AGE"])
        smon = self.kubectl("get", "servicemonitors", "-n", "shop").stdout.splitlines()
        self.assertEqual(smon[0].split(), ["NAME", "PORT", "AGE"])
        self.assertEqual(smon[1].split()[:2], ["web", "http"])

    def test_selectors_and_get_all(self):
        self.kubectl("create", "namespace", "sel")
        for name, tier in [("a", "front"), ("b", "back"), ("c", "front")]:
            self.kubectl("apply", "-f", "-", input=json.dumps({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "sel", "labels": {"tier": tier}}}))
        # kube-root-ca.crt (published in every namespace) has no tier label: left out here.
        names = lambda *a: [n for n in self.kubectl("get", "cm", "-n", "sel", "-o", "name", *a).stdout.split()
                            if n != "configmap/kube-root-ca.crt"]
        self.assertEqual(names("-l", "tier=front"), ["configmap/a", "configmap/c"])
        self.assertEqual(names("-l", "tier!=front"), ["configmap/b"])
        self.assertEqual(names("-l", "tier in (back,nothing)"), ["configmap/b"])
        self.assertEqual(names("--field-selector", "metadata.name=c"), ["configmap/c"])
        everything = self.kubectl("get", "all", "-n", "shop").stdout
        for kind in ["service/web", "deployment.apps/web", "statefulset.apps/db", "daemonset.apps/chunkserver",
                     "job.batch/migrate", "cronjob.batch/report"]:
            self.assertIn(kind, everything)

    def test_watch_streams_changes(self):
        self.kubectl("create", "namespace", "watched")
        proc = subprocess.Popen([kite_e2e.KUBECTL, "get", "cm", "-n", "watched", "-w", "--output-watch-events"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.server.env())
        try:
            lines = []

            def saw(text):
                return any(text in l for l in lines)

            import threading
            reader = threading.Thread(target=lambda: [lines.append(l) for l in proc.stdout], daemon=True)
            reader.start()
            self.kubectl("create", "cm", "w1", "-n", "watched", "--from-literal=a=b")
            wait_for(lambda: saw("ADDED") and saw("w1"), 20, message="ADDED w1 in kubectl get -w")
            self.kubectl("label", "cm", "w1", "-n", "watched", "x=y")
            wait_for(lambda: saw("MODIFIED"), 20, message="MODIFIED in kubectl get -w")
            self.kubectl("delete", "cm", "w1", "-n", "watched")
            wait_for(lambda: saw("DELETED"), 20, message="DELETED in kubectl get -w")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(10)

    def test_describe_label_annotate(self):
        self.kubectl("label", "deploy", "web", "-n", "shop", "release=stable")
        self.kubectl("annotate", "deploy", "web", "-n", "shop", "owner=team-a")
        d = self.kubectl_json("get", "deploy", "web", "-n", "shop")
        self.assertEqual(d["metadata"]["labels"]["release"], "stable")
        self.assertEqual(d["metadata"]["annotations"]["owner"], "team-a")
        r = self.kubectl("label", "deploy", "web", "-n", "shop", "release=canary", check=False)
        self.assertNotEqual(r.returncode, 0)  # needs --overwrite
        self.kubectl("label", "deploy", "web", "-n", "shop", "release-")
        self.assertNotIn("release", self.kubectl_json("get", "deploy", "web", "-n", "shop")["metadata"]["labels"])
        out = self.kubectl("describe", "deploy", "web", "-n", "shop").stdout
        self.assertIn("Name:", out)
        self.assertIn("web", out)
        self.assertIn("RollingUpdate", out)
        self.assertIn("kite.local/busybox:1.36", out)
        out = self.kubectl("describe", "cm", "web-config", "-n", "shop").stdout
        self.assertIn("greeting", out)

    def test_scale_set_image_and_generation(self):
        self.kubectl("create", "deployment", "scaled", "-n", "shop", "--image=kite.local/busybox:1.36")
        self.kubectl("scale", "deploy", "scaled", "-n", "shop", "--replicas=5")
        d = self.kubectl_json("get", "deploy", "scaled", "-n", "shop")
        self.assertEqual(d["spec"]["replicas"], 5)
        gen = d["metadata"]["generation"]
        self.kubectl("set", "image", "deploy/scaled", "-n", "shop", "busybox=kite.local/busybox:1.37")
        d = self.kubectl_json("get", "deploy", "scaled", "-n", "shop")
        self.assertEqual(d["spec"]["template"]["spec"]["containers"][0]["image"], "kite.local/busybox:1.37")
        self.assertEqual(d["metadata"]["generation"], gen + 1)
        # Labels do not move the generation.
        self.kubectl("label", "deploy", "scaled", "-n", "shop", "x=y")
        self.assertEqual(self.kubectl_json("get", "deploy", "scaled", "-n", "shop")["metadata"]["generation"], gen + 1)
        self.kubectl("scale", "sts", "db", "-n", "shop", "--replicas=3")
        self.assertEqual(self.kubectl_json("get", "sts", "db", "-n", "shop")["spec"]["replicas"], 3)

    def test_patch_all_three_types(self):
        self.kubectl("create", "deployment", "patched", "-n", "shop", "--image=kite.local/busybox:1.36")
        self.kubectl("patch", "deploy", "patched", "-n", "shop", "--type=strategic", "-p",
                     json.dumps({"spec": {"template": {"spec": {"containers": [
                         {"name": "busybox", "env": [{"name": "A", "value": "1"}]}]}}}}))
        c = self.kubectl_json("get", "deploy", "patched", "-n", "shop")["spec"]["template"]["spec"]["containers"]
        self.assertEqual(len(c), 1)
        self.assertEqual(c[0]["image"], "kite.local/busybox:1.36")  # merged by name, not replaced
        self.assertEqual(c[0]["env"], [{"name": "A", "value": "1"}])
        self.kubectl("patch", "deploy", "patched", "-n", "shop", "--type=merge", "-p",
                     json.dumps({"metadata": {"labels": {"patched": "merge"}}}))
        self.kubectl("patch", "deploy", "patched", "-n", "shop", "--type=json", "-p",
                     json.dumps([{"op": "replace", "path": "/spec/replicas", "value": 3}]))
        d = self.kubectl_json("get", "deploy", "patched", "-n", "shop")
        self.assertEqual(d["metadata"]["labels"]["patched"], "merge")
        self.assertEqual(d["spec"]["replicas"], 3)
        r = self.kubectl("patch", "deploy", "patched", "-n", "shop", "--type=json", "-p",
                         json.dumps([{"op": "test", "path": "/spec/replicas", "value": 9}]), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.kubectl("patch", "servicemonitor", "web", "-n", "shop", "--type=merge", "-p",
                     json.dumps({"spec": {"jobLabel": "app"}}))
        self.assertEqual(self.kubectl_json("get", "smon", "web", "-n", "shop")["spec"]["jobLabel"], "app")

    def test_edit_with_an_editor_script(self):
        self.kubectl("create", "cm", "edited", "-n", "shop", "--from-literal=color=red")
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
            f.write("#!/bin/sh\nsed -i 's/color: red/color: blue/' \"$1\"\n")
        os.chmod(f.name, stat.S_IRWXU)
        try:
            self.kubectl("edit", "cm", "edited", "-n", "shop", env={"KUBE_EDITOR": f.name})
        finally:
            os.unlink(f.name)
        self.assertEqual(self.kubectl_json("get", "cm", "edited", "-n", "shop")["data"]["color"], "blue")

    def test_delete_wait_and_orphan(self):
        self.kubectl("create", "namespace", "doomed")
        self.kubectl("create", "cm", "x", "-n", "doomed", "--from-literal=a=b")
        self.kubectl("create", "deployment", "d", "-n", "doomed", "--image=kite.local/busybox:1.36")
        self.kubectl("delete", "cm", "x", "-n", "doomed", "--wait", "--timeout=30s")
        self.assertNotEqual(self.kubectl("get", "cm", "x", "-n", "doomed", check=False).returncode, 0)
        self.kubectl("delete", "deploy", "d", "-n", "doomed", "--cascade=orphan", "--wait", "--timeout=30s")
        self.assertIn("NotFound", self.kubectl("get", "deploy", "d", "-n", "doomed", check=False).stderr)
        self.kubectl("delete", "namespace", "doomed", "--wait", "--timeout=60s")
        self.assertNotEqual(self.kubectl("get", "ns", "doomed", check=False).returncode, 0)

    def test_discovery_explain_and_identity(self):
        resources = self.kubectl("api-resources").stdout
        for row in [("deployments", "deploy", "apps/v1", "true", "Deployment"),
                    ("servicemonitors", "smon", "monitoring.coreos.com/v1", "true", "ServiceMonitor"),
                    ("nodes", "no", "v1", "false", "Node")]:
            self.assertTrue(any(l.split() == list(row) for l in resources.splitlines()), row)
        versions = self.kubectl("api-versions").stdout.split()
        for v in ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "monitoring.coreos.com/v1"]:
            self.assertIn(v, versions)
        explain = self.kubectl("explain", "pods.spec.containers").stdout
        self.assertIn("image", explain)
        self.assertIn("KIND:", explain)
        self.assertIn("replicas", self.kubectl("explain", "deployment.spec").stdout)
        who = self.kubectl("auth", "whoami", "-o", "json").stdout
        info = json.loads(who)["status"]["userInfo"]
        self.assertEqual(info["username"], "system:admin")
        self.assertIn("system:masters", info["groups"])
        version = self.kubectl("version", "-o", "json").stdout
        self.assertEqual(json.loads(version)["serverVersion"]["minor"], "32")

    def test_pod_streams_of_an_unscheduled_pod_are_refused(self):
        self.kubectl("run", "lonely", "-n", "shop", "--image=kite.local/busybox:1.36", "--restart=Never")
        pod = self.kubectl_json("get", "pod", "lonely", "-n", "shop")
        self.assertEqual(pod["status"]["phase"], "Pending")
        self.assertEqual(pod["spec"]["serviceAccountName"], "default")
        r = self.kubectl("logs", "lonely", "-n", "shop", check=False)
        self.assertNotEqual(r.returncode, 0)
        # As kube-apiserver words it: the pod is on no node, so there is no agent to ask.
        self.assertIn("pod lonely does not have a host assigned", r.stderr)
        r = self.kubectl("exec", "lonely", "-n", "shop", "--", "true", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("does not have a host assigned", r.stderr)
        r = self.kubectl("get", "--raw", "/api/v1/namespaces/shop/pods/lonely/log", check=False)
        self.assertIn("BadRequest", r.stderr + r.stdout)

    def test_server_restart_keeps_data_and_credentials(self):
        self.kubectl("create", "cm", "survivor", "-n", "default", "--from-literal=a=b")
        with open(self.server.kubeconfig) as f:
            before = f.read()
        self.server.stop()
        self.server.start()
        with open(self.server.kubeconfig) as f:
            self.assertEqual(f.read(), before)  # same CA and admin certificate
        self.assertEqual(self.kubectl_json("get", "cm", "survivor", "-n", "default")["data"], {"a": "b"})


if __name__ == "__main__":
    unittest.main()
