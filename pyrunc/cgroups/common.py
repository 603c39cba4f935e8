"""Small helpers shared by the v1 and v2 resource writers."""

from __future__ import annotations

from ..errors import ConfigError, pointer_join

R = "/linux/resources"


def ptr(*parts: object) -> str:
    return pointer_join(R, *parts)


def section(resources: dict, key: str) -> dict:
    value = resources.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(ptr(key), "must be an object")
    return value


def int_field(obj: dict, key: str, pointer: str) -> int | None:
    """An integer field, None when absent or null."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(pointer, f"must be an integer, got {value!r}")
    return value


def list_field(obj: dict, key: str, pointer: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(pointer, "must be an array")
    return value


def device_entries(obj: dict, key: str, pointer: str, value_key: str) -> list[tuple[int, int, int, str]]:
    """blockIO device lists -> (major, minor, value, pointer) for each entry with the value set."""
    out = []
    for i, entry in enumerate(list_field(obj, key, pointer)):
        here = pointer_join(pointer, i)
        if not isinstance(entry, dict):
            raise ConfigError(here, "must be an object")
        major = int_field(entry, "major", pointer_join(here, "major"))
        minor = int_field(entry, "minor", pointer_join(here, "minor"))
        if major is None or minor is None or major < 0 or minor < 0:
            raise ConfigError(here, "needs major and minor device numbers")
        value = int_field(entry, value_key, pointer_join(here, value_key))
        if value is None:
            continue
        out.append((major, minor, value, pointer_join(here, value_key)))
    return out


def unavailable(pointer: str, controller: str) -> ConfigError:
    return ConfigError(pointer, f"the {controller} cgroup controller is not available on this host")


def missing_file(pointer: str, path: str) -> ConfigError:
    return ConfigError(pointer, f"not supported by this kernel (no `{path}`)")


def has_limits(resources: dict | None) -> bool:
    """Whether the config asks for any limit (device rules alone do not count: rootless runc skips them)."""
    if not resources:
        return False
    for key, value in resources.items():
        if key == "devices":
            continue
        if value in (None, {}, []):
            continue
        if isinstance(value, dict) and all(v in (None, [], {}) for v in value.values()):
            continue
        return True
    return False
