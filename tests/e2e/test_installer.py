"""installer/install.sh from the checkout: installs kite, starts the server without systemd,
and the killall script stops it. Uses the existing build and temporary paths so the test
leaves the machine as it found it."""
import os
import shutil
import subprocess
import tempfile
import unittest

import kite_e2e
from kite_e2e import wait_for

INSTALL = os.path.join(kite_e2e.REPO, "installer", "install.sh")


class InstallerTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kite-e2e-install-")
        self.bin_dir = os.path.join(self.dir, "bin")
        self.kubeconfig = os.path.join(self.dir, "kite.yaml")
        self.pid_file = os.path.join(self.dir, "kite.pid")
        self.port = kite_e2e.free_port()
        self.env = dict(os.environ,
                        INSTALL_KITE_SKIP_BUILD="true",
                        INSTALL_KITE_BUILD_DIR=os.path.dirname(kite_e2e.KITE_BIN),
                        INSTALL_KITE_BIN_DIR=self.bin_dir,
                        INSTALL_KITE_LOG_FILE=os.path.join(self.dir, "kite.log"),
                        INSTALL_KITE_PID_FILE=self.pid_file,
                        INSTALL_KITE_EXEC="server --data-dir %s --bind-address 127.0.0.1 --https-listen-port %d "
                                          "--write-kubeconfig %s --disable-agent" % (os.path.join(self.dir, "data"), self.port,
                                                                     self.kubeconfig),
                        HOME=self.dir)

    def tearDown(self):
        # Stop whatever the installer started, by its pid file.
        if os.path.exists(self.pid_file):
            with open(self.pid_file) as f:
                pid = int(f.read().strip())
            try:
                os.kill(pid, 15)
                wait_for(lambda: not os.path.exists("/proc/%d" % pid) or self._zombie(pid), 30)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def _zombie(pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().split()[2] == "Z"
        except OSError:
            return True

    def test_install_start_and_killall(self):
        r = subprocess.run(["bash", INSTALL], env=self.env, capture_output=True, text=True, timeout=180)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("kite server is ready", r.stdout)
        for tool in ["kite", "kite-killall.sh", "kite-uninstall.sh"]:
            self.assertTrue(os.access(os.path.join(self.bin_dir, tool), os.X_OK), tool)
        out = subprocess.run(["kubectl", "get", "ns", "-o", "name"], env=dict(self.env, KUBECONFIG=self.kubeconfig),
                             capture_output=True, text=True, timeout=30)
        self.assertIn("namespace/kube-system", out.stdout)
        # `kite kubectl` uses the kubeconfig kite wrote.
        out = subprocess.run([os.path.join(self.bin_dir, "kite"), "kubectl", "get", "ns", "default", "-o", "name"],
                             env=dict(self.env, KITE_KUBECONFIG_OUTPUT=self.kubeconfig), capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "namespace/default", out.stderr)
        token = subprocess.run([os.path.join(self.bin_dir, "kite"), "token", "--data-dir",
                                os.path.join(self.dir, "data")], capture_output=True, text=True, timeout=10)
        self.assertTrue(token.stdout.startswith("K10"), token.stdout + token.stderr)
        with open(self.pid_file) as f:
            pid = int(f.read().strip())
        r = subprocess.run([os.path.join(self.bin_dir, "kite-killall.sh")], env=self.env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_for(lambda: self._zombie(pid), 30, message="kite stopped by kite-killall.sh")
        self.assertFalse(os.path.exists(self.pid_file))


if __name__ == "__main__":
    unittest.main()
