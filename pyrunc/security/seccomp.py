"""`linux.seccomp` -> a classic BPF program and the seccomp(2) flags to load it with.

Compiled here, in the runtime before clone, with libseccomp (csrc/seccomp.c); the init only loads
the bytes (pr_seccomp_load), last thing before execve. Semantics follow runc, which engines'
profiles are written against:
- names libseccomp does not know are skipped (and returned in `skipped` for a debug log):
  profiles list syscalls of newer kernels and other architectures;
- a rule whose action equals the default action is dropped (it cannot change anything);
- errnoRet defaults to EPERM for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, and is an error elsewhere;
- several args in one rule must all match, unless one index repeats: then each comparison is a
  rule of its own (libseccomp cannot AND two comparisons of the same argument);
- SCMP_CMP_MASKED_EQ: `value` is the mask, `valueTwo` the expected masked value (its bits outside
  the mask are ignored: libseccomp masks both sides);
- the native architecture is always in the filter, next to `architectures`;
- unless the default action lets calls through, syscalls numbered above the last one the profile
  names (per architecture) fail with ENOSYS instead of the default action: they are newer than
  the profile, and libc falls back from ENOSYS where a default EPERM would break it.

Hot path module (create): imports only os at module level.
"""

from __future__ import annotations

import os

from ..errors import ConfigError, NativeError, PyruncError, pointer_join

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeGuard

# Bump when the meaning of a compiled program for the same input changes: it is part of the cache key.
COMPILER_VERSION = "2"

EPERM = 1
ENOSYS = 38

# libseccomp action values (SCMP_ACT_*); ERRNO and TRACE carry errnoRet in the low 16 bits.
ACT_KILL_THREAD = 0x00000000
ACT_KILL_PROCESS = 0x80000000
ACT_TRAP = 0x00030000
ACT_ERRNO = 0x00050000
ACT_NOTIFY = 0x7FC00000
ACT_TRACE = 0x7FF00000
ACT_LOG = 0x7FFC0000
ACT_ALLOW = 0x7FFF0000

ACTIONS = {
    "SCMP_ACT_KILL": ACT_KILL_THREAD,
    "SCMP_ACT_KILL_THREAD": ACT_KILL_THREAD,
    "SCMP_ACT_KILL_PROCESS": ACT_KILL_PROCESS,
    "SCMP_ACT_TRAP": ACT_TRAP,
    "SCMP_ACT_ERRNO": ACT_ERRNO,
    "SCMP_ACT_TRACE": ACT_TRACE,
    "SCMP_ACT_ALLOW": ACT_ALLOW,
    "SCMP_ACT_LOG": ACT_LOG,
    "SCMP_ACT_NOTIFY": ACT_NOTIFY,
}
_WITH_ERRNO = (ACT_ERRNO, ACT_TRACE)

OPERATORS = {
    "SCMP_CMP_NE": 1,
    "SCMP_CMP_LT": 2,
    "SCMP_CMP_LE": 3,
    "SCMP_CMP_EQ": 4,
    "SCMP_CMP_GE": 5,
    "SCMP_CMP_GT": 6,
    "SCMP_CMP_MASKED_EQ": 7,
}

