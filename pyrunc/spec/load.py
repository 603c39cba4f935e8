"""Read `<bundle>/config.json` into a dict, with one clear error line for every way that can fail."""

from __future__ import annotations

import os
import stat

from ..errors import PyruncError
from ..jsonio import JSONDecodeError, loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Real configs are 3-100 KB; a seccomp profile duplicated into annotations stays well under 1 MiB.
MAX_CONFIG_BYTES = 16 * 1024 * 1024


def _strerror(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


def load_json_file(path: str, what: str, limit: int = MAX_CONFIG_BYTES) -> Any:
    """Parse one JSON file that must hold an object; errors name `what` (e.g. `bundle "/b": config.json`)."""
    try:
        # O_NONBLOCK: a fifo planted as config.json must not hang us; we refuse it below.
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError:
        raise PyruncError(f"{what}: no such file") from None
    except IsADirectoryError:
        raise PyruncError(f"{what}: is a directory, not a file") from None
    except OSError as exc:
        raise PyruncError(f"{what}: cannot open: {_strerror(exc)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PyruncError(f"{what}: is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise PyruncError(f"{what}: not a regular file")
        if info.st_size > limit:
            raise PyruncError(
                f"{what}: too large ({info.st_size} bytes; the limit is {limit // 1048576} MiB)"
            )
        chunks = []
        total = 0
        # Sized from fstat: a 1 MiB read buffer would be an mmap + mremap + munmap for a 10 KB config.
        want = min(info.st_size + 4096, 1 << 20)
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew while we read it
                raise PyruncError(f"{what}: too large (the limit is {limit // 1048576} MiB)")
            chunks.append(chunk)
    except OSError as exc:
        raise PyruncError(f"{what}: cannot read: {_strerror(exc)}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if not data.strip():
        raise PyruncError(f"{what}: empty file")
    try:
        doc = loads(data)
    except JSONDecodeError as exc:
        raise PyruncError(f"{what}: {_reason(exc.message, exc.pos, data)}") from None
    except RecursionError:
        raise PyruncError(f"{what}: invalid JSON: nesting too deep") from None
    except SystemError:
        # CPython's _json scanner, driven without the json package loaded, fails this way on some
        # broken objects ('{"a":1,' or '{'); the stdlib parser (error path only) says where.
        raise PyruncError(f"{what}: {_stdlib_reason(data)}") from None
    if not isinstance(doc, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
        got = "null" if doc is None else kind.get(type(doc), type(doc).__name__)
        raise PyruncError(f"{what}: the top level must be a JSON object, not {got}")
    return doc


def _reason(message: str, pos: int, data: bytes) -> str:
    if message.startswith("invalid JSON") and pos >= len(data.decode("utf-8", "replace").rstrip()):
        return "invalid JSON: the document ends too early (truncated?)" + message[message.rfind(" at ") :]
    return message


def _stdlib_reason(data: bytes) -> str:
    import json

    text = data.decode("utf-8-sig")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"invalid JSON: {exc.msg[0].lower()}{exc.msg[1:]} at line {exc.lineno} column {exc.colno}"
        return _reason(where, exc.pos, text.encode())
    except RecursionError:
        return "invalid JSON: nesting too deep"
    return "invalid JSON"


def load_bundle_config(bundle: str) -> dict[str, Any]:
    """`<bundle>/config.json` as a dict (not yet validated: call validate.validate_config next)."""
    where = f'bundle "{bundle}"'
    try:
        info = os.stat(bundle)
    except FileNotFoundError:
        raise PyruncError(f"{where}: no such directory") from None
    except OSError as exc:
        raise PyruncError(f"{where}: {_strerror(exc)}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise PyruncError(f"{where}: not a directory")
    doc: dict[str, Any] = load_json_file(os.path.join(bundle, "config.json"), f"{where}: config.json")
    return doc
