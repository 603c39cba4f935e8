"""config.json `mounts` -> what the C core mounts (struct pr_mount in csrc/plan.h).

Pure and cheap (on the create hot path): no syscalls, no heavy imports. Each option is looked up in
one table: mount(2) flags to set or clear, propagation, recursive `mount_setattr` attributes (the r*
forms), or one of the extensions the C core handles itself (tmpcopyup, idmap). Anything else is a
filesystem option and goes to the data string, in order. Options apply left to right, so a later `rw`
undoes an earlier `ro`, as with mount(8).
"""

from __future__ import annotations

import posixpath

from ..errors import ConfigError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# mount(2) flags (linux/mount.h); not imported from anywhere to keep this module free of imports.
MS_RDONLY = 0x1
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_SYNCHRONOUS = 0x10
MS_REMOUNT = 0x20
MS_MANDLOCK = 0x40
MS_DIRSYNC = 0x80
MS_NOSYMFOLLOW = 0x100
MS_NOATIME = 0x400
MS_NODIRATIME = 0x800
MS_BIND = 0x1000
MS_REC = 0x4000
MS_SILENT = 0x8000
MS_UNBINDABLE = 0x20000
MS_PRIVATE = 0x40000
MS_SLAVE = 0x80000
MS_SHARED = 0x100000
MS_RELATIME = 0x200000
MS_I_VERSION = 0x800000
MS_STRICTATIME = 0x1000000
MS_LAZYTIME = 0x2000000

# mount_setattr(2) attributes.
MOUNT_ATTR_RDONLY = 0x1
MOUNT_ATTR_NOSUID = 0x2
MOUNT_ATTR_NODEV = 0x4
MOUNT_ATTR_NOEXEC = 0x8
MOUNT_ATTR__ATIME = 0x70
MOUNT_ATTR_RELATIME = 0x0
MOUNT_ATTR_NOATIME = 0x10
MOUNT_ATTR_STRICTATIME = 0x20
MOUNT_ATTR_NODIRATIME = 0x80
MOUNT_ATTR_IDMAP = 0x100000
MOUNT_ATTR_NOSYMFOLLOW = 0x200000

# struct pr_mount.ext (csrc/plan.h).
PR_MOUNT_TMPCOPYUP = 0x1
PR_MOUNT_IS_BIND = 0x2
PR_MOUNT_REMOUNT_RO = 0x4
PR_MOUNT_CGROUP = 0x8
PR_MOUNT_PROC = 0x10
PR_MOUNT_IDMAP = 0x20
PR_MOUNT_DEVPTS = 0x40
PR_MOUNT_SYSFS = 0x80

# option -> (clear?, MS_* flag). The atime family is one setting: choosing one drops the others.
ATIME_FLAGS = MS_NOATIME | MS_RELATIME | MS_STRICTATIME
FLAG_OPTIONS: dict[str, tuple[bool, int]] = {
    "async": (True, MS_SYNCHRONOUS),
    "atime": (True, MS_NOATIME),
    "bind": (False, MS_BIND),
    "defaults": (False, 0),
    "dev": (True, MS_NODEV),
    "diratime": (True, MS_NODIRATIME),
    "dirsync": (False, MS_DIRSYNC),
    "exec": (True, MS_NOEXEC),
    "iversion": (False, MS_I_VERSION),
    "lazytime": (False, MS_LAZYTIME),
    "loud": (True, MS_SILENT),
    "mand": (False, MS_MANDLOCK),
    "noatime": (False, MS_NOATIME),
    "nodev": (False, MS_NODEV),
    "nodiratime": (False, MS_NODIRATIME),
    "noexec": (False, MS_NOEXEC),
    "noiversion": (True, MS_I_VERSION),
    "nolazytime": (True, MS_LAZYTIME),
    "nomand": (True, MS_MANDLOCK),
    "norelatime": (True, MS_RELATIME),
    "nostrictatime": (True, MS_STRICTATIME),
    "nosuid": (False, MS_NOSUID),
    "nosymfollow": (False, MS_NOSYMFOLLOW),
    "rbind": (False, MS_BIND | MS_REC),
    "relatime": (False, MS_RELATIME),
    "remount": (False, MS_REMOUNT),
    "ro": (False, MS_RDONLY),
    "rw": (True, MS_RDONLY),
    "silent": (False, MS_SILENT),
    "strictatime": (False, MS_STRICTATIME),
    "suid": (True, MS_NOSUID),
    "symfollow": (True, MS_NOSYMFOLLOW),
    "sync": (False, MS_SYNCHRONOUS),
}

