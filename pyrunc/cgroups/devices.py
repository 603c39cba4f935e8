"""Device access rules: the spec's `linux.resources.devices`, runc's default allow list, and their two
enforcement forms — ordered writes to v1 devices.allow/devices.deny, or the compact records the C core
turns into a v2 eBPF device program.

Rules always start from deny-all (as runc does), so a config without a deny rule gets the same result
on v1 and v2.
"""

from __future__ import annotations

from ..errors import ConfigError, pointer_join
from . import fs

# (type, major, minor, access, allow); -1 = wildcard.
Rule = tuple  # tuple[str, int, int, str, bool]

# What runc allows every container besides its own rules: mknod of anything, the standard character
# devices, ptys and the tun device.
DEFAULT_RULES: list[Rule] = [
    ("c", -1, -1, "m", True),
    ("b", -1, -1, "m", True),
    ("c", 1, 3, "rwm", True),  # /dev/null
    ("c", 1, 8, "rwm", True),  # /dev/random
    ("c", 1, 7, "rwm", True),  # /dev/full
    ("c", 5, 0, "rwm", True),  # /dev/tty
    ("c", 1, 5, "rwm", True),  # /dev/zero
    ("c", 1, 9, "rwm", True),  # /dev/urandom
    ("c", 136, -1, "rwm", True),  # /dev/pts/*
    ("c", 5, 2, "rwm", True),  # /dev/ptmx
    ("c", 10, 200, "rwm", True),  # /dev/net/tun
]

_ACCESS_BITS = {"m": 1, "r": 2, "w": 4}
POINTER = "/linux/resources/devices"


def parse(rules: object, pointer: str = POINTER) -> list[Rule]:
    """Validate the spec's device rules into tuples."""
    if rules is None:
        return []
    if not isinstance(rules, list):
        raise ConfigError(pointer, "must be an array")
    out: list[Rule] = []
    for i, raw in enumerate(rules):
        here = pointer_join(pointer, i)
        if not isinstance(raw, dict):
            raise ConfigError(here, "must be an object")
        allow = raw.get("allow")
        if not isinstance(allow, bool):
            raise ConfigError(pointer_join(here, "allow"), "must be true or false")
        dtype = raw.get("type") or "a"
        if dtype not in ("a", "b", "c"):
            raise ConfigError(pointer_join(here, "type"), f"invalid device type {dtype!r} (a, b or c)")
        nums = []
        for key in ("major", "minor"):
            value = raw.get(key)
            if value is None:
                value = -1
            if not isinstance(value, int) or isinstance(value, bool) or value < -1 or value > 0xFFFFFFF:
                raise ConfigError(pointer_join(here, key), f"invalid device number {value!r}")
            nums.append(value)
        access = raw.get("access") or "rwm"
        if not isinstance(access, str) or any(c not in _ACCESS_BITS for c in access):
            raise ConfigError(pointer_join(here, "access"), f"invalid access {access!r} (letters of rwm)")
        out.append((dtype, nums[0], nums[1], "".join(c for c in "rwm" if c in access), allow))
    return out


def effective(spec_rules: list[Rule], linux_devices: list[Rule] | None = None) -> list[Rule]:
    """Deny-all, the spec's rules, runc's defaults, then access to each device in linux.devices."""
    rules: list[Rule] = [("a", -1, -1, "rwm", False)]
    rules.extend(spec_rules)
    rules.extend(DEFAULT_RULES)
    rules.extend(linux_devices or [])
    return rules


def device_rules_from_linux_devices(devices: object) -> list[Rule]:
    """Allow rules for the devices the config creates (linux.devices), as runc adds them."""
    out: list[Rule] = []
    if not isinstance(devices, list):
        return out
    for dev in devices:
        if not isinstance(dev, dict):
            continue
        dtype = dev.get("type")
        major, minor = dev.get("major"), dev.get("minor")
        if dtype in ("c", "u"):
            dtype = "c"
        elif dtype != "b":
            continue
        if isinstance(major, int) and isinstance(minor, int):
            out.append((dtype, major, minor, "rwm", True))
    return out


def rule_text(rule: Rule) -> str:
    """v1 devices.allow/deny syntax: `c 1:3 rwm`, `a`."""
    dtype, major, minor, access, _ = rule
    if dtype == "a" and major == -1 and minor == -1 and access == "rwm":
        return "a"
    ma = "*" if major < 0 else str(major)
    mi = "*" if minor < 0 else str(minor)
    return f"{dtype} {ma}:{mi} {access}"


def apply_v1(directory: str, rules: list[Rule]) -> None:
    """Write the rules in order; the kernel applies each to the list the previous ones left."""
    for rule in rules:
        name = "devices.allow" if rule[4] else "devices.deny"
        fs.write(directory + "/" + name, rule_text(rule), POINTER)


def encode(rules: list[Rule]) -> bytes:
    """Records for pyrunc_devices_prog_attach (see csrc/pyrunc.h, PYRUNC_DEVRULE_SIZE)."""
    import struct  # here: a v1 host never needs it, and create pays for every module it imports

    out = bytearray()
    for dtype, major, minor, access, allow in rules:
        bits = 0
        for c in access:
            bits |= _ACCESS_BITS[c]
        out += struct.pack("=BBBBii", ord(dtype), bits, 1 if allow else 0, 0, major, minor)
    return bytes(out)


def apply_v2(directory: str, rules: list[Rule]) -> None:
    """Attach the device program to the cgroup, replacing an older one of ours."""
    import os

    from ..native import ffi, lib, new_err, raise_err

    blob = encode(rules)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        err = new_err()
        if lib.pyrunc_devices_prog_attach(fd, ffi.from_buffer("unsigned char[]", blob), len(blob), err) < 0:
            raise_err(err)
    finally:
        os.close(fd)


def v2_program_count(directory: str) -> int:
    """How many pyrunc device programs sit on the cgroup (1 after any number of updates)."""
    import os

    from ..native import lib, new_err, raise_err

    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        err = new_err()
        n = lib.pyrunc_devices_prog_count(fd, err)
        if n < 0:
            raise_err(err)
        return int(n)
    finally:
        os.close(fd)
