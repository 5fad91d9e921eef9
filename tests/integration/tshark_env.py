# SPDX-License-Identifier: GPL-2.0-or-later
"""Run the real tshark with the freshly built tcpdiag plugin.

tshark ignores personal plugin directories and WIRESHARK_PLUGIN_DIR when it
runs as root (PLATFORM.md), so as root every tshark runs as an unprivileged
user. The plugin goes into a private plugin directory named by
WIRESHARK_PLUGIN_DIR, which replaces the global one: a tcpdiag installed
globally (scripts/demo.sh as root) is then not loaded a second time. Captures
are copied into the private HOME so that user can read them.
"""
import concurrent.futures
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading

WS_ABI = None


def wireshark_abi():
    """'4.0' for Wireshark 4.0.x, read from tshark itself."""
    global WS_ABI
    if WS_ABI is None:
        out = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout
        version = out.split()[2]  # "TShark (Wireshark) 4.0.17 (...)"
        WS_ABI = ".".join(version.split(".")[:2])
    return WS_ABI


class Tshark:
    def __init__(self, plugin):
        self.home = tempfile.mkdtemp(prefix="tcpdiag-test-")
        os.chmod(self.home, 0o755)
        self.plugin_dir = os.path.join(self.home, "plugins")
        plugdir = os.path.join(self.plugin_dir, wireshark_abi(), "epan")
        os.makedirs(plugdir)
        shutil.copy(plugin, plugdir)
        self.captures = os.path.join(self.home, "captures")
        os.makedirs(self.captures)
        self.prefix = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("nobody")
            for root, dirs, files in os.walk(self.home):
                for name in dirs + files:
                    os.chown(os.path.join(root, name), user.pw_uid, user.pw_gid)
            os.chown(self.home, user.pw_uid, user.pw_gid)
            self.prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
            self.uid, self.gid = user.pw_uid, user.pw_gid
        else:
            self.uid = self.gid = None

    def add_capture(self, path, name=None):
        dest = os.path.join(self.captures, name or os.path.basename(path))
        shutil.copy(path, dest)
        self._own(dest)
        return dest

    def write_capture(self, name, data):
        dest = os.path.join(self.captures, name)
        with open(dest, "wb") as f:
            f.write(data)
        self._own(dest)
        return dest

    def _own(self, path):
        if self.uid is not None:
            os.chown(path, self.uid, self.gid)

    def run(self, *args, timeout=300, extra_env=None, wrapper=()):
        """Run tshark (under wrapper, e.g. valgrind, if given); returns
        (returncode, stdout, stderr)."""
        env = {
            "HOME": self.home,
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "WIRESHARK_ABORT_ON_DISSECTOR_BUG": "1",
            "WIRESHARK_PLUGIN_DIR": self.plugin_dir,
        }
        env.update(extra_env or {})
        cmd = self.prefix + ["env", "-i"] + ["%s=%s" % kv for kv in env.items()] + list(wrapper) + ["tshark"] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
        return p.returncode, p.stdout, p.stderr

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


def jobs():
    """How many tshark (or Wireshark) sessions run side by side: TCPDIAG_TEST_JOBS,
    else one per CPU this process may use. Each session is a single-threaded
    process, and most runs are short, so their start-up dominates: side by
    side they use every core (CI has 90 minutes for three releases)."""
    n = os.environ.get("TCPDIAG_TEST_JOBS")
    return max(1, int(n)) if n else max(1, len(os.sched_getaffinity(0)))


def parallel(fn, items, workers=None):
    """[fn(item) for item in items], jobs() at a time; results in the items'
    order; the first exception is raised (after every call has ended)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers or jobs()) as pool:
        return list(pool.map(fn, items))


class Checks:
    """Counts checks; prints each failure as it happens. Thread-safe: checks
    run in parallel() workers."""

    def __init__(self):
        self.passed = self.failed = 0
        self._lock = threading.Lock()

    def __call__(self, ok, what):
        with self._lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                print("FAIL: " + what, flush=True)
        return ok


def split_table(stdout):
    """(what tshark printed per packet, the -z table printed after it): the
    table starts at its first line of '='."""
    m = re.search(r"^=====", stdout, re.M)
    return (stdout[:m.start()], stdout[m.start():]) if m else (stdout, "")


def parse_table(stdout, key="Stream"):
    """Rows of `tshark -z tcpdiag` (key "Stream") or `-z tcpdiag,hosts` (key
    "Host"), in print order, as {column name: stripped cell}; the first such
    table of stdout."""
    rows = []
    header = None
    for line in stdout.splitlines():
        if "|" not in line:
            if header and line.startswith("====="):
                break
            continue
        cells = [c.strip() for c in line.split("|")[:-1]]
        if key in cells and "Codes" in cells:
            header = cells
            continue
        if header and len(cells) == len(header):
            rows.append(dict(zip(header, cells)))
    return header, rows


def codes_of(row):
    """The set of diagnosis codes in a table row ("-" when none)."""
    return frozenset(c for c in row["Codes"].split(",") if c and c != "-")