# Spec name -> libseccomp's name; whether the installed libseccomp knows it is asked at compile time.
ARCHITECTURES = {
    "SCMP_ARCH_X86": "x86",
    "SCMP_ARCH_X86_64": "x86_64",
    "SCMP_ARCH_X32": "x32",
    "SCMP_ARCH_ARM": "arm",
    "SCMP_ARCH_AARCH64": "aarch64",
    "SCMP_ARCH_MIPS": "mips",
    "SCMP_ARCH_MIPS64": "mips64",
    "SCMP_ARCH_MIPS64N32": "mips64n32",
    "SCMP_ARCH_MIPSEL": "mipsel",
    "SCMP_ARCH_MIPSEL64": "mipsel64",
    "SCMP_ARCH_MIPSEL64N32": "mipsel64n32",
    "SCMP_ARCH_PPC": "ppc",
    "SCMP_ARCH_PPC64": "ppc64",
    "SCMP_ARCH_PPC64LE": "ppc64le",
    "SCMP_ARCH_S390": "s390",
    "SCMP_ARCH_S390X": "s390x",
    "SCMP_ARCH_PARISC": "parisc",
    "SCMP_ARCH_PARISC64": "parisc64",
    "SCMP_ARCH_RISCV64": "riscv64",
    "SCMP_ARCH_LOONGARCH64": "loongarch64",
    "SCMP_ARCH_M68K": "m68k",
    "SCMP_ARCH_SH": "sh",
    "SCMP_ARCH_SHEB": "sheb",
}

FLAG_TSYNC = 1
FLAG_LOG = 2
FLAG_SPEC_ALLOW = 4
FLAG_NEW_LISTENER = 8
FLAG_TSYNC_ESRCH = 16
FLAG_WAIT_KILLABLE_RECV = 32

FLAGS = {
    "SECCOMP_FILTER_FLAG_TSYNC": FLAG_TSYNC,
    "SECCOMP_FILTER_FLAG_LOG": FLAG_LOG,
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW": FLAG_SPEC_ALLOW,
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV": FLAG_WAIT_KILLABLE_RECV,
}

# The init still makes these calls after loading the filter and before the parent holds the
# listener fd (it sends the fd with sendmsg; an error record is written): a notifying rule on them
# would block the init forever, so they are refused, as runc refuses `write`.
NOTIFY_FORBIDDEN = frozenset(("write", "sendmsg"))

MAX_ARGS_PER_RULE = 64  # MAX_CMP_PER_RULE in csrc/seccomp.c
MAX_INSNS = 4096  # BPF_MAXINSNS
RULES_MAGIC = 0x43535250  # PYRUNC_SECCOMP_RULES_MAGIC
RULES_VERSION = 2
_U64 = (1 << 64) - 1


class CompiledSeccomp:
    """What the plan needs (bpf -> PA_SECCOMP_BPF, flags -> PA_SECCOMP_FLAGS) and what create does
    after the init loaded it (send the listener fd to listener_path when notify)."""

    __slots__ = ("bpf", "flags", "notify", "listener_path", "listener_metadata", "skipped", "from_cache")

    def __init__(
        self,
        bpf: bytes,
        flags: int,
        notify: bool,
        listener_path: str | None,
        listener_metadata: str,
        skipped: list[str],
        from_cache: bool = False,
    ) -> None:
        self.bpf = bpf
        self.flags = flags
        self.notify = notify
        self.listener_path = listener_path
        self.listener_metadata = listener_metadata
        self.skipped = skipped
        self.from_cache = from_cache

    @property
    def flags_without_listener(self) -> int:
        """Flags for a second load of the same program that must not make a listener (`exec`):
        WAIT_KILLABLE_RECV without NEW_LISTENER is EINVAL. Notifying rules then fail with ENOSYS."""
        return self.flags & ~(FLAG_NEW_LISTENER | FLAG_WAIT_KILLABLE_RECV | FLAG_TSYNC_ESRCH)

    def __repr__(self) -> str:
        return (
            f"CompiledSeccomp(insns={len(self.bpf) // 8}, flags={self.flags:#x}, notify={self.notify}, "
            f"listener_path={self.listener_path!r}, skipped={len(self.skipped)}, "
            f"from_cache={self.from_cache})"
        )


