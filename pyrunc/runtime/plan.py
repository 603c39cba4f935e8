"""Spec -> plan: everything that can fail politely is decided here, before clone.

The result is one immutable blob for the C core (pyrunc/runtime/planfile.py) plus what the parent
itself needs during create (id maps, hooks, the seccomp listener, the console socket).
"""

from __future__ import annotations

import os

from ..errors import ConfigError
from ..log import LOG
from . import planfile as pf

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAMESPACE_FLAGS = {
    "pid": 0x20000000,
    "network": 0x40000000,
    "mount": 0x00020000,
    "ipc": 0x08000000,
    "uts": 0x04000000,
    "user": 0x10000000,
    "cgroup": 0x02000000,
    "time": 0x00000080,
}
MS_REC = 0x4000
PROPAGATION = {
    "private": 0x40000,
    "rprivate": 0x40000 | MS_REC,
    "slave": 0x80000,
    "rslave": 0x80000 | MS_REC,
    "shared": 0x100000,
    "rshared": 0x100000 | MS_REC,
    "unbindable": 0x20000,
    "runbindable": 0x20000 | MS_REC,
}
SCHED_POLICIES = {
    "SCHED_OTHER": 0,
    "SCHED_FIFO": 1,
    "SCHED_RR": 2,
    "SCHED_BATCH": 3,
    "SCHED_ISO": 4,
    "SCHED_IDLE": 5,
    "SCHED_DEADLINE": 6,
}
SCHED_FLAGS = {
    "SCHED_FLAG_RESET_ON_FORK": 0x1,
    "SCHED_FLAG_RECLAIM": 0x2,
    "SCHED_FLAG_DL_OVERRUN": 0x4,
    "SCHED_FLAG_KEEP_POLICY": 0x8,
    "SCHED_FLAG_KEEP_PARAMS": 0x10,
    "SCHED_FLAG_UTIL_CLAMP_MIN": 0x20,
    "SCHED_FLAG_UTIL_CLAMP_MAX": 0x40,
}
IOPRIO_CLASSES = {"IOPRIO_CLASS_RT": 1, "IOPRIO_CLASS_BE": 2, "IOPRIO_CLASS_IDLE": 3}
PERSONALITY_DOMAINS = {"LINUX": 0x0000, "LINUX32": 0x0008}
TIME_CLOCKS = {"monotonic": 1, "boottime": 7}
MEMPOLICY_MODES = {
    "MPOL_DEFAULT": 0,
    "MPOL_PREFERRED": 1,
    "MPOL_BIND": 2,
    "MPOL_INTERLEAVE": 3,
    "MPOL_LOCAL": 4,
    "MPOL_PREFERRED_MANY": 5,
    "MPOL_WEIGHTED_INTERLEAVE": 6,
}
MEMPOLICY_FLAGS = {
    "MPOL_F_NUMA_BALANCING": 1 << 13,
    "MPOL_F_RELATIVE_NODES": 1 << 14,
    "MPOL_F_STATIC_NODES": 1 << 15,
}
NGROUPS_MAX = 65536  # the kernel's limit for setgroups, and the plan decoder's
ID_MAX = 2147483647
DEFAULT_PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class Plan:
    """What create needs besides the blob."""

    def __init__(self) -> None:
        self.blob = b""
        self.ns_new = 0
        self.userns_new = False
        self.uid_map = ""
        self.gid_map = ""
        self.setgroups_deny = False
        self.has_mount_ns = True
        self.terminal = False
        self.hooks: dict[str, list[dict[str, Any]]] = {}
        self.seccomp: Any = None
        self.rootfs = ""
        self.fds_to_close: list[int] = []
        self.net_devices: dict[str, Any] = {}


# The LSM decisions load security.lsm only for a config that names a label or profile.
def lsm_enabled(name: str) -> bool:
    """Whether the host runs this security module ("apparmor", "selinux"); features.py asks here."""
    from ..security.lsm import lsm_enabled as enabled

    return enabled(name)


def process_labels(proc: dict[str, Any], pointer: str) -> tuple[str | None, str | None]:
    if not proc.get("apparmorProfile") and not proc.get("selinuxLabel"):
        return None, None
    from ..security.lsm import process_labels as labels

    return labels(proc, pointer)


