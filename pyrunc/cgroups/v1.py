"""Writing linux.resources to cgroup v1 controllers (one directory per controller)."""

from __future__ import annotations

import os

from ..errors import ConfigError, PyruncError, pointer_join
from . import fs
from .common import device_entries, int_field, list_field, missing_file, ptr, section, unavailable


def _dir(dirs: dict[str, str], controller: str, pointer: str) -> str:
    d = dirs.get(controller)
    if d is None:
        raise unavailable(pointer, controller)
    return d


def _write_pair(first: tuple[str, str, str], second: tuple[str, str, str]) -> None:
    """Two coupled files (limit and memsw, period and quota): when one order is refused by the kernel's
    cross-check, the other is right."""
    try:
        fs.write(*first)
        fs.write(*second)
    except PyruncError:
        fs.write(*second)
        fs.write(*first)


def apply_memory(dirs: dict[str, str], resources: dict, update: bool) -> None:
    mem = section(resources, "memory")
    if not mem:
        return
    base = ptr("memory")
    limit = int_field(mem, "limit", base + "/limit")
    swap = int_field(mem, "swap", base + "/swap")
    reservation = int_field(mem, "reservation", base + "/reservation")
    swappiness = int_field(mem, "swappiness", base + "/swappiness")
    kernel_tcp = int_field(mem, "kernelTCP", base + "/kernelTCP")
    disable_oom = mem.get("disableOOMKiller")
    if all(v is None for v in (limit, swap, reservation, swappiness, kernel_tcp, disable_oom)):
        return
    d = _dir(dirs, "memory", base)
    if update and mem.get("checkBeforeUpdate") and limit is not None and limit > 0:
        usage = fs.read_int(d + "/memory.usage_in_bytes")
        if limit < usage:
            raise ConfigError(base + "/limit", f"limit {limit} is below the current usage {usage}")
    memsw = d + "/memory.memsw.limit_in_bytes"
    if swap is not None and swap != 0 and not os.path.exists(memsw):
        raise ConfigError(base + "/swap", "swap accounting is not enabled in this kernel")
    if limit is not None and swap is not None and swap != 0:
        if swap != -1 and limit != -1 and swap < limit:
            raise ConfigError(base + "/swap", f"memory+swap limit {swap} is below the memory limit {limit}")
        _write_pair(
            (d + "/memory.limit_in_bytes", str(limit), base + "/limit"), (memsw, str(swap), base + "/swap")
        )
    elif limit is not None:
        if limit == -1 and os.path.exists(memsw):
            # Unlimited memory without a swap value: lift memsw first, the kernel requires memsw >= limit.
            fs.write(memsw, "-1", base + "/limit")
        fs.write(d + "/memory.limit_in_bytes", str(limit), base + "/limit")
    elif swap is not None and swap != 0:
        fs.write(memsw, str(swap), base + "/swap")
    if reservation is not None:
        fs.write(d + "/memory.soft_limit_in_bytes", str(reservation), base + "/reservation")
    if swappiness is not None and swappiness >= 0:
        if swappiness > 100:
            raise ConfigError(base + "/swappiness", f"{swappiness} is outside [0, 100]")
        fs.write(d + "/memory.swappiness", str(swappiness), base + "/swappiness")
    if kernel_tcp is not None and kernel_tcp != 0:
        path = d + "/memory.kmem.tcp.limit_in_bytes"
        if not os.path.exists(path):
            raise missing_file(base + "/kernelTCP", path)
        fs.write(path, str(kernel_tcp), base + "/kernelTCP")
    if disable_oom is not None:
        if not isinstance(disable_oom, bool):
            raise ConfigError(base + "/disableOOMKiller", "must be true or false")
        if disable_oom or update:
            fs.write(d + "/memory.oom_control", "1" if disable_oom else "0", base + "/disableOOMKiller")
    # memory.kernel (kmem limits) is ignored as runc does: kernels since 5.16 no longer support it.


