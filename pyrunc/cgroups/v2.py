"""Writing linux.resources to a cgroup v2 directory, converting v1-style values as runc does."""

from __future__ import annotations

import os

from ..errors import ConfigError, pointer_join
from . import convert, fs
from .common import device_entries, int_field, list_field, missing_file, ptr, section, unavailable


def controllers(directory: str) -> set[str]:
    return set(fs.read_or(directory + "/cgroup.controllers").split())


def _need(avail: set[str], controller: str, pointer: str) -> None:
    if controller not in avail:
        raise unavailable(pointer, controller)


def _convert(pointer: str, func: object, *args: int) -> int:
    try:
        return func(*args)  # type: ignore[operator]
    except convert.ConversionError as exc:
        raise ConfigError(pointer, f"cannot convert to cgroup v2: {exc}") from None


def apply_memory(d: str, avail: set[str], resources: dict, update: bool) -> None:
    mem = section(resources, "memory")
    if not mem:
        return
    base = ptr("memory")
    limit = int_field(mem, "limit", base + "/limit")
    swap = int_field(mem, "swap", base + "/swap")
    reservation = int_field(mem, "reservation", base + "/reservation")
    swappiness = int_field(mem, "swappiness", base + "/swappiness")
    kernel_tcp = int_field(mem, "kernelTCP", base + "/kernelTCP")
    if swappiness is not None and swappiness >= 0:
        raise ConfigError(
            base + "/swappiness", "cannot convert to cgroup v2: v2 has no per-cgroup swappiness"
        )
    if mem.get("disableOOMKiller"):
        raise ConfigError(
            base + "/disableOOMKiller", "cannot convert to cgroup v2: v2 cannot disable the OOM killer"
        )
    if kernel_tcp:
        raise ConfigError(
            base + "/kernelTCP", "cannot convert to cgroup v2: v2 has no separate TCP memory limit"
        )
    if limit is None and swap is None and reservation is None:
        return
    _need(avail, "memory", base)
    if update and mem.get("checkBeforeUpdate") and limit is not None and limit > 0:
        usage = fs.read_int(d + "/memory.current")
        if limit < usage:
            raise ConfigError(base + "/limit", f"limit {limit} is below the current usage {usage}")
    if update and swap not in (None, 0, -1) and limit is None:
        # `update --memory-swap` alone: convert against the limit in force.
        limit = fs.read_int(d + "/memory.max", -1)
    if swap is not None or limit is not None:
        swap_max = _convert(base + "/swap", convert.memory_swap_to_v2, swap or 0, limit or 0)
        path = d + "/memory.swap.max"
        if swap_max == 0 and swap is not None and swap > 0:
            # memory+swap equal to the limit: no swap at all, not "leave unset".
            if os.path.exists(path):
                fs.write(path, "0", base + "/swap")
        elif swap_max != 0:
            if os.path.exists(path):
                fs.write(path, convert.limit_text(swap_max), base + "/swap")
            elif swap_max > 0:
                raise ConfigError(base + "/swap", "swap accounting is not enabled in this kernel")
    if limit is not None and limit != 0:
        fs.write(d + "/memory.max", convert.limit_text(limit), base + "/limit")
    if reservation is not None and reservation != 0:
        fs.write(d + "/memory.low", convert.limit_text(reservation), base + "/reservation")


def apply_cpu(d: str, avail: set[str], resources: dict) -> None:
    cpu = section(resources, "cpu")
    if not cpu:
        return
    base = ptr("cpu")
    shares = int_field(cpu, "shares", base + "/shares")
    quota = int_field(cpu, "quota", base + "/quota")
    period = int_field(cpu, "period", base + "/period")
    burst = int_field(cpu, "burst", base + "/burst")
    idle = int_field(cpu, "idle", base + "/idle")
    for key in ("realtimePeriod", "realtimeRuntime"):
        if int_field(cpu, key, base + "/" + key):
            raise ConfigError(base + "/" + key, "cannot convert to cgroup v2: v2 has no realtime cpu limits")
    if shares:
        _need(avail, "cpu", base + "/shares")
        weight = _convert(base + "/shares", convert.cpu_shares_to_weight, shares)
        fs.write(d + "/cpu.weight", str(weight), base + "/shares")
    text = convert.cpu_max(quota, period)
    if text is not None:
        _need(avail, "cpu", base + "/quota")
        fs.write(d + "/cpu.max", text, base + ("/quota" if quota else "/period"))
    if burst is not None:
        _need(avail, "cpu", base + "/burst")
        path = d + "/cpu.max.burst"
        if not os.path.exists(path):
            raise missing_file(base + "/burst", path)
        fs.write(path, str(burst), base + "/burst")
    if idle is not None:
        _need(avail, "cpu", base + "/idle")
        fs.write(d + "/cpu.idle", str(idle), base + "/idle")
    for key, name in (("cpus", "cpuset.cpus"), ("mems", "cpuset.mems")):
        value = cpu.get(key)
        if value:
            if not isinstance(value, str):
                raise ConfigError(base + "/" + key, "must be a string")
            _need(avail, "cpuset", base + "/" + key)
            fs.write(d + "/" + name, value, base + "/" + key)


