"""core/v1 and events.k8s.io/v1 Events are one stored object seen in two shapes."""
import json
import unittest

import kite_e2e


class EventsTest(kite_e2e.KiteTestCase):

    def test_core_event_is_visible_as_events_v1_and_back(self):
        self.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "web-0.started", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "web-0", "namespace": "default"},
            "reason": "Started", "message": "Started container web", "type": "Normal",
            "source": {"component": "kubelet"}, "count": 2,
            "firstTimestamp": "2026-11-22T05:00:00Z", "lastTimestamp": "2026-11-22T05:01:00Z"}))
        v1 = self.kubectl_json("get", "events.v1.events.k8s.io", "web-0.started", "-n", "default")
        self.assertEqual(v1["apiVersion"], "events.k8s.io/v1")
        self.assertEqual(v1["note"], "Started container web")
        self.assertEqual(v1["regarding"]["name"], "web-0")
        self.assertEqual(v1["deprecatedCount"], 2)
        self.assertNotIn("message", v1)
        names = self.kubectl("get", "events.v1.events.k8s.io", "-n", "default", "-o", "name",
                             "--field-selector", "regarding.name=web-0").stdout.split()
        self.assertEqual(names, ["event.events.k8s.io/web-0.started"])

        # Written through events.k8s.io/v1, read through core/v1.
        self.kubectl("apply", "-f", "-", input=json.dumps({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "db-0.pulled", "namespace": "default"},
            "eventTime": "2026-11-22T05:02:00.000000Z", "reportingController": "kite-agent",
            "reportingInstance": "node-a", "action": "Pull", "reason": "Pulled", "type": "Normal",
            "regarding": {"kind": "Pod", "name": "db-0", "namespace": "default"},
            "note": "Pulled image"}))
        core = self.kubectl_json("get", "event", "db-0.pulled", "-n", "default")
        self.assertEqual(core["apiVersion"], "v1")
        self.assertEqual(core["message"], "Pulled image")
        self.assertEqual(core["involvedObject"]["name"], "db-0")
        self.assertEqual(core["reportingComponent"], "kite-agent")
        names = self.kubectl("get", "events", "-n", "default", "-o", "name",
                             "--field-selector", "involvedObject.name=db-0").stdout.split()
        self.assertEqual(names, ["event/db-0.pulled"])
        self.kubectl("delete", "events.v1.events.k8s.io", "db-0.pulled", "-n", "default")
        self.assertNotEqual(self.kubectl("get", "event", "db-0.pulled", "-n", "default", check=False).returncode, 0)


if __name__ == "__main__":
    unittest.main()
