"""plan_devices: linux.devices + runc's default nodes and /dev symlinks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyrunc.errors import ConfigError
from pyrunc.runtime.devices import DEFAULT_DEVICES, DEFAULT_SYMLINKS, plan_devices


def devices(devs: list | None = None, mounts: list | None = None, *, userns: bool = False):
    cfg = {"linux": {"devices": devs or []}, "mounts": mounts or []}
    return plan_devices(cfg, userns=userns)


def test_defaults() -> None:
    devs, links = devices()
    assert [(d["path"], d["type"], d["major"], d["minor"]) for d in devs] == list(DEFAULT_DEVICES)
    assert all(d["mode"] == 0o666 and d["uid"] == 0 and d["gid"] == 0 and not d["bind"] for d in devs)
    assert ("/proc/self/fd", "/dev/fd") in links and ("/proc/self/fd/2", "/dev/stderr") in links
    assert links == list(DEFAULT_SYMLINKS)


def test_config_devices_override_defaults_by_path() -> None:
    devs, _ = devices(
        [
            {
                "path": "/dev/null",
                "type": "c",
                "major": 1,
                "minor": 3,
                "fileMode": 0o20600,
                "uid": 5,
                "gid": 6,
            },
            {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229},
            {"path": "/dev/pipe", "type": "p"},
            {"path": "/dev/sda", "type": "b", "major": 8, "minor": 0},
        ]
    )
    by_path = {d["path"]: d for d in devs}
    assert len(devs) == len(DEFAULT_DEVICES) + 3
    assert by_path["/dev/null"]["mode"] == 0o600 and by_path["/dev/null"]["uid"] == 5  # S_IFCHR bits dropped
    assert by_path["/dev/fuse"]["mode"] == 0o666
    assert by_path["/dev/pipe"] == {
        "type": "p",
        "major": 0,
        "minor": 0,
        "mode": 0o666,
        "uid": 0,
        "gid": 0,
        "bind": False,
        "path": "/dev/pipe",
    }


def test_user_namespace_binds_nodes() -> None:
    devs, _ = devices([{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}], userns=True)
    assert all(d["bind"] for d in devs)


def test_bind_mounted_dev_is_left_alone() -> None:
    assert devices(
        [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}],
        [{"destination": "/dev/", "type": "bind", "source": "/dev", "options": ["rbind"]}],
    ) == ([], [])
    # A tmpfs /dev still gets the nodes.
    devs, _ = devices(mounts=[{"destination": "/dev", "type": "tmpfs", "source": "tmpfs"}])
    assert len(devs) == len(DEFAULT_DEVICES)


@pytest.mark.parametrize(
    ("dev", "pointer"),
    [
        ({"path": "/dev/x", "type": "q", "major": 1, "minor": 1}, "/linux/devices/0/type"),
        ({"path": "dev/x", "type": "c", "major": 1, "minor": 1}, "/linux/devices/0/path"),
        ({"path": "/", "type": "c", "major": 1, "minor": 1}, "/linux/devices/0/path"),
        ({"path": "/dev/x", "type": "c", "major": 1}, "/linux/devices/0"),
        ({"path": "/dev/x", "type": "c", "major": -1, "minor": 1}, "/linux/devices/0/major"),
        ({"path": "/dev/x", "type": "c", "major": 1, "minor": 1, "uid": -5}, "/linux/devices/0/uid"),
        (
            {"path": "/dev/x", "type": "c", "major": 1, "minor": 1, "fileMode": "0666"},
            "/linux/devices/0/fileMode",
        ),
        ({"path": "/dev/x", "type": "c", "major": True, "minor": 1}, "/linux/devices/0/major"),
    ],
)
def test_invalid(dev: dict, pointer: str) -> None:
    with pytest.raises(ConfigError) as exc:
        devices([dev])
    assert exc.value.pointer == pointer


DEVICE = st.fixed_dictionaries(
    {
        "path": st.sampled_from(
            ["/dev/null", "/dev/zero", "/dev/fuse", "/dev/kvm", "/dev/net/tun", "/dev/a"]
        ),
        "type": st.sampled_from(["c", "b", "u"]),
        "major": st.integers(0, 4095),
        "minor": st.integers(0, 2**20 - 1),
    },
    optional={"fileMode": st.integers(0, 0o177777), "uid": st.integers(0, 2**32 - 1)},
)


@given(st.lists(DEVICE, max_size=8, unique_by=lambda d: d["path"]), st.booleans())
def test_each_path_once(devs: list, userns: bool) -> None:
    out, _ = devices(devs, userns=userns)
    paths = [d["path"] for d in out]
    assert len(paths) == len(set(paths))
    assert set(paths) == {p for p, *_ in DEFAULT_DEVICES} | {d["path"] for d in devs}
    for d in out:
        assert 0 <= d["mode"] <= 0o7777 and d["bind"] is userns
