"""The commands that act on a container through its cgroups: pause, resume, ps, update, events."""

from __future__ import annotations

import sys

from ..errors import PyruncError, StateError
from .container import Container

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..cli.context import Context


def _manager(container: Container) -> Any:
    manager = container.cgroups()
    if manager is None:
        raise PyruncError(f"container {container.id} has no cgroups")
    return manager


def pause(ctx: Context, container_id: str) -> None:
    with ctx.store.lock(container_id):
        container = Container.load(ctx.store, container_id)
        status = container.status()
        if status != "running":
            raise StateError(
                "container not running" if status in ("stopped", "created") else f"container already {status}"
            )
        _manager(container).freeze()


def resume(ctx: Context, container_id: str) -> None:
    with ctx.store.lock(container_id):
        container = Container.load(ctx.store, container_id)
        if container.status() != "paused":
            raise StateError("container not paused")
        _manager(container).thaw()


def ps(ctx: Context, container_id: str, fmt: str, ps_args: list[str]) -> int:
    container = Container.load(ctx.store, container_id)
    if fmt not in ("table", "json"):
        raise PyruncError(f"invalid format option: {fmt}")
    pids = _manager(container).pids() if container.record.get("cgroup") else []
    if fmt == "json":
        from .. import jsonio

        sys.stdout.write(jsonio.dumps(sorted(pids)) + "\n")
        return 0
    import subprocess

    args = ["ps"] + (ps_args or ["-ef"])
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        raise PyruncError(f"ps: {out.stderr.strip() or 'failed'}")
    lines = out.stdout.splitlines()
    if not lines:
        return 0
    header = lines[0]
    try:
        pid_col = header.split().index("PID")
    except ValueError:
        raise PyruncError("couldn't find PID field in ps output") from None
    wanted = set(pids)
    sys.stdout.write(header + "\n")
    for line in lines[1:]:
        fields = line.split()
        if len(fields) > pid_col and fields[pid_col].isdigit() and int(fields[pid_col]) in wanted:
            sys.stdout.write(line + "\n")
    return 0


# Fields where runc's update reads 0 (or "") as "leave unchanged": docker's shim sends a whole resources
# document with every field it was not asked to change set to 0.
_ZERO_MEANS_UNSET = {
    "memory": ("limit", "reservation", "swap", "kernel", "kernelTCP"),
    "cpu": ("shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems"),
    "blockIO": ("weight", "leafWeight"),
    "pids": ("limit",),
}


def drop_unset(resources: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in resources.items():
        if key in _ZERO_MEANS_UNSET and isinstance(value, dict):
            kept = {
                k: v
                for k, v in value.items()
                if not (k in _ZERO_MEANS_UNSET[key] and (v == 0 or v == "") and not isinstance(v, bool))
            }
            if kept:
                out[key] = kept
        else:
            out[key] = value
    return out


def update(ctx: Context, container_id: str, resources: dict[str, Any]) -> None:
    resources = drop_unset(resources)
    with ctx.store.lock(container_id):
        container = Container.load(ctx.store, container_id)
        if container.status() == "stopped":
            raise StateError("container not running")
        _manager(container).update(resources)


def events(ctx: Context, container_id: str, interval_text: str, stats_only: bool) -> None:
    from ..cgroups import events as ev

    container = Container.load(ctx.store, container_id)
    if container.status() == "stopped":
        raise StateError("container not running")
    interval = ev.parse_duration(interval_text)
    if interval <= 0:
        raise PyruncError("duration interval must be greater than 0")

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    ev.run(
        container_id,
        _manager(container),
        interval=interval,
        stats_only=stats_only,
        write=write,
        alive=container.init_alive,
    )
