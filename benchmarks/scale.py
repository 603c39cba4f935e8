#!/root/.pyenv/versions/3.11.7/bin/python3.11
"""Scale run (issue 8): N containers running `sleep` at once, started by pyrunc, then all deleted.

Run as root:  benchmarks/scale.py [-n 1000] [--json FILE] [--pyrunc BIN]

Reports the time per container (create + start, and delete --force), the memory per container (sum of
the inits' PSS, and the kernel-visible drop of MemAvailable, both divided by N), how `list`, `state` and
`create` times grow with 10, 100, ... existing containers, and then checks that nothing is left: no state
directory, no cgroup under our parent (in every hierarchy), no mount that mentions our files, no process.
Every container gets linux.cgroupsPath /pyrunc-scale-<random>/<id>; the parent is removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the sibling module: process, bundle and cleanup helpers)

SAMPLES = 5  # per probe (list/state/create) at each checkpoint


def meminfo_kib(key: str) -> int:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


class Scale(bench.Bench):
    def __init__(self, opts: argparse.Namespace) -> None:
        super().__init__(opts)
        self.cg_parent = "pyrunc-scale-" + self.cg_parent.rsplit("-", 1)[1]
        self.pids: dict[str, int] = {}
        self.start_failures: list[str] = []
        self.delete_failures: list[str] = []

    def start_one(self, rt: bench.Runtime, cid: str) -> tuple[float, float]:
        b = self.bundle(rt, cid, bench.SLEEP_ARGS)
        pidfile = os.path.join(b, "pid")
        self.live[rt.name].add((rt.root, cid))
        c, _, _ = self.cmd(rt, ["create", "-b", b, "--pid-file", pidfile, cid])
        pid = self.pidfile_read(pidfile)
        s, code, _ = self.cmd(rt, ["start", cid], check=False)
        if code != 0:
            # counted and reported, the run goes on: one lost container must not void the others
            with open(self.errfile, errors="replace") as f:
                err = f.read().strip()[-200:]
            self.start_failures.append(f"{cid} (init {pid}, alive: {os.path.exists(f'/proc/{pid}')}): {err}")
            self.reaper.expect(pid)
            self.cmd(rt, ["delete", "--force", cid])
            self.live[rt.name].discard((rt.root, cid))
            return c, -1.0
        self.pids[cid] = pid
        return c, s

    def force_delete(self, rt: bench.Runtime, cid: str) -> float:
        """delete --force; a failure is counted and reported, and a second delete must then succeed."""
        d, code, _ = self.cmd(rt, ["delete", "--force", cid], check=False)
        if code != 0:
            with open(self.errfile, errors="replace") as f:
                self.delete_failures.append(f"{cid}: {f.read().strip()[-200:]}")
            d += self.cmd(rt, ["delete", "--force", cid])[0]
        return d

    def probe(self, rt: bench.Runtime, existing: int) -> dict:
        """Median list/state/create times with `existing` containers running."""
        lst = [self.cmd(rt, ["list"])[0] for _ in range(SAMPLES)]
        some = sorted(self.pids)[len(self.pids) // 2]
        st = [self.cmd(rt, ["state", some])[0] for _ in range(SAMPLES)]
        cr = []
        for i in range(SAMPLES):
            cid = f"probe{existing}-{i}"
            b = self.bundle(rt, cid, bench.SLEEP_ARGS)
            pidfile = os.path.join(b, "pid")
            self.live[rt.name].add((rt.root, cid))
            cr.append(self.cmd(rt, ["create", "-b", b, "--pid-file", pidfile, cid])[0])
            self.reaper.expect(self.pidfile_read(pidfile))
            self.force_delete(rt, cid)
            self.live[rt.name].discard((rt.root, cid))
        return {"existing": existing, "list_ms": ms(lst), "state_ms": ms(st), "create_ms": ms(cr)}

    def scale(self, n: int) -> dict:
        rt = self.runtimes[0]
        checkpoints = sorted({c for c in (10, 100, 1000) if c <= n} | {n})
        mem0 = meminfo_kib("MemAvailable")
        probes = []
        creates: list[float] = []
        starts: list[float] = []
        t0 = time.monotonic()
        i = 0
        while len(self.pids) < n and len(self.start_failures) <= max(10, n // 20):
            c, s = self.start_one(rt, f"c{i}")
            i += 1
            creates.append(c)
            if s < 0:
                continue
            starts.append(s)
            if len(self.pids) in checkpoints:
                probes.append(self.probe(rt, len(self.pids)))
                print(f"# {len(self.pids)} running, {time.monotonic() - t0:.0f} s: {probes[-1]}",
                      file=sys.stderr)
        up_wall = time.monotonic() - t0
        if len(self.pids) < n:
            raise bench.CommandFailed(f"too many failed starts: {self.start_failures[:3]}")
        time.sleep(1)  # let deferred kernel work (RCU frees) settle before reading MemAvailable
        mem1 = meminfo_kib("MemAvailable")
        charged = self.charged_kib()
        pss = [bench._pss_kib(p) for p in self.pids.values()]
        uss = [bench._uss_kib(p) for p in self.pids.values()]
        alive = sum(1 for p in self.pids.values() if os.path.exists(f"/proc/{p}"))
        # delete them all, one by one, as an engine would (running: --force)
        dels = []
        self.reaper.reap_all = True
        t1 = time.monotonic()
        for cid, pid in sorted(self.pids.items()):
            self.reaper.expect(pid)
            dels.append(self.force_delete(rt, cid))
            self.live[rt.name].discard((rt.root, cid))
        down_wall = time.monotonic() - t1
        self.reaper.sweep()
        return {
            "n": len(self.pids),
            "start_failures": self.start_failures,
            "alive_after_start": alive,
            "up_wall_s": round(up_wall, 1),
            "per_container_up_ms": round(up_wall * 1000 / n, 1),
            "create_ms": ms(creates), "start_ms": ms(starts),
            "down_wall_s": round(down_wall, 1),
            "per_container_delete_ms": round(down_wall * 1000 / n, 1),
            "delete_force_ms": ms(dels),
            "delete_force_failed_first": self.delete_failures,
            "init_pss_sum_mib": round(sum(pss) / 1024, 1),
            "init_pss_per_container_kib": round(sum(pss) / n, 1),
            "init_private_per_container_kib": round(sum(uss) / n, 1),
            "cgroup_charged_kib_per_container": {k: round(v / n, 1) for k, v in charged.items()},
            "memavailable_drop_mib": round((mem0 - mem1) / 1024, 1),
            "memavailable_drop_per_container_kib": round((mem0 - mem1) / n, 1),
            "probes": probes,
        }

    def charged_kib(self) -> dict[str, int]:
        """Memory charged to our parent cgroup (all containers): user + kernel, and kernel alone. Unlike
        MemAvailable it does not move with the rest of a busy host."""
        out: dict[str, int] = {}
        for root in bench.cgroup_roots():
            top = os.path.join(root, self.cg_parent)
            for name, key in (("memory.usage_in_bytes", "total"), ("memory.kmem.usage_in_bytes", "kernel"),
                              ("memory.current", "total")):
                try:
                    with open(os.path.join(top, name)) as f:
                        out.setdefault(key, int(f.read()) // 1024)
                except (OSError, ValueError):
                    pass
        return out

    def leftovers(self) -> list[str]:
        """What a clean run must not leave (checked after teardown)."""
        left: list[str] = []
        if not self.runtimes:
            return left
        root = self.runtimes[0].root
        if os.path.isdir(root):
            names = [x for x in os.listdir(root) if not x.startswith(".")]
            if names:
                left.append(f"state dirs: {names[:5]} ({len(names)})")
        for cgroot in bench.cgroup_roots():
            if os.path.exists(os.path.join(cgroot, self.cg_parent)):
                left.append(f"cgroup {cgroot}/{self.cg_parent}")
        with open("/proc/self/mountinfo") as f:
            mounts = [line for line in f if self.tmp in line]
        if mounts:
            left.append(f"mounts: {len(mounts)}")
        procs = [p for p in self.pids.values() if os.path.exists(f"/proc/{p}")]
        if procs:
            left.append(f"processes: {procs[:5]} ({len(procs)})")
        return left


def ms(vals: list[float]) -> dict:
    v = sorted(x * 1000 for x in vals)
    if len(v) > 1:
        q = statistics.quantiles(v, n=10, method="inclusive")
        p10, p90 = q[0], q[8]
    else:
        p10 = p90 = v[0]
    return {"median": round(statistics.median(v), 1), "p10": round(p10, 1), "p90": round(p90, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-n", "--count", type=int, default=1000)
    p.add_argument("--pyrunc", default=bench.default_pyrunc())
    p.add_argument("--jobs", type=int, default=4, help="parallel deletes in the cleanup of a failed run")
    p.add_argument("--json", help="also write the results here")
    opts = p.parse_args(argv)
    if os.geteuid() != 0:
        print("scale.py must run as root", file=sys.stderr)
        return 2
    opts.pyrunc = os.path.abspath(opts.pyrunc)
    opts.runtimes = "pyrunc"
    opts.rss_rounds = 0
    if bench._libc.prctl(bench.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cannot become a child subreaper", file=sys.stderr)
        return 2
    bench.signal.signal(bench.signal.SIGTERM, lambda *_: sys.exit(143))
    sc = Scale(opts)
    res: dict = {"machine": bench.machine(), "load_before": bench._loadavg(),
                 "memavailable_before_mib": meminfo_kib("MemAvailable") // 1024}
    try:
        sc.setup_bundles()
        sc.setup_runtimes()
        res.update(sc.scale(opts.count))
        res["load_after"] = bench._loadavg()
    finally:
        bench.signal.signal(bench.signal.SIGINT, bench.signal.SIG_IGN)
        tmp = sc.tmp
        left = sc.teardown()  # deletes whatever a failure left, removes our cgroup parent and files
        sc.tmp = tmp
        left += sc.leftovers()
        bench.signal.signal(bench.signal.SIGINT, bench.signal.default_int_handler)
    res["left_behind"] = left
    res["teardown_retried"] = sc.retried
    print_report(res)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(res, f, indent=1)
    return 1 if left else 0


def print_report(res: dict) -> None:
    m = res["machine"]
    print(f"machine: {m['cpus']} cpus, {m['memtotal']}, Linux {m['kernel']}, cgroups {m['cgroups']}; "
          f"load {res['load_before']} -> {res.get('load_after', '?')}")
    if "n" not in res:
        print(f"scale run did not complete; left behind: {res['left_behind']}")
        return
    n = res["n"]
    print(f"{n} containers running `sleep` at once (alive after start: {res['alive_after_start']})")
    print(f"  up:   {res['up_wall_s']} s, {res['per_container_up_ms']} ms per container "
          f"(create median {res['create_ms']['median']} ms, start median {res['start_ms']['median']} ms)")
    print(f"  down: {res['down_wall_s']} s, {res['per_container_delete_ms']} ms per container "
          f"(delete --force median {res['delete_force_ms']['median']} ms)")
    if res["start_failures"]:
        print(f"  start failed (container deleted, another one made): {len(res['start_failures'])}: "
              + " | ".join(res["start_failures"][:3]))
    if res["delete_force_failed_first"]:
        print(f"  delete --force failed first (then succeeded): {len(res['delete_force_failed_first'])}, "
              f"e.g. {res['delete_force_failed_first'][0]}")
    print(f"  memory: inits' PSS {res['init_pss_sum_mib']} MiB "
          f"({res['init_pss_per_container_kib']} KiB each, "
          f"private {res['init_private_per_container_kib']} KiB); "
          f"MemAvailable drop {res['memavailable_drop_mib']} MiB "
          f"({res['memavailable_drop_per_container_kib']} KiB per container, machine-wide); charged to the "
          f"containers' cgroups per container: "
          + ", ".join(f"{k} {v} KiB" for k, v in res["cgroup_charged_kib_per_container"].items()))
    print(f"  {'existing':>8} {'list ms':>10} {'state ms':>10} {'create ms':>10}")
    for pr in res["probes"]:
        print(f"  {pr['existing']:>8} {pr['list_ms']['median']:>10} {pr['state_ms']['median']:>10} "
              f"{pr['create_ms']['median']:>10}")
    print("  left behind: " + ("nothing (state dirs, cgroups, mounts, processes checked)"
                               if not res["left_behind"] else "; ".join(res["left_behind"])))


if __name__ == "__main__":
    sys.exit(main())
