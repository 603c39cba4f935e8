"""The one exception family pyrunc raises; only the CLI edge catches it."""

from __future__ import annotations


class PyruncError(Exception):
    """A failure reported to the user as one line, exit status 1."""

    exit_status: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(PyruncError):
    """Bad command-line arguments."""


class ConfigError(PyruncError):
    """Invalid config.json / process.json / resources JSON; names the field by JSON pointer."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer
        self.reason = message


class StateError(PyruncError):
    """A missing, corrupt or wrong-status container state."""


class NativeError(PyruncError):
    """A failure inside the C core, carrying errno and the stage it happened in."""

    def __init__(self, message: str, errnum: int = 0, stage: str = "") -> None:
        super().__init__(message)
        self.errnum = errnum
        self.stage = stage


def pointer_join(base: str, *parts: object) -> str:
    """Build a JSON pointer (RFC 6901) from a base pointer and raw path parts."""
    out = base
    for part in parts:
        text = str(part).replace("~", "~0").replace("/", "~1")
        out = f"{out}/{text}"
    return out
