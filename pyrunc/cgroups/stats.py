"""Resource usage in the shape of runc's `events --stats` data (omitting what runc omits when zero)."""

from __future__ import annotations

import os

from . import fs


def _nz(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (0, None, [], {})}


def _entry(usage: int, limit: int, maxv: int, failcnt: int) -> dict:
    out = {"limit": limit, "failcnt": failcnt}
    if usage:
        out["usage"] = usage
    if maxv:
        out["max"] = maxv
    return out


def _u64(value: int) -> int:
    # v1 reports "unlimited" as a huge number, v2 as "max" (read as -1): runc shows 2^64-1 for both.
    return 0xFFFFFFFFFFFFFFFF if value < 0 else value


def _cpuset_list(text: str) -> list[int]:
    out: list[int] = []
    for part in text.strip().split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def _blkio_v1(d: str, name: str) -> list[dict]:
    out = []
    for line in fs.read_or(f"{d}/blkio.{name}").splitlines():
        fields = line.split()
        if len(fields) == 3 and ":" in fields[0]:
            major, minor = fields[0].split(":")
            out.append(
                _nz({"major": int(major), "minor": int(minor), "op": fields[1], "value": int(fields[2])})
            )
        elif len(fields) == 2 and ":" in fields[0]:
            major, minor = fields[0].split(":")
            out.append(_nz({"major": int(major), "minor": int(minor), "value": int(fields[1])}))
    return out


def v1_stats(dirs: dict[str, str]) -> dict:
    data: dict = {}
    cpu: dict = {}
    d = dirs.get("cpuacct")
    if d:
        percpu = [int(x) for x in fs.read_or(d + "/cpuacct.usage_percpu").split()]
        total = fs.read_int(d + "/cpuacct.usage")
        st = fs.read_keyed(d + "/cpuacct.stat")
        tick_ns = 10_000_000  # USER_HZ = 100
        usage = _nz({"total": total, "percpu": percpu})
        usage["kernel"] = st.get("system", 0) * tick_ns
        usage["user"] = st.get("user", 0) * tick_ns
        cpu["usage"] = usage
    d = dirs.get("cpu")
    if d:
        st = fs.read_keyed(d + "/cpu.stat")
        throttling = _nz(
            {
                "periods": st.get("nr_periods", 0),
                "throttled_periods": st.get("nr_throttled", 0),
                "throttled_time": st.get("throttled_time", 0),
            }
        )
        if throttling:
            cpu["throttling"] = throttling
    data["cpu"] = cpu
    d = dirs.get("cpuset")
    data["cpuset"] = (
        _nz(
            {
                "cpus": _cpuset_list(fs.read_or(d + "/cpuset.cpus")),
                "mems": _cpuset_list(fs.read_or(d + "/cpuset.mems")),
            }
        )
        if d
        else {}
    )
    d = dirs.get("memory")
    mem: dict = {}
    if d:
        raw = fs.read_keyed(d + "/memory.stat")
        mem["cache"] = raw.get("total_cache", raw.get("cache", 0))
        for key, prefix in (
            ("usage", "memory"),
            ("swap", "memory.memsw"),
            ("kernel", "memory.kmem"),
            ("kernelTCP", "memory.kmem.tcp"),
        ):
            if os.path.exists(f"{d}/{prefix}.usage_in_bytes"):
                mem[key] = _entry(
                    fs.read_int(f"{d}/{prefix}.usage_in_bytes"),
                    _u64(fs.read_int(f"{d}/{prefix}.limit_in_bytes")),
                    fs.read_int(f"{d}/{prefix}.max_usage_in_bytes"),
                    fs.read_int(f"{d}/{prefix}.failcnt"),
                )
        mem["raw"] = raw
    data["memory"] = _nz(mem)
    d = dirs.get("pids")
    data["pids"] = (
        _nz({"current": fs.read_int(d + "/pids.current"), "limit": _u64(fs.read_int(d + "/pids.max", -1))})
        if d
        else {}
    )
    d = dirs.get("blkio")
    blkio: dict = {}
    if d:
        for key, name in (
            ("ioServiceBytesRecursive", "throttle.io_service_bytes_recursive"),
            ("ioServicedRecursive", "throttle.io_serviced_recursive"),
        ):
            entries = _blkio_v1(d, name)
            if entries:
                blkio[key] = entries
    data["blkio"] = blkio
    d = dirs.get("hugetlb")
    data["hugetlb"] = _hugetlb(d, v2=False) if d else {}
    return data


