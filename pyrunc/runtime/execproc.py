"""`exec`: a new process in a running container's namespaces and cgroups, through the same C path as
the init (plan with PA_EXEC_MODE: join only, no rootfs, no fifo)."""

from __future__ import annotations

import os

from ..errors import ConfigError, PyruncError, StateError, UsageError
from ..log import LOG
from . import planfile as pf
from .container import Container
from .sync import PM_EOF, PM_INIT_PID, PM_PTY_MASTER, PM_READY, SyncChannel, hand_over_pty, unexpected

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..cli.context import Context

NS_FILES = (
    ("user", "user"),
    ("ipc", "ipc"),
    ("uts", "uts"),
    ("net", "network"),
    ("pid", "pid"),
    ("cgroup", "cgroup"),
    ("time", "time"),
    ("mnt", "mount"),
)


class ExecRequest:
    def __init__(self) -> None:
        self.process: dict[str, Any] | None = None
        self.detach = False
        self.pid_file: str | None = None
        self.console_socket: str | None = None
        self.preserve_fds = 0
        self.ignore_paused = False
        self.cgroup: list[str] = []


def container_namespaces(pid: int) -> list[tuple[int, str]]:
    """The namespaces of the container's init that differ from ours: those are the ones to join."""
    from .plan import NAMESPACE_FLAGS

    joins = []
    for filename, kind in NS_FILES:
        theirs = f"/proc/{pid}/ns/{filename}"
        try:
            if os.stat(theirs).st_ino == os.stat(f"/proc/self/ns/{filename}").st_ino:
                continue
        except FileNotFoundError:
            continue  # a kernel without that namespace type
        joins.append((NAMESPACE_FLAGS[kind], theirs))
    return joins


