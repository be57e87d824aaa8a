"""pods/log, exec and port-forward through kite's API server with the REAL kubectl (1.32:
WebSocket v5 for exec, WebSocket-tunnelled SPDY for port-forward).

The node agent is a FAKE written here (`FakeAgent`): an HTTPS server on 127.0.0.1 speaking the
kubelet paths (/containerLogs, /exec, /portForward) with its own small SPDY/3.1 implementation
(Python zlib with the SPDY/3 dictionary). /exec runs the command on this machine as if it were
the container. So this checks kubectl <-> kite (WebSocket, v5 channels, translation to SPDY,
validation) and kite <-> a SPDY peer; the real agent + containerd path is tested elsewhere.
"""
import itertools
import json
import os
import re
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from kite_e2e import KUBECTL, KiteTestCase, REPO, wait_for  # noqa: E402


def _spdy_dictionary():
    with open(os.path.join(REPO, "base", "stream", "spdy_dictionary.cpp")) as f:
        text = f.read()
    body = text[text.index("kSpdyDictionary[] = {"):]
    return bytes(int(h, 16) for h in re.findall(r"0x([0-9a-f]{2})", body))


SPDY_DICT = _spdy_dictionary()


class SpdyPeer:
    """Server side of a SPDY/3 connection on a socket (no flow control, like spdystream)."""

    def __init__(self, sock):
        self.sock = sock
        self.inflate = zlib.decompressobj(zdict=SPDY_DICT)
        self.deflate = zlib.compressobj(zdict=SPDY_DICT)
        self.buf = b""
        self.lock = threading.Lock()

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                return False
            self.buf += chunk
        return True

    def read_frame(self):
        if not self._need(8):
            return None
        length = struct.unpack(">I", self.buf[4:8])[0] & 0xFFFFFF
        flags = self.buf[4]
        if not self._need(8 + length):
            return None
        head, body = self.buf[:8], self.buf[8:8 + length]
        self.buf = self.buf[8 + length:]
        if head[0] & 0x80:
            ftype = struct.unpack(">H", head[2:4])[0]
            frame = {"control": True, "type": ftype, "flags": flags}
            if ftype == 1:  # SYN_STREAM
                frame["id"] = struct.unpack(">I", body[0:4])[0] & 0x7FFFFFFF
                frame["headers"] = self._headers(body[10:])
            elif ftype in (2, 8):
                frame["id"] = struct.unpack(">I", body[0:4])[0] & 0x7FFFFFFF
                frame["headers"] = self._headers(body[4:])
            elif ftype == 6:
                frame["ping"] = body
            elif ftype == 3:
                frame["id"] = struct.unpack(">I", body[0:4])[0] & 0x7FFFFFFF
            return frame
        sid = struct.unpack(">I", head[0:4])[0] & 0x7FFFFFFF
        return {"control": False, "id": sid, "flags": flags, "data": body}

    def _headers(self, block):
        plain = self.inflate.decompress(block)
        n = struct.unpack(">I", plain[:4])[0]
        at, out = 4, {}
        for _ in range(n):
            ln = struct.unpack(">I", plain[at:at + 4])[0]
            name = plain[at + 4:at + 4 + ln].decode()
            at += 4 + ln
            lv = struct.unpack(">I", plain[at:at + 4])[0]
            out[name] = plain[at + 4:at + 4 + lv].decode()
            at += 4 + lv
        return out

    def _send(self, data):
        with self.lock:
            try:
                self.sock.sendall(data)
            except OSError:
                pass

    def syn_reply(self, sid):
        with self.lock:
            block = struct.pack(">I", 0)
            z = self.deflate.compress(block) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
            body = struct.pack(">I", sid) + z
            data = struct.pack(">HHI", 0x8003, 2, len(body)) + body
            try:
                self.sock.sendall(data)
            except OSError:
                pass

    def data(self, sid, payload, fin=False):
        self._send(struct.pack(">II", sid, ((1 if fin else 0) << 24) | len(payload)) + payload)

    def raw(self, frame_bytes):
        self._send(frame_bytes)