def _hugetlb(d: str, v2: bool) -> dict:
    out: dict = {}
    for name in os.listdir(d):
        if not name.startswith("hugetlb.") or name.count(".") != 2:
            continue
        _, size, leaf = name.split(".")
        if v2 and leaf == "current":
            events = fs.read_keyed(f"{d}/hugetlb.{size}.events")
            out[size] = _nz({"usage": fs.read_int(f"{d}/{name}"), "max": 0}) | {
                "failcnt": events.get("max", 0)
            }
        elif not v2 and leaf == "usage_in_bytes":
            out[size] = _nz(
                {
                    "usage": fs.read_int(f"{d}/{name}"),
                    "max": fs.read_int(f"{d}/hugetlb.{size}.max_usage_in_bytes"),
                }
            ) | {"failcnt": fs.read_int(f"{d}/hugetlb.{size}.failcnt")}
    return out


def v2_stats(d: str) -> dict:
    data: dict = {}
    st = fs.read_keyed(d + "/cpu.stat")
    usage = _nz({"total": st.get("usage_usec", 0) * 1000})
    usage["kernel"] = st.get("system_usec", 0) * 1000
    usage["user"] = st.get("user_usec", 0) * 1000
    cpu: dict = {"usage": usage}
    throttling = _nz(
        {
            "periods": st.get("nr_periods", 0),
            "throttled_periods": st.get("nr_throttled", 0),
            "throttled_time": st.get("throttled_usec", 0) * 1000,
        }
    )
    if throttling:
        cpu["throttling"] = throttling
    data["cpu"] = cpu
    data["cpuset"] = _nz(
        {
            "cpus": _cpuset_list(fs.read_or(d + "/cpuset.cpus.effective")),
            "mems": _cpuset_list(fs.read_or(d + "/cpuset.mems.effective")),
        }
    )
    mem: dict = {}
    if os.path.exists(d + "/memory.current"):
        raw = fs.read_keyed(d + "/memory.stat")
        events = fs.read_keyed(d + "/memory.events")
        mem["cache"] = raw.get("file", 0)
        mem["usage"] = _entry(
            fs.read_int(d + "/memory.current"),
            _u64(fs.read_int(d + "/memory.max", -1)),
            fs.read_int(d + "/memory.peak"),
            events.get("max", 0),
        )
        if os.path.exists(d + "/memory.swap.current"):
            mem["swap"] = _entry(
                fs.read_int(d + "/memory.swap.current"), _u64(fs.read_int(d + "/memory.swap.max", -1)), 0, 0
            )
        mem["raw"] = raw
    data["memory"] = _nz(mem)
    data["pids"] = (
        _nz({"current": fs.read_int(d + "/pids.current"), "limit": _u64(fs.read_int(d + "/pids.max", -1))})
        if os.path.exists(d + "/pids.current")
        else {}
    )
    blkio: dict = {}
    entries_bytes = []
    entries_ios = []
    for line in fs.read_or(d + "/io.stat").splitlines():
        fields = line.split()
        if not fields or ":" not in fields[0]:
            continue
        major, minor = (int(x) for x in fields[0].split(":"))
        kv = dict(f.split("=", 1) for f in fields[1:] if "=" in f)
        for op, bkey, ikey in (("Read", "rbytes", "rios"), ("Write", "wbytes", "wios")):
            entries_bytes.append(
                _nz({"major": major, "minor": minor, "op": op, "value": int(kv.get(bkey, 0))})
            )
            entries_ios.append(_nz({"major": major, "minor": minor, "op": op, "value": int(kv.get(ikey, 0))}))
    if entries_bytes:
        blkio["ioServiceBytesRecursive"] = entries_bytes
        blkio["ioServicedRecursive"] = entries_ios
    data["blkio"] = blkio
    data["hugetlb"] = _hugetlb(d, v2=True)
    return data