def mount_label(linux: dict[str, Any]) -> str | None:
    if not linux.get("mountLabel"):
        return None
    from ..security.lsm import mount_label as label

    return label(linux)


def _cap_last() -> int:
    try:
        fd = os.open("/proc/sys/kernel/cap_last_cap", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return 40
    try:
        return int(os.read(fd, 32))
    except (OSError, ValueError):
        return 40
    finally:
        os.close(fd)


def cap_mask(names: object, pointer: str, last: int) -> int:
    from ..spec.caps import CAP_NUMBERS

    mask = 0
    if not isinstance(names, list):
        return 0
    for i, name in enumerate(names):
        number = CAP_NUMBERS.get(name) if isinstance(name, str) else None
        if number is None:
            raise ConfigError(f"{pointer}/{i}", f"unknown capability {name!r}")
        if number > last:
            LOG.warning(f"{pointer}/{i}: capability {name} is not supported by this kernel, ignored")
            continue
        mask |= 1 << number
    return mask


def _id_map(entries: object) -> str:
    lines = []
    for entry in entries if isinstance(entries, list) else []:
        lines.append(f"{entry['containerID']} {entry['hostID']} {entry['size']}")
    return "\n".join(lines) + "\n" if lines else ""


def cpu_mask(text: str, pointer: str) -> bytes:
    """ "0-3,7" -> a cpu_set_t bitmask."""
    cpus: set[int] = set()
    try:
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            lo, dash, hi = part.partition("-")
            first, last = int(lo), int(hi) if dash else int(lo)
            if first < 0 or last < first or last >= 8192:
                raise ValueError
            cpus.update(range(first, last + 1))
    except ValueError:
        raise ConfigError(pointer, f"invalid cpu list {text!r}") from None
    size = max(128, ((max(cpus) if cpus else 0) // 64 + 1) * 8)
    mask = bytearray(size)
    for cpu in cpus:
        mask[cpu // 8] |= 1 << (cpu % 8)
    return bytes(mask)


def build_process(
    w: pf.PlanWriter,
    proc: dict[str, Any],
    pointer: str,
    *,
    exec_mode: bool,
    extra_env: list[str] | None = None,
) -> None:
    """The process part of the plan: shared by create and exec."""
    args = proc.get("args") or []
    if not args:
        raise ConfigError(f"{pointer}/args", "args must not be empty")
    w.strlist(pf.PA_ARGS, [str(a) for a in args])
    env = [str(e) for e in proc.get("env") or []]
    if extra_env:
        env += extra_env
    w.strlist(pf.PA_ENV, env)
    cwd = proc.get("cwd") or "/"
    if not isinstance(cwd, str) or not cwd.startswith("/"):
        raise ConfigError(f"{pointer}/cwd", "cwd must be an absolute path")
    w.string(pf.PA_CWD, cwd)
    user = proc.get("user") or {}
    umask = user.get("umask")
    if len(user.get("additionalGids") or []) > NGROUPS_MAX:
        raise ConfigError(f"{pointer}/user/additionalGids", f"more than {NGROUPS_MAX} additional gids")
    # The kernel reads (uid_t)-1 as "leave unchanged": 4294967295 would silently keep root. runc's range.
    for key, value in [("uid", user.get("uid", 0)), ("gid", user.get("gid", 0))] + [
        (f"additionalGids/{i}", g) for i, g in enumerate(user.get("additionalGids") or [])
    ]:
        if not 0 <= int(value) <= ID_MAX:
            raise ConfigError(f"{pointer}/user/{key}", f"uids and gids must be in range 0-{ID_MAX}")
    # Unset means 0022 (runc), not whatever the caller of the runtime happened to have.
    w.user(
        int(user.get("uid", 0)),
        int(user.get("gid", 0)),
        0o022 if umask is None else int(umask),
        [int(g) for g in user.get("additionalGids") or []],
    )
    caps = proc.get("capabilities")
    if isinstance(caps, dict):
        last = _cap_last()
        w.caps(
            *(
                cap_mask(caps.get(k), f"{pointer}/capabilities/{k}", last)
                for k in ("bounding", "effective", "inheritable", "permitted", "ambient")
            )
        )
    from ..spec.rlimits import RLIMIT_NUMBERS

    for i, rl in enumerate(proc.get("rlimits") or []):
        number = RLIMIT_NUMBERS.get(rl.get("type"))
        if number is None:
            raise ConfigError(f"{pointer}/rlimits/{i}/type", f"unknown rlimit {rl.get('type')!r}")
        w.rlimit(number, int(rl.get("soft", 0)), int(rl.get("hard", 0)))
    if proc.get("noNewPrivileges"):
        w.u32(pf.PA_NO_NEW_PRIVS, 1)
    if proc.get("oomScoreAdj") is not None:
        w.u32(pf.PA_OOM_SCORE_ADJ, int(proc["oomScoreAdj"]))
    sched = proc.get("scheduler")
    if isinstance(sched, dict):
        policy = SCHED_POLICIES.get(sched.get("policy", ""))
        if policy is None:
            raise ConfigError(
                f"{pointer}/scheduler/policy", f"unknown scheduler policy {sched.get('policy')!r}"
            )
        flags = 0
        for i, name in enumerate(sched.get("flags") or []):
            if name not in SCHED_FLAGS:
                raise ConfigError(f"{pointer}/scheduler/flags/{i}", f"unknown scheduler flag {name!r}")
            flags |= SCHED_FLAGS[name]
        w.scheduler(
            policy,
            int(sched.get("nice", 0)),
            int(sched.get("priority", 0)),
            flags,
            int(sched.get("runtime", 0)),
            int(sched.get("deadline", 0)),
            int(sched.get("period", 0)),
        )
    ioprio = proc.get("ioPriority")
    if isinstance(ioprio, dict):
        klass = IOPRIO_CLASSES.get(ioprio.get("class", ""))
        if klass is None:
            raise ConfigError(
                f"{pointer}/ioPriority/class", f"unknown io priority class {ioprio.get('class')!r}"
            )
        w.u32(pf.PA_IOPRIO, (klass << 13) | int(ioprio.get("priority", 0)))
    affinity = proc.get("execCPUAffinity")
    if isinstance(affinity, dict) and affinity.get("initial"):
        w.raw(pf.PA_CPU_AFFINITY, cpu_mask(str(affinity["initial"]), f"{pointer}/execCPUAffinity/initial"))
    if isinstance(affinity, dict) and affinity.get("final"):
        w.raw(pf.PA_CPU_AFFINITY_FINAL, cpu_mask(str(affinity["final"]), f"{pointer}/execCPUAffinity/final"))
    profile, label = process_labels(proc, pointer)
    if profile is not None:
        w.string(pf.PA_APPARMOR, profile)
    if label is not None:
        w.string(pf.PA_SELINUX_LABEL, label)
    if proc.get("terminal"):
        size = proc.get("consoleSize") or {}
        w.raw(pf.PA_TERMINAL, _u32pair(int(size.get("height", 0)), int(size.get("width", 0))))


PR_MOUNT_PREPARED = 0x100
MS_REC_FLAG = 0x4000


def _through(maps: list[Any], container_id: int) -> int:
    """A container-side id as the host's kernel sees it, through the container's own id mappings."""
    for entry in maps:
        start, host, size = int(entry["containerID"]), int(entry["hostID"]), int(entry["size"])
        if start <= container_id < start + size:
            return host + container_id - start
    raise ConfigError(
        "/mounts", f"id {container_id} of an idmapped mount is not mapped in the container's user namespace"
    )


def mount_idmap_text(mappings: list[tuple[int, int, int]], container_maps: list[Any] | None) -> str:
    """uid_map text for an idmapped mount's user namespace. The kernel reads it as on-disk id (inside) ->
    id seen through the mount (outside): the spec's hostID is the source filesystem's id, its containerID
    the id the container sees, which the host kernel knows through the container's own mappings."""
    lines = []
    for container_id, host_id, size in mappings:
        outside = _through(container_maps, container_id) if container_maps else container_id
        lines.append(f"{host_id} {outside} {size}\n")
    return "".join(lines)


def _idmap_userns(m: dict[str, Any], linux: dict[str, Any] | None = None) -> int:
    """An idmapped mount is prepared here, on the host side: a detached idmapped clone of its source whose
    fd goes to the init through the plan (an init in a new user namespace could not idmap it itself)."""
    from ..native import lib, new_err, raise_err

    linux = linux or {}
    userns = any(ns.get("type") == "user" for ns in linux.get("namespaces") or [])
    uid_text = mount_idmap_text(m["uid_mappings"], linux.get("uidMappings") if userns else None)
    gid_text = mount_idmap_text(m["gid_mappings"], linux.get("gidMappings") if userns else None)
    err = new_err()
    fd = lib.pyrunc_idmapped_tree(
        str(m["source"]).encode(),
        uid_text.encode(),
        gid_text.encode(),
        1 if int(m["flags"]) & MS_REC_FLAG else 0,
        err,
    )
    if fd < 0:
        raise_err(err)
    m["ext"] = int(m["ext"]) | PR_MOUNT_PREPARED
    return int(fd)


def _u32pair(a: int, b: int) -> bytes:
    return a.to_bytes(4, "little") + b.to_bytes(4, "little")


def build_plan(
    cfg: dict[str, Any],
    bundle: str,
    *,
    fifo_fd: int,
    preserve_fds: int,
    no_pivot: bool,
    no_new_keyring: bool,
    rootless: bool,
    seccomp_cache: str | None,
    extra_env: list[str],
) -> Plan:
    plan = Plan()
    w = pf.PlanWriter()
    linux = cfg.get("linux") or {}
    root = cfg.get("root") or {}
    rootfs = root.get("path", "rootfs")
    if not os.path.isabs(rootfs):
        rootfs = os.path.join(bundle, rootfs)
    rootfs = os.path.realpath(rootfs)
    if not os.path.isdir(rootfs):
        raise ConfigError("/root/path", f"rootfs {rootfs}: no such directory")
    plan.rootfs = rootfs
    w.string(pf.PA_ROOTFS, rootfs)

    ns_new = 0
    for i, ns in enumerate(linux.get("namespaces") or []):
        flag = NAMESPACE_FLAGS.get(ns.get("type"))
        if flag is None:
            raise ConfigError(f"/linux/namespaces/{i}/type", f"unknown namespace type {ns.get('type')!r}")
        if ns.get("path"):
            w.ns_join(flag, ns["path"])
        else:
            ns_new |= flag
    plan.ns_new = ns_new
    plan.has_mount_ns = bool(ns_new & NAMESPACE_FLAGS["mount"]) or any(
        ns.get("type") == "mount" for ns in linux.get("namespaces") or []
    )
    if ns_new:
        w.u32(pf.PA_NS_NEW, ns_new)
    userns = any(ns.get("type") == "user" for ns in linux.get("namespaces") or [])
    if ns_new & NAMESPACE_FLAGS["user"]:
        plan.userns_new = True
        plan.uid_map = _id_map(linux.get("uidMappings"))
        plan.gid_map = _id_map(linux.get("gidMappings"))
        plan.setgroups_deny = rootless
        if rootless:
            w.u32(pf.PA_SETGROUPS_DENY, 1)
    for clock, offset in (linux.get("timeOffsets") or {}).items():
        if clock not in TIME_CLOCKS:
            raise ConfigError(f"/linux/timeOffsets/{clock}", f"unknown clock {clock!r}")
        w.timens(TIME_CLOCKS[clock], int(offset.get("secs", 0)), int(offset.get("nanosecs", 0)))

    prop = linux.get("rootfsPropagation")
    if prop:
        if prop not in PROPAGATION:
            raise ConfigError("/linux/rootfsPropagation", f"unknown propagation {prop!r}")
        w.u64(pf.PA_ROOTFS_PROPAGATION, PROPAGATION[prop])
    if root.get("readonly"):
        w.u32(pf.PA_ROOT_READONLY, 1)
    if no_pivot:
        w.u32(pf.PA_NO_PIVOT, 1)
    if no_new_keyring:
        w.u32(pf.PA_NO_NEW_KEYRING, 1)

    from .devices import plan_devices
    from .mounts import plan_mounts

    for m in plan_mounts(cfg, bundle=bundle, userns=userns):
        if "uid_mappings" in m:
            m["userns_fd"] = _idmap_userns(m, linux)
            plan.fds_to_close.append(m["userns_fd"])
        w.mount(m)
    devices, symlinks = plan_devices(cfg, userns=userns)
    for d in devices:
        w.device(d)
    for target, link in symlinks:
        w.strings(pf.PA_SYMLINK, target, link)
    for path in linux.get("maskedPaths") or []:
        w.string(pf.PA_MASKED, path)
    for path in linux.get("readonlyPaths") or []:
        w.string(pf.PA_READONLY, path)
    label = mount_label(linux)
    if label is not None:
        w.string(pf.PA_MOUNT_LABEL, label)
    if cfg.get("hostname") is not None:
        w.string(pf.PA_HOSTNAME, cfg["hostname"])
    if cfg.get("domainname") is not None:
        w.string(pf.PA_DOMAINNAME, cfg["domainname"])
    for key, value in (linux.get("sysctl") or {}).items():
        w.strings(pf.PA_SYSCTL, key, str(value))

    if linux.get("intelRdt") is not None and not os.path.isdir("/sys/fs/resctrl/info"):
        raise ConfigError(
            "/linux/intelRdt",
            "intelRdt is specified in config, but Intel RDT is not supported or "
            "enabled on this host (no resctrl filesystem)",
        )
    proc = cfg.get("process") or {}
    plan.terminal = bool(proc.get("terminal"))
    build_process(w, proc, "/process", exec_mode=False, extra_env=extra_env)
    persona = linux.get("personality")
    if isinstance(persona, dict):
        domain = PERSONALITY_DOMAINS.get(persona.get("domain", ""))
        if domain is None:
            raise ConfigError(
                "/linux/personality/domain", f"unknown personality domain {persona.get('domain')!r}"
            )
        w.u32(pf.PA_PERSONALITY, domain)

    policy = linux.get("memoryPolicy")
    if isinstance(policy, dict):
        mode = MEMPOLICY_MODES.get(policy.get("mode", ""))
        if mode is None:
            raise ConfigError(
                "/linux/memoryPolicy/mode", f"unknown memory policy mode {policy.get('mode')!r}"
            )
        for i, name in enumerate(policy.get("flags") or []):
            if name not in MEMPOLICY_FLAGS:
                raise ConfigError(f"/linux/memoryPolicy/flags/{i}", f"unknown memory policy flag {name!r}")
            mode |= MEMPOLICY_FLAGS[name]
        nodes = cpu_mask(str(policy["nodes"]), "/linux/memoryPolicy/nodes") if policy.get("nodes") else b""
        w.raw(pf.PA_MEMPOLICY, mode.to_bytes(4, "little") + nodes)
    plan.net_devices = dict(linux.get("netDevices") or {})

    seccomp = linux.get("seccomp")
    if seccomp:
        from ..security.seccomp import compile_seccomp

        compiled = compile_seccomp(seccomp, cache_dir=seccomp_cache)
        for name in compiled.skipped:
            LOG.debug(f"/linux/seccomp: syscall {name} is unknown to libseccomp, skipped")
        if compiled.bpf:
            w.raw(pf.PA_SECCOMP_BPF, compiled.bpf)
            w.u32(pf.PA_SECCOMP_FLAGS, compiled.flags)
        plan.seccomp = compiled

    hooks = cfg.get("hooks") or {}
    plan.hooks = {k: list(v) for k, v in hooks.items() if isinstance(v, list)}
    for kind, attr in (
        ("createContainer", pf.PA_HOOK_CREATE_CONTAINER),
        ("startContainer", pf.PA_HOOK_START_CONTAINER),
    ):
        for hook in plan.hooks.get(kind, []):
            w.hook(
                attr,
                hook["path"],
                list(hook.get("args") or [hook["path"]]),
                list(hook.get("env") or []),
                int(hook.get("timeout") or 0),
            )
    if any(plan.hooks.get(k) for k in ("prestart", "createRuntime", "createContainer", "startContainer")):
        w.u32(pf.PA_HOOKS_SYNC, 1)
    w.u32(pf.PA_FIFO_FD, fifo_fd)
    if preserve_fds:
        w.u32(pf.PA_PRESERVE_FDS, preserve_fds)
    from .initexe import add_init_binary, fill_plan

    plan_fd = add_init_binary(w, plan.fds_to_close)
    plan.blob = w.blob()
    if plan_fd is not None:
        fill_plan(plan_fd, plan.blob)
    return plan