class FakeAgent:
    """HTTPS on 127.0.0.1 with kubelet's streaming paths; records what it was asked."""

    def __init__(self, workdir, ca_cert, ca_key):
        # The API server checks agents' serving certificates against the server CA, as it does
        # for the certificates real agents get when they join.
        self.cert = os.path.join(workdir, "agent.crt")
        self.key = os.path.join(workdir, "agent.key")
        ext = os.path.join(workdir, "san.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        csr = os.path.join(workdir, "agent.csr")
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-subj", "/CN=fake-agent", "-keyout", self.key, "-out", csr],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
                        "-days", "1", "-extfile", ext, "-out", self.cert], check=True, capture_output=True)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(self.cert, self.key)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.requests = []
        self.resizes = []  # data received on exec resize streams
        self.log_follow_closed = threading.Event()
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.stop = True
        self.listener.close()

    def _accept(self):
        while not self.stop:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        try:
            sock = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(4096)
                if not chunk:
                    return
                head += chunk
            head, rest = head.split(b"\r\n\r\n", 1)
            lines = head.decode().split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                k, v = line.split(":", 1)
                headers.setdefault(k.strip().lower(), []).append(v.strip())
            url = urllib.parse.urlsplit(target)
            query = urllib.parse.parse_qs(url.query)
            self.requests.append((method, url.path, query, headers))
            if url.path.startswith("/containerLogs/"):
                self._logs(sock, query)
            elif url.path.startswith("/exec/"):
                self._exec(sock, query, headers)
            elif url.path.startswith("/portForward/"):
                self._port_forward(sock, headers)
            else:
                sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _logs(self, sock, query):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
        for line in (b"line 1\n", b"line 2\n"):
            sock.sendall(b"%x\r\n%s\r\n" % (len(line), line))
        if query.get("follow") == ["true"]:
            # Keep the stream open until the API server goes away.
            while sock.recv(1024):
                pass
            self.log_follow_closed.set()
            return
        sock.sendall(b"0\r\n\r\n")

    def _upgrade(self, sock, protocol):
        sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                      "X-Stream-Protocol-Version: %s\r\n\r\n" % protocol).encode())
        return SpdyPeer(sock)

    def _exec(self, sock, query, headers):
        protocols = ",".join(headers.get("x-stream-protocol-version", [])).split(",")
        if "v4.channel.k8s.io" not in [p.strip() for p in protocols]:
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nno protocol")
            return
        peer = self._upgrade(sock, "v4.channel.k8s.io")
        want = {"error"} | {name for flag, name in (("input", "stdin"), ("output", "stdout"), ("error", "stderr"))
                            if query.get(flag) == ["1"]}
        if query.get("tty") == ["1"]:
            want |= {"resize"}
        streams, pending = {}, []
        while set(streams) != want:
            f = peer.read_frame()
            if f is None:
                return
            if f["control"] and f["type"] == 1:
                streams[f["headers"]["streamtype"]] = f["id"]
                peer.syn_reply(f["id"])
            else:
                pending.append(f)
        ids = {v: k for k, v in streams.items()}
        proc = subprocess.Popen(query["command"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)

        def pump(src, name):
            while True:
                data = src.read1(65536)
                if not data:
                    return
                if name in streams:
                    peer.data(streams[name], data)
        pumps = [threading.Thread(target=pump, args=(proc.stdout, "stdout")),
                 threading.Thread(target=pump, args=(proc.stderr, "stderr"))]
        for t in pumps:
            t.start()

        def feed():
            for f in itertools.chain(pending, iter(peer.read_frame, None)):
                if f["control"]:
                    if f["type"] == 6:  # echo pings
                        peer.raw(struct.pack(">HHI", 0x8003, 6, 4) + f["ping"])
                    continue
                if ids.get(f["id"]) == "resize":
                    self.resizes.append(f["data"])
                if ids.get(f["id"]) == "stdin":
                    try:
                        if f["data"]:
                            proc.stdin.write(f["data"])
                            proc.stdin.flush()
                        if f["flags"] & 1:
                            proc.stdin.close()
                    except (BrokenPipeError, ValueError):
                        pass
        threading.Thread(target=feed, daemon=True).start()
        if "stdin" not in streams:
            proc.stdin.close()
        code = proc.wait()
        for t in pumps:
            t.join()
        if code == 0:
            status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}
        else:
            status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": "command terminated with non-zero exit code: exit status %d" % code,
                      "reason": "NonZeroExitCode",
                      "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
        peer.data(streams["error"], json.dumps(status).encode(), fin=True)
        for name in ("stdout", "stderr"):
            if name in streams:
                peer.data(streams[name], b"", fin=True)
        # GOAWAY, then close.
        peer.raw(struct.pack(">HHIII", 0x8003, 7, 8, 0, 0))

    def _port_forward(self, sock, headers):
        peer = self._upgrade(sock, "portforward.k8s.io")
        conns = {}  # data stream id -> socket to the "container" port
        while True:
            f = peer.read_frame()
            if f is None:
                break
            if f["control"]:
                if f["type"] == 1:
                    h = f["headers"]
                    peer.syn_reply(f["id"])
                    if h.get("streamtype") == "data":
                        target = socket.create_connection(("127.0.0.1", int(h["port"])))
                        conns[f["id"]] = target

                        def back(sid=f["id"], s=target):
                            while True:
                                try:
                                    data = s.recv(65536)
                                except OSError:
                                    return
                                if not data:
                                    peer.data(sid, b"", fin=True)
                                    return
                                peer.data(sid, data)
                        threading.Thread(target=back, daemon=True).start()
                elif f["type"] == 6:
                    peer.raw(struct.pack(">HHI", 0x8003, 6, 4) + f["ping"])
                continue
            target = conns.get(f["id"])
            if target is not None:
                if f["data"]:
                    target.sendall(f["data"])
                if f["flags"] & 1:
                    target.shutdown(socket.SHUT_WR)