PROPAGATION_OPTIONS: dict[str, int] = {
    "private": MS_PRIVATE,
    "rprivate": MS_PRIVATE | MS_REC,
    "shared": MS_SHARED,
    "rshared": MS_SHARED | MS_REC,
    "slave": MS_SLAVE,
    "rslave": MS_SLAVE | MS_REC,
    "unbindable": MS_UNBINDABLE,
    "runbindable": MS_UNBINDABLE | MS_REC,
}

# Recursive forms, applied with mount_setattr(AT_RECURSIVE): option -> (clear?, MOUNT_ATTR_*).
# Atime entries carry the value of the whole atime field (RELATIME is 0: "clear the field").
RECURSIVE_OPTIONS: dict[str, tuple[bool, int]] = {
    "rro": (False, MOUNT_ATTR_RDONLY),
    "rrw": (True, MOUNT_ATTR_RDONLY),
    "rnosuid": (False, MOUNT_ATTR_NOSUID),
    "rsuid": (True, MOUNT_ATTR_NOSUID),
    "rnodev": (False, MOUNT_ATTR_NODEV),
    "rdev": (True, MOUNT_ATTR_NODEV),
    "rnoexec": (False, MOUNT_ATTR_NOEXEC),
    "rexec": (True, MOUNT_ATTR_NOEXEC),
    "rnodiratime": (False, MOUNT_ATTR_NODIRATIME),
    "rdiratime": (True, MOUNT_ATTR_NODIRATIME),
    "rnosymfollow": (False, MOUNT_ATTR_NOSYMFOLLOW),
    "rsymfollow": (True, MOUNT_ATTR_NOSYMFOLLOW),
}
RECURSIVE_ATIME: dict[str, int] = {
    "rnoatime": MOUNT_ATTR_NOATIME,
    "ratime": MOUNT_ATTR_RELATIME,
    "rstrictatime": MOUNT_ATTR_STRICTATIME,
    "rnostrictatime": MOUNT_ATTR_RELATIME,
    "rrelatime": MOUNT_ATTR_RELATIME,
    "rnorelatime": MOUNT_ATTR_RELATIME,
}
EXTENSION_OPTIONS = frozenset({"tmpcopyup", "idmap", "ridmap"})

KNOWN_MOUNT_OPTIONS = frozenset(
    set(FLAG_OPTIONS)
    | set(PROPAGATION_OPTIONS)
    | set(RECURSIVE_OPTIONS)
    | set(RECURSIVE_ATIME)
    | EXTENSION_OPTIONS
)

SPECIAL_TYPES = {
    "proc": PR_MOUNT_PROC,
    "sysfs": PR_MOUNT_SYSFS,
    "cgroup": PR_MOUNT_CGROUP,
    "devpts": PR_MOUNT_DEVPTS,
}


def clean_destination(dest: str) -> str:
    """Absolute and normalized; runtime-spec 1.1+ reads a relative destination as relative to "/"."""
    path = posixpath.normpath("/" + dest)
    # normpath keeps a leading "//" (POSIX allows it to mean something else); inside a rootfs it does not.
    return "/" + path.lstrip("/")


