"""config.json `linux.devices` plus the default devices -> what the C core creates in /dev.

Pure and cheap (create hot path). The default set is what runc gives every container: null, zero, full,
random, urandom and tty (mode 0666, root-owned), and the /dev/fd, stdin, stdout, stderr symlinks.
/dev/console is the pty slave bound by the C core when process.terminal is set; /dev/ptmx becomes a
symlink to pts/ptmx in C when a devpts is mounted at /dev/pts. Inside a user namespace mknod is not
allowed, so every node is bind-mounted from the host instead ("bind": True).
"""

from __future__ import annotations

from ..errors import ConfigError
from .mounts import clean_destination

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# (path, type, major, minor): runc's default device nodes.
DEFAULT_DEVICES: tuple[tuple[str, str, int, int], ...] = (
    ("/dev/null", "c", 1, 3),
    ("/dev/zero", "c", 1, 5),
    ("/dev/full", "c", 1, 7),
    ("/dev/random", "c", 1, 8),
    ("/dev/urandom", "c", 1, 9),
    ("/dev/tty", "c", 5, 0),
)
DEFAULT_MODE = 0o666

# (target, link path)
DEFAULT_SYMLINKS: tuple[tuple[str, str], ...] = (
    ("/proc/self/fd", "/dev/fd"),
    ("/proc/self/fd/0", "/dev/stdin"),
    ("/proc/self/fd/1", "/dev/stdout"),
    ("/proc/self/fd/2", "/dev/stderr"),
)

DEVICE_TYPES = frozenset({"c", "b", "u", "p"})


def _dev_is_bind_mounted(config: dict[str, Any]) -> bool:
    """A bind mount at /dev brings its own nodes: runc then leaves /dev alone, and so do we."""
    for mount in config.get("mounts") or []:
        if not isinstance(mount, dict) or not isinstance(mount.get("destination"), str):
            continue
        if clean_destination(mount["destination"]) != "/dev":
            continue
        options = mount.get("options") or []
        if mount.get("type") == "bind" or "bind" in options or "rbind" in options:
            return True
    return False


def _uint(dev: dict[str, Any], key: str, where: str, default: int, limit: int = 0xFFFFFFFF) -> int:
    value = dev.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
        raise ConfigError(f"{where}/{key}", f"must be an integer from 0 to {limit}")
    return value


def plan_device(dev: dict[str, Any], index: int, *, userns: bool) -> dict[str, Any]:
    where = f"/linux/devices/{index}"
    if not isinstance(dev, dict):
        raise ConfigError(where, "must be an object")
    path = dev.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigError(where + "/path", "must be an absolute path")
    path = clean_destination(path)
    if path == "/":
        raise ConfigError(where + "/path", "must name a file")
    kind = dev.get("type")
    if kind not in DEVICE_TYPES:
        raise ConfigError(where + "/type", f'unknown device type {kind!r} (one of "c", "b", "u", "p")')
    if kind == "p":
        major = minor = 0
    else:
        for key in ("major", "minor"):
            if key not in dev:
                raise ConfigError(where, f'missing required property "{key}"')
        major = _uint(dev, "major", where, 0)
        minor = _uint(dev, "minor", where, 0)
    # fileMode may carry the S_IFMT bits (Go's os.FileMode does not, stat's st_mode does): keep permissions.
    mode = _uint(dev, "fileMode", where, DEFAULT_MODE) & 0o7777
    return {
        "type": kind,
        "major": major,
        "minor": minor,
        "mode": mode,
        "uid": _uint(dev, "uid", where, 0),
        "gid": _uint(dev, "gid", where, 0),
        "bind": userns,
        "path": path,
    }


def plan_devices(
    config: dict[str, Any], *, userns: bool
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """(devices, symlinks) for the plan: defaults first, then linux.devices (which win on the same path)."""
    if _dev_is_bind_mounted(config):
        return [], []
    linux = config.get("linux") or {}
    entries = linux.get("devices") or []
    if not isinstance(entries, list):
        raise ConfigError("/linux/devices", "must be an array")
    own = [plan_device(dev, i, userns=userns) for i, dev in enumerate(entries)]
    taken = {d["path"] for d in own}
    devices: list[dict[str, Any]] = []
    for path, kind, major, minor in DEFAULT_DEVICES:
        if path in taken:
            continue
        devices.append(
            {
                "type": kind,
                "major": major,
                "minor": minor,
                "mode": DEFAULT_MODE,
                "uid": 0,
                "gid": 0,
                "bind": userns,
                "path": path,
            }
        )
    devices.extend(own)
    return devices, list(DEFAULT_SYMLINKS)