class EchoServer:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return

            def echo(c=c):
                with c:
                    while True:
                        d = c.recv(65536)
                        if not d:
                            return
                        c.sendall(b"echo:" + d)
            threading.Thread(target=echo, daemon=True).start()


class StreamingProxyTest(KiteTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_dir = tempfile.mkdtemp(prefix="kite-fake-agent-")
        tls = os.path.join(cls.server.data_dir, "server", "tls")
        cls.agent = FakeAgent(cls.agent_dir, os.path.join(tls, "server-ca.crt"), os.path.join(tls, "server-ca.key"))
        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        dead_port = dead.getsockname()[1]
        dead.close()  # nothing listens there: an unreachable agent
        for node_name, port in (("fake-node", cls.agent.port), ("dead-node", dead_port)):
            node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node_name}}
            cls.server.kubectl("create", "-f", "-", input=json.dumps(node))
            status = {"status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
                                 "daemonEndpoints": {"kubeletEndpoint": {"Port": port}}}}
            cls.server.kubectl("patch", "node", node_name, "--subresource=status", "--type=merge",
                               "-p", json.dumps(status))
        for name, containers, node_name in (("one", ["main"], "fake-node"), ("two", ["a", "b"], "fake-node"),
                                            ("unscheduled", ["main"], ""), ("stranded", ["main"], "dead-node")):
            pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                   "spec": {"containers": [{"name": c, "image": "busybox"} for c in containers]}}
            if node_name:
                pod["spec"]["nodeName"] = node_name
            cls.server.kubectl("create", "-f", "-", input=json.dumps(pod))
            cls.server.kubectl("patch", "pod", name, "--subresource=status", "--type=merge",
                               "-p", json.dumps({"status": {"phase": "Running"}}))

    @classmethod
    def tearDownClass(cls):
        cls.agent.close()
        import shutil
        shutil.rmtree(cls.agent_dir, ignore_errors=True)
        super().tearDownClass()

    def test_logs(self):
        r = self.kubectl("logs", "one", "--tail=5", "--timestamps")
        self.assertEqual(r.stdout, "line 1\nline 2\n")
        method, path, query, _ = self.agent.requests[-1]
        self.assertEqual(path, "/containerLogs/default/one/main")
        self.assertEqual(query.get("tailLines"), ["5"])
        self.assertEqual(query.get("timestamps"), ["true"])

    def test_logs_follow_streams_until_client_leaves(self):
        p = subprocess.Popen([KUBECTL, "logs", "-f", "one"], stdout=subprocess.PIPE, text=True,
                             env=self.server.env())
        try:
            self.assertEqual(p.stdout.readline(), "line 1\n")
            self.assertEqual(p.stdout.readline(), "line 2\n")
        finally:
            p.kill()
            p.wait()
        wait_for(self.agent.log_follow_closed.is_set, 20, message="agent log stream closed after the client left")

    def test_validation_errors(self):
        r = self.kubectl("logs", "two", "-c", "nope", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("container nope is not valid for pod two", r.stderr)
        r = self.kubectl("get", "--raw", "/api/v1/namespaces/default/pods/two/log", check=False)
        self.assertIn("a container name must be specified for pod two, choose one of: [a b]", r.stderr)
        r = self.kubectl("logs", "unscheduled", check=False)
        self.assertIn("pod unscheduled does not have a host assigned", r.stderr)
        r = self.kubectl("logs", "stranded", check=False)
        self.assertIn("error dialing the node agent on dead-node", r.stderr)
        r = self.kubectl("exec", "stranded", "--", "true", check=False)
        self.assertIn("error dialing the node agent on dead-node", r.stderr)
        r = self.kubectl("logs", "missing", check=False)
        self.assertIn('pods "missing" not found', r.stderr)

    def test_exec_output_and_exit_code(self):
        r = self.kubectl("exec", "one", "--", "sh", "-c", "echo out; echo err >&2; exit 3", check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertEqual(r.stdout, "out\n")
        self.assertIn("err\n", r.stderr)
        method, path, query, _ = self.agent.requests[-1]
        self.assertEqual(path, "/exec/default/one/main")
        self.assertEqual(query["command"], ["sh", "-c", "echo out; echo err >&2; exit 3"])
        r = self.kubectl("exec", "one", "--", "true")
        self.assertEqual(r.returncode, 0)

    def test_exec_tty_sends_terminal_size(self):
        # `kubectl exec -it` under a pseudo-terminal (script(1)): tty=1 and a resize stream.
        # The command outlives the first resize message: kubectl sends the size as the session
        # starts, and a command that ends at once can close the streams before it arrives.
        cmd = "stty cols 91 rows 33; %s exec -it one -- sh -c 'sleep 1; echo tty-ok'" % KUBECTL
        # script's stdin stays open (EOF there would end the terminal session early).
        p = subprocess.Popen(["script", "-qec", cmd, "/dev/null"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=self.server.env())
        try:
            out = p.stdout.read().decode(errors="replace")
            self.assertEqual(p.wait(timeout=60), 0, out)
        finally:
            p.stdin.close()
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertIn("tty-ok", out)
        method, path, query, _ = self.agent.requests[-1]
        self.assertEqual(query.get("tty"), ["1"])
        self.assertNotIn("error", query)
        wait_for(lambda: any(b'"Width":91' in d and b'"Height":33' in d for d in self.agent.resizes), 20,
                 message="terminal size on the resize stream")

    def test_cp_both_ways(self):
        # kubectl cp runs tar in the "container" (here: this machine, in a temporary directory).
        d = tempfile.mkdtemp(prefix="kite-cp-")
        try:
            src = os.path.join(d, "src.txt")
            with open(src, "w") as f:
                f.write("payload\n" * 1000)
            os.mkdir(os.path.join(d, "in-pod"))
            self.kubectl("cp", src, "one:%s/in-pod/copied.txt" % d, "-c", "main")
            with open(os.path.join(d, "in-pod", "copied.txt")) as f:
                self.assertEqual(f.read(), "payload\n" * 1000)
            back = os.path.join(d, "back.txt")
            self.kubectl("cp", "one:%s/in-pod/copied.txt" % d, back, "-c", "main")
            with open(back) as f:
                self.assertEqual(f.read(), "payload\n" * 1000)
        finally:
            import shutil
            shutil.rmtree(d, ignore_errors=True)

    def test_exec_over_spdy_is_spliced(self):
        # kubectl's SPDY path (its fallback): kite splices the bytes to the agent's SPDY upgrade.
        env = {"KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"}
        r = self.kubectl("exec", "-i", "one", "--", "sh", "-c", "cat; exit 4", input="via spdy\n", check=False,
                         env=env)
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertEqual(r.stdout, "via spdy\n")

    def test_exec_stdin_reaches_eof(self):
        # `cat` ends only when stdin is closed: the v5 close-channel becomes a SPDY half-close.
        data = "".join("row %d\n" % i for i in range(2000))
        r = self.kubectl("exec", "-i", "one", "-c", "main", "--", "sh", "-c", "cat; echo done", input=data,
                         timeout=60)
        self.assertEqual(r.stdout, data + "done\n")

    def test_python_client_stream_v4(self):
        # python-kubernetes speaks v4.channel.k8s.io over WebSocket.
        from kubernetes import client, config
        from kubernetes.stream import stream
        api = client.CoreV1Api(config.new_client_from_config(self.server.kubeconfig))
        out = stream(api.connect_get_namespaced_pod_exec, "one", "default", command=["sh", "-c", "echo from-python"],
                     stderr=True, stdin=False, stdout=True, tty=False)
        self.assertEqual(out, "from-python\n")
        resp = stream(api.connect_get_namespaced_pod_exec, "one", "default", command=["sh", "-c", "exit 7"],
                      stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
        resp.run_forever(timeout=30)
        self.assertEqual(resp.returncode, 7)

    def test_port_forward(self):
        self._port_forward({})

    def test_port_forward_over_spdy(self):
        self._port_forward({"KUBECTL_PORT_FORWARD_WEBSOCKETS": "false"})

    def _port_forward(self, extra_env):
        echo = EchoServer()
        p = subprocess.Popen([KUBECTL, "port-forward", "pod/one", ":%d" % echo.port], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(self.server.env(), **extra_env))
        try:
            line = p.stdout.readline()
            m = re.search(r"127\.0\.0\.1:(\d+) ->", line)
            self.assertIsNotNone(m, line + p.stderr.read() if p.poll() is not None else line)
            with socket.create_connection(("127.0.0.1", int(m.group(1))), timeout=20) as s:
                s.sendall(b"hello")
                got = b""
                while len(got) < len(b"echo:hello"):
                    chunk = s.recv(100)
                    if not chunk:
                        break
                    got += chunk
            self.assertEqual(got, b"echo:hello")
        finally:
            p.kill()
            p.wait()


if __name__ == "__main__":
    unittest.main()