def parse_options(options: list[str], where: str) -> dict[str, Any]:
    """Fold an options list into flags, propagation, recursive attributes, extensions and data."""
    flags = 0
    propagation = 0
    attr_set = 0
    attr_clr = 0
    atime: int | None = None
    ext = 0
    data: list[str] = []
    for i, opt in enumerate(options):
        if not isinstance(opt, str):
            raise ConfigError(f"{where}/{i}", "mount options must be strings")
        flag = FLAG_OPTIONS.get(opt)
        if flag is not None:
            clear, bit = flag
            if bit & ATIME_FLAGS and not clear:
                flags &= ~ATIME_FLAGS
            flags = flags & ~bit if clear else flags | bit
            continue
        prop = PROPAGATION_OPTIONS.get(opt)
        if prop is not None:
            propagation = prop
            continue
        rec = RECURSIVE_OPTIONS.get(opt)
        if rec is not None:
            clear, bit = rec
            if clear:
                attr_set &= ~bit
                attr_clr |= bit
            else:
                attr_clr &= ~bit
                attr_set |= bit
            continue
        rec_atime = RECURSIVE_ATIME.get(opt)
        if rec_atime is not None:
            atime = rec_atime
            continue
        if opt == "tmpcopyup":
            ext |= PR_MOUNT_TMPCOPYUP
        elif opt == "idmap":
            ext |= PR_MOUNT_IDMAP
        elif opt == "ridmap":
            ext |= PR_MOUNT_IDMAP
            flags |= MS_REC
        elif opt == "":
            raise ConfigError(f"{where}/{i}", "empty mount option")
        else:
            data.append(opt)
    if atime is not None:
        # The kernel takes the atime field whole: clear all of it, then set the chosen mode.
        attr_clr |= MOUNT_ATTR__ATIME
        attr_set = (attr_set & ~MOUNT_ATTR__ATIME) | atime
    return {
        "flags": flags,
        "propagation": propagation,
        "attr_set": attr_set,
        "attr_clr": attr_clr,
        "ext": ext,
        "data": ",".join(data),
    }


def _mappings(
    mount: dict[str, Any], linux: dict[str, Any], key: str, where: str
) -> list[tuple[int, int, int]]:
    entries = mount.get(key)
    if entries is None:
        entries = linux.get(key)
    if not entries:
        raise ConfigError(where, f"an idmapped mount needs {key} (on the mount or in /linux)")
    out = []
    for e in entries:
        out.append((int(e["containerID"]), int(e["hostID"]), int(e["size"])))
    return out


# Files under /proc that lxcfs emulates: the only mounts under /proc that are not procfs (as runc allows).
PROC_EMULATED_FILES = frozenset(
    (
        "/proc/cpuinfo",
        "/proc/diskstats",
        "/proc/meminfo",
        "/proc/stat",
        "/proc/swaps",
        "/proc/uptime",
        "/proc/loadavg",
        "/proc/slabinfo",
        "/proc/net/dev",
        "/proc/sys/kernel/ns_last_pid",
    )
)


def check_proc_destination(
    dest: str, fstype: str, is_bind: bool, source: str, flags: int, where: str
) -> None:
    """Only a real procfs goes on /proc (CVE-2019-16884 class): a tmpfs or a bind of a directory there
    would hand the runtime's later writes under /proc (oom_score_adj...) and the container's view of
    itself to files the image controls. A bind of the host's /proc stays allowed, as do remounts, and
    binds of the files lxcfs emulates under /proc. Lexical: a destination reached through a symlink in
    the rootfs is the C core's to check."""
    if fstype == "proc" or flags & MS_REMOUNT:
        return
    if dest == "/proc":
        if is_bind and clean_destination(source) == "/proc":
            return
        raise ConfigError(where + "/destination", f"{dest} cannot be mounted because it is not of type proc")
    if dest.startswith("/proc/") and not (is_bind and dest in PROC_EMULATED_FILES):
        raise ConfigError(where + "/destination", f"{dest} cannot be mounted because it is inside /proc")


