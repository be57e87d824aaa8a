"""Jobs and CronJobs with the real kubectl against `kite server` + hollow nodes.

Hollow kubelets run nothing: a pod annotated `hollow.kite.io/exit-code` ends Succeeded or
Failed after `hollow.kite.io/run-seconds` (see tools/hollow-nodes/README.md), which is how the
Job pods here "run".
"""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from kite_e2e import HollowNodes, KiteTestCase, wait_for  # noqa: E402

FAST = ("--lease-renew-interval", "1s", "--status-interval", "2s")


def pod_template(exit_code=0, run_seconds=1, restart_policy="Never"):
    return {"metadata": {"annotations": {"hollow.kite.io/exit-code": str(exit_code),
                                         "hollow.kite.io/run-seconds": str(run_seconds)}},
            "spec": {"restartPolicy": restart_policy,
                     "containers": [{"name": "main", "image": "registry.local/busybox:1",
                                     "command": ["sh", "-c", "true"]}]}}


def job(name, **spec):
    template = spec.pop("template", pod_template())
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": dict(spec, template=template)}


class BatchTest(KiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.nodes = HollowNodes(cls.workdir, "batch").start(cls.server.kubeconfig, ["b1", "b2"],
                                                                extra_args=FAST)
        except Exception:
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nodes.stop()
        super().tearDownClass()

    def apply(self, obj):
        self.kubectl("apply", "-f", "-", input=json.dumps(obj))

    def pods_of(self, job_name):
        return self.kubectl_json("get", "pods", "-l", "batch.kubernetes.io/job-name=" + job_name)["items"]

    def conditions(self, obj):
        return {c["type"]: c for c in obj.get("status", {}).get("conditions", [])}

    def test_job_completes_and_kubectl_wait_sees_it(self):
        self.apply(job("pi", completions=3, parallelism=2))
        self.kubectl("wait", "--for=condition=complete", "job/pi", "--timeout=90s", timeout=100)
        j = self.kubectl_json("get", "job", "pi")
        self.assertEqual(j["status"]["succeeded"], 3)
        self.assertNotIn("active", j["status"])
        conds = self.conditions(j)
        self.assertEqual(conds["Complete"]["status"], "True")
        self.assertEqual(conds["SuccessCriteriaMet"]["status"], "True")
        self.assertIn("completionTime", j["status"])
        pods = self.pods_of("pi")
        self.assertEqual(len(pods), 3)
        uid = j["metadata"]["uid"]
        for p in pods:
            self.assertEqual(p["status"]["phase"], "Succeeded")
            self.assertNotIn("batch.kubernetes.io/job-tracking", p["metadata"].get("finalizers", []))
            self.assertEqual(p["metadata"]["labels"]["batch.kubernetes.io/controller-uid"], uid)
            self.assertEqual(p["metadata"]["ownerReferences"][0]["uid"], uid)
        out = self.kubectl("get", "job", "pi").stdout
        self.assertIn("3/3", out)

    def test_indexed_job_records_completed_indexes(self):
        self.apply(job("idx", completions=3, parallelism=3, completionMode="Indexed"))
        self.kubectl("wait", "--for=condition=complete", "job/idx", "--timeout=90s", timeout=100)
        j = self.kubectl_json("get", "job", "idx")
        self.assertEqual(j["status"]["completedIndexes"], "0-2")
        indexes = sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"]
                         for p in self.pods_of("idx"))
        self.assertEqual(indexes, ["0", "1", "2"])
        for p in self.pods_of("idx"):
            ix = p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"]
            self.assertEqual(p["spec"]["hostname"], "idx-" + ix)

    def test_failing_job_hits_its_backoff_limit(self):
        self.apply(job("fails", backoffLimit=0, template=pod_template(exit_code=3)))
        self.kubectl("wait", "--for=condition=failed", "job/fails", "--timeout=90s", timeout=100)
        j = self.kubectl_json("get", "job", "fails")
        self.assertEqual(self.conditions(j)["Failed"]["reason"], "BackoffLimitExceeded")
        self.assertEqual(j["status"]["failed"], 1)

    def test_finished_job_is_deleted_after_its_ttl(self):
        self.apply(job("short", ttlSecondsAfterFinished=0))

        def deleted():
            # The TTL controller deletes with propagationPolicy Foreground (as upstream): the Job
            # is gone once the garbage collector has removed its pods, and until then carries a
            # deletionTimestamp and the foregroundDeletion finalizer.
            r = self.kubectl("get", "job", "short", "-o", "json", check=False)
            if r.returncode != 0:
                return True
            meta = json.loads(r.stdout)["metadata"]
            return "deletionTimestamp" in meta and "foregroundDeletion" in meta.get("finalizers", [])

        wait_for(deleted, 90, message="job/short deleted after its TTL")

    def test_cronjob_fires_every_minute(self):
        cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
              "spec": {"schedule": "*/1 * * * *",
                       "jobTemplate": {"spec": {"template": pod_template()}}}}
        self.apply(cj)

        def fired():
            jobs = self.kubectl_json("get", "jobs")["items"]
            return [j for j in jobs
                    if any(r.get("kind") == "CronJob" and r.get("name") == "tick"
                           for r in j["metadata"].get("ownerReferences", []))]

        wait_for(lambda: fired(), 75, interval=1, message="CronJob tick started a Job")
        j = fired()[0]
        self.assertRegex(j["metadata"]["name"], r"^tick-\d+$")
        minutes = int(j["metadata"]["name"].split("-")[1])
        self.assertEqual(j["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"],
                         time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(minutes * 60)))
        self.kubectl("wait", "--for=condition=complete", "job/" + j["metadata"]["name"], "--timeout=90s",
                     timeout=100)
        wait_for(lambda: "lastSuccessfulTime" in self.kubectl_json("get", "cronjob", "tick").get("status", {}),
                 30, interval=0.5, message="cronjob status.lastSuccessfulTime")
        status = self.kubectl_json("get", "cronjob", "tick")["status"]
        self.assertIn("lastScheduleTime", status)
        self.kubectl("delete", "cronjob", "tick")

    def test_create_job_from_cronjob(self):
        cj = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
              "spec": {"schedule": "0 3 * * *", "timeZone": "Europe/Berlin",
                       "jobTemplate": {"spec": {"template": pod_template()}}}}
        self.apply(cj)
        self.kubectl("create", "job", "--from=cronjob/nightly", "nightly-manual")
        self.kubectl("wait", "--for=condition=complete", "job/nightly-manual", "--timeout=90s", timeout=100)


if __name__ == "__main__":
    unittest.main()
