"""JSON reading and writing for the hot path.

`import json` costs ~25 ms here because it pulls in `re` and `enum`; the C accelerator `_json`
alone costs well under 1 ms. This module drives `_json`'s scanner and string encoder directly and
keeps the stdlib's semantics (strict strings, NaN/Infinity rejected on output).
"""

from __future__ import annotations

import _json

from .errors import PyruncError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class JSONDecodeError(PyruncError):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid constant {name}")


class _ScanContext:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = staticmethod(_reject_constant)
    memo: dict[str, str] = {}


_scan_once = _json.make_scanner(_ScanContext())  # type: ignore[arg-type]
_WS = " \t\n\r"


def _line_col(doc: str, pos: int) -> str:
    line = doc.count("\n", 0, pos) + 1
    col = pos - doc.rfind("\n", 0, pos)
    return f"line {line} column {col}"


def loads(data: str | bytes) -> Any:
    """Parse one JSON document; raise JSONDecodeError with a one-line reason."""
    if isinstance(data, (bytes, bytearray)):
        try:
            doc = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONDecodeError(f"invalid UTF-8 at byte {exc.start}", exc.start) from None
        if doc.startswith("\ufeff"):
            doc = doc[1:]
    else:
        doc = data
    pos = 0
    end = len(doc)
    while pos < end and doc[pos] in _WS:
        pos += 1
    try:
        value, pos = _scan_once(doc, pos)
    except StopIteration as exc:
        where = exc.value
        what = "unexpected end of data" if where >= end else "expected a JSON value"
        raise JSONDecodeError(f"invalid JSON: {what} at {_line_col(doc, where)}", where) from None
    except RecursionError:
        raise JSONDecodeError("invalid JSON: nesting too deep", 0) from None
    except (ValueError, SystemError):
        # _json reports some errors through json.decoder, which is not loaded on the hot path; the
        # stdlib parser (imported only now, on the error path) gives the precise reason.
        raise _stdlib_error(doc) from None
    finally:
        _ScanContext.memo.clear()
    while pos < end and doc[pos] in _WS:
        pos += 1
    if pos != end:
        raise JSONDecodeError(f"invalid JSON: extra data at {_line_col(doc, pos)}", pos)
    return value


def _stdlib_error(doc: str) -> JSONDecodeError:
    import json

    try:
        json.loads(doc, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        reason = exc.msg.lower().removesuffix(" at")
        return JSONDecodeError(f"invalid JSON: {reason} at {_line_col(doc, exc.pos)}", exc.pos)
    except (ValueError, RecursionError) as exc:
        return JSONDecodeError(f"invalid JSON: {exc}", 0)
    return JSONDecodeError("invalid JSON", 0)


_enc_str = _json.encode_basestring


def _encode(obj: Any, out: list[str], indent: str | None, level: int) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(_enc_str(obj))
    elif isinstance(obj, int):
        out.append(int.__repr__(obj))
    elif isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            raise ValueError("cannot encode a non-finite float as JSON")
        out.append(float.__repr__(obj))
    elif isinstance(obj, dict):
        if not obj:
            out.append("{}")
            return
        if indent is None:
            out.append("{")
            first = True
            for key, val in obj.items():
                if not first:
                    out.append(",")
                first = False
                out.append(_enc_str(str(key)))
                out.append(":")
                _encode(val, out, None, 0)
            out.append("}")
        else:
            pad = "\n" + indent * (level + 1)
            out.append("{")
            first = True
            for key, val in obj.items():
                out.append(pad if first else "," + pad)
                first = False
                out.append(_enc_str(str(key)))
                out.append(": ")
                _encode(val, out, indent, level + 1)
            out.append("\n" + indent * level + "}")
    elif isinstance(obj, (list, tuple)):
        if not obj:
            out.append("[]")
            return
        if indent is None:
            out.append("[")
            for i, val in enumerate(obj):
                if i:
                    out.append(",")
                _encode(val, out, None, 0)
            out.append("]")
        else:
            pad = "\n" + indent * (level + 1)
            out.append("[")
            for i, val in enumerate(obj):
                out.append(pad if i == 0 else "," + pad)
                _encode(val, out, indent, level + 1)
            out.append("\n" + indent * level + "]")
    else:
        raise TypeError(f"cannot encode {type(obj).__name__} as JSON")


def dumps(obj: Any, indent: int | None = None) -> str:
    """Serialise to compact JSON (or indented with `indent` spaces); keys keep insertion order."""
    out: list[str] = []
    _encode(obj, out, None if indent is None else " " * indent, 0)
    return "".join(out)
