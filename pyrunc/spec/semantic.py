"""The MUST rules of runtime-spec v1.3 that a JSON schema cannot express.

Each check runs on a document that already passed the schema (types are right), and raises
ConfigError naming the offending field by JSON pointer. docs/validation.md lists every rule with its
source in the spec. Only plain-Python work happens here: it is on the `create` hot path.
"""

from __future__ import annotations

from ..errors import ConfigError, pointer_join
from .caps import CAP_NUMBERS, CAP_SETS
from .rlimits import RLIMIT_NUMBERS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

HOOK_KINDS = ("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop")
SECCOMP_ERRNO_ACTIONS = frozenset({"SCMP_ACT_ERRNO", "SCMP_ACT_TRACE"})
IDMAP_OPTIONS = frozenset({"idmap", "ridmap"})
BIND_OPTIONS = frozenset({"bind", "rbind"})
TIME_CLOCKS = frozenset({"monotonic", "boottime"})
# Sysctls that live in the ipc namespace (ipc_namespaces(7)); fs.mqueue.* is handled by prefix.
IPC_SYSCTLS = frozenset(
    {
        "kernel.msgmax",
        "kernel.msgmnb",
        "kernel.msgmni",
        "kernel.sem",
        "kernel.shmall",
        "kernel.shmmax",
        "kernel.shmmni",
        "kernel.shm_rmid_forced",
    }
)
UTS_SYSCTLS = frozenset({"kernel.hostname", "kernel.domainname"})
MPOL_NO_NODES = frozenset({"MPOL_DEFAULT", "MPOL_LOCAL"})
IFNAMSIZ = 16
_DIGITS = frozenset("0123456789")


def _fail(pointer: str, message: str) -> None:
    raise ConfigError(pointer, message)


def is_cpu_list(text: str) -> bool:
    """The kernel's list format: "0-3,7" (comma-separated numbers and low-high ranges)."""
    if not text:
        return False
    for part in text.split(","):
        low, dash, high = part.partition("-")
        if not low or not set(low) <= _DIGITS:
            return False
        if dash and (not high or not set(high) <= _DIGITS or int(high) < int(low)):
            return False
    return True


def is_hugepage_size(text: str) -> bool:
    """`<size><unit-prefix>B` as in the hugetlb control files: 64KB, 2MB, 1GB."""
    if len(text) < 3 or text[-1] != "B" or text[-2] not in "KMGTPE":
        return False
    digits = text[:-2]
    return digits[0] != "0" and set(digits) <= _DIGITS


def is_ifname(name: str) -> bool:
    """A name the kernel accepts for a network interface (dev_valid_name), `%d` templates included."""
    if not name or len(name.encode()) >= IFNAMSIZ or name in (".", ".."):
        return False
    return not any(ch == "/" or ch == ":" or ch.isspace() for ch in name)


class _Namespaces:
    def __init__(self, linux: dict[str, Any]) -> None:
        self.paths: dict[str, str | None] = {}
        for i, ns in enumerate(linux.get("namespaces", ())):
            kind = ns["type"]
            where = f"/linux/namespaces/{i}"
            if kind in self.paths:
                _fail(where + "/type", f'duplicate namespace "{kind}"')
            path = ns.get("path")
            # An empty path means "create one" (Go's omitempty): engines sometimes send it.
            if path and not path.startswith("/"):
                _fail(where + "/path", f'namespace path must be absolute, got "{path}"')
            self.paths[kind] = path

    def has(self, kind: str) -> bool:
        return kind in self.paths

    def is_new(self, kind: str) -> bool:
        return kind in self.paths and not self.paths[kind]


# -- process -------------------------------------------------------------------------------------


