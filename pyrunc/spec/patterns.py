"""Hand-written equivalents of the few `pattern` keywords in oci-schemas/.

The hot path may not import `re` (its import alone costs several milliseconds), so each regular expression
the schemas use has a plain-Python twin here. gen_fastcheck.py copies these functions into fastcheck.py;
tests/unit/test_spec_fastcheck.py proves each twin agrees with its regular expression (hypothesis).

Patterns follow ECMA-262 anchoring: `$` matches only at the very end of the string (Python's `$` would
also match before a trailing newline; the reference validator in reference.py corrects for that).
"""

from __future__ import annotations

_IDENT_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")
_DIGITS = frozenset("0123456789")


def _dotted_idents(text: str) -> bool:
    """SemVer pre-release/build: dot-separated, non-empty identifiers of [0-9A-Za-z-]."""
    for ident in text.split("."):
        if not ident:
            return False
        for ch in ident:
            if ch not in _IDENT_CHARS:
                return False
    return True


def _plain_number(text: str) -> bool:
    """A SemVer numeric field: ASCII digits without a leading zero (`0` itself is fine)."""
    if not text or (len(text) > 1 and text[0] == "0"):
        return False
    for ch in text:
        if ch not in _DIGITS:
            return False
    return True


def is_oci_version(text: str) -> bool:
    """1.0.0 .. 1.3.x with optional `-pre` and `+build`; pre-releases of 1.0.0 itself predate 1.0."""
    core, plus, build = text.partition("+")
    if plus and not _dotted_idents(build):
        return False
    version, dash, pre = core.partition("-")
    if dash and not _dotted_idents(pre):
        return False
    parts = version.split(".")
    if len(parts) != 3:
        return False
    major, minor, patch = parts
    if major != "1" or minor not in ("0", "1", "2", "3") or not _plain_number(patch):
        return False
    return not (dash and minor == "0" and patch == "0")


OCI_VERSION_RE = (
    "^1\\.(0\\.(0|[1-9][0-9]*(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?)|[1-3]\\.(0|[1-9][0-9]*)"
    "(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?)(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$"
)

# Module constants the twins use (copied into fastcheck.py with them).
CONSTANTS = ("_IDENT_CHARS", "_DIGITS")

# regex (exactly as written in the schema) -> (twin function, helper functions it needs, error message)
PATTERNS: dict[str, tuple[str, tuple[str, ...], str]] = {
    OCI_VERSION_RE: (
        "is_oci_version",
        ("_dotted_idents", "_plain_number"),
        "unsupported version (pyrunc accepts runtime-spec 1.0.0 up to 1.3.x)",
    ),
}
