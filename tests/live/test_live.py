#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Live capture: the real tshark and Wireshark capture while traffic happens,
and give the answers the saved file gives when it is opened afterwards.

A network namespace of the test's own, its loopback at MTU 1500. tcpdump
captures there (-U: each packet written at once) into a pipe; tee copies the
stream into the saved file and into FIFOs, which the capture programs read as
their interface (dumpcap reads a pipe without privileges):
  - `tshark -i FIFO -q -z tcpdiag -z tcpdiag,hosts` and `tshark -i FIFO -T
    fields ...`: their tables and per-packet fields must equal those of
    `tshark -r` on the saved file (single pass), and the tables those of
    `tshark -2 -r`;
  - Wireshark under Xvfb (`wireshark -i FIFO -k`, driven by
    tests/gui/test_gui.py --live over AT-SPI), with --gui.

The traffic comes in three phases, each while all the programs capture:
  a. a healthy request/response, a refused connect, a CLOSE_WAIT leak (the
     client half-closes, the server never closes), a zero window (the client
     stops reading for 3 s), an abort (SO_LINGER 0 mid-transfer), and a
     connection that stays open (its client holds it);
  b. the open connection closes (its client exits: FIN), one more healthy
     connection and one more refusal;
  end. tcpdump stops: the pipes end, and the captures with them.
After each phase the Wireshark driver reads the dialog (Copy) and the
Displayed count of each per-stream filter (test_gui.LIVE_FILTERS). Each must
equal what the saved file, cut where the phase ended, gives when opened:
the dialog the table of `tshark -q -z tcpdiag`, each count that of
`tshark -2 -Y FILTER`. The filter that finds TCP packets without the
stream's verdict is applied from the start (wireshark -Y) and again last in
each phase, and stays applied while the next phase's packets arrive: it
must show none.

Needs root (namespaces, tcpdump). Exit 77 (skip) only without root or
without the tools. Prints 'live: N passed, N failed' last.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "gui"))
from tshark_env import Checks, Tshark, parse_table  # noqa: E402
import test_gui  # noqa: E402

APP = os.path.join(ROOT, "test_captures", "tools", "tcpapp.py")
SKIP = 77
HOST = "127.0.0.1"
FIELDS = ["frame.number", "tcpdiag.stream", "tcpdiag.stream.conn_state",
          "tcpdiag.stream.handshake", "tcpdiag.stream.teardown", "tcpdiag.stream.diagnoses",
          "tcpdiag.finding", "tcpdiag.stall", "tcpdiag.retrans"]


def log(*a):
    print("[live %s]" % time.strftime("%H:%M:%S"), *a, flush=True)