def check_process(proc: dict[str, Any], base: str, *, need_args: bool) -> None:
    """Rules for a process object found at JSON pointer `base` ("/process", or "" for process.json)."""
    cwd = proc["cwd"]
    if not cwd.startswith("/"):
        _fail(base + "/cwd", f'must be an absolute path, got "{cwd}"')
    if need_args and not proc.get("args"):
        _fail(base + "/args", "at least one entry is required (the program to run)")
    seen: dict[str, int] = {}
    for i, rlim in enumerate(proc.get("rlimits", ())):
        where = f"{base}/rlimits/{i}"
        kind = rlim["type"]
        if kind not in RLIMIT_NUMBERS:
            _fail(where + "/type", f'unknown rlimit "{kind}"')
        if kind in seen:
            _fail(where + "/type", f'duplicate rlimit "{kind}" (also at {base}/rlimits/{seen[kind]})')
        seen[kind] = i
        if rlim["soft"] > rlim["hard"]:
            _fail(where + "/soft", f"soft limit {rlim['soft']} is above the hard limit {rlim['hard']}")
    caps = proc.get("capabilities")
    if caps:
        for capset in CAP_SETS:
            for i, name in enumerate(caps.get(capset, ())):
                if name not in CAP_NUMBERS:
                    _fail(f"{base}/capabilities/{capset}/{i}", f'unknown capability "{name}"')
    sched = proc.get("scheduler")
    if sched is not None:
        _check_scheduler(sched, base + "/scheduler")
    affinity = proc.get("execCPUAffinity")
    if affinity is not None:
        for key in ("initial", "final"):
            value = affinity.get(key)
            if value and not is_cpu_list(value):
                _fail(f"{base}/execCPUAffinity/{key}", f'not a cpu list like "0-3,7": "{value}"')


def _check_scheduler(sched: dict[str, Any], where: str) -> None:
    policy = sched["policy"]
    nice = sched.get("nice", 0)
    if not -20 <= nice <= 19:
        _fail(where + "/nice", f"must be between -20 and 19, got {nice}")
    prio = sched.get("priority", 0)
    if policy in ("SCHED_FIFO", "SCHED_RR"):
        if not 1 <= prio <= 99:
            _fail(where + "/priority", f"{policy} needs a priority between 1 and 99, got {prio}")
    elif prio != 0:
        _fail(where + "/priority", f"{policy} takes no static priority (must be 0), got {prio}")
    if policy == "SCHED_DEADLINE":
        runtime, deadline = sched.get("runtime", 0), sched.get("deadline", 0)
        period = sched.get("period", 0) or deadline
        if not 0 < runtime <= deadline <= period:
            _fail(where, "SCHED_DEADLINE needs 0 < runtime <= deadline <= period")


# -- config --------------------------------------------------------------------------------------


def check_config(cfg: dict[str, Any], *, for_create: bool = True) -> None:
    linux = cfg.get("linux") or {}
    ns = _Namespaces(linux)
    if for_create:
        if "root" not in cfg:
            _fail("/root", "required on linux (the container's root filesystem)")
        if "process" not in cfg:
            _fail("/process", "required to create a container")
    proc = cfg.get("process")
    if proc is not None:
        check_process(proc, "/process", need_args=for_create)
    for key in ("hostname", "domainname"):
        if cfg.get(key) and not ns.has("uts"):
            _fail("/" + key, f"setting the {key} needs a uts namespace (add one to /linux/namespaces)")
    for kind in HOOK_KINDS:
        for i, hook in enumerate((cfg.get("hooks") or {}).get(kind, ())):
            if not hook["path"].startswith("/"):
                _fail(f"/hooks/{kind}/{i}/path", f'must be an absolute path, got "{hook["path"]}"')
    # runtime-spec 1.0.x: destinations MUST be absolute; 1.1 relaxed that to "relative to /" (deprecated).
    absolute_only = cfg["ociVersion"].startswith("1.0.")
    for i, mount in enumerate(cfg.get("mounts", ())):
        _check_mount(mount, f"/mounts/{i}", ns, absolute_only)
    if linux:
        _check_linux(linux, ns)


def _check_mount(mount: dict[str, Any], where: str, ns: _Namespaces, absolute_only: bool) -> None:
    dest = mount["destination"]
    if not dest:
        _fail(where + "/destination", "must not be empty")
    if absolute_only and not dest.startswith("/"):
        _fail(where + "/destination", f'must be an absolute path in a runtime-spec 1.0 config, got "{dest}"')
    options = mount.get("options", ())
    if BIND_OPTIONS.intersection(options) and not mount.get("source"):
        _fail(where + "/source", "a bind mount needs a source")
    has_uid, has_gid = "uidMappings" in mount, "gidMappings" in mount
    if has_uid != has_gid:
        missing = "gidMappings" if has_uid else "uidMappings"
        _fail(where + "/" + missing, "uidMappings and gidMappings must be given together")
    if IDMAP_OPTIONS.intersection(options) and not has_uid and not ns.has("user"):
        _fail(
            where + "/options",
            "an idmap mount needs uidMappings/gidMappings or a user namespace to take them from",
        )