def plan_mount(mount: dict[str, Any], index: int, *, bundle: str, linux: dict[str, Any]) -> dict[str, Any]:
    """One entry of config.json `mounts` as the dict PlanWriter.mount() encodes."""
    where = f"/mounts/{index}"
    options = mount.get("options") or []
    if not isinstance(options, list):
        raise ConfigError(where + "/options", "must be an array of strings")
    parsed = parse_options(options, where + "/options")
    dest = mount.get("destination")
    if not isinstance(dest, str) or not dest:
        raise ConfigError(where + "/destination", "must be a non-empty path")
    fstype = mount.get("type") or ""
    source = mount.get("source") or ""
    flags = parsed["flags"]
    ext = parsed["ext"]
    is_bind = bool(flags & MS_BIND) or fstype == "bind"
    if is_bind:
        flags |= MS_BIND
        ext |= PR_MOUNT_IS_BIND
        if not source:
            raise ConfigError(where + "/source", "a bind mount needs a source")
        # A relative bind source names a path in the bundle.
        if not source.startswith("/"):
            source = posixpath.normpath(posixpath.join(bundle, source))
        fstype = ""
        if flags & MS_RDONLY:
            ext |= PR_MOUNT_REMOUNT_RO
    else:
        ext |= SPECIAL_TYPES.get(fstype, 0)
        if not fstype and not flags & MS_REMOUNT:
            raise ConfigError(where + "/type", "a mount that is not a bind needs a type")
    for i, opt in enumerate(options):
        if opt == "tmpcopyup" and (is_bind or fstype != "tmpfs"):
            raise ConfigError(f"{where}/options/{i}", "tmpcopyup only applies to tmpfs mounts")
        if opt in ("idmap", "ridmap") and not is_bind:
            raise ConfigError(f"{where}/options/{i}", f"{opt} only applies to bind mounts")
        if opt == "remount" and is_bind:
            raise ConfigError(f"{where}/options/{i}", "remount cannot be combined with bind")
    check_proc_destination(clean_destination(dest), fstype, is_bind, source, flags, where)
    out: dict[str, Any] = {
        "flags": flags,
        "propagation": parsed["propagation"],
        "attr_set": parsed["attr_set"],
        "attr_clr": parsed["attr_clr"],
        "ext": ext,
        "userns_fd": -1,
        "source": source,
        "destination": clean_destination(dest),
        "fstype": fstype,
        "data": parsed["data"],
    }
    has_maps = "uidMappings" in mount or "gidMappings" in mount
    if ext & PR_MOUNT_IDMAP or (has_maps and is_bind):
        # The coordinator makes a user namespace with these maps and puts its fd in userns_fd.
        out["ext"] = ext | PR_MOUNT_IDMAP
        out["uid_mappings"] = _mappings(mount, linux, "uidMappings", where + "/uidMappings")
        out["gid_mappings"] = _mappings(mount, linux, "gidMappings", where + "/gidMappings")
    elif has_maps:
        raise ConfigError(where + "/uidMappings", "id mappings only apply to bind mounts")
    return out


def plan_mounts(config: dict[str, Any], *, bundle: str, userns: bool) -> list[dict[str, Any]]:
    """All of config.json `mounts`, in order, as PlanWriter.mount() dicts (see plan_mount).

    Idmapped entries carry "uid_mappings"/"gid_mappings" [(containerID, hostID, size), ...]; the
    caller turns them into a user namespace fd in "userns_fd" before encoding.
    """
    mounts = config.get("mounts") or []
    if not isinstance(mounts, list):
        raise ConfigError("/mounts", "must be an array")
    linux = config.get("linux") or {}
    # A user namespace may not mount a sysfs for a network namespace it does not own: bind the host's
    # /sys instead, with the same options (runc does the same).
    sysfs_as_bind = userns and not any(
        isinstance(ns, dict) and ns.get("type") == "network" and not ns.get("path")
        for ns in linux.get("namespaces") or []
    )
    out = []
    for i, mount in enumerate(mounts):
        if not isinstance(mount, dict):
            raise ConfigError(f"/mounts/{i}", "must be an object")
        if sysfs_as_bind and mount.get("type") == "sysfs":
            options = [o for o in mount.get("options") or [] if o not in ("bind", "rbind")]
            # The host's submounts come along: a read-only /sys is read-only all the way down.
            if "ro" in options:
                options.append("rro")
            mount = {**mount, "type": "bind", "source": "/sys", "options": ["rbind", "rslave", *options]}
        out.append(plan_mount(mount, i, bundle=bundle, linux=linux))
    return out


def idmap_text(mappings: list[tuple[int, int, int]]) -> str:
    """The uid_map/gid_map text for pyrunc_idmap_userns(): one "containerID hostID size" line each."""
    return "".join(f"{c} {h} {s}\n" for c, h, s in mappings)
