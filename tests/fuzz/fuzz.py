#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fuzz tcpdiag the way Wireshark's tools/fuzz-test.sh fuzzes dissectors.

The plugin is built with -fsanitize=address,undefined (tests/fuzz/build.sh)
and run inside the distribution's tshark, which is not instrumented: the
sanitizer runtimes are preloaded, the extcap helpers are hidden (they
deadlock under the preload), and every report aborts:
ASAN_OPTIONS=abort_on_error=1, UBSAN_OPTIONS=halt_on_error=1,
WIRESHARK_ABORT_ON_DISSECTOR_BUG=1.

Each mutated capture is made from a source capture (the bundled ones and
../shared/realworld) by one mutation:
  corrupt   editcap -E (random bytes changed; Wireshark's own fuzzer)
  snaplen   editcap -s (frames cut to 34-120 bytes)
  drop      1-5 frames removed
  dup       1-5 frames sent twice
  swap      1-5 pairs of neighbours swapped
  merge     two captures merged by time
  ts_back   timestamps that go backwards
  collide   the capture replayed after itself: every 4-tuple again
and run twice: single pass (-O tcpdiag -z tcpdiag) and two passes (-2 ...).
Checked on every file:
  - no sanitizer report, crash, hang or dissector bug. A failure that also
    happens with --disable-protocol tcpdiag is Wireshark's own: counted,
    not failed (packet-tls.c has some);
  - the -z tcpdiag table is identical in both modes.
Failing inputs are kept in --keep; put them in tests/fuzz/regressions/, which
is run first on every run.

Usage: fuzz.py --plugin build-asan/tcpdiag.so --seconds 240 --seed 1 SOURCES...
"""
import argparse
import collections
import concurrent.futures
import glob
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from tshark_env import Tshark, parse_table  # noqa: E402

SUFFIXES = (".pcap", ".pcapng", ".cap", ".trace", ".dmp")
MUTATIONS = ("corrupt", "snaplen", "drop", "dup", "swap", "merge", "ts_back", "collide")
# Sources larger than this are skipped: a run must stay a few seconds.
MAX_SOURCE_BYTES = 1_500_000
TIMEOUT = 120  # a hang: no source takes a tenth of it


def runtime_lib(name):
    out = subprocess.run(["gcc", "-print-file-name=" + name], capture_output=True, text=True)
    path = out.stdout.strip()
    return path if os.path.isabs(path) and os.path.exists(path) else None


# ------------------------------------------------------------ classic pcap
class Pcap:
    """A classic pcap file: its header and its records (ts_sec, ts_frac, orig_len, data)."""

    def __init__(self, header, endian, records):
        self.header, self.endian, self.records = header, endian, records

    @staticmethod
    def read(path):
        with open(path, "rb") as f:
            data = f.read()
        if len(data) < 24:
            return None
        magic = data[:4]
        endian = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
                  b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
        if not endian:
            return None
        records, off = [], 24
        while off + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
            if off + 16 + incl > len(data):
                break
            records.append([sec, frac, orig, data[off + 16:off + 16 + incl]])
            off += 16 + incl
        return Pcap(data[:24], endian, records)

    def linktype(self):
        return struct.unpack(self.endian + "I", self.header[20:24])[0]

    def frac_per_sec(self):
        return 1_000_000_000 if self.header[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") \
            else 1_000_000

    def write(self, path, records=None):
        with open(path, "wb") as f:
            f.write(self.header)
            for sec, frac, orig, data in (self.records if records is None else records):
                f.write(struct.pack(self.endian + "IIII", sec % (1 << 32), frac, len(data),
                                    max(orig, len(data))))
                f.write(data)


def as_pcap(source, tmp):
    """The source as a classic pcap (editcap converts pcapng with one link
    type), or None."""
    p = Pcap.read(source)
    if p:
        return p
    out = os.path.join(tmp, "conv.pcap")
    r = subprocess.run(["editcap", "-F", "pcap", source, out], capture_output=True)
    return Pcap.read(out) if r.returncode == 0 else None


def shift(rec, seconds, per_sec):
    """A copy of rec moved by seconds (may be negative)."""
    total = rec[0] * per_sec + rec[1] + int(seconds * per_sec)
    total = max(total, 0)
    return [total // per_sec, total % per_sec, rec[2], rec[3]]


def mutate(kind, source, other, rnd, tmp, out):
    """Write a mutated capture of source to out; False if the mutation does
    not apply to it."""
    if kind == "corrupt":
        prob = rnd.choice([0.002, 0.01, 0.03, 0.1])
        r = subprocess.run(["editcap", "-E", str(prob), "--seed", str(rnd.randrange(1 << 30)),
                            source, out], capture_output=True)
        return r.returncode == 0
    if kind == "snaplen":
        r = subprocess.run(["editcap", "-s", str(rnd.choice([34, 40, 54, 60, 66, 74, 80, 120])),
                            source, out], capture_output=True)
        return r.returncode == 0
    p = as_pcap(source, tmp)
    if not p or len(p.records) < 2:
        return False
    recs = [list(r) for r in p.records]
    n = len(recs)
    per_sec = p.frac_per_sec()
    if kind == "drop":
        for _ in range(min(rnd.randint(1, 5), n - 1)):
            del recs[rnd.randrange(len(recs))]
    elif kind == "dup":
        for _ in range(rnd.randint(1, 5)):
            i = rnd.randrange(len(recs))
            recs.insert(i + 1, list(recs[i]))
    elif kind == "swap":
        for _ in range(rnd.randint(1, 5)):
            i = rnd.randrange(n - 1)
            recs[i], recs[i + 1] = recs[i + 1], recs[i]
    elif kind == "ts_back":
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(1, n)
            recs[i] = shift(recs[i - 1], -rnd.choice([0.000001, 0.01, 0.5, 5.0, 100.0]), per_sec)
    elif kind == "collide":
        # The capture again, later: every 4-tuple and sequence number reused.
        first, last = recs[0], recs[-1]
        span = (last[0] - first[0]) + (last[1] - first[1]) / per_sec
        gap = span + rnd.choice([0.0, 0.001, 1.0, 30.0, 200.0])
        recs = recs + [shift(r, gap, per_sec) for r in recs]
    elif kind == "merge":
        q = as_pcap(other, tmp) if other else None
        if not q or q.linktype() != p.linktype() or q.frac_per_sec() != per_sec or not q.records:
            return False
        # Moved so that the two overlap, then merged by time.
        move = (recs[0][0] - q.records[0][0]) + rnd.uniform(-1.0, 1.0) * max(
            1.0, recs[-1][0] - recs[0][0])
        recs = recs + [shift(r, move, per_sec) for r in q.records]
        recs.sort(key=lambda r: (r[0], r[1]))
    p.write(out, recs)
    return True


# ------------------------------------------------------------ running
SANITIZER_MARKS = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "UndefinedBehaviorSanitizer")


def problem_of(rc, out, err):
    """What went wrong in a run, or None. rc 2 (and 14 on 4.6) is tshark's
    'bad file' for a cut or corrupted file."""
    text = out + err
    if any(m in err for m in SANITIZER_MARKS):
        line = next(l for l in err.splitlines() if any(m in l for m in SANITIZER_MARKS))
        return "sanitizer: " + line.strip()[:200]
    if "Dissector bug" in text:
        line = next(l for l in text.splitlines() if "Dissector bug" in l)
        return "dissector bug: " + line.strip()[:200]
    if rc is None:
        return "hang (over %d s)" % TIMEOUT
    if rc < 0:
        return "crash: signal %d" % -rc
    if rc not in (0, 2, 14):
        return "exit %d: %s" % (rc, err.strip()[-200:])
    return None


class Runner:
    def __init__(self, plugin):
        self.ts = Tshark(plugin)
        extcap = os.path.join(self.ts.home, "no-extcap")
        os.makedirs(extcap)
        libs = [l for l in (runtime_lib("libasan.so"), runtime_lib("libubsan.so")) if l]
        self.env = {
            "LD_PRELOAD": ":".join(libs),
            # tshark itself leaks by design at exit; only tcpdiag is checked.
            "ASAN_OPTIONS": "abort_on_error=1:halt_on_error=1:detect_leaks=0:"
                            "allocator_may_return_null=1:handle_abort=1",
            "UBSAN_OPTIONS": "halt_on_error=1:abort_on_error=1:print_stacktrace=1",
            "WIRESHARK_EXTCAP_DIR": extcap,
        }
        self.instrumented = bool(libs) and self.sanitized(plugin) and self.loaded()

    @staticmethod
    def sanitized(plugin):
        out = subprocess.run(["nm", "-D", plugin], capture_output=True, text=True).stdout
        return "__asan_" in out and "__ubsan_" in out

    def loaded(self):
        """The instrumented plugin loads under the preload (else tshark would
        run without it, and every check would pass)."""
        rc, out, err = self.ts.run("-G", "plugins", extra_env=self.env)
        return rc == 0 and any("tcpdiag" in l and self.ts.plugin_dir in l
                               for l in out.splitlines())

    def run(self, path, *args):
        try:
            rc, out, err = self.ts.run("-r", path, *args, timeout=TIMEOUT, extra_env=self.env)
        except subprocess.TimeoutExpired:
            return None, "", ""
        return rc, out, err

    def check(self, path):
        """(problem, tcpdiag's) for one file: problem is None when clean."""
        # -O tcpdiag: every packet's tcpdiag tree is drawn, only it is printed.
        r1 = self.run(path, "-O", "tcpdiag", "-z", "tcpdiag", "-z", "tcpdiag,hosts")
        r2 = self.run(path, "-2", "-O", "tcpdiag", "-z", "tcpdiag", "-z", "tcpdiag,hosts")
        for r in (r1, r2):
            problem = problem_of(*r)
            if problem:
                # Wireshark's own bug, if it happens without tcpdiag too.
                mode = [] if r is r1 else ["-2"]
                base = self.run(path, *mode, "-O", "tcpdiag", "--disable-protocol", "tcpdiag")
                return problem, problem_of(*base) is None
        if r1[0] == 0 and r2[0] == 0:
            _, rows1 = parse_table(r1[1])
            _, rows2 = parse_table(r2[1])
            if rows1 != rows2:
                diff = next((a, b) for a, b in zip(rows1 + [None] * len(rows2),
                                                   rows2 + [None] * len(rows1)) if a != b)
                return "modes differ: single %s / -2 %s" % (
                    summary(diff[0]), summary(diff[1])), True
            if parse_table(r1[1], key="Host")[1] != parse_table(r2[1], key="Host")[1]:
                return "the hosts table differs between single pass and -2", True
        return None, False

    def cleanup(self):
        self.ts.cleanup()


def summary(row):
    if not row:
        return "(no row)"
    return "stream %s %s %s %s [%s]" % (row.get("Stream"), row.get("Severity"), row.get("State"),
                                       row.get("Codes"), row.get("Diagnosis", "")[:120])


def sources_in(paths):
    found = []
    for p in paths:
        for root, dirs, files in os.walk(p):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                if name.endswith(SUFFIXES) and 0 < os.path.getsize(path) <= MAX_SOURCE_BYTES:
                    found.append(path)
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True, help="tcpdiag.so built by tests/fuzz/build.sh")
    ap.add_argument("--seconds", type=float, default=240, help="time budget for new mutations")
    ap.add_argument("--count", type=int, default=0, help="stop after this many mutated files")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2)))
    ap.add_argument("--keep", default="fuzz-failures", help="where failing inputs are kept")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--regressions", action="append",
                    help="folders of inputs run first, every run (default: tests/fuzz/"
                         "regressions and test_captures/damaged)")
    ap.add_argument("sources", nargs="+")
    args = ap.parse_args()

    if not args.regressions:
        args.regressions = [os.path.join(here, "regressions"),
                            os.path.join(here, "..", "..", "test_captures", "damaged")]
    runner = Runner(args.plugin)
    if not runner.instrumented:
        print("fuzz: %s is not built with -fsanitize=address,undefined, the runtimes are "
              "missing, or tshark does not load it under the preload" % args.plugin)
        return 1
    sources = sources_in(args.sources)
    rnd = random.Random(args.seed)
    os.makedirs(args.keep, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="tcpdiag-fuzz-")
    counts = collections.Counter()
    wireshark_own = collections.Counter()
    failures = []
    interrupted = []

    pool = concurrent.futures.ThreadPoolExecutor(args.jobs)

    def one(label, kind, path):
        problem, ours = runner.check(path)
        return label, kind, path, problem, ours

    def record(fut):
        label, kind, path, problem, ours = fut.result()
        counts[kind] += 1
        if problem and ours:
            kept = os.path.join(args.keep, os.path.basename(path))
            shutil.copy(path, kept)
            failures.append((label, problem, kept))
            print("FAIL %s: %s (kept %s)" % (label, problem, kept), flush=True)
        elif problem:
            wireshark_own[kind] += 1
            print("Wireshark's own (also with tcpdiag disabled) %s: %s" % (label, problem),
                  flush=True)

    try:
        # The kept reproducers first, every run.
        futs = []
        for path in sorted(p for d in args.regressions for p in glob.glob(os.path.join(d, "*"))):
            if path.endswith(SUFFIXES):
                dest = runner.ts.add_capture(path, "reg-" + os.path.basename(path))
                futs.append(pool.submit(one, "regression " + os.path.basename(path),
                                        "regression", dest))
        for f in futs:
            record(f)
        start = time.monotonic()
        made = 0
        pending = collections.deque()

        def stop(*_):
            interrupted.append(True)
        # SIGINT or SIGTERM ends a long run early, with its counts.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not interrupted and ((args.count and made < args.count) or (
                not args.count and time.monotonic() - start < args.seconds)):
            source = rnd.choice(sources)
            kind = rnd.choice(MUTATIONS)
            other = rnd.choice(sources)
            name = "m%06d-%s-%s" % (made, kind, os.path.basename(source).split(".")[0][:40])
            work = os.path.join(tmp, name + ".pcap")
            mtmp = os.path.join(tmp, "w")
            os.makedirs(mtmp, exist_ok=True)
            if not mutate(kind, source, other, rnd, mtmp, work):
                continue
            dest = runner.ts.add_capture(work, name + ".pcap")
            os.unlink(work)
            made += 1
            if made % 1000 == 0:
                print("fuzz: %d mutated captures, %d failures, %.0f s" % (
                    made, len(failures), time.monotonic() - start), flush=True)
            pending.append(pool.submit(one, "%s (%s of %s)" % (name, kind, source), kind, dest))
            while len(pending) >= args.jobs * 2:
                f = pending.popleft()
                record(f)
                os.unlink(f.result()[2])
        while pending:
            f = pending.popleft()
            record(f)
    finally:
        pool.shutdown(wait=True)
        runner.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)

    total = sum(v for k, v in counts.items() if k != "regression")
    print("fuzz: %d mutated captures from %d sources (seed %d), %d regression inputs"
          % (total, len(sources), args.seed, counts["regression"]))
    for kind in ("regression",) + MUTATIONS:
        bad = sum(1 for f in failures if ("(%s of" % kind) in f[0] or
                  (kind == "regression" and f[0].startswith("regression")))
        print("  %-10s %6d files, %d tcpdiag failures, %d Wireshark's own (also without tcpdiag)"
              % (kind, counts[kind], bad, wireshark_own[kind]))
    if interrupted:
        print("fuzz: stopped early by a signal")
    print("fuzz: %d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