def _check_linux(linux: dict[str, Any], ns: _Namespaces) -> None:
    for key in ("uidMappings", "gidMappings"):
        if linux.get(key) and not ns.has("user"):
            _fail("/linux/" + key, "id mappings need a user namespace (add one to /linux/namespaces)")
    offsets = linux.get("timeOffsets")
    if offsets:
        if not ns.is_new("time"):
            _fail("/linux/timeOffsets", "time offsets need a new time namespace (one without a path)")
        for clock, offset in offsets.items():
            where = pointer_join("/linux/timeOffsets", clock)
            if clock not in TIME_CLOCKS:
                _fail(where, f'unknown clock "{clock}" (time namespaces offset "monotonic" and "boottime")')
            if offset.get("nanosecs", 0) >= 1_000_000_000:
                _fail(where + "/nanosecs", "must be below 1000000000")
    for i, dev in enumerate(linux.get("devices", ())):
        where = f"/linux/devices/{i}"
        if not dev["path"].startswith("/"):
            _fail(where + "/path", f'must be an absolute path, got "{dev["path"]}"')
        if dev["type"] != "p":
            for key in ("major", "minor"):
                if key not in dev:
                    _fail(where, f'missing required property "{key}" (only fifos, type "p", go without)')
    net_devices = linux.get("netDevices")
    if net_devices:
        _check_net_devices(net_devices, ns)
    for key in ("maskedPaths", "readonlyPaths"):
        for i, path in enumerate(linux.get(key, ())):
            if not path.startswith("/"):
                _fail(f"/linux/{key}/{i}", f'must be an absolute path, got "{path}"')
    for name in linux.get("sysctl", {}):
        _check_sysctl(name, ns)
    resources = linux.get("resources")
    if resources:
        check_resources(resources, "/linux/resources")
    rdt = linux.get("intelRdt")
    if rdt:
        _check_intel_rdt(rdt)
    policy = linux.get("memoryPolicy")
    if policy:
        _check_memory_policy(policy)
    seccomp = linux.get("seccomp")
    if seccomp:
        _check_seccomp(seccomp)
    personality = linux.get("personality")
    if personality and personality.get("flags"):
        _fail("/linux/personality/flags/0", f'unsupported personality flag "{personality["flags"][0]}"')


def _check_net_devices(devices: dict[str, Any], ns: _Namespaces) -> None:
    if not ns.has("network"):
        _fail("/linux/netDevices", "moving network devices needs a network namespace")
    targets: dict[str, str] = {}
    for host_name, dev in devices.items():
        where = pointer_join("/linux/netDevices", host_name)
        if not is_ifname(host_name):
            _fail(where, f'"{host_name}" is not a valid network interface name')
        name = dev.get("name") or host_name
        if not is_ifname(name):
            _fail(where + "/name", f'"{name}" is not a valid network interface name')
        if name in targets and "%d" not in name:
            _fail(where + "/name", f'"{name}" is also the name given to "{targets[name]}"')
        targets[name] = host_name


def _check_sysctl(name: str, ns: _Namespaces) -> None:
    where = pointer_join("/linux/sysctl", name)
    if name.startswith("net."):
        if not ns.has("network"):
            _fail(where, "a net.* sysctl needs a network namespace (it would change the host's)")
    elif name in IPC_SYSCTLS or name.startswith("fs.mqueue."):
        if not ns.has("ipc"):
            _fail(where, "this sysctl needs an ipc namespace (it would change the host's)")
    elif name in UTS_SYSCTLS:
        if not ns.has("uts"):
            _fail(where, "this sysctl needs a uts namespace (it would change the host's)")
    else:
        _fail(where, "not a namespaced sysctl; setting it would change the whole host")