def exec_process(ctx: Context, container_id: str, req: ExecRequest) -> int:
    from ..native import ffi, lib, new_err, raise_err
    from .plan import build_process

    container = Container.load(ctx.store, container_id)
    status = container.status()
    if status == "stopped":
        raise StateError("cannot exec in a stopped container")
    if status == "created":
        raise StateError("cannot exec in a created container: start it first")
    if status == "paused" and not req.ignore_paused:
        raise StateError("cannot exec in a paused container (use --ignore-paused to override)")
    proc = req.process
    assert proc is not None
    if proc.get("terminal") and req.detach and not req.console_socket:
        raise UsageError("cannot allocate tty if pyrunc will detach without setting console socket")

    w = pf.PlanWriter()
    w.u32(pf.PA_EXEC_MODE, 1)
    w.string(pf.PA_INIT_NAME, "pyrunc:[2:EXEC]")
    for flag, path in container_namespaces(container.pid):
        w.ns_join(flag, path)
    if proc.get("terminal") and not req.console_socket and not proc.get("consoleSize"):
        # The relay copies later resizes; the first size must be there before the process runs, or a
        # quick `stty size` sees 0x0.
        size = terminal_size(0)
        if size is not None:
            proc = dict(proc, consoleSize={"height": size[0], "width": size[1]})
    build_process(w, proc, "/process" if req.process is None else "", exec_mode=True)
    if req.preserve_fds:
        w.u32(pf.PA_PRESERVE_FDS, req.preserve_fds)
    seccomp = container.record.get("seccomp")
    if seccomp:
        from ..security.seccomp import compile_seccomp

        compiled = compile_seccomp(seccomp, cache_dir=os.path.join(ctx.root, ".seccomp-cache"))
        if compiled.bpf:
            w.raw(pf.PA_SECCOMP_BPF, compiled.bpf)
            # A second notify listener would need a second listener hand-off: runc refuses it too.
            w.u32(pf.PA_SECCOMP_FLAGS, compiled.flags_without_listener)
    from .initexe import add_init_binary, fill_plan

    init_fds: list[int] = []
    plan_fd = add_init_binary(w, init_fds)
    blob = w.blob()
    if plan_fd is not None:
        fill_plan(plan_fd, blob)
    manager = container.cgroups()
    cgroup_dirs = exec_cgroup_dirs(manager, req.cgroup) if manager is not None and req.cgroup else None
    # A process joining a frozen cgroup stops until `resume`: with --ignore-paused, wait as long as it takes.
    timeout_ms = -1 if status == "paused" else 60_000

    # Verify the init is still the one we recorded only now, right before joining its namespaces.
    if not container.init_alive():
        raise StateError("cannot exec in a stopped container")
    # Caught from before the spawn: a signal for the process that arrives before its pid is known waits
    # in `pending` instead of killing the runtime and orphaning the process.
    pending: list[int] = []
    target = [0]
    if not req.detach:
        from .procs import forward_signals

        forward_signals(target, pending)
    err = new_err()
    sync_ptr = ffi.new("int *")
    # Before the spawn, as in create: until the process has exec'd, each page written here is a copy.
    channel = SyncChannel(-1, 4096)
    v1_tasks, v2_dir = manager.join_targets(cgroup_dirs) if manager is not None else ([], "")
    tasks = "\0".join(v1_tasks).encode()
    child = lib.pyrunc_spawn(blob, len(blob), tasks, len(tasks), v2_dir.encode(), sync_ptr, err)
    for fd in init_fds:  # the child has its copies
        os.close(fd)
    if child < 0:
        raise_err(err)
    sync_fd = sync_ptr[0]
    proc_pid = 0
    ok = False
    pty_master = -1
    try:
        channel.fd = sync_fd
        ready = False
        # CHILD reports the pid and INIT reports ready on the same socket, in either order; INIT keeps
        # its end open (close-on-exec) until execve, so EOF after both means the process now runs.
        while True:
            kind, value, fd = channel.recv(timeout_ms)
            if kind == PM_EOF:
                if ready and proc_pid:
                    break
                raise PyruncError(
                    "exec process exited before it was ready"
                    if not ready
                    else "exec setup process exited without reporting the process id"
                )
            if kind == PM_INIT_PID:
                proc_pid = target[0] = value
                from .procs import wait_child

                wait_child(child)
                child = 0
            elif kind == PM_PTY_MASTER:
                if req.console_socket:
                    hand_over_pty(req.console_socket, fd)
                else:
                    pty_master = fd
            elif kind == PM_READY:
                ready = True
            else:
                raise unexpected(kind, "exec process")
        ok = True
    finally:
        os.close(sync_fd)
        if not ok:
            for pid in (child, proc_pid):
                if pid > 0:
                    try:
                        os.kill(pid, 9)
                        os.waitpid(pid, 0)
                    except (ProcessLookupError, ChildProcessError):
                        pass
            if pty_master >= 0:
                os.close(pty_master)
    if req.pid_file:
        from .create import write_pid_file

        write_pid_file(req.pid_file, proc_pid)
    if req.detach:
        if pty_master >= 0:
            os.close(pty_master)
        return 0
    if pty_master >= 0:
        from .console import relay_until_exit

        return relay_until_exit(pty_master, proc_pid, pending)
    from .procs import wait_child

    return wait_child(proc_pid, pending)


def terminal_size(fd: int) -> tuple[int, int] | None:
    """(rows, cols) of the terminal on fd, or None when it is not one."""
    import fcntl
    import termios

    try:
        raw = fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
    except OSError:
        return None
    rows, cols = int.from_bytes(raw[0:2], "little"), int.from_bytes(raw[2:4], "little")
    return (rows, cols) if rows and cols else None


