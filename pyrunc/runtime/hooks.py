"""Running the hooks the parent runs itself (prestart, createRuntime, poststart, poststop)."""

from __future__ import annotations

from ..errors import PyruncError
from ..log import LOG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OUTPUT_CAP = 8192


def run_hook(hook: dict[str, Any], state_json: bytes, kind: str, index: int) -> None:
    """Run one hook with the state on stdin; raise PyruncError with its output when it fails."""
    from ..native import ffi, lib, new_err, raise_err

    path = hook["path"]
    args = [str(a).encode() for a in (hook.get("args") or [path])]
    env = [str(e).encode() for e in (hook.get("env") or [])]
    keep = [ffi.new("char[]", a) for a in args] + [ffi.new("char[]", e) for e in env]
    argv = ffi.new("char *[]", keep[: len(args)] + [ffi.NULL])
    envp = ffi.new("char *[]", keep[len(args) :] + [ffi.NULL])
    out = ffi.new("char[]", OUTPUT_CAP)
    out_len = ffi.new("size_t *")
    err = new_err()
    status = lib.pyrunc_run_hook(
        path.encode(),
        argv,
        envp,
        state_json,
        len(state_json),
        int(hook.get("timeout") or 0),
        out,
        OUTPUT_CAP,
        out_len,
        err,
    )
    if status < 0:
        try:
            raise_err(err)
        except PyruncError as exc:
            raise PyruncError(f"{kind} hook #{index}: {exc}") from None
    output = ffi.buffer(out, out_len[0])[:].decode("utf-8", "replace").strip()
    if status != 0:
        if status & 0x7F:
            why = f"killed by signal {status & 0x7F}"
        else:
            why = f"exit status {(status >> 8) & 0xFF}"
        detail = f", output: {output}" if output else ""
        raise PyruncError(f"{kind} hook #{index} {path}: {why}{detail}")
    if output:
        LOG.debug(f"{kind} hook #{index} output: {output}")


def run_hooks(hooks: dict[str, list[dict[str, Any]]], kind: str, state_json: bytes) -> None:
    for index, hook in enumerate(hooks.get(kind) or []):
        run_hook(hook, state_json, kind, index)


def run_hooks_warn(hooks: dict[str, list[dict[str, Any]]], kind: str, state_json: bytes) -> None:
    """poststop: a failing hook only warns, the remaining ones still run."""
    for index, hook in enumerate(hooks.get(kind) or []):
        try:
            run_hook(hook, state_json, kind, index)
        except PyruncError as exc:
            LOG.warning(str(exc))