class _Rule:
    __slots__ = ("action", "names", "args")

    def __init__(self, action: int, names: list[str], args: list[tuple[int, int, int, int]]) -> None:
        self.action = action
        self.names = names
        self.args = args  # (index, op, value, valueTwo)


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def _action(name: object, errno_ret: object, ptr: str, errno_ptr: str) -> int:
    if not isinstance(name, str):
        raise ConfigError(ptr, "must be a string")
    base = ACTIONS.get(name)
    if base is None:
        raise ConfigError(ptr, f"unknown seccomp action {name!r}")
    if errno_ret is None:
        return base | EPERM if base in _WITH_ERRNO else base
    if base not in _WITH_ERRNO:
        raise ConfigError(errno_ptr, f"only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not {name}")
    if not _is_int(errno_ret) or not 0 <= errno_ret <= 0xFFFF:
        raise ConfigError(errno_ptr, "must be an integer from 0 to 65535")
    return base | errno_ret


def _u64(v: object, ptr: str) -> int:
    if not _is_int(v) or not 0 <= v <= _U64:
        raise ConfigError(ptr, "must be an integer from 0 to 2^64-1")
    return v


def _parse_args(raw: object, ptr: str) -> list[tuple[int, int, int, int]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ConfigError(ptr, "must be an array")
    if len(raw) > MAX_ARGS_PER_RULE:
        raise ConfigError(ptr, f"at most {MAX_ARGS_PER_RULE} comparisons per rule")
    out = []
    for j, arg in enumerate(raw):
        aptr = pointer_join(ptr, j)
        if not isinstance(arg, dict):
            raise ConfigError(aptr, "must be an object")
        index = arg.get("index")
        if not _is_int(index) or not 0 <= index <= 5:
            raise ConfigError(aptr + "/index", "must be a syscall argument index from 0 to 5")
        op_name = arg.get("op")
        op = OPERATORS.get(op_name) if isinstance(op_name, str) else None
        if op is None:
            raise ConfigError(aptr + "/op", f"unknown seccomp operator {op_name!r}")
        value = _u64(arg.get("value"), aptr + "/value")
        two = arg.get("valueTwo")
        value_two = 0 if two is None else _u64(two, aptr + "/valueTwo")
        out.append((index, op, value, value_two))
    return out


def _parse(seccomp: Any, pointer: str) -> tuple[int, list[str], list[_Rule], int, bool, str | None, str]:
    """Validate the section; (default action, arch names, rules, flags, notify, listener path, metadata)."""
    if not isinstance(seccomp, dict):
        raise ConfigError(pointer, "must be an object")
    default = _action(
        seccomp.get("defaultAction"),
        seccomp.get("defaultErrnoRet"),
        pointer + "/defaultAction",
        pointer + "/defaultErrnoRet",
    )
    notify = False
    if default == ACT_NOTIFY:
        raise ConfigError(
            pointer + "/defaultAction",
            "SCMP_ACT_NOTIFY cannot be the default action: "
            "the runtime's own last syscalls would wait forever",
        )

    archs = seccomp.get("architectures") or []
    if not isinstance(archs, list):
        raise ConfigError(pointer + "/architectures", "must be an array")
    arch_names = []
    for i, a in enumerate(archs):
        lib_name = ARCHITECTURES.get(a) if isinstance(a, str) else None
        if lib_name is None:
            raise ConfigError(pointer_join(pointer, "architectures", i), f"unknown architecture {a!r}")
        arch_names.append(lib_name)

    flags = 0
    raw_flags = seccomp.get("flags") or []
    if not isinstance(raw_flags, list):
        raise ConfigError(pointer + "/flags", "must be an array")
    for i, f in enumerate(raw_flags):
        bit = FLAGS.get(f) if isinstance(f, str) else None
        if bit is None:
            raise ConfigError(pointer_join(pointer, "flags", i), f"unknown seccomp flag {f!r}")
        flags |= bit

    rules = []
    raw_rules = seccomp.get("syscalls") or []
    if not isinstance(raw_rules, list):
        raise ConfigError(pointer + "/syscalls", "must be an array")
    for i, rule in enumerate(raw_rules):
        rptr = pointer_join(pointer, "syscalls", i)
        if not isinstance(rule, dict):
            raise ConfigError(rptr, "must be an object")
        names = rule.get("names")
        if not isinstance(names, list) or not names:
            raise ConfigError(rptr + "/names", "must be a non-empty array of syscall names")
        for j, n in enumerate(names):
            if not isinstance(n, str) or not n:
                raise ConfigError(pointer_join(rptr, "names", j), "must be a non-empty string")
        action = _action(rule.get("action"), rule.get("errnoRet"), rptr + "/action", rptr + "/errnoRet")
        if action == ACT_NOTIFY:
            notify = True
            for j, n in enumerate(names):
                if n in NOTIFY_FORBIDDEN:
                    raise ConfigError(
                        pointer_join(rptr, "names", j),
                        f"SCMP_ACT_NOTIFY cannot be used for {n!r}: "
                        "the runtime needs it after loading the filter",
                    )
        rules.append(_Rule(action, names, _parse_args(rule.get("args"), rptr + "/args")))

    listener_path = seccomp.get("listenerPath")
    if listener_path is not None and not isinstance(listener_path, str):
        raise ConfigError(pointer + "/listenerPath", "must be a string")
    metadata = seccomp.get("listenerMetadata")
    if metadata is None:
        metadata = ""
    elif not isinstance(metadata, str):
        raise ConfigError(pointer + "/listenerMetadata", "must be a string")
    if notify and not listener_path:
        raise ConfigError(pointer + "/listenerPath", "required when a rule uses SCMP_ACT_NOTIFY")
    return default, arch_names, rules, flags, notify, listener_path or None, metadata


def _load_flags(flags: int, notify: bool, pointer: str) -> int:
    from ..native import lib

    if notify:
        flags |= FLAG_NEW_LISTENER
        if flags & FLAG_TSYNC:
            # With a listener, TSYNC must report a thread it cannot sync as ESRCH, not by tid.
            flags |= FLAG_TSYNC_ESRCH
    if flags & FLAG_WAIT_KILLABLE_RECV and (not notify or not lib.pyrunc_seccomp_flags_supported(flags)):
        # Only meaningful with a listener, and only on Linux >= 5.19; without either it changes nothing.
        flags &= ~FLAG_WAIT_KILLABLE_RECV
    if flags and not lib.pyrunc_seccomp_flags_supported(flags):
        raise ConfigError(pointer + "/flags", f"seccomp flags {flags:#x} are not supported by this kernel")
    return flags


def _resolve(rules: list[_Rule]) -> tuple[list[list[int]], list[str]]:
    """Syscall numbers per rule (native or libseccomp pseudo numbers) and the unknown names."""
    from ..native import lib

    known: dict[str, int] = {}
    skipped: list[str] = []
    out = []
    for rule in rules:
        nrs = []
        for name in rule.names:
            nr = known.get(name)
            if nr is None:
                try:
                    raw = name.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate from JSON: no syscall is called that
                    raw = b"\0"
                # An embedded NUL would make C read a shorter, different name.
                nr = -1 if b"\0" in raw else lib.pyrunc_seccomp_resolve_syscall(raw)
                known[name] = nr
                if nr == -1:
                    skipped.append(name)
            if nr != -1:
                nrs.append(nr)
        out.append(nrs)
    return out, skipped


_AUDIT_ARCH_LE = 0x40000000


def _arch_tokens(arch_names: list[str], pointer: str) -> list[int]:
    from ..native import ffi, lib

    native = lib.pyrunc_seccomp_native_arch()
    tokens = []
    for i, name in enumerate(arch_names):
        token = lib.pyrunc_seccomp_arch_token(name.encode())
        ptr = pointer_join(pointer, "architectures", i)
        if token == 0:
            version = ffi.string(lib.pyrunc_seccomp_version()).decode()
            raise ConfigError(
                ptr, f"architecture {name!r} is not supported by the installed libseccomp {version}"
            )
        if (token ^ native) & _AUDIT_ARCH_LE:
            # One BPF program reads the syscall data in one byte order.
            raise ConfigError(ptr, f"architecture {name!r} has a byte order other than this host's")
        tokens.append(token)
    return tokens


def _enosys_entries(default: int, tokens: list[int], names: set[str]) -> list[tuple[int, int, int]]:
    """(audit arch, last nr, last x32 nr or 0) per architecture, for the ENOSYS stub."""
    if default in (ACT_ALLOW, ACT_LOG, ACT_ERRNO | ENOSYS):
        return []  # newer syscalls already pass, or already get ENOSYS
    from ..native import lib

    native = lib.pyrunc_seccomp_native_arch()
    x86_64 = lib.pyrunc_seccomp_arch_token(b"x86_64")
    x32 = lib.pyrunc_seccomp_arch_token(b"x32")
    archs = [native] + [t for t in tokens if t != native]
    encoded = [n.encode("utf-8") for n in names]  # only names libseccomp resolved: plain ASCII
    last = {}
    for arch in archs:
        top = -1
        for name in encoded:
            nr = lib.pyrunc_seccomp_resolve_syscall_arch(arch, name)
            if nr > top:
                top = nr
        last[arch] = top
    entries = []
    for arch in archs:
        # x32 shares AUDIT_ARCH_X86_64 with the 0x40000000 bit set; it rides on that entry.
        if arch == x32 or last[arch] < 0:
            continue
        last_x32 = last.get(x32, -1) if arch == x86_64 else -1
        entries.append((arch, last[arch], max(last_x32, 0)))
    return entries


def build_rules_blob(
    default: int,
    arch_tokens: list[int],
    rules: list[_Rule],
    numbers: list[list[int]],
    enosys: list[tuple[int, int, int]] | None = None,
) -> bytes:
    """The compact rule format pyrunc_seccomp_compile reads (see csrc/pyrunc.h)."""
    import struct

    parts = [struct.pack("=IIII", RULES_MAGIC, RULES_VERSION, default, len(arch_tokens))]
    parts.append(struct.pack(f"={len(arch_tokens)}I", *arch_tokens))
    parts.append(struct.pack("=I", len(rules)))
    for rule, nrs in zip(rules, numbers, strict=True):
        parts.append(struct.pack("=III", rule.action, len(nrs), len(rule.args)))
        parts.append(struct.pack(f"={len(nrs)}i", *nrs))
        for index, op, value, value_two in rule.args:
            parts.append(struct.pack("=IIQQ", index, op, value, value_two))
    enosys = enosys or []
    parts.append(struct.pack("=I", len(enosys)))
    for entry in enosys:
        parts.append(struct.pack("=III", *entry))
    return b"".join(parts)


class _RuleRefused(Exception):
    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


def _compile_blob(blob: bytes) -> bytes:
    """The program for a rule blob; _RuleRefused names a rule libseccomp would not take."""
    from ..native import ffi, lib, raise_err

    err = ffi.new("struct pyrunc_err *")
    out_len = ffi.new("size_t *")
    cap = 64 * 1024
    for _ in range(2):
        out = ffi.new("unsigned char[]", cap)
        if lib.pyrunc_seccomp_compile(blob, len(blob), out, cap, out_len, err) == 0:
            return bytes(ffi.buffer(out, out_len[0]))
        if err.errnum != 28 or out_len[0] <= cap:  # ENOSPC: retry once with the size it needs
            break
        cap = out_len[0]
    if err.errnum != 28 and out_len[0]:
        raise _RuleRefused(out_len[0] - 1, ffi.string(err.msg).decode("utf-8", "replace"))
    raise_err(err)
    raise AssertionError("unreachable")


def _cache_key(seccomp: dict[str, Any]) -> bytes:
    from ..jsonio import dumps
    from ..native import ffi, lib
    from .seccomp_cache import cache_key

    # The serialised section is canonical enough: the same config always hashes the same, and a
    # reordered one only costs a second entry.
    canonical = dumps(seccomp).encode("utf-8", "surrogatepass")
    return cache_key(
        canonical,
        libseccomp=ffi.string(lib.pyrunc_seccomp_version()).decode(),
        arch=f"{os.uname().machine}/{lib.pyrunc_seccomp_native_arch():#x}",
        abi=f"{lib.pyrunc_native_abi()}/{COMPILER_VERSION}",
    )


def compile_seccomp(
    seccomp: dict[str, Any], *, pointer: str = "/linux/seccomp", cache_dir: str | None = None
) -> CompiledSeccomp:
    """Validate and compile `linux.seccomp`; with cache_dir, reuse a program compiled before."""
    default, arch_names, rules, flags, notify, listener_path, metadata = _parse(seccomp, pointer)
    flags = _load_flags(flags, notify, pointer)

    key = None
    if cache_dir is not None:
        from . import seccomp_cache

        key = _cache_key(seccomp)
        hit = seccomp_cache.load(cache_dir, key)
        if hit is not None:
            return CompiledSeccomp(hit[0], flags, notify, listener_path, metadata, hit[1], from_cache=True)

    tokens = _arch_tokens(arch_names, pointer)
    numbers, skipped = _resolve(rules)
    unknown = set(skipped)
    enosys = _enosys_entries(default, tokens, {n for r in rules for n in r.names if n not in unknown})
    try:
        bpf = _compile_blob(build_rules_blob(default, tokens, rules, numbers, enosys))
    except _RuleRefused as exc:
        # e.g. the same syscall and conditions as an earlier rule with another action ("file exists").
        raise ConfigError(pointer_join(pointer, "syscalls", exc.index), exc.message) from None
    except NativeError as exc:
        raise PyruncError(f"compile seccomp filter: {exc.message}") from None
    if len(bpf) > MAX_INSNS * 8:
        raise ConfigError(
            pointer, f"the seccomp filter has {len(bpf) // 8} instructions; the kernel takes {MAX_INSNS}"
        )
    if cache_dir is not None and key is not None:
        seccomp_cache.store(cache_dir, key, bpf, skipped)
    return CompiledSeccomp(bpf, flags, notify, listener_path, metadata, skipped)


def listener_payload(compiled: CompiledSeccomp, state: dict[str, Any]) -> bytes:
    """The container process state document sent with the listener fd to listenerPath."""
    from .. import OCI_VERSION
    from ..jsonio import dumps

    doc = {
        "ociVersion": OCI_VERSION,
        "fds": ["seccompFd"],
        "pid": state.get("pid", 0),
        "metadata": compiled.listener_metadata,
        "state": state,
    }
    return dumps(doc).encode("utf-8")


def seccomp_features() -> dict[str, Any]:
    """The `linux.seccomp` part of `pyrunc features`, as this libseccomp and kernel really are."""
    from ..native import lib

    native = lib.pyrunc_seccomp_native_arch()
    archs = []
    for name, lib_name in ARCHITECTURES.items():
        token = lib.pyrunc_seccomp_arch_token(lib_name.encode())
        # Unknown to libseccomp, or of the other byte order: compile_seccomp refuses those.
        if token and not (token ^ native) & _AUDIT_ARCH_LE:
            archs.append(name)
    supported = []
    for name, bit in FLAGS.items():
        # WAIT_KILLABLE_RECV is only accepted next to NEW_LISTENER.
        probe = bit | FLAG_NEW_LISTENER if bit == FLAG_WAIT_KILLABLE_RECV else bit
        if lib.pyrunc_seccomp_flags_supported(probe):
            supported.append(name)
    actions = sorted(a for a, v in ACTIONS.items() if lib.pyrunc_seccomp_action_supported(v))
    return {
        "enabled": True,
        "actions": actions,
        "operators": sorted(OPERATORS),
        "archs": sorted(archs),
        "knownFlags": list(FLAGS),
        "supportedFlags": supported,
    }
