"""`pyrunc update` arguments -> a linux.resources dict (runc's flags and resources JSON).

The CLI declares the flags from FLAGS and passes what the user set to build(); flags win over the
resources JSON, as with runc.
"""

from __future__ import annotations

from .. import jsonio
from ..errors import ConfigError, UsageError

# flag -> (path in linux.resources, value kind, help)
FLAGS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "--blkio-weight": (("blockIO", "weight"), "uint", "per-cgroup block IO weight, 10 to 1000"),
    "--cpu-period": (("cpu", "period"), "uint", "CPU CFS period in microseconds"),
    "--cpu-quota": (("cpu", "quota"), "int", "CPU CFS quota in microseconds per period"),
    "--cpu-burst": (("cpu", "burst"), "uint", "CPU CFS burst in microseconds"),
    "--cpu-rt-period": (("cpu", "realtimePeriod"), "uint", "CPU realtime period in microseconds"),
    "--cpu-rt-runtime": (("cpu", "realtimeRuntime"), "int", "CPU realtime runtime in microseconds"),
    "--cpu-share": (("cpu", "shares"), "uint", "CPU shares (relative weight)"),
    "--cpuset-cpus": (("cpu", "cpus"), "str", "CPUs to use (0-3, 0,1)"),
    "--cpuset-mems": (("cpu", "mems"), "str", "memory nodes to use (0-3, 0,1)"),
    "--memory": (
        ("memory", "limit"),
        "bytes",
        "memory limit (in bytes, or with a k/m/g suffix; -1 = unlimited)",
    ),
    "--memory-reservation": (("memory", "reservation"), "bytes", "memory soft limit"),
    "--memory-swap": (("memory", "swap"), "bytes", "memory plus swap limit (-1 = unlimited)"),
    "--kernel-memory": (("memory", "kernel"), "bytes", "kernel memory limit (deprecated, ignored)"),
    "--kernel-memory-tcp": (("memory", "kernelTCP"), "bytes", "kernel TCP buffer limit (cgroup v1 only)"),
    "--pids-limit": (("pids", "limit"), "int", "maximum number of pids (-1 = unlimited)"),
    "--l3-cache-schema": (("intelRdt", "l3CacheSchema"), "str", "Intel RDT L3 cache schema"),
    "--mem-bw-schema": (("intelRdt", "memBwSchema"), "str", "Intel RDT memory bandwidth schema"),
}

_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def parse_bytes(text: str) -> int:
    """`512m`, `1g`, `1GiB`, `4096`, `-1` -> bytes (binary units, case-insensitive, as docker's units)."""
    t = text.strip().lower()
    if t == "-1":
        return -1
    for suffix in ("ib", "b"):
        if t.endswith(suffix) and len(t) > len(suffix) and not t[: -len(suffix)][-1:].isdigit():
            t = t[: -len(suffix)]
            break
    unit = ""
    if t and t[-1] in _UNITS and not t[-1].isdigit():
        unit = t[-1]
        t = t[:-1]
    try:
        number = float(t)
    except ValueError:
        raise UsageError(f"invalid size {text!r}") from None
    if number < 0:
        raise UsageError(f"invalid size {text!r}")
    return int(number * _UNITS[unit])


def _value(flag: str, kind: str, raw: str) -> object:
    try:
        if kind == "str":
            return raw
        if kind == "bytes":
            return parse_bytes(raw)
        value = int(raw, 10)
    except ValueError:
        raise UsageError(f"invalid value {raw!r} for {flag}") from None
    if kind == "uint" and value < 0:
        raise UsageError(f"invalid value {raw!r} for {flag}: must not be negative")
    return value


def load_resources(text: str) -> dict:
    """The -r FILE|- document: a linux.resources object."""
    try:
        doc = jsonio.loads(text)
    except jsonio.JSONDecodeError as exc:
        raise ConfigError("/", f"resources: {exc}") from None
    if not isinstance(doc, dict):
        raise ConfigError("/", "resources must be a JSON object")
    return doc


def build(flags: dict[str, str | None], resources_text: str | None = None) -> tuple[dict, dict]:
    """(linux.resources, linux.intelRdt) from the flags the user set and the optional -r document."""
    resources = load_resources(resources_text) if resources_text is not None else {}
    rdt: dict = {}
    for flag, raw in flags.items():
        if raw is None:
            continue
        if flag not in FLAGS:
            raise UsageError(f"unknown update flag {flag}")
        path, kind, _ = FLAGS[flag]
        value = _value(flag, kind, raw)
        target = rdt if path[0] == "intelRdt" else resources.setdefault(path[0], {})
        if not isinstance(target, dict):
            raise ConfigError("/" + path[0], "must be an object")
        target[path[1]] = value
    return resources, rdt


def read_resources_arg(arg: str) -> str:
    """-r FILE, or -r - for stdin (docker's shim sends the JSON that way)."""
    import sys

    if arg == "-":
        return sys.stdin.read()
    try:
        with open(arg) as f:
            return f.read()
    except OSError as exc:
        raise UsageError(
            f"read resources file {arg!r}: {exc.strerror.lower() if exc.strerror else exc}"
        ) from None