def apply_cpu(dirs: dict[str, str], resources: dict) -> None:
    cpu = section(resources, "cpu")
    if not cpu:
        return
    base = ptr("cpu")
    shares = int_field(cpu, "shares", base + "/shares")
    quota = int_field(cpu, "quota", base + "/quota")
    period = int_field(cpu, "period", base + "/period")
    burst = int_field(cpu, "burst", base + "/burst")
    rt_period = int_field(cpu, "realtimePeriod", base + "/realtimePeriod")
    rt_runtime = int_field(cpu, "realtimeRuntime", base + "/realtimeRuntime")
    idle = int_field(cpu, "idle", base + "/idle")
    if any(v is not None and v != 0 for v in (shares, quota, period, burst, rt_period, rt_runtime)) or idle:
        d = _dir(dirs, "cpu", base)
        if shares:
            fs.write(d + "/cpu.shares", str(shares), base + "/shares")
        if period and quota:
            _write_pair(
                (d + "/cpu.cfs_period_us", str(period), base + "/period"),
                (d + "/cpu.cfs_quota_us", str(quota), base + "/quota"),
            )
        elif period:
            fs.write(d + "/cpu.cfs_period_us", str(period), base + "/period")
        elif quota:
            fs.write(d + "/cpu.cfs_quota_us", str(quota), base + "/quota")
        if burst is not None:
            path = d + "/cpu.cfs_burst_us"
            if not os.path.exists(path):
                raise missing_file(base + "/burst", path)
            fs.write(path, str(burst), base + "/burst")
        if rt_period and rt_runtime:
            _write_pair(
                (d + "/cpu.rt_period_us", str(rt_period), base + "/realtimePeriod"),
                (d + "/cpu.rt_runtime_us", str(rt_runtime), base + "/realtimeRuntime"),
            )
        elif rt_period:
            fs.write(d + "/cpu.rt_period_us", str(rt_period), base + "/realtimePeriod")
        elif rt_runtime:
            fs.write(d + "/cpu.rt_runtime_us", str(rt_runtime), base + "/realtimeRuntime")
        if idle is not None:
            fs.write(d + "/cpu.idle", str(idle), base + "/idle")
    for key, name in (("cpus", "cpuset.cpus"), ("mems", "cpuset.mems")):
        value = cpu.get(key)
        if value:
            if not isinstance(value, str):
                raise ConfigError(base + "/" + key, "must be a string")
            fs.write(_dir(dirs, "cpuset", base + "/" + key) + "/" + name, value, base + "/" + key)


def apply_pids(dirs: dict[str, str], resources: dict) -> None:
    pids = section(resources, "pids")
    if "limit" not in pids:
        return
    pointer = ptr("pids", "limit")
    limit = int_field(pids, "limit", pointer)
    if limit is None:
        return
    fs.write(_dir(dirs, "pids", pointer) + "/pids.max", "max" if limit < 0 else str(limit), pointer)


def apply_blkio(dirs: dict[str, str], resources: dict) -> None:
    bio = section(resources, "blockIO")
    if not bio:
        return
    base = ptr("blockIO")
    weight = int_field(bio, "weight", base + "/weight")
    leaf = int_field(bio, "leafWeight", base + "/leafWeight")
    writes: list[tuple[str, str, str]] = []
    if weight:
        writes.append(("weight", str(weight), base + "/weight"))
    if leaf:
        writes.append(("leaf_weight", str(leaf), base + "/leafWeight"))
    wd = base + "/weightDevice"
    for major, minor, value, pointer in device_entries(bio, "weightDevice", wd, "weight"):
        writes.append(("weight_device", f"{major}:{minor} {value}", pointer))
    for major, minor, value, pointer in device_entries(bio, "weightDevice", wd, "leafWeight"):
        writes.append(("leaf_weight_device", f"{major}:{minor} {value}", pointer))
    for key, name in (
        ("throttleReadBpsDevice", "throttle.read_bps_device"),
        ("throttleWriteBpsDevice", "throttle.write_bps_device"),
        ("throttleReadIOPSDevice", "throttle.read_iops_device"),
        ("throttleWriteIOPSDevice", "throttle.write_iops_device"),
    ):
        for major, minor, value, pointer in device_entries(bio, key, base + "/" + key, "rate"):
            writes.append((name, f"{major}:{minor} {value}", pointer))
    if not writes:
        return
    d = _dir(dirs, "blkio", base)
    for name, text, pointer in writes:
        path = d + "/blkio." + name
        if not os.path.exists(path):
            # BFQ exposes its weights under blkio.bfq.*; CFQ (gone since 5.0) used blkio.*.
            bfq = d + "/blkio.bfq." + name
            if not os.path.exists(bfq):
                raise missing_file(pointer, path)
            path = bfq
        fs.write(path, text, pointer)


