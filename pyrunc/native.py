"""The sole importer of the compiled C core (pyrunc._native), with the build-stamp check."""

from __future__ import annotations

from . import __version__
from .errors import NativeError, PyruncError

# Must equal PYRUNC_NATIVE_ABI in csrc/pyrunc.h.
EXPECTED_ABI = 2

try:
    from ._native import ffi, lib
except ImportError as exc:  # pragma: no cover - depends on the build
    raise PyruncError(
        f"load the C core `pyrunc._native`: {exc} (build it with `pip install .` or "
        "`python3 setup.py build_ext --inplace`)"
    ) from None

_built_abi = lib.pyrunc_native_abi()
_built_version = ffi.string(lib.pyrunc_native_version()).decode()
if _built_abi != EXPECTED_ABI or _built_version != __version__:
    raise PyruncError(
        f"stale C core: pyrunc._native was built for pyrunc {_built_version} (ABI {_built_abi}) but this is "
        f"pyrunc {__version__} (ABI {EXPECTED_ABI}); rebuild it"
    )

STAGES = (
    "",
    "plan",
    "spawn",
    "namespaces",
    "id mappings",
    "rootfs",
    "devices",
    "pivot_root",
    "process",
    "seccomp",
    "hook",
    "exec",
    "sync",
    "console",
    "cgroup",
)


def new_err() -> object:
    return ffi.new("struct pyrunc_err *")


def raise_err(err: object) -> None:
    """Turn a filled struct pyrunc_err into a NativeError."""
    msg = ffi.string(err.msg).decode("utf-8", "replace")  # type: ignore[attr-defined]
    stage_no = err.stage  # type: ignore[attr-defined]
    stage = STAGES[stage_no] if 0 <= stage_no < len(STAGES) else str(stage_no)
    raise NativeError(msg or "unknown error in the C core", err.errnum, stage)  # type: ignore[attr-defined]


def err_from_payload(payload: bytes) -> NativeError:
    """Decode a struct pyrunc_err sent by the child over the sync socket."""
    err = ffi.new("struct pyrunc_err *")
    size = ffi.sizeof("struct pyrunc_err")
    ffi.memmove(err, payload[:size].ljust(size, b"\0"), size)
    msg = ffi.string(err.msg).decode("utf-8", "replace")
    stage = STAGES[err.stage] if 0 <= err.stage < len(STAGES) else str(err.stage)
    return NativeError(msg or "container init failed", err.errnum, stage)
