"""Where a container's cgroup goes: `linux.cgroupsPath` (cgroupfs or systemd form) to one path that is
used below the root of every hierarchy.

- absolute `/a/b`: that path below each hierarchy's root;
- relative `a/b`: below pyrunc's default parent, `/pyrunc/a/b`;
- unset: `/pyrunc/<id>` — never relative to the caller's own cgroup, which may be one the caller must
  not be charged for (a service manager's, a shell's session scope);
- with --systemd-cgroup, `slice:prefix:name` is mapped to the cgroupfs path systemd would use
  (`/machine.slice/libpod-<id>.scope`); pyrunc writes that path itself, it does not ask systemd over
  D-Bus.
"""

from __future__ import annotations

from ..errors import ConfigError

DEFAULT_PARENT = "/pyrunc"
POINTER = "/linux/cgroupsPath"


def _clean(path: str) -> str:
    parts = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            raise ConfigError(POINTER, f"cgroup path {path!r} must not contain '..'")
        parts.append(part)
    return "/" + "/".join(parts)


def cgroupfs_path(container_id: str, cgroups_path: str | None) -> str:
    if not cgroups_path:
        return _clean(DEFAULT_PARENT + "/" + container_id)
    if cgroups_path.startswith("/"):
        path = _clean(cgroups_path)
        if path == "/":
            raise ConfigError(POINTER, "the container cannot use a hierarchy's root cgroup")
        return path
    return _clean(DEFAULT_PARENT + "/" + cgroups_path)


def expand_slice(slice_name: str) -> str:
    """`a-b-c.slice` -> `/a.slice/a-b.slice/a-b-c.slice`; `-.slice` is the root."""
    suffix = ".slice"
    if not slice_name.endswith(suffix) or "/" in slice_name:
        raise ConfigError(POINTER, f"invalid slice name {slice_name!r}")
    if slice_name == "-.slice":
        return ""
    stem = slice_name[: -len(suffix)]
    if not stem or stem.startswith("-") or stem.endswith("-") or "--" in stem:
        raise ConfigError(POINTER, f"invalid slice name {slice_name!r}")
    out = ""
    prefix = ""
    for component in stem.split("-"):
        prefix = component if not prefix else prefix + "-" + component
        out += "/" + prefix + suffix
    return out


def systemd_path(container_id: str, cgroups_path: str | None) -> str:
    """`slice:prefix:name` -> cgroupfs path; unset -> `system.slice:pyrunc:<id>`."""
    if not cgroups_path:
        cgroups_path = "system.slice:pyrunc:" + container_id
    parts = cgroups_path.split(":")
    if len(parts) != 3:
        raise ConfigError(
            POINTER,
            'expected cgroupsPath to be of format "slice:prefix:name" for systemd cgroups, '
            f"got {cgroups_path!r}",
        )
    slice_name, prefix, name = parts
    if not name:
        raise ConfigError(POINTER, f"systemd cgroupsPath {cgroups_path!r} has no unit name")
    if "/" in prefix or "/" in name:
        raise ConfigError(POINTER, f"systemd cgroupsPath {cgroups_path!r} must not contain '/'")
    parent = expand_slice(slice_name or "system.slice")
    if name.endswith(".slice"):
        # The container gets a slice of its own, nested in the parent slice.
        unit = name
    else:
        unit = (prefix + "-" + name if prefix else name) + ".scope"
    return parent + "/" + unit


def container_path(container_id: str, cgroups_path: str | None, systemd: bool) -> str:
    if systemd:
        return systemd_path(container_id, cgroups_path)
    return cgroupfs_path(container_id, cgroups_path)