def apply_pids(d: str, avail: set[str], resources: dict) -> None:
    pids = section(resources, "pids")
    pointer = ptr("pids", "limit")
    limit = int_field(pids, "limit", pointer)
    if limit is None:
        return
    _need(avail, "pids", pointer)
    fs.write(d + "/pids.max", convert.limit_text(limit), pointer)


def apply_io(d: str, avail: set[str], resources: dict) -> None:
    bio = section(resources, "blockIO")
    if not bio:
        return
    base = ptr("blockIO")
    weight = int_field(bio, "weight", base + "/weight")
    if int_field(bio, "leafWeight", base + "/leafWeight"):
        raise ConfigError(base + "/leafWeight", "cannot convert to cgroup v2: v2 has no leaf weights")
    wd = base + "/weightDevice"
    if device_entries(bio, "weightDevice", wd, "leafWeight"):
        raise ConfigError(wd, "cannot convert to cgroup v2: v2 has no leaf weights")
    dev_weights = device_entries(bio, "weightDevice", wd, "weight")
    throttles = []
    for key, name in (
        ("throttleReadBpsDevice", "rbps"),
        ("throttleWriteBpsDevice", "wbps"),
        ("throttleReadIOPSDevice", "riops"),
        ("throttleWriteIOPSDevice", "wiops"),
    ):
        for major, minor, value, pointer in device_entries(bio, key, base + "/" + key, "rate"):
            throttles.append((f"{major}:{minor} {name}={value if value > 0 else 'max'}", pointer))
    if not weight and not dev_weights and not throttles:
        return
    _need(avail, "io", base)
    bfq = d + "/io.bfq.weight"
    has_bfq = os.path.exists(bfq)
    if weight:
        if has_bfq:
            # BFQ takes the v1 range [1, 1000] as is.
            fs.write(bfq, str(weight), base + "/weight")
        else:
            value = _convert(base + "/weight", convert.blkio_weight_to_io_weight, weight)
            fs.write(d + "/io.weight", f"default {value}", base + "/weight")
    for major, minor, value, pointer in dev_weights:
        if has_bfq:
            fs.write(bfq, f"{major}:{minor} {value}", pointer)
        else:
            conv = _convert(pointer, convert.blkio_weight_to_io_weight, value)
            fs.write(d + "/io.weight", f"{major}:{minor} {conv}", pointer)
    for line, pointer in throttles:
        fs.write(d + "/io.max", line, pointer)


def apply_hugetlb(d: str, avail: set[str], resources: dict) -> None:
    base = ptr("hugepageLimits")
    limits = list_field(resources, "hugepageLimits", base)
    if not limits:
        return
    _need(avail, "hugetlb", base)
    for i, entry in enumerate(limits):
        here = pointer_join(base, i)
        size = entry.get("pageSize") if isinstance(entry, dict) else None
        limit = int_field(entry, "limit", here + "/limit") if isinstance(entry, dict) else None
        if not isinstance(size, str) or limit is None:
            raise ConfigError(here, "needs pageSize and limit")
        path = f"{d}/hugetlb.{size}.max"
        if not os.path.exists(path):
            raise ConfigError(here + "/pageSize", f"unsupported huge page size {size!r}")
        fs.write(path, convert.limit_text(limit), here + "/limit")
        rsvd = f"{d}/hugetlb.{size}.rsvd.max"
        if os.path.exists(rsvd):
            fs.write(rsvd, convert.limit_text(limit), here + "/limit")


def apply_rdma(d: str, avail: set[str], resources: dict) -> None:
    from .v1 import rdma_lines

    lines = rdma_lines(resources)
    if lines:
        _need(avail, "rdma", ptr("rdma"))
        for line, pointer in lines:
            fs.write(d + "/rdma.max", line, pointer)


def apply_unified(d: str | None, resources: dict) -> None:
    """`unified`: each key is a file of the container's cgroup, written as given."""
    base = ptr("unified")
    unified = section(resources, "unified")
    if not unified:
        return
    if d is None:
        raise ConfigError(base, "this host has no cgroup v2 hierarchy")
    avail = controllers(d)
    for key, value in unified.items():
        here = pointer_join(base, key)
        if not isinstance(value, str):
            raise ConfigError(here, "must be a string")
        if "/" in key or key.startswith(".") or not key:
            raise ConfigError(here, f"invalid cgroup file name {key!r}")
        path = d + "/" + key
        if not os.path.exists(path):
            ctrl = key.partition(".")[0]
            if ctrl != "cgroup" and ctrl not in avail:
                raise ConfigError(here, f"the {ctrl} controller is not enabled for this cgroup")
            raise ConfigError(here, f"no such cgroup file `{path}`")
        fs.write(path, value, here)


def apply(d: str, resources: dict, *, update: bool = False) -> None:
    """Every v2 field except devices (the manager attaches the eBPF program)."""
    avail = controllers(d)
    if section(resources, "network"):
        raise ConfigError(
            ptr("network"), "cannot convert to cgroup v2: net_cls and net_prio are cgroup v1 only"
        )
    apply_cpu(d, avail, resources)
    apply_memory(d, avail, resources, update)
    apply_pids(d, avail, resources)
    apply_io(d, avail, resources)
    apply_hugetlb(d, avail, resources)
    apply_rdma(d, avail, resources)
    apply_unified(d, resources)