def exec_cgroup_dirs(manager: Any, specs: list[str]) -> list[str]:
    """The cgroup directories for `--cgroup [CTRL[,CTRL]:]PATH`: sub-paths of the container's own cgroups.
    A bare PATH applies to every hierarchy; a controller-qualified one (cgroup v1 only) to those
    controllers, the others staying in the container's cgroup. Every sub-cgroup must already exist."""
    from ..cgroups.host import UNIFIED

    subs: dict[str, str] = {}
    for spec in specs:
        ctrls, sep, path = spec.rpartition(":")
        parts = [p for p in path.split("/") if p and p != "."]
        if ".." in parts:
            raise UsageError(f"invalid --cgroup {spec!r}: the path must not contain ..")
        if not parts:
            raise UsageError(f"invalid --cgroup {spec!r}: empty path")
        for name in ctrls.split(",") if sep else [""]:
            if name in subs:
                raise UsageError(f"invalid --cgroup {spec!r}: {name or 'the default path'} given twice")
            if name and (manager.mode == UNIFIED or not manager.v1_dirs):
                raise UsageError(
                    f"invalid --cgroup {spec!r}: a controller applies only to cgroup v1; "
                    "on cgroup v2 give a path only"
                )
            if name and name not in manager.v1_dirs:
                raise UsageError(f"invalid --cgroup {spec!r}: no cgroup v1 controller {name!r} here")
            subs[name] = "/".join(parts)
    dirs: list[str] = []
    for ctrl, base in manager.v1_dirs.items():
        sub = subs.get(ctrl, subs.get(""))
        dirs.append(f"{base}/{sub}" if sub else base)
    if manager.v2_dir is not None:
        dirs.append(f"{manager.v2_dir}/{subs['']}" if "" in subs else manager.v2_dir)
    unique: list[str] = []
    for d in dirs:
        if d in unique:
            continue
        if not os.path.isdir(d):
            raise PyruncError(f"cgroup {d} does not exist: --cgroup names an existing sub-cgroup")
        unique.append(d)
    return unique


def process_from_args(container: Container, args: list[str], opts: Any) -> dict[str, Any]:
    """runc builds the exec'd process from the container's process, then applies the flags."""
    import copy

    base: dict[str, Any] = copy.deepcopy(container.record.get("process") or {})
    proc: dict[str, Any] = {
        "args": args,
        "env": base.get("env") or [],
        "cwd": base.get("cwd") or "/",
        "user": dict(base.get("user") or {"uid": 0, "gid": 0}),
        "terminal": False,
        "noNewPrivileges": bool(base.get("noNewPrivileges")),
    }
    for key in ("capabilities", "apparmorProfile", "selinuxLabel", "rlimits", "oomScoreAdj"):
        if key in base:
            proc[key] = base[key]
    return proc


def apply_exec_flags(proc: dict[str, Any], opts: Any) -> None:
    if opts.flag("tty"):
        proc["terminal"] = True
    cwd = opts.text("cwd")
    if cwd:
        proc["cwd"] = cwd
    env = list(proc.get("env") or [])
    for item in opts.items("env"):
        key = item.split("=", 1)[0]
        env = [e for e in env if e.split("=", 1)[0] != key] + [item]
    proc["env"] = env
    user = opts.text("user")
    if user:
        uid, _, gid = user.partition(":")
        try:
            proc.setdefault("user", {})["uid"] = int(uid)
            if gid:
                proc["user"]["gid"] = int(gid)
        except ValueError:
            raise UsageError(f"invalid --user {user!r}: expected UID[:GID]") from None
    gids = opts.items("additional_gids")
    if gids:
        try:
            user_doc = proc.setdefault("user", {})
            # Added to the container's own list, as runc does.
            user_doc["additionalGids"] = list(user_doc.get("additionalGids") or []) + [int(g) for g in gids]
        except ValueError:
            raise UsageError(f"invalid --additional-gids {gids!r}") from None
    caps = opts.items("cap")
    if caps:
        current = proc.setdefault("capabilities", {})
        # Never inheritable (CVE-2022-29162): only bounding, effective and permitted grow.
        for kind in ("bounding", "effective", "permitted"):
            have = list(current.get(kind) or [])
            current[kind] = have + [c for c in caps if c not in have]
    if opts.flag("no_new_privs"):
        proc["noNewPrivileges"] = True
    if opts.text("apparmor"):
        proc["apparmorProfile"] = opts.text("apparmor")
    if opts.text("process_label"):
        proc["selinuxLabel"] = opts.text("process_label")


def load_process_file(path: str) -> dict[str, Any]:
    from .. import jsonio

    try:
        if path == "-":
            import sys

            data = sys.stdin.buffer.read(16 << 20)
        else:
            with open(path, "rb") as handle:
                data = handle.read(16 << 20)
    except OSError as exc:
        raise PyruncError(f"read process file {path}: {(exc.strerror or str(exc)).lower()}") from None
    try:
        proc = jsonio.loads(data)
    except jsonio.JSONDecodeError as exc:
        raise ConfigError("", f"process file {path}: {exc}") from None
    from ..spec.validate import validate_process

    validate_process(proc)
    LOG.debug(f"exec process from {path}")
    return proc
