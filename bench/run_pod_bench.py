#!/usr/bin/python3
"""Pod startup benchmark (see bench/README.md): kite against the raw CRI baseline and `ctr run`,
side by side in one run, on one node with its image present.

A one-node cluster (server + agent in their own network namespace, tests/e2e/kite_cluster.py).
Phases, each measured for kite (create -> Running as seen by a watch), for kite-cri-bench
(RunPodSandbox + CreateContainer + StartContainer on the agent's containerd, as many threads as
the agent has pod workers) and, for single and burst, `ctr run -d`:
  single  10 pods one after another
  steady  5 pods/s for 20 s (100 pods)
  burst   100 pods at once
plus the agent's RSS and CPU, idle and with 30 pods running (containerd and shims not counted).

Run as root:  /usr/bin/python3 bench/run_pod_bench.py [--quick]   (KITE_BIN=<build>/kite)
Prints a Markdown table; --json FILE also writes the raw figures.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
os.environ.setdefault("KITE_BIN", os.path.join(ROOT, "build", "kite"))
import kite_cluster  # noqa: E402
from kite_cluster import KiteCluster, NodeSpec  # noqa: E402

IMAGE = "kite.local/busybox:1.35"
NS = "bench"
AGENT_WORKERS = 4  # PodManagerOptions::workers
CRI_BENCH = os.path.join(os.path.dirname(os.environ["KITE_BIN"]), "bench", "kite-cri-bench")
TICK = os.sysconf("SC_CLK_TCK")


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))]


def summary(latencies_ms, wall_ms=None):
    out = {"n": len(latencies_ms), "p50": pct(latencies_ms, 50), "p99": pct(latencies_ms, 99),
           "max": max(latencies_ms) if latencies_ms else float("nan")}
    if wall_ms is not None:
        out["wall_ms"] = wall_ms
    return out


def proc_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().split(")")[-1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def agent_usage(pid, seconds):
    cpu0, t0 = proc_cpu_s(pid), time.monotonic()
    time.sleep(seconds)
    cpu1, t1 = proc_cpu_s(pid), time.monotonic()
    return {"rss_mb": proc_rss_kb(pid) / 1024.0, "cpu_pct": 100.0 * (cpu1 - cpu0) / (t1 - t0)}


class PodWatcher:
    """Watches the bench namespace; remembers when each pod was first seen Running."""

    def __init__(self, cluster):
        self.running = {}
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            [kite_cluster.KUBECTL, "get", "pods", "-n", NS, "--watch", "--output-watch-events", "-o", "json"],
            env=cluster.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        decoder = json.JSONDecoder()
        buf = ""
        for line in self.proc.stdout:
            buf += line
            while buf.strip():
                try:
                    event, end = decoder.raw_decode(buf.lstrip())
                except ValueError:
                    break
                buf = buf.lstrip()[end:]
                pod = event.get("object", {})
                if pod.get("status", {}).get("phase") == "Running":
                    name = pod["metadata"]["name"]
                    with self.cond:
                        if name not in self.running:
                            self.running[name] = time.monotonic()
                            self.cond.notify_all()

    def wait(self, names, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not all(n in self.running for n in names):
                left = deadline - time.monotonic()
                if left <= 0:
                    missing = [n for n in names if n not in self.running]
                    raise AssertionError("pods not Running after %ds: %s" % (timeout, missing[:5]))
                self.cond.wait(left)
            return {n: self.running[n] for n in names}

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def pod_manifest(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS},
            "spec": {"terminationGracePeriodSeconds": 1, "automountServiceAccountToken": False,
                     "containers": [{"name": "c", "image": IMAGE, "imagePullPolicy": "IfNotPresent",
                                     "command": ["sleep", "3600"]}]}}


class KitePods:
    """Creates pods through the API (python-kubernetes, one client per thread)."""

    def __init__(self, cluster):
        from kubernetes import client, config
        self.cluster = cluster
        self.local = threading.local()
        self.client, self.config = client, config
        self.seq = 0

    def api(self):
        if not hasattr(self.local, "api"):
            cfg = self.client.Configuration()
            self.config.load_kube_config(config_file=self.cluster.kubeconfig, client_configuration=cfg)
            self.local.api = self.client.CoreV1Api(self.client.ApiClient(cfg))
        return self.local.api

    def create(self, name):
        t = time.monotonic()
        self.api().create_namespaced_pod(NS, pod_manifest(name))
        return t

    def names(self, prefix, n):
        self.seq += 1
        return ["%s-%d-%03d" % (prefix, self.seq, i) for i in range(n)]


def delete_all_and_settle(cluster, sock):
    cluster.kubectl("delete", "pods", "-n", NS, "--all", "--grace-period=0", "--force", "--wait=false",
                    check=False, timeout=120)

    def runtime_empty():
        out = subprocess.run(["ctr", "--address", sock, "-n", "k8s.io", "containers", "ls", "-q"],
                             capture_output=True, text=True).stdout.split()
        return not out
    kite_cluster.wait_until(runtime_empty, 180, "the agent removing the bench pods")
    time.sleep(2)


def kite_phase(cluster, pods, watcher, kind, n, rate=None):
    names = pods.names(kind, n)
    created = {}
    start = time.monotonic()
    if kind == "single":
        for name in names:
            created[name] = pods.create(name)
            watcher.wait([name], 60)
    else:
        with ThreadPoolExecutor(max_workers=8) as pool:
            def create_at(i, name):
                if rate:
                    time.sleep(max(0.0, start + i / rate - time.monotonic()))
                created[name] = pods.create(name)
            list(pool.map(lambda a: create_at(*a), enumerate(names)))
    seen = watcher.wait(names, 300)
    lat = [(seen[n] - created[n]) * 1000 for n in names]
    wall = (max(seen.values()) - start) * 1000
    return summary(lat, wall)


def cri_phase(sock, log_dir, n, parallel, rate=None):
    argv = [CRI_BENCH, "--endpoint", "unix://" + sock, "--pods", str(n), "--parallel", str(parallel),
            "--image", IMAGE, "--log-dir", log_dir, "--cgroup-parent", "/kite-bench-cri"]
    if rate:
        argv += ["--rate", str(rate)]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise AssertionError("kite-cri-bench failed: %s %s" % (r.stdout, r.stderr))
    res = json.loads(r.stdout.strip().splitlines()[-1])
    return summary(res["latencies_ms"], res["wall_ms"])


def ctr_phase(sock, n, parallel):
    ids = ["ctr-bench-%d-%03d" % (os.getpid(), i) for i in range(n)]

    def run_one(cid):
        t = time.monotonic()
        subprocess.run(["ctr", "--address", sock, "-n", "k8s.io", "run", "-d", IMAGE, cid, "sleep", "3600"],
                       check=True, capture_output=True, timeout=120)
        return (time.monotonic() - t) * 1000
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            lat = list(pool.map(run_one, ids))
        wall = (time.monotonic() - start) * 1000
    finally:
        for cid in ids:
            subprocess.run(["ctr", "--address", sock, "-n", "k8s.io", "task", "kill", "-s", "KILL", cid],
                           capture_output=True)
        time.sleep(1)
        for cid in ids:
            subprocess.run(["ctr", "--address", sock, "-n", "k8s.io", "task", "rm", "-f", cid], capture_output=True)
            subprocess.run(["ctr", "--address", sock, "-n", "k8s.io", "containers", "rm", cid], capture_output=True)
    return summary(lat, wall)


def fmt(v):
    return "%.0f" % v if v == v else "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller phases (a smoke run)")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--phases", default="single,steady,burst,loaded",
                    help="comma-separated subset of single,steady,burst,loaded")
    args = ap.parse_args()
    single_n, steady_s, burst_n, loaded_n = (3, 4, 20, 10) if args.quick else (10, 20, 100, 30)
    phases = set(args.phases.split(","))

    c = KiteCluster(nodes=[NodeSpec("s0")], agent_args=["--kubelet-arg", "max-pods=250"]).start()
    results = {}
    try:
        node = c.nodes["s0"]
        sock = os.path.join(node.state_dir, "containerd.sock")
        agent_pid = node.agent.pid
        log_dir = os.path.join(c.workdir, "cri-bench-logs")
        c.kubectl("create", "namespace", NS)
        kite_cluster.wait_until(lambda: c.kubectl("get", "sa", "default", "-n", NS, check=False).returncode == 0,
                                30, "default service account")
        time.sleep(5)
        results["agent_idle"] = agent_usage(agent_pid, 10)
        watcher = PodWatcher(c)
        pods = KitePods(c)
        try:
            # Warm-up: one pod through each path (first sandbox of the node sets up the bridge).
            kite_phase(c, pods, watcher, "single", 1)
            delete_all_and_settle(c, sock)
            cri_phase(sock, log_dir, 1, 1)

            if "single" in phases:
                results["single"] = {"kite": kite_phase(c, pods, watcher, "single", single_n)}
                delete_all_and_settle(c, sock)
                results["single"]["cri"] = cri_phase(sock, log_dir, single_n, 1)
                results["single"]["ctr"] = ctr_phase(sock, single_n, 1)
            if "steady" in phases:
                n = steady_s * 5
                results["steady"] = {"kite": kite_phase(c, pods, watcher, "steady", n, rate=5)}
                delete_all_and_settle(c, sock)
                results["steady"]["cri"] = cri_phase(sock, log_dir, n, AGENT_WORKERS, rate=5)
            if "burst" in phases:
                results["burst"] = {"kite": kite_phase(c, pods, watcher, "burst", burst_n)}
                delete_all_and_settle(c, sock)
                results["burst"]["cri"] = cri_phase(sock, log_dir, burst_n, AGENT_WORKERS)
                results["burst"]["ctr"] = ctr_phase(sock, burst_n, AGENT_WORKERS)
            if "loaded" in phases:
                kite_phase(c, pods, watcher, "loaded", loaded_n)
                time.sleep(5)
                results["agent_%d_pods" % loaded_n] = agent_usage(agent_pid, 10)
                delete_all_and_settle(c, sock)
        finally:
            watcher.close()
    finally:
        c.stop()

    print("| phase | path | pods | p50 ms | p99 ms | max ms | all Running after ms |")
    print("|---|---|---|---|---|---|---|")
    for phase in ("single", "steady", "burst"):
        for path in ("kite", "cri", "ctr"):
            r = results.get(phase, {}).get(path)
            if r:
                print("| %s | %s | %d | %s | %s | %s | %s |" % (phase, path, r["n"], fmt(r["p50"]), fmt(r["p99"]),
                                                           fmt(r["max"]), fmt(r.get("wall_ms", float("nan")))))
    for key in sorted(k for k in results if k.startswith("agent_")):
        print("%s: RSS %.1f MB, CPU %.1f %%" % (key, results[key]["rss_mb"], results[key]["cpu_pct"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
