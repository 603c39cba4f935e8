"""Decision logic of the cgroup library: paths, conversions, device rules, update flags, mount parsing."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyrunc.cgroups import convert, devices, paths, update_args
from pyrunc.cgroups.common import has_limits
from pyrunc.cgroups.events import parse_duration
from pyrunc.cgroups.host import parse_v1_mounts
from pyrunc.errors import ConfigError, UsageError


@pytest.mark.parametrize(
    "cgroups_path, expected",
    [
        (None, "/pyrunc/cid"),
        ("", "/pyrunc/cid"),
        ("/docker/abc", "/docker/abc"),
        ("/a//b/./c/", "/a/b/c"),
        ("mygroup/cid", "/pyrunc/mygroup/cid"),
    ],
)
def test_cgroupfs_paths(cgroups_path, expected):
    assert paths.container_path("cid", cgroups_path, systemd=False) == expected


@pytest.mark.parametrize("bad", ["/", "/a/../b", "../x"])
def test_cgroupfs_path_refusals(bad):
    with pytest.raises(ConfigError) as exc:
        paths.container_path("cid", bad, systemd=False)
    assert exc.value.pointer == "/linux/cgroupsPath"


@pytest.mark.parametrize(
    "cgroups_path, expected",
    [
        ("machine.slice:libpod:abc", "/machine.slice/libpod-abc.scope"),
        ("system.slice:docker:abc", "/system.slice/docker-abc.scope"),
        ("user-1000.slice:podman:x", "/user.slice/user-1000.slice/podman-x.scope"),
        (":crio:x", "/system.slice/crio-x.scope"),
        ("-.slice::x", "/x.scope"),
        ("a-b.slice:p:c-d.slice", "/a.slice/a-b.slice/c-d.slice"),
        (None, "/system.slice/pyrunc-cid.scope"),
    ],
)
def test_systemd_paths(cgroups_path, expected):
    assert paths.container_path("cid", cgroups_path, systemd=True) == expected


@pytest.mark.parametrize(
    "bad", ["/docker/abc", "a:b", "a-.slice:p:n", "a--b.slice:p:n", "foo:p:n", "x.slice:p:"]
)
def test_systemd_path_refusals(bad):
    with pytest.raises(ConfigError) as exc:
        paths.container_path("cid", bad, systemd=True)
    assert exc.value.pointer == "/linux/cgroupsPath"


def test_shares_to_weight_matches_runc_points():
    assert convert.cpu_shares_to_weight(0) == 0
    assert convert.cpu_shares_to_weight(2) == 1
    assert convert.cpu_shares_to_weight(1024) == 100
    assert convert.cpu_shares_to_weight(2000) == 170  # runc 1.4's figure (opencontainers/runc#4896)
    assert convert.cpu_shares_to_weight(262144) == 10000


@given(st.integers(min_value=2, max_value=262144), st.integers(min_value=2, max_value=262144))
def test_shares_to_weight_is_monotonic_and_in_range(a, b):
    wa, wb = convert.cpu_shares_to_weight(a), convert.cpu_shares_to_weight(b)
    assert 1 <= wa <= 10000
    if a <= b:
        assert wa <= wb


@given(st.integers(min_value=10, max_value=1000))
def test_blkio_weight_to_io_weight_in_range(w):
    assert 1 <= convert.blkio_weight_to_io_weight(w) <= 10000
    assert convert.blkio_weight_to_io_weight(10) == 1
    assert convert.blkio_weight_to_io_weight(1000) == 10000


@pytest.mark.parametrize("shares", [1, 262145, -5])
def test_shares_out_of_range_cannot_convert(shares):
    with pytest.raises(convert.ConversionError):
        convert.cpu_shares_to_weight(shares)


@pytest.mark.parametrize(
    "swap, memory, expected",
    [(0, -1, -1), (-1, 100, -1), (0, 100, 0), (300, 100, 200), (100, 100, 0)],
)
def test_swap_conversion(swap, memory, expected):
    assert convert.memory_swap_to_v2(swap, memory) == expected


@pytest.mark.parametrize("swap, memory", [(300, 0), (300, -1), (50, 100)])
def test_swap_conversion_refusals(swap, memory):
    with pytest.raises(convert.ConversionError):
        convert.memory_swap_to_v2(swap, memory)


@given(st.integers(min_value=1, max_value=1 << 40), st.integers(min_value=0, max_value=1 << 40))
def test_swap_conversion_keeps_memory_plus_swap(memory, extra):
    assert convert.memory_swap_to_v2(memory + extra, memory) == extra


@pytest.mark.parametrize(
    "quota, period, expected",
    [
        (None, None, None),
        (0, 0, None),
        (50000, None, "50000"),
        (50000, 100000, "50000 100000"),
        (-1, None, "max"),
        (None, 250000, "max 250000"),
        (-1, 100000, "max 100000"),
    ],
)
def test_cpu_max(quota, period, expected):
    assert convert.cpu_max(quota, period) == expected


def test_v2_conversion_errors_name_the_field(tmp_path):
    from pyrunc.cgroups import v2

    (tmp_path / "cgroup.controllers").write_text("cpu memory pids io\n")
    for res, pointer in [
        ({"cpu": {"shares": 1}}, "/linux/resources/cpu/shares"),
        ({"cpu": {"realtimeRuntime": 5}}, "/linux/resources/cpu/realtimeRuntime"),
        ({"memory": {"limit": 100, "swap": 50}}, "/linux/resources/memory/swap"),
        ({"memory": {"swappiness": 10}}, "/linux/resources/memory/swappiness"),
        ({"memory": {"disableOOMKiller": True}}, "/linux/resources/memory/disableOOMKiller"),
        ({"blockIO": {"leafWeight": 10}}, "/linux/resources/blockIO/leafWeight"),
        ({"network": {"classID": 1}}, "/linux/resources/network"),
        ({"hugepageLimits": [{"pageSize": "2MB", "limit": 1}]}, "/linux/resources/hugepageLimits"),
        ({"pids": {"limit": "x"}}, "/linux/resources/pids/limit"),
    ]:
        with pytest.raises(ConfigError) as exc:
            v2.apply(str(tmp_path), res)
        assert exc.value.pointer == pointer, res


def test_v2_writes_converted_values_to_files(tmp_path):
    """Against a fixture directory: which file gets which text."""
    from pyrunc.cgroups import v2

    (tmp_path / "cgroup.controllers").write_text("cpu cpuset memory pids io hugetlb\n")
    for name in (
        "memory.swap.max",
        "memory.max",
        "memory.low",
        "cpu.weight",
        "cpu.max",
        "cpu.max.burst",
        "cpuset.cpus",
        "pids.max",
        "io.weight",
        "io.max",
        "hugetlb.2MB.max",
    ):
        (tmp_path / name).write_text("")
    res = {
        "memory": {"limit": 100 << 20, "swap": 300 << 20, "reservation": 50 << 20},
        "cpu": {"shares": 1024, "quota": 20000, "period": 100000, "burst": 1000, "cpus": "0-1"},
        "pids": {"limit": -1},
        "blockIO": {"weight": 500, "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 1048576}]},
        "hugepageLimits": [{"pageSize": "2MB", "limit": -1}],
    }
    v2.apply(str(tmp_path), res)
    got = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert got["memory.max"] == str(100 << 20)
    assert got["memory.swap.max"] == str(200 << 20)
    assert got["memory.low"] == str(50 << 20)
    assert got["cpu.weight"] == "100"
    assert got["cpu.max"] == "20000 100000"
    assert got["cpu.max.burst"] == "1000"
    assert got["cpuset.cpus"] == "0-1"
    assert got["pids.max"] == "max"
    assert got["io.weight"] == f"default {convert.blkio_weight_to_io_weight(500)}"
    assert got["io.max"] == "8:0 rbps=1048576"
    assert got["hugetlb.2MB.max"] == "max"


def test_device_rule_parsing_and_text():
    rules = devices.parse(
        [
            {"allow": False, "access": "rwm"},
            {"allow": True, "type": "c", "major": 1, "minor": 3, "access": "wr"},
            {"allow": True, "type": "b", "major": 8, "access": "m"},
        ]
    )
    assert rules == [("a", -1, -1, "rwm", False), ("c", 1, 3, "rw", True), ("b", 8, -1, "m", True)]
    assert [devices.rule_text(r) for r in rules] == ["a", "c 1:3 rw", "b 8:* m"]


@pytest.mark.parametrize(
    "bad, pointer",
    [
        ([{"access": "rwm"}], "/linux/resources/devices/0/allow"),
        ([{"allow": True, "type": "x"}], "/linux/resources/devices/0/type"),
        ([{"allow": True, "access": "rwx"}], "/linux/resources/devices/0/access"),
        ([{"allow": True, "major": -7}], "/linux/resources/devices/0/major"),
        ({"allow": True}, "/linux/resources/devices"),
    ],
)
def test_device_rule_refusals(bad, pointer):
    with pytest.raises(ConfigError) as exc:
        devices.parse(bad)
    assert exc.value.pointer == pointer


def test_effective_rules_start_with_deny_all_and_end_with_defaults_and_config_devices():
    extra = devices.device_rules_from_linux_devices(
        [{"type": "c", "major": 10, "minor": 229, "path": "/dev/fuse"}]
    )
    rules = devices.effective([("c", 1, 1, "r", True)], extra)
    assert rules[0] == ("a", -1, -1, "rwm", False)
    assert rules[1] == ("c", 1, 1, "r", True)
    assert ("c", 1, 3, "rwm", True) in rules
    assert rules[-1] == ("c", 10, 229, "rwm", True)


def test_encoding_matches_the_c_record_layout():
    blob = devices.encode([("c", 1, -1, "rm", True), ("a", -1, -1, "rwm", False)])
    assert len(blob) == 24
    assert struct.unpack("=BBBBii", blob[:12]) == (ord("c"), 3, 1, 0, 1, -1)
    assert struct.unpack("=BBBBii", blob[12:]) == (ord("a"), 7, 0, 0, -1, -1)


def test_update_flags_build_resources():
    res, rdt = update_args.build(
        {
            "--memory": "512m",
            "--memory-swap": "-1",
            "--cpu-quota": "-1",
            "--cpu-share": "512",
            "--pids-limit": "100",
            "--cpuset-cpus": "0-1",
            "--blkio-weight": "300",
            "--mem-bw-schema": "MB:0=50",
            "--cpu-period": None,
        },
        '{"memory": {"reservation": 1024}, "cpu": {"shares": 2}}',
    )
    assert res == {
        "memory": {"reservation": 1024, "limit": 512 << 20, "swap": -1},
        "cpu": {"shares": 512, "quota": -1, "cpus": "0-1"},
        "pids": {"limit": 100},
        "blockIO": {"weight": 300},
    }
    assert rdt == {"memBwSchema": "MB:0=50"}


@pytest.mark.parametrize(
    "text, expected",
    [("100", 100), ("1k", 1024), ("1KB", 1024), ("2MiB", 2 << 20), ("1.5g", 3 << 29), ("-1", -1)],
)
def test_sizes(text, expected):
    assert update_args.parse_bytes(text) == expected


@pytest.mark.parametrize("flags", [{"--memory": "lots"}, {"--cpu-period": "-5"}, {"--pids-limit": "1.5"}])
def test_bad_update_flags(flags):
    with pytest.raises(UsageError):
        update_args.build(flags)


def test_bad_resources_json():
    with pytest.raises(ConfigError):
        update_args.build({}, "[1, 2]")
    with pytest.raises(ConfigError):
        update_args.build({}, "{not json")


@pytest.mark.parametrize("text, seconds", [("5s", 5.0), ("1m30s", 90.0), ("250ms", 0.25), ("1h", 3600.0)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5", "5x", "-1s", "0s"])
def test_bad_durations(text):
    with pytest.raises(UsageError):
        parse_duration(text)


def test_mountinfo_parsing_handles_comounts_and_named_hierarchies():
    text = (
        "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n"
        "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
        "99 31 0:32 / /mnt/again rw - cgroup cgroup rw,memory\n"
    )
    assert parse_v1_mounts(text) == {
        "cpu": "/sys/fs/cgroup/cpu,cpuacct",
        "cpuacct": "/sys/fs/cgroup/cpu,cpuacct",
        "memory": "/sys/fs/cgroup/memory",
        "name=systemd": "/sys/fs/cgroup/systemd",
    }


@pytest.mark.parametrize(
    "resources, expected",
    [
        (None, False),
        ({}, False),
        ({"devices": [{"allow": False, "access": "rwm"}]}, False),
        ({"memory": {}, "pids": None}, False),
        ({"memory": {"limit": None}}, False),
        ({"memory": {"limit": 10}}, True),
        ({"pids": {"limit": 10}}, True),
        ({"hugepageLimits": [{"pageSize": "2MB", "limit": 0}]}, True),
    ],
)
def test_rootless_has_limits(resources, expected):
    assert has_limits(resources) is expected


def test_manager_state_round_trip_is_cheap_and_equal():
    from pyrunc.cgroups.manager import CgroupManager

    m = CgroupManager(
        "id", "/p/id", "hybrid", {"memory": "/sys/fs/cgroup/memory/p/id"}, "/sys/fs/cgroup/unified/p/id", None
    )
    again = CgroupManager.from_state(m.to_state(), "id")
    assert again.to_state() == m.to_state()
    from pyrunc import jsonio

    assert jsonio.loads(jsonio.dumps(m.to_state())) == m.to_state()


def test_manager_hot_path_imports_nothing_heavy():
    import subprocess
    import sys

    root = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    heavy = ("re", "typing", "json", "enum", "subprocess", "argparse", "logging", "dataclasses")
    code = (
        f"import sys; sys.path.insert(0, {root!r}); import pyrunc.cgroups.manager; "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "memory, expected",
    [
        ({"limit": 100 << 20, "swap": 100 << 20}, "0"),  # same as the limit: no swap at all
        ({"limit": -1}, "max"),  # unlimited memory, swap not given: unlimited swap too
        ({"limit": 100 << 20, "swap": -1}, "max"),
        ({"limit": 100 << 20}, ""),  # swap not given: left as it is
    ],
)
def test_v2_swap_file(tmp_path, memory, expected):
    from pyrunc.cgroups import v2

    (tmp_path / "cgroup.controllers").write_text("memory\n")
    for name in ("memory.max", "memory.swap.max"):
        (tmp_path / name).write_text("")
    v2.apply(str(tmp_path), {"memory": memory})
    assert (tmp_path / "memory.swap.max").read_text() == expected
