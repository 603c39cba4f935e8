"""Reading and writing cgroup files, with errors that name the file and the config field."""

from __future__ import annotations

import os

from ..errors import ConfigError, PyruncError


def strerror(errnum: int) -> str:
    text = os.strerror(errnum)
    return text[:1].lower() + text[1:]


def write(path: str, value: str, pointer: str = "") -> None:
    """Write one value to a cgroup file (one write(2), as the kernel parses per write)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as exc:
        _fail(path, value, pointer, exc)
    try:
        os.write(fd, value.encode())
    except OSError as exc:
        _fail(path, value, pointer, exc)
    finally:
        os.close(fd)


def _fail(path: str, value: str, pointer: str, exc: OSError) -> None:
    msg = f"write {value!r} to `{path}`: {strerror(exc.errno or 0)}"
    if pointer:
        raise ConfigError(pointer, msg) from None
    raise PyruncError(msg) from None


def read(path: str) -> str:
    """The whole file as text, in open + read + close: cgroup and proc files are seq_files, which return
    everything that fits in one read, so a short read is the end (open() would add fstat, ioctl, lseek
    and a final empty read: `list` and `state` read one of these per container)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(fd, 65536)
        if len(data) == 65536:
            chunks = [data]
            while data:
                data = os.read(fd, 65536)
                chunks.append(data)
            data = b"".join(chunks)
    finally:
        os.close(fd)
    return data.decode("utf-8", "replace")


def read_or(path: str, default: str = "") -> str:
    try:
        return read(path)
    except OSError:
        return default


def read_int(path: str, default: int = 0) -> int:
    text = read_or(path).strip()
    if not text:
        return default
    if text == "max":
        return -1
    try:
        return int(text)
    except ValueError:
        return default


def read_keyed(path: str) -> dict[str, int]:
    """`key value` lines (memory.stat, cpu.stat, memory.events) as a dict."""
    out: dict[str, int] = {}
    for line in read_or(path).splitlines():
        key, _, value = line.partition(" ")
        try:
            out[key] = int(value)
        except ValueError:
            continue
    return out


def read_pids(path: str) -> list[int]:
    return [int(x) for x in read_or(path).split()]