def apply_hugetlb(dirs: dict[str, str], resources: dict) -> None:
    base = ptr("hugepageLimits")
    limits = list_field(resources, "hugepageLimits", base)
    if not limits:
        return
    d = _dir(dirs, "hugetlb", base)
    for i, entry in enumerate(limits):
        here = pointer_join(base, i)
        size = entry.get("pageSize") if isinstance(entry, dict) else None
        limit = int_field(entry, "limit", here + "/limit") if isinstance(entry, dict) else None
        if not isinstance(size, str) or limit is None:
            raise ConfigError(here, "needs pageSize and limit")
        path = f"{d}/hugetlb.{size}.limit_in_bytes"
        if not os.path.exists(path):
            raise ConfigError(here + "/pageSize", f"unsupported huge page size {size!r}")
        fs.write(path, str(limit), here + "/limit")
        rsvd = f"{d}/hugetlb.{size}.rsvd.limit_in_bytes"
        if os.path.exists(rsvd):
            fs.write(rsvd, str(limit), here + "/limit")


def apply_network(dirs: dict[str, str], resources: dict) -> None:
    net = section(resources, "network")
    if not net:
        return
    base = ptr("network")
    classid = int_field(net, "classID", base + "/classID")
    if classid is not None:
        fs.write(
            _dir(dirs, "net_cls", base + "/classID") + "/net_cls.classid", str(classid), base + "/classID"
        )
    prios = list_field(net, "priorities", base + "/priorities")
    if prios:
        d = _dir(dirs, "net_prio", base + "/priorities")
        for i, entry in enumerate(prios):
            here = pointer_join(base + "/priorities", i)
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise ConfigError(here, "needs name and priority")
            prio = int_field(entry, "priority", here + "/priority") or 0
            fs.write(d + "/net_prio.ifpriomap", f"{entry['name']} {prio}", here)


def rdma_lines(resources: dict) -> list[tuple[str, str]]:
    """rdma.max lines, shared by v1 and v2."""
    base = ptr("rdma")
    rdma = section(resources, "rdma")
    out = []
    for dev, limits in rdma.items():
        here = pointer_join(base, dev)
        if not isinstance(limits, dict):
            raise ConfigError(here, "must be an object")
        parts = [dev]
        handles = int_field(limits, "hcaHandles", here + "/hcaHandles")
        objects = int_field(limits, "hcaObjects", here + "/hcaObjects")
        if handles is not None:
            parts.append(f"hca_handle={handles}")
        if objects is not None:
            parts.append(f"hca_object={objects}")
        if len(parts) > 1:
            out.append((" ".join(parts), here))
    return out


def apply_rdma(dirs: dict[str, str], resources: dict) -> None:
    lines = rdma_lines(resources)
    if lines:
        d = _dir(dirs, "rdma", ptr("rdma"))
        for line, pointer in lines:
            fs.write(d + "/rdma.max", line, pointer)


def apply(dirs: dict[str, str], resources: dict, *, update: bool = False) -> None:
    """Every v1 field; the caller handles devices and `unified` (they need more than the dirs)."""
    apply_cpu(dirs, resources)
    apply_memory(dirs, resources, update)
    apply_pids(dirs, resources)
    apply_blkio(dirs, resources)
    apply_hugetlb(dirs, resources)
    apply_network(dirs, resources)
    apply_rdma(dirs, resources)