def check_resources(res: dict[str, Any], base: str) -> None:
    """Rules for a resources object (config's /linux/resources, or `update -r resources.json`)."""
    for i, rule in enumerate(res.get("devices", ())):
        access = rule.get("access")
        if access is not None and not set(access) <= set("rwm"):
            _fail(f"{base}/devices/{i}/access", f'must combine "r", "w" and "m", got "{access}"')
    cpu = res.get("cpu")
    if cpu:
        quota, burst = cpu.get("quota"), cpu.get("burst")
        if quota is not None and burst is not None and quota > 0 and burst > quota:
            _fail(base + "/cpu/burst", f"must not exceed the quota ({burst} > {quota})")
        for key in ("cpus", "mems"):
            value = cpu.get(key)
            if value and not is_cpu_list(value):
                _fail(f"{base}/cpu/{key}", f'not a list like "0-3,7": "{value}"')
    memory = res.get("memory")
    if memory and memory.get("swappiness") is not None and memory["swappiness"] > 100:
        _fail(base + "/memory/swappiness", f"must be between 0 and 100, got {memory['swappiness']}")
    for i, dev in enumerate((res.get("blockIO") or {}).get("weightDevice", ())):
        if "weight" not in dev and "leafWeight" not in dev:
            _fail(f"{base}/blockIO/weightDevice/{i}", "needs a weight or a leafWeight")
    for i, limit in enumerate(res.get("hugepageLimits", ())):
        if not is_hugepage_size(limit["pageSize"]):
            _fail(f"{base}/hugepageLimits/{i}/pageSize", f'not a page size like "2MB": "{limit["pageSize"]}"')
    for device, limits in (res.get("rdma") or {}).items():
        if "hcaHandles" not in limits and "hcaObjects" not in limits:
            _fail(pointer_join(base + "/rdma", device), "needs hcaHandles or hcaObjects")


def _check_intel_rdt(rdt: dict[str, Any]) -> None:
    clos = rdt.get("closID")
    if clos is not None and clos != "/" and (not clos or "/" in clos or clos in (".", "..") or "\n" in clos):
        _fail("/linux/intelRdt/closID", f'must be "/" or a single directory name, got "{clos}"')
    mb = rdt.get("memBwSchema")
    if mb is not None and (not mb.startswith("MB:") or "\n" in mb):
        _fail("/linux/intelRdt/memBwSchema", 'must start with "MB:" and be one line')
    for i, line in enumerate(rdt.get("schemata", ())):
        if "\n" in line:
            _fail(f"/linux/intelRdt/schemata/{i}", "must not contain a newline")


def _check_memory_policy(policy: dict[str, Any]) -> None:
    nodes = policy.get("nodes")
    if nodes and not is_cpu_list(nodes):
        _fail("/linux/memoryPolicy/nodes", f'not a node list like "0-3,7": "{nodes}"')
    if nodes and policy["mode"] in MPOL_NO_NODES:
        _fail("/linux/memoryPolicy/nodes", f"{policy['mode']} takes no nodes")
    flags = policy.get("flags", ())
    if "MPOL_F_STATIC_NODES" in flags and "MPOL_F_RELATIVE_NODES" in flags:
        _fail("/linux/memoryPolicy/flags", "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other")


def _check_seccomp(sec: dict[str, Any]) -> None:
    base = "/linux/seccomp"
    if sec["defaultAction"] == "SCMP_ACT_NOTIFY":
        _fail(base + "/defaultAction", "SCMP_ACT_NOTIFY cannot be the default action")
    if "defaultErrnoRet" in sec and sec["defaultAction"] not in SECCOMP_ERRNO_ACTIONS:
        _fail(base + "/defaultErrnoRet", f"{sec['defaultAction']} does not return an errno")
    if "listenerMetadata" in sec and not sec.get("listenerPath"):
        _fail(base + "/listenerMetadata", "must not be set without listenerPath")
    for i, rule in enumerate(sec.get("syscalls", ())):
        where = f"{base}/syscalls/{i}"
        if "errnoRet" in rule and rule["action"] not in SECCOMP_ERRNO_ACTIONS:
            _fail(where + "/errnoRet", f"{rule['action']} does not return an errno")
        for j, arg in enumerate(rule.get("args", ())):
            if arg["index"] > 5:
                _fail(f"{where}/args/{j}/index", f"system calls have 6 arguments (0-5), got {arg['index']}")


# -- state ---------------------------------------------------------------------------------------


def check_state(state: dict[str, Any], base: str = "") -> None:
    if state["status"] in ("created", "running") and not state.get("pid"):
        _fail(base + "/pid", f"required when the status is {state['status']}")
    if not state["bundle"].startswith("/"):
        _fail(base + "/bundle", f'must be an absolute path, got "{state["bundle"]}"')