class Net:
    """A network namespace of our own, held by a sleeping process, with lo
    up; every process started in it is killed at the end, and the namespace
    goes with the last. (nsenter, not `ip netns`: `ip netns exec` remounts
    /, which fails in a chroot, where tests/matrix.sh runs this.)"""

    def __init__(self):
        self.holder = subprocess.Popen(["unshare", "--net", "sleep", "3600"],
                                       start_new_session=True)
        self.procs = [self.holder]
        self.name = "the namespace of process %d" % self.holder.pid
        t0 = time.monotonic()
        while os.readlink("/proc/%d/ns/net" % self.holder.pid) == os.readlink("/proc/self/ns/net"):
            if time.monotonic() - t0 > 10 or self.holder.poll() is not None:
                raise RuntimeError("unshare --net did not start")
            time.sleep(0.05)
        self.prefix = ["nsenter", "-t", str(self.holder.pid), "-n"]
        self.ip("link", "set", "lo", "mtu", "1500")
        self.ip("link", "set", "lo", "up")

    def ip(self, *a):
        subprocess.run(self.prefix + ["ip"] + list(a), check=True)

    def spawn(self, args, **kw):
        p = subprocess.Popen(self.prefix + args, start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def run(self, args, timeout=60):
        return subprocess.run(self.prefix + args, timeout=timeout, capture_output=True, text=True)

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def server(net, *opts):
    ready = "/tmp/tdlive.%d.ready.%d" % (os.getpid(), len(net.procs))
    # no idle timeout: the held connection stays open until the test closes it
    p = net.spawn(["python3", APP, "server", "--addr", HOST, "--duration", "900", "--io-timeout", "900",
                   "--ready-file", ready] + list(opts),
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while not os.path.exists(ready) and time.monotonic() - t0 < 10 and p.poll() is None:
        time.sleep(0.05)
    if not os.path.exists(ready):
        raise RuntimeError("server %s did not start" % (opts,))
    os.unlink(ready)


def client(net, port, *opts, background=False):
    args = ["python3", APP, "client", "--host", HOST, "--port", str(port), "--allow-fail"] \
        + list(opts)
    if background:
        return net.spawn(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = net.run(args, timeout=60)
    log("client :%d %s -> %s" % (port, " ".join(opts), r.stdout.strip().splitlines()[-1:]))
    return r


def settle(path, quiet=1.5, timeout=60):
    """Wait until the saved file stops growing (the phase's packets are all
    written), and return its size."""
    last, since = -1, time.monotonic()
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        size = os.path.getsize(path)
        if size != last:
            last, since = size, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return size
        time.sleep(0.1)
    raise RuntimeError("the capture kept growing")


def packets_in(ts, path):
    rc, out, _ = ts.run("-r", path, "-T", "fields", "-e", "frame.number")
    return len(out.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--gui", action="store_true", help="also the real Wireshark under Xvfb")
    ap.add_argument("--keep", help="keep the saved captures and the GUI's results here")
    args = ap.parse_args()

    if os.geteuid() != 0:
        print("SKIP: the live test needs root (a network namespace, tcpdump)")
        return SKIP
    for tool in ("ip", "unshare", "nsenter", "tcpdump", "tee", "tshark") + (("wireshark", "Xvfb") if args.gui else ()):
        if not shutil.which(tool):
            print("FAIL: %s is missing (scripts/install-deps.sh test installs it)" % tool)
            return 1

    check = Checks()
    ts = Tshark(args.plugin)
    work = os.path.join(ts.home, "live")
    os.makedirs(work)
    control = os.path.join(work, "control")
    outdir = os.path.join(work, "out")
    os.makedirs(control)
    os.makedirs(outdir)
    for d in (work, control, outdir):
        ts._own(d)
    saved = os.path.join(work, "saved.pcap")
    fifos = {k: os.path.join(work, k + ".fifo") for k in ("table", "fields", "gui")}
    if not args.gui:
        del fifos["gui"]
    for f in fifos.values():
        os.mkfifo(f, 0o600)
        ts._own(f)

    net = Net()
    xvfb = driver = None
    readers = {}
    try:
        server(net, "--port", "8080")                       # closes on the client's EOF
        server(net, "--port", "8082", "--hold", "600")      # never closes: CLOSE_WAIT

        # The capture programs first: tee opens the FIFOs for writing only
        # once each has its reader.
        readers["table"] = subprocess.Popen(
            ts.prefix + ["env", "-i", "HOME=" + ts.home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                         "WIRESHARK_ABORT_ON_DISSECTOR_BUG=1", "WIRESHARK_PLUGIN_DIR="
                         + ts.plugin_dir, "tshark", "-i", fifos["table"], "-q", "-z", "tcpdiag",
                         "-z", "tcpdiag,hosts"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        fargs = ["-T", "fields", "-E", "occurrence=a"]
        for f in FIELDS:
            fargs += ["-e", f]
        readers["fields"] = subprocess.Popen(
            ts.prefix + ["env", "-i", "HOME=" + ts.home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                         "WIRESHARK_ABORT_ON_DISSECTOR_BUG=1", "WIRESHARK_PLUGIN_DIR="
                         + ts.plugin_dir, "tshark", "-l", "-i", fifos["fields"]] + fargs,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if args.gui:
            xvfb, display = test_gui.start_xvfb()
            if xvfb is None:
                print("SKIP: no X server could be started: the live GUI test did not run")
                return SKIP
            runtime = os.path.join(work, "run")
            os.mkdir(runtime, 0o700)
            ts._own(runtime)
            env = ["HOME=" + ts.home, "PATH=/usr/bin:/bin", "DISPLAY=:%d" % display,
                   "XDG_RUNTIME_DIR=" + runtime, "WIRESHARK_PLUGIN_DIR=" + ts.plugin_dir,
                   "WIRESHARK_ABORT_ON_DISSECTOR_BUG=1", "QT_ACCESSIBILITY=1",
                   "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1", "LANG=C.UTF-8"]
            driver = subprocess.Popen(
                ts.prefix + ["env", "-i"] + env + [
                    "dbus-run-session", "--", "/usr/bin/python3",
                    os.path.join(ROOT, "tests", "gui", "test_gui.py"), "--drive", fifos["gui"],
                    "--live", "--control", control, "--outdir", outdir,
                    "--session-timeout", "900"],
                cwd=ts.home, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                start_new_session=True)
        capture = net.spawn(["sh", "-c", "tcpdump -i lo -U -s 0 -w - 'tcp or icmp' 2>/dev/null"
                             " | tee %s %s > %s" % (saved, " ".join(
                                 v for k, v in fifos.items() if k != "table"), fifos["table"])])
        t0 = time.monotonic()
        while (not os.path.exists(saved) or os.path.getsize(saved) < 24) \
                and time.monotonic() - t0 < 60 and capture.poll() is None:
            time.sleep(0.1)
        time.sleep(1.0)  # tcpdump is listening once its header is out

        def phase_done(name):
            """Snapshot the saved file as the phase leaves it; tell the GUI
            driver and wait until it has read everything."""
            settle(saved)
            cut = os.path.join(work, "phase_%s.pcap" % name)
            shutil.copy(saved, cut)
            ts._own(cut)
            n = packets_in(ts, cut)
            log("phase %s: %d packets" % (name, n))
            if driver is not None:
                tmp = os.path.join(control, ".%s.json" % name)
                json.dump({"packets": n}, open(tmp, "w"))
                os.rename(tmp, os.path.join(control, name + ".json"))
                t1 = time.monotonic()
                while not os.path.exists(os.path.join(outdir, name + ".done")):
                    if driver.poll() is not None or time.monotonic() - t1 > 600:
                        if driver.poll() is None:
                            os.killpg(driver.pid, signal.SIGKILL)
                        dout, derr = driver.communicate()
                        raise RuntimeError("the GUI driver stopped in phase %s:\n%s" % (
                            name, "\n".join(l for l in (dout + derr).splitlines()
                                            if "dbus-daemon" not in l)[-4000:]))
                    time.sleep(0.5)
            return cut

        # phase a
        client(net, 8080, "--requests", "2", "--resp-size", "3000")           # healthy
        client(net, 8081)                                                      # refused
        client(net, 8082, "--resp-size", "600", "--hold", "0.2", "--close", "shutdown",
               "--timeout", "900", background=True)                            # CLOSE_WAIT
        client(net, 8080, "--resp-size", "200000", "--rcvbuf", "8192",
               "--read-pause", "3")                                            # zero window
        client(net, 8080, "--resp-size", "1000000", "--read-limit", "20000",
               "--close", "abort")                                             # abort
        held = client(net, 8080, "--resp-size", "500", "--hold", "900",
                      background=True)                                         # stays open
        time.sleep(1.0)
        cuts = [phase_done("a")]
        # phase b
        held.terminate()    # its socket closes when the process exits: a FIN
        held.wait(timeout=10)
        client(net, 8080, "--requests", "1", "--resp-size", "1500")
        client(net, 8081)
        cuts.append(phase_done("b"))
        # end: tcpdump stops, the pipes end
        settle(saved)
        os.killpg(capture.pid, signal.SIGINT)
        capture.wait(timeout=20)
        shutil.copy(saved, os.path.join(work, "phase_end.pcap"))
        cuts.append(os.path.join(work, "phase_end.pcap"))
        ts._own(cuts[-1])
        if driver is not None:
            json.dump({"packets": packets_in(ts, cuts[-1])},
                      open(os.path.join(control, "end.json"), "w"))

        outs = {}
        for k, p in readers.items():
            try:
                outs[k] = p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                outs[k] = p.communicate()
            check(p.returncode == 0, "tshark -i (%s) exit %s: %s" % (k, p.returncode,
                                                                     outs[k][1][-300:]))

        # tshark live against the saved file
        final = cuts[-1]
        _, live_rows = parse_table(outs["table"][0])
        _, live_hosts = parse_table(outs["table"][0], key="Host")
        rc, out, err = ts.run("-r", final, "-q", "-z", "tcpdiag", "-z", "tcpdiag,hosts")
        _, file_rows = parse_table(out)
        _, file_hosts = parse_table(out, key="Host")
        rc2, out2, _ = ts.run("-2", "-r", final, "-q", "-z", "tcpdiag", "-z", "tcpdiag,hosts")
        _, file_rows2 = parse_table(out2)
        _, file_hosts2 = parse_table(out2, key="Host")
        # the hosts table: the same rows live, from the saved file, and in two passes
        check(len(file_hosts) >= 3 and live_hosts == file_hosts,
              "tshark -i -z tcpdiag,hosts differs from the saved file:\n  live: %s\n  file: %s"
              % (live_hosts, file_hosts))
        check(file_hosts2 == file_hosts, "tshark -2 -z tcpdiag,hosts differs from a single pass")
        check(len(file_rows) >= 8, "the saved file has %d streams, expected 8" % len(file_rows))
        check(live_rows == file_rows, "tshark -i -z tcpdiag differs from the saved file:\n"
              "  live: %s\n  file: %s" % (live_rows, file_rows))
        check(file_rows2 == file_rows, "tshark -2 -z tcpdiag differs from a single pass")
        rc, out, _ = ts.run("-r", final, *fargs)
        check(outs["fields"][0] == out,
              "tshark -i -T fields differs from the saved file (%d and %d lines)"
              % (len(outs["fields"][0].splitlines()), len(out.splitlines())))
        codes = ",".join(r["Codes"] for r in file_rows)
        for want in ("handshake.rejected", "teardown.half_closed", "stall.zero_window",
                     "teardown.reset", "teardown.graceful"):
            check(want in codes, "the saved file's table lacks %s: %s" % (want, codes))
        log("tshark -i: %d streams, %d packets" % (len(live_rows), len(out.splitlines())))

        if driver is not None:
            try:
                dout, derr = driver.communicate(timeout=300)
            except subprocess.TimeoutExpired:
                os.killpg(driver.pid, signal.SIGKILL)
                dout, derr = driver.communicate()
            got = next((json.loads(line[len(test_gui.RESULT_MARK):])
                        for line in dout.splitlines()
                        if line.startswith(test_gui.RESULT_MARK)), None)
            wslog = os.path.join(outdir, os.path.basename(fifos["gui"]) + ".wireshark.log")
            wstext = open(wslog, errors="replace").read() if os.path.exists(wslog) else ""
            if check(got is not None, "the live GUI session failed (exit %s):\n%s"
                     % (driver.returncode, derr.strip()[-4000:])):
                check("Dissector bug" not in wstext and "CRITICAL" not in wstext,
                      "Wireshark reported a problem: %s" % wstext.strip()[-300:])
                for name, cut in zip(("a", "b", "end"), cuts):
                    rc, out, _ = ts.run("-r", cut, "-q", "-z", "tcpdiag")
                    _, want = parse_table(out)
                    _, rows = test_gui.parse_clipboard(got.get(name + "_copy", ""))
                    check(rows == want, "phase %s: the live dialog differs from the saved file:\n"
                          "  GUI:  %s\n  file: %s" % (name, rows, want))
                    for f, n in got.get(name + "_counts", {}).items():
                        rc, out, _ = ts.run("-2", "-r", cut, "-Y", f, "-T", "fields",
                                            "-e", "frame.number")
                        check(n == len(out.split()), "phase %s: filter %r shows %d packets live, "
                              "%d in the saved file" % (name, f, n, len(out.split())))
                    check(got.get(name + "_missing_live") == 0,
                          "phase %s: %s packets arrived without their stream's verdict"
                          % (name, got.get(name + "_missing_live")))
                    log("GUI phase %s: %d rows, filters %s" % (name, len(want),
                                                              got.get(name + "_counts")))
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for c in cuts:
                shutil.copy(c, args.keep)
    finally:
        for p in readers.values():
            if p.poll() is None:
                p.kill()
        if driver is not None and driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
        net.close()
        if xvfb is not None:
            test_gui.stop(xvfb)
        ts.cleanup()
    print("live: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
