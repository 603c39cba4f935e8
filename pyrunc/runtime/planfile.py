"""Encoding the plan blob the C core decodes (csrc/plan.c): "PYRP", version, then TLV attributes.

Attribute numbers and layouts are defined once, in csrc/pyrunc.h and csrc/plan.h; this module mirrors
them by name (PA_*), and a unit test checks the numbers against the compiled module's constants.
"""

from __future__ import annotations

import struct

MAGIC = 0x50525950
VERSION = 1

PA_ROOTFS = 1
PA_NS_NEW = 2
PA_NS_JOIN = 3
PA_ROOTFS_PROPAGATION = 4
PA_ROOT_READONLY = 5
PA_NO_PIVOT = 6
PA_MOUNT = 7
PA_DEVICE = 8
PA_SYMLINK = 9
PA_MASKED = 10
PA_READONLY = 11
PA_HOSTNAME = 12
PA_DOMAINNAME = 13
PA_SYSCTL = 14
PA_ARGS = 15
PA_ENV = 16
PA_CWD = 17
PA_USER = 18
PA_CAPS = 19
PA_RLIMIT = 20
PA_NO_NEW_PRIVS = 21
PA_OOM_SCORE_ADJ = 22
PA_PERSONALITY = 23
PA_SCHEDULER = 24
PA_IOPRIO = 25
PA_CPU_AFFINITY = 26
PA_SECCOMP_BPF = 27
PA_SECCOMP_FLAGS = 28
PA_TERMINAL = 29
PA_SYNC_FD = 30
PA_FIFO_FD = 31
PA_PRESERVE_FDS = 32
PA_HOOK_CREATE_CONTAINER = 33
PA_HOOK_START_CONTAINER = 34
PA_TIMENS_OFFSET = 35
PA_APPARMOR = 36
PA_SELINUX_LABEL = 37
PA_INIT_NAME = 38
PA_NO_NEW_KEYRING = 40
PA_SETGROUPS_DENY = 41
PA_EXEC_MODE = 42
PA_MOUNT_LABEL = 44
PA_HOOKS_SYNC = 45
PA_CPU_AFFINITY_FINAL = 47
PA_MEMPOLICY = 48
PA_INIT_EXE_FD = 49
PA_PLAN_FD = 50


def _s(text: str) -> bytes:
    data = text.encode("utf-8", "surrogateescape")
    if b"\0" in data:
        raise ValueError("string contains a NUL byte")
    return data + b"\0"


def _strlist(items: list[str]) -> bytes:
    return struct.pack("<I", len(items)) + b"".join(_s(i) for i in items)


class PlanWriter:
    def __init__(self) -> None:
        self._parts: list[bytes] = [struct.pack("<II", MAGIC, VERSION)]

    def raw(self, attr: int, value: bytes) -> None:
        pad = (-len(value)) % 4
        self._parts.append(struct.pack("<HHI", attr, 0, len(value)) + value + b"\0" * pad)

    def u32(self, attr: int, value: int) -> None:
        self.raw(attr, struct.pack("<I", value & 0xFFFFFFFF))

    def u64(self, attr: int, value: int) -> None:
        self.raw(attr, struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))

    def string(self, attr: int, value: str) -> None:
        self.raw(attr, _s(value))

    def strings(self, attr: int, *values: str) -> None:
        self.raw(attr, b"".join(_s(v) for v in values))

    def strlist(self, attr: int, values: list[str]) -> None:
        self.raw(attr, _strlist(values))

    def ns_join(self, flag: int, path: str) -> None:
        self.raw(PA_NS_JOIN, struct.pack("<I", flag) + _s(path))

    def mount(self, m: dict[str, object]) -> None:
        head = struct.pack(
            "<QQQQIi",
            int(m.get("flags", 0)),  # type: ignore[call-overload]
            int(m.get("propagation", 0)),  # type: ignore[call-overload]
            int(m.get("attr_set", 0)),  # type: ignore[call-overload]
            int(m.get("attr_clr", 0)),  # type: ignore[call-overload]
            int(m.get("ext", 0)),  # type: ignore[call-overload]
            int(m.get("userns_fd", -1)),  # type: ignore[call-overload]
        )
        tail = b"".join(_s(str(m.get(k) or "")) for k in ("source", "destination", "fstype", "data"))
        self.raw(PA_MOUNT, head + tail)

    def device(self, d: dict[str, object]) -> None:
        kind = str(d["type"])
        head = struct.pack(
            "<IIIIIII",
            ord(kind[0]),
            int(d.get("major", 0)),  # type: ignore[call-overload]
            int(d.get("minor", 0)),  # type: ignore[call-overload]
            int(d.get("mode", 0o666)) & 0o7777,  # type: ignore[call-overload]
            int(d.get("uid", 0)),  # type: ignore[call-overload]
            int(d.get("gid", 0)),  # type: ignore[call-overload]
            1 if d.get("bind") else 0,
        )
        self.raw(PA_DEVICE, head + _s(str(d["path"])))

    def user(self, uid: int, gid: int, umask: int, gids: list[int]) -> None:
        self.raw(PA_USER, struct.pack(f"<IIiI{len(gids)}I", uid, gid, umask, len(gids), *gids))

    def caps(self, bounding: int, effective: int, inheritable: int, permitted: int, ambient: int) -> None:
        self.raw(PA_CAPS, struct.pack("<QQQQQ", bounding, effective, inheritable, permitted, ambient))

    def rlimit(self, resource: int, soft: int, hard: int) -> None:
        self.raw(PA_RLIMIT, struct.pack("<IIQQ", resource, 0, soft & (2**64 - 1), hard & (2**64 - 1)))

    def hook(self, attr: int, path: str, args: list[str], env: list[str], timeout: int) -> None:
        self.raw(attr, struct.pack("<I", timeout) + _s(path) + _strlist(args) + _strlist(env))

    def timens(self, clock: int, secs: int, nsecs: int) -> None:
        self.raw(PA_TIMENS_OFFSET, struct.pack("<IIqq", clock, 0, secs, nsecs))

    def scheduler(
        self, policy: int, nice: int, priority: int, flags: int, runtime: int, deadline: int, period: int
    ) -> None:
        self.raw(
            PA_SCHEDULER,
            struct.pack("<IiIIQQQQ", policy, nice, priority, 0, flags, runtime, deadline, period),
        )

    def blob(self) -> bytes:
        return b"".join(self._parts)
