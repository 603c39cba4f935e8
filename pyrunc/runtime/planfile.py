"""Encoding the plan blob the C core decodes (csrc/plan.c): "PYRP", version, then TLV attributes.

Attribute numbers and layouts are defined once, in csrc/pyrunc.h and csrc/plan.h; this module mirrors
them by name (PA_*), and a unit test checks the numbers against the compiled module's constants.
"""

from __future__ import annotations

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


# Little-endian fixed-width fields with int.to_bytes: the `struct` module would cost every create an
# extra import and an extension load (~0.4 ms) for what these one-liners do.
def _u16(value: int) -> bytes:
    return value.to_bytes(2, "little")


def _u32(value: int) -> bytes:
    return value.to_bytes(4, "little")


def _i32(value: int) -> bytes:
    return value.to_bytes(4, "little", signed=True)


def _u64(value: int) -> bytes:
    return value.to_bytes(8, "little")


def _i64(value: int) -> bytes:
    return value.to_bytes(8, "little", signed=True)


def _s(text: str) -> bytes:
    data = text.encode("utf-8", "surrogateescape")
    if b"\0" in data:
        raise ValueError("string contains a NUL byte")
    return data + b"\0"


def _strlist(items: list[str]) -> bytes:
    return _u32(len(items)) + b"".join(_s(i) for i in items)


class PlanWriter:
    def __init__(self) -> None:
        self._parts: list[bytes] = [_u32(MAGIC) + _u32(VERSION)]

    def raw(self, attr: int, value: bytes) -> None:
        pad = (-len(value)) % 4
        self._parts.append(_u16(attr) + _u16(0) + _u32(len(value)) + value + b"\0" * pad)

    def u32(self, attr: int, value: int) -> None:
        self.raw(attr, _u32(value & 0xFFFFFFFF))

    def u64(self, attr: int, value: int) -> None:
        self.raw(attr, _u64(value & 0xFFFFFFFFFFFFFFFF))

    def string(self, attr: int, value: str) -> None:
        self.raw(attr, _s(value))

    def strings(self, attr: int, *values: str) -> None:
        self.raw(attr, b"".join(_s(v) for v in values))

    def strlist(self, attr: int, values: list[str]) -> None:
        self.raw(attr, _strlist(values))

    def ns_join(self, flag: int, path: str) -> None:
        self.raw(PA_NS_JOIN, _u32(flag) + _s(path))

    def mount(self, m: dict[str, object]) -> None:
        head = (
            _u64(int(m.get("flags", 0)))  # type: ignore[call-overload]
            + _u64(int(m.get("propagation", 0)))  # type: ignore[call-overload]
            + _u64(int(m.get("attr_set", 0)))  # type: ignore[call-overload]
            + _u64(int(m.get("attr_clr", 0)))  # type: ignore[call-overload]
            + _u32(int(m.get("ext", 0)))  # type: ignore[call-overload]
            + _i32(int(m.get("userns_fd", -1)))  # type: ignore[call-overload]
        )
        tail = b"".join(_s(str(m.get(k) or "")) for k in ("source", "destination", "fstype", "data"))
        self.raw(PA_MOUNT, head + tail)

    def device(self, d: dict[str, object]) -> None:
        kind = str(d["type"])
        head = (
            _u32(ord(kind[0]))
            + _u32(int(d.get("major", 0)))  # type: ignore[call-overload]
            + _u32(int(d.get("minor", 0)))  # type: ignore[call-overload]
            + _u32(int(d.get("mode", 0o666)) & 0o7777)  # type: ignore[call-overload]
            + _u32(int(d.get("uid", 0)))  # type: ignore[call-overload]
            + _u32(int(d.get("gid", 0)))  # type: ignore[call-overload]
            + _u32(1 if d.get("bind") else 0)
        )
        self.raw(PA_DEVICE, head + _s(str(d["path"])))

    def user(self, uid: int, gid: int, umask: int, gids: list[int]) -> None:
        groups = b"".join(_u32(g) for g in gids)
        self.raw(PA_USER, _u32(uid) + _u32(gid) + _i32(umask) + _u32(len(gids)) + groups)

    def caps(self, bounding: int, effective: int, inheritable: int, permitted: int, ambient: int) -> None:
        self.raw(PA_CAPS, b"".join(_u64(m) for m in (bounding, effective, inheritable, permitted, ambient)))

    def rlimit(self, resource: int, soft: int, hard: int) -> None:
        self.raw(PA_RLIMIT, _u32(resource) + _u32(0) + _u64(soft & (2**64 - 1)) + _u64(hard & (2**64 - 1)))

    def hook(self, attr: int, path: str, args: list[str], env: list[str], timeout: int) -> None:
        self.raw(attr, _u32(timeout) + _s(path) + _strlist(args) + _strlist(env))

    def timens(self, clock: int, secs: int, nsecs: int) -> None:
        self.raw(PA_TIMENS_OFFSET, _u32(clock) + _u32(0) + _i64(secs) + _i64(nsecs))

    def scheduler(
        self, policy: int, nice: int, priority: int, flags: int, runtime: int, deadline: int, period: int
    ) -> None:
        self.raw(
            PA_SCHEDULER,
            _u32(policy)
            + _i32(nice)
            + _u32(priority)
            + _u32(0)
            + _u64(flags)
            + _u64(runtime)
            + _u64(deadline)
            + _u64(period),
        )

    def blob(self) -> bytes:
        return b"".join(self._parts)
