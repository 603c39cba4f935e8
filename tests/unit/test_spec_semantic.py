"""Every MUST rule the schema cannot express, with the JSON pointer it names; engines' configs pass."""

from __future__ import annotations

import copy
import json
import pathlib
from typing import Any

import pytest

from pyrunc.errors import ConfigError
from pyrunc.spec.caps import CAP_LAST, CAP_NUMBERS
from pyrunc.spec.rlimits import RLIMIT_NUMBERS
from pyrunc.spec.validate import (
    unknown_properties,
    validate_config,
    validate_process,
    validate_resources,
    validate_state,
)

ENGINE_CONFIGS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "engine-configs"


def base() -> dict[str, Any]:
    return {
        "ociVersion": "1.3.0",
        "root": {"path": "rootfs"},
        "process": {"cwd": "/", "args": ["sh"], "user": {"uid": 0, "gid": 0}},
        "linux": {
            "namespaces": [
                {"type": "pid"},
                {"type": "mount"},
                {"type": "uts"},
                {"type": "network"},
                {"type": "ipc"},
            ]
        },
    }


def with_(patch: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """base() with `patch` deep-merged (None values delete) and top-level keys in `drop` removed."""
    cfg = base()

    def merge(dst: dict[str, Any], src: dict[str, Any]) -> None:
        for key, val in src.items():
            if val is None:
                dst.pop(key, None)
            elif isinstance(val, dict) and isinstance(dst.get(key), dict):
                merge(dst[key], val)
            else:
                dst[key] = copy.deepcopy(val)

    merge(cfg, patch)
    for key in drop:
        cfg.pop(key)
    return cfg


NS_NO_UTS = [{"type": "pid"}, {"type": "mount"}]
SECCOMP = {"defaultAction": "SCMP_ACT_ALLOW"}

# (case id, config, pointer, words the message must contain)
BAD = [
    (
        "dup-namespace",
        with_(
            {"linux": {"namespaces": [{"type": "pid"}, {"type": "uts"}, {"type": "ipc"}, {"type": "pid"}]}}
        ),
        "/linux/namespaces/3/type",
        'duplicate namespace "pid"',
    ),
    (
        "namespace-relative-path",
        with_({"linux": {"namespaces": [{"type": "uts"}, {"type": "network", "path": "proc/1/ns/net"}]}}),
        "/linux/namespaces/1/path",
        "absolute",
    ),
    (
        "unknown-rlimit",
        with_(
            {
                "process": {
                    "rlimits": [
                        {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
                        {"type": "RLIMIT_FOO", "soft": 1, "hard": 1},
                    ]
                }
            }
        ),
        "/process/rlimits/1/type",
        'unknown rlimit "RLIMIT_FOO"',
    ),
    (
        "dup-rlimit",
        with_(
            {
                "process": {
                    "rlimits": [
                        {"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
                        {"type": "RLIMIT_NOFILE", "soft": 2, "hard": 2},
                    ]
                }
            }
        ),
        "/process/rlimits/1/type",
        'duplicate rlimit "RLIMIT_NOFILE"',
    ),
    (
        "rlimit-soft-above-hard",
        with_({"process": {"rlimits": [{"type": "RLIMIT_CORE", "soft": 5, "hard": 1}]}}),
        "/process/rlimits/0/soft",
        "above the hard limit",
    ),
    (
        "unknown-capability",
        with_({"process": {"capabilities": {"bounding": ["CAP_CHOWN", "CAP_TEST"]}}}),
        "/process/capabilities/bounding/1",
        'unknown capability "CAP_TEST"',
    ),
    (
        "unknown-ambient-capability",
        with_({"process": {"capabilities": {"ambient": ["cap_chown"]}}}),
        "/process/capabilities/ambient/0",
        "unknown capability",
    ),
    (
        "hostname-without-uts",
        with_({"hostname": "box", "linux": {"namespaces": NS_NO_UTS}}),
        "/hostname",
        "uts namespace",
    ),
    (
        "domainname-without-uts",
        with_({"domainname": "example.org", "linux": {"namespaces": NS_NO_UTS}}),
        "/domainname",
        "uts namespace",
    ),
    (
        "uid-mappings-without-userns",
        with_({"linux": {"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}}),
        "/linux/uidMappings",
        "user namespace",
    ),
    (
        "gid-mappings-without-userns",
        with_({"linux": {"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}}),
        "/linux/gidMappings",
        "user namespace",
    ),
    (
        "errnoret-on-allow",
        with_(
            {
                "linux": {
                    "seccomp": {
                        **SECCOMP,
                        "syscalls": [
                            {"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                            {"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 1},
                        ],
                    }
                }
            }
        ),
        "/linux/seccomp/syscalls/1/errnoRet",
        "SCMP_ACT_ALLOW does not return an errno",
    ),
    (
        "default-errnoret-on-kill",
        with_({"linux": {"seccomp": {"defaultAction": "SCMP_ACT_KILL", "defaultErrnoRet": 1}}}),
        "/linux/seccomp/defaultErrnoRet",
        "does not return an errno",
    ),
    (
        "listener-metadata-without-path",
        with_({"linux": {"seccomp": {**SECCOMP, "listenerMetadata": "x"}}}),
        "/linux/seccomp/listenerMetadata",
        "listenerPath",
    ),
    (
        "notify-as-default",
        with_(
            {"linux": {"seccomp": {"defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/run/agent.sock"}}}
        ),
        "/linux/seccomp/defaultAction",
        "default action",
    ),
    (
        "seccomp-arg-index",
        with_(
            {
                "linux": {
                    "seccomp": {
                        **SECCOMP,
                        "syscalls": [
                            {
                                "names": ["read"],
                                "action": "SCMP_ACT_ERRNO",
                                "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}],
                            }
                        ],
                    }
                }
            }
        ),
        "/linux/seccomp/syscalls/0/args/0/index",
        "6 arguments",
    ),
    (
        "idmap-without-mappings",
        with_(
            {
                "mounts": [
                    {"destination": "/data", "source": "/srv", "type": "bind", "options": ["rbind", "idmap"]}
                ]
            }
        ),
        "/mounts/0/options",
        "idmap",
    ),
    (
        "mount-uid-without-gid",
        with_(
            {
                "mounts": [
                    {
                        "destination": "/data",
                        "source": "/srv",
                        "options": ["bind"],
                        "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}],
                    }
                ]
            }
        ),
        "/mounts/0/gidMappings",
        "together",
    ),
    (
        "bind-without-source",
        with_(
            {
                "mounts": [
                    {"destination": "/proc", "type": "proc", "source": "proc"},
                    {"destination": "/data", "options": ["rbind", "ro"]},
                ]
            }
        ),
        "/mounts/1/source",
        "bind mount needs a source",
    ),
    (
        "empty-mount-destination",
        with_({"mounts": [{"destination": "", "type": "tmpfs", "source": "tmpfs"}]}),
        "/mounts/0/destination",
        "empty",
    ),
    (
        "relative-destination-in-1.0",
        with_(
            {
                "ociVersion": "1.0.2-dev",
                "mounts": [{"destination": "mnt/rel", "type": "tmpfs", "source": "t"}],
            }
        ),
        "/mounts/0/destination",
        "absolute path in a runtime-spec 1.0 config",
    ),
    ("relative-cwd", with_({"process": {"cwd": "home"}}), "/process/cwd", "absolute"),
    ("no-args-on-create", with_({"process": {"args": []}}), "/process/args", "at least one"),
    ("missing-args-on-create", with_({"process": {"args": None}}), "/process/args", "at least one"),
    ("no-process-on-create", with_({}, drop=("process",)), "/process", "required"),
    ("no-root-on-create", with_({}, drop=("root",)), "/root", "required"),
    (
        "time-offsets-without-timens",
        with_({"linux": {"timeOffsets": {"monotonic": {"secs": 10}}}}),
        "/linux/timeOffsets",
        "time namespace",
    ),
    (
        "time-offsets-joined-timens",
        with_(
            {
                "linux": {
                    "namespaces": [{"type": "time", "path": "/proc/1/ns/time"}],
                    "timeOffsets": {"boottime": {"secs": 1}},
                }
            }
        ),
        "/linux/timeOffsets",
        "new time namespace",
    ),
    (
        "time-offsets-unknown-clock",
        with_({"linux": {"namespaces": [{"type": "time"}], "timeOffsets": {"realtime": {"secs": 1}}}}),
        "/linux/timeOffsets/realtime",
        "unknown clock",
    ),
    (
        "time-offsets-nanosecs",
        with_(
            {
                "linux": {
                    "namespaces": [{"type": "time"}],
                    "timeOffsets": {"monotonic": {"nanosecs": 1_000_000_000}},
                }
            }
        ),
        "/linux/timeOffsets/monotonic/nanosecs",
        "below",
    ),
    (
        "hook-relative-path",
        with_({"hooks": {"poststop": [{"path": "/bin/true"}, {"path": "bin/true"}]}}),
        "/hooks/poststop/1/path",
        "absolute",
    ),
    (
        "device-relative-path",
        with_({"linux": {"devices": [{"type": "c", "path": "dev/fuse", "major": 10, "minor": 229}]}}),
        "/linux/devices/0/path",
        "absolute",
    ),
    (
        "device-without-major",
        with_(
            {
                "linux": {
                    "devices": [
                        {"type": "p", "path": "/dev/fifo"},
                        {"type": "c", "path": "/dev/fuse", "minor": 229},
                    ]
                }
            }
        ),
        "/linux/devices/1",
        '"major"',
    ),
    (
        "masked-relative",
        with_({"linux": {"maskedPaths": ["/proc/kcore", "proc/keys"]}}),
        "/linux/maskedPaths/1",
        "absolute",
    ),
    ("readonly-relative", with_({"linux": {"readonlyPaths": ["sys"]}}), "/linux/readonlyPaths/0", "absolute"),
    (
        "net-sysctl-without-netns",
        with_(
            {"linux": {"namespaces": NS_NO_UTS + [{"type": "uts"}], "sysctl": {"net.ipv4.ip_forward": "1"}}}
        ),
        "/linux/sysctl/net.ipv4.ip_forward",
        "network namespace",
    ),
    (
        "ipc-sysctl-without-ipcns",
        with_({"linux": {"namespaces": NS_NO_UTS + [{"type": "uts"}], "sysctl": {"kernel.shmmax": "1"}}}),
        "/linux/sysctl/kernel.shmmax",
        "ipc namespace",
    ),
    (
        "host-sysctl",
        with_({"linux": {"sysctl": {"vm.swappiness": "1"}}}),
        "/linux/sysctl/vm.swappiness",
        "whole host",
    ),
    (
        "net-devices-without-netns",
        with_({"linux": {"namespaces": NS_NO_UTS, "netDevices": {"eth1": {}}}}),
        "/linux/netDevices",
        "network namespace",
    ),
    (
        "net-device-bad-name",
        with_({"linux": {"netDevices": {"eth1": {"name": "a/b"}}}}),
        "/linux/netDevices/eth1/name",
        "not a valid network interface name",
    ),
    (
        "net-device-name-clash",
        with_({"linux": {"netDevices": {"eth1": {"name": "ctr0"}, "eth2": {"name": "ctr0"}}}}),
        "/linux/netDevices/eth2/name",
        "also the name",
    ),
    (
        "weight-device-without-weights",
        with_({"linux": {"resources": {"blockIO": {"weightDevice": [{"major": 8, "minor": 0}]}}}}),
        "/linux/resources/blockIO/weightDevice/0",
        "weight",
    ),
    (
        "rdma-without-limits",
        with_({"linux": {"resources": {"rdma": {"mlx5_1": {}}}}}),
        "/linux/resources/rdma/mlx5_1",
        "hcaHandles",
    ),
    (
        "cpu-burst-above-quota",
        with_({"linux": {"resources": {"cpu": {"quota": 1000, "burst": 2000}}}}),
        "/linux/resources/cpu/burst",
        "quota",
    ),
    (
        "bad-cpuset",
        with_({"linux": {"resources": {"cpu": {"cpus": "0-3,x"}}}}),
        "/linux/resources/cpu/cpus",
        "list",
    ),
    (
        "bad-hugepage-size",
        with_({"linux": {"resources": {"hugepageLimits": [{"pageSize": "2M", "limit": 1}]}}}),
        "/linux/resources/hugepageLimits/0/pageSize",
        "page size",
    ),
    (
        "swappiness",
        with_({"linux": {"resources": {"memory": {"swappiness": 101}}}}),
        "/linux/resources/memory/swappiness",
        "between 0 and 100",
    ),
    (
        "device-access",
        with_({"linux": {"resources": {"devices": [{"allow": True, "access": "rwx"}]}}}),
        "/linux/resources/devices/0/access",
        '"r", "w" and "m"',
    ),
    (
        "membw-schema",
        with_({"linux": {"intelRdt": {"memBwSchema": "L3:0=ff"}}}),
        "/linux/intelRdt/memBwSchema",
        '"MB:"',
    ),
    (
        "schemata-newline",
        with_({"linux": {"intelRdt": {"schemata": ["L3:0=ff\nMB:0=10"]}}}),
        "/linux/intelRdt/schemata/0",
        "newline",
    ),
    ("closid-path", with_({"linux": {"intelRdt": {"closID": "a/b"}}}), "/linux/intelRdt/closID", "directory"),
    (
        "mempolicy-default-with-nodes",
        with_({"linux": {"memoryPolicy": {"mode": "MPOL_DEFAULT", "nodes": "0"}}}),
        "/linux/memoryPolicy/nodes",
        "takes no nodes",
    ),
    (
        "mempolicy-flags",
        with_(
            {
                "linux": {
                    "memoryPolicy": {
                        "mode": "MPOL_BIND",
                        "nodes": "0-1",
                        "flags": ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES"],
                    }
                }
            }
        ),
        "/linux/memoryPolicy/flags",
        "exclude each other",
    ),
    (
        "personality-flags",
        with_({"linux": {"personality": {"domain": "LINUX", "flags": ["ADDR_NO_RANDOMIZE"]}}}),
        "/linux/personality/flags/0",
        "unsupported personality flag",
    ),
    (
        "sched-fifo-priority",
        with_({"process": {"scheduler": {"policy": "SCHED_FIFO"}}}),
        "/process/scheduler/priority",
        "between 1 and 99",
    ),
    (
        "sched-nice",
        with_({"process": {"scheduler": {"policy": "SCHED_OTHER", "nice": 20}}}),
        "/process/scheduler/nice",
        "-20 and 19",
    ),
    (
        "sched-deadline",
        with_({"process": {"scheduler": {"policy": "SCHED_DEADLINE", "runtime": 10, "deadline": 5}}}),
        "/process/scheduler",
        "runtime <= deadline",
    ),
    (
        "exec-cpu-affinity",
        with_({"process": {"execCPUAffinity": {"initial": "1-0"}}}),
        "/process/execCPUAffinity/initial",
        "cpu list",
    ),
    # schema-level failures, reported through jsonschema's best match
    ("version-too-new", with_({"ociVersion": "1.4.0"}), "/ociVersion", "unsupported version"),
    ("version-pre-1.0", with_({"ociVersion": "1.0.0-rc5"}), "/ociVersion", "unsupported version"),
    (
        "wrong-type",
        with_({"process": {"terminal": "yes"}}),
        "/process/terminal",
        "expected a boolean, got a string",
    ),
    ("float-for-int", with_({"process": {"user": {"uid": 1.0}}}), "/process/user/uid", "expected an integer"),
    (
        "uid-out-of-range",
        with_({"process": {"user": {"uid": 2**32}}}),
        "/process/user/uid",
        "above the maximum",
    ),
    (
        "bad-namespace-type",
        with_({"linux": {"namespaces": [{"type": "net"}]}}),
        "/linux/namespaces/0/type",
        '"net" is not one of',
    ),
    ("missing-cwd", with_({"process": {"cwd": None}}), "/process", 'missing required property "cwd"'),
    (
        "empty-syscall-names",
        with_({"linux": {"seccomp": {**SECCOMP, "syscalls": [{"names": [], "action": "SCMP_ACT_ERRNO"}]}}}),
        "/linux/seccomp/syscalls/0/names",
        "at least 1 item",
    ),
    (
        "empty-annotation-key",
        with_({"annotations": {"": "x"}}),
        "/annotations",
        "property names must not be empty",
    ),
    (
        "hook-timeout-zero",
        with_({"hooks": {"prestart": [{"path": "/bin/true", "timeout": 0}]}}),
        "/hooks/prestart/0/timeout",
        "below the minimum 1",
    ),
    ("top-level-array", [], "", "expected an object, got an array"),
]


@pytest.mark.parametrize(("cfg", "pointer", "words"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_config_is_refused_naming_the_field(cfg: Any, pointer: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_config(cfg)
    assert info.value.pointer == pointer
    assert words in info.value.reason
    assert str(info.value) == f"{pointer or '/'}: {info.value.reason}"


GOOD = [
    ("base", base()),
    (
        "hostname-with-joined-uts",
        with_({"hostname": "h", "linux": {"namespaces": [{"type": "uts", "path": "/proc/1/ns/uts"}]}}),
    ),
    ("empty-hostname-without-uts", with_({"hostname": "", "linux": {"namespaces": NS_NO_UTS}})),
    (
        "userns-with-mappings",
        with_(
            {
                "linux": {
                    "namespaces": [{"type": "user"}, {"type": "mount"}],
                    "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                    "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
                }
            }
        ),
    ),
    (
        "idmap-from-userns",
        with_(
            {
                "linux": {"namespaces": [{"type": "user"}, {"type": "mount"}]},
                "mounts": [{"destination": "/d", "source": "/s", "options": ["bind", "idmap"]}],
            }
        ),
    ),
    (
        "idmap-with-mappings",
        with_(
            {
                "mounts": [
                    {
                        "destination": "/d",
                        "source": "/s",
                        "options": ["rbind", "ridmap"],
                        "uidMappings": [{"containerID": 0, "hostID": 1, "size": 5}],
                        "gidMappings": [{"containerID": 0, "hostID": 1, "size": 5}],
                    }
                ]
            }
        ),
    ),
    (
        "errno-actions",
        with_(
            {
                "linux": {
                    "seccomp": {
                        "defaultAction": "SCMP_ACT_ERRNO",
                        "defaultErrnoRet": 1,
                        "listenerPath": "/run/s",
                        "listenerMetadata": "m",
                        "syscalls": [{"names": ["x"], "action": "SCMP_ACT_TRACE", "errnoRet": 38}],
                    }
                }
            }
        ),
    ),
    (
        "time-offsets",
        with_(
            {
                "linux": {
                    "namespaces": [{"type": "time"}],
                    "timeOffsets": {
                        "monotonic": {"secs": -5, "nanosecs": 999_999_999},
                        "boottime": {"secs": 86400},
                    },
                }
            }
        ),
    ),
    ("fifo-device-without-numbers", with_({"linux": {"devices": [{"type": "p", "path": "/dev/fifo"}]}})),
    (
        "net-device-template",
        with_({"linux": {"netDevices": {"eth1": {"name": "ctr%d"}, "eth2": {"name": "ctr%d"}}}}),
    ),
    (
        "sysctls",
        with_(
            {
                "linux": {
                    "sysctl": {
                        "net.ipv4.ip_forward": "1",
                        "kernel.shmmax": "1",
                        "fs.mqueue.msg_max": "10",
                        "kernel.domainname": "x",
                    }
                }
            }
        ),
    ),
    (
        "resources",
        with_(
            {
                "linux": {
                    "resources": {
                        "cpu": {"quota": -1, "burst": 5, "cpus": "0-3,7", "mems": "0"},
                        "memory": {"limit": -1, "swappiness": 100},
                        "blockIO": {"weightDevice": [{"major": 8, "minor": 0, "leafWeight": 10}]},
                        "hugepageLimits": [{"pageSize": "2MB", "limit": 0}, {"pageSize": "1GB", "limit": 1}],
                        "rdma": {"mlx5_1": {"hcaObjects": 3}},
                        "pids": {"limit": 0},
                        "devices": [
                            {"allow": False, "access": "rwm"},
                            {"allow": True, "type": "c", "major": 1, "minor": 3},
                        ],
                    }
                }
            }
        ),
    ),
    (
        "intel-rdt",
        with_(
            {
                "linux": {
                    "intelRdt": {
                        "closID": "/",
                        "memBwSchema": "MB:0=20;1=70",
                        "schemata": ["L2:0=0xf"],
                        "enableMonitoring": True,
                    }
                }
            }
        ),
    ),
    (
        "memory-policy",
        with_(
            {
                "linux": {
                    "memoryPolicy": {
                        "mode": "MPOL_INTERLEAVE",
                        "nodes": "0-1",
                        "flags": ["MPOL_F_STATIC_NODES"],
                    }
                }
            }
        ),
    ),
    (
        "scheduler",
        with_(
            {
                "process": {
                    "scheduler": {"policy": "SCHED_RR", "priority": 10},
                    "ioPriority": {"class": "IOPRIO_CLASS_IDLE", "priority": 7},
                    "execCPUAffinity": {"initial": "0", "final": "0-1"},
                }
            }
        ),
    ),
    (
        "deadline",
        with_(
            {
                "process": {
                    "scheduler": {"policy": "SCHED_DEADLINE", "runtime": 10, "deadline": 20, "period": 30}
                }
            }
        ),
    ),
    (
        "all-capabilities",
        with_(
            {
                "process": {
                    "capabilities": {
                        s: list(CAP_NUMBERS)
                        for s in ("bounding", "effective", "permitted", "inheritable", "ambient")
                    }
                }
            }
        ),
    ),
    (
        "all-rlimits",
        with_({"process": {"rlimits": [{"type": t, "soft": 1, "hard": 2**64 - 1} for t in RLIMIT_NUMBERS]}}),
    ),
    ("personality", with_({"linux": {"personality": {"domain": "LINUX32", "flags": []}}})),
    (
        "unknown-properties-ignored",
        with_({"future": {"x": 1}, "process": {"newThing": [1]}, "linux": {"resources": {"gpu": 1}}}),
    ),
    ("old-version", with_({"ociVersion": "1.0.0"})),
    (
        "relative-destination-since-1.1",
        with_({"mounts": [{"destination": "mnt/rel", "type": "tmpfs", "source": "t"}]}),
    ),
]


@pytest.mark.parametrize("cfg", [c[1] for c in GOOD], ids=[c[0] for c in GOOD])
def test_good_config_is_accepted(cfg: dict[str, Any]) -> None:
    validate_config(cfg)


def test_for_create_false_allows_a_config_without_process_or_root() -> None:
    validate_config({"ociVersion": "1.3.0"}, for_create=False)
    validate_config(with_({"process": {"args": None}}), for_create=False)
    with pytest.raises(ConfigError):
        validate_config({"ociVersion": "1.3.0"})


@pytest.mark.parametrize("name", ["podman", "docker", "ctr"])
def test_engine_configs_validate(name: str) -> None:
    path = ENGINE_CONFIGS / f"{name}.json"
    if not path.exists():
        pytest.skip(f"{path} is not on this machine (captured engine configs live in /work/shared)")
    cfg = json.loads(path.read_text())
    validate_config(cfg)
    assert unknown_properties(cfg) == []


def test_tables_match_the_kernel_headers() -> None:
    assert CAP_NUMBERS["CAP_CHOWN"] == 0 and CAP_NUMBERS["CAP_CHECKPOINT_RESTORE"] == 40 == CAP_LAST
    assert sorted(CAP_NUMBERS.values()) == list(range(41))
    assert RLIMIT_NUMBERS["RLIMIT_CPU"] == 0 and RLIMIT_NUMBERS["RLIMIT_RTTIME"] == 15
    assert sorted(RLIMIT_NUMBERS.values()) == list(range(16))
    header = pathlib.Path("/usr/include/linux/capability.h")
    if header.exists():
        text = header.read_text()
        for name, number in CAP_NUMBERS.items():
            defined = {tuple(ln.split()[1:3]) for ln in text.splitlines() if ln.startswith("#define CAP_")}
            assert (name, str(number)) in defined


PROCESS_BAD = [
    ({"cwd": "/", "args": []}, "/args", "at least one"),
    ({"cwd": "tmp", "args": ["sh"]}, "/cwd", "absolute"),
    ({"args": ["sh"]}, "", 'missing required property "cwd"'),
    (
        {"cwd": "/", "args": ["sh"], "capabilities": {"effective": ["CAP_TEST"]}},
        "/capabilities/effective/0",
        "unknown capability",
    ),
    (
        {"cwd": "/", "args": ["sh"], "rlimits": [{"type": "RLIMIT_X", "soft": 0, "hard": 0}]},
        "/rlimits/0/type",
        "unknown rlimit",
    ),
    ({"cwd": "/", "args": "sh"}, "/args", "expected an array"),
    ({"cwd": "/", "args": ["sh"], "user": {"uid": -1, "gid": 0}}, "/user/uid", "below the minimum 0"),
]


@pytest.mark.parametrize(("proc", "pointer", "words"), PROCESS_BAD)
def test_process_json_errors_are_relative_to_the_process_document(
    proc: Any, pointer: str, words: str
) -> None:
    with pytest.raises(ConfigError) as info:
        validate_process(proc)
    assert (info.value.pointer, words in info.value.reason) == (pointer, True), info.value


def test_process_json_good() -> None:
    validate_process(
        {
            "cwd": "/",
            "args": ["sh", "-c", "true"],
            "env": ["A=1"],
            "terminal": True,
            "consoleSize": {"height": 24, "width": 80},
            "user": {"uid": 1, "gid": 1},
        }
    )


def test_state_document() -> None:
    good = {
        "ociVersion": "1.3.0",
        "id": "c1",
        "status": "running",
        "pid": 42,
        "bundle": "/b",
        "annotations": {"a": "b"},
        "rootfs": "/b/rootfs",
        "created": "2026-01-01T00:00:00Z",
        "owner": "",
    }
    validate_state(good)
    validate_state({**good, "status": "stopped", "pid": 0})
    validate_state({**good, "status": "paused"})
    with pytest.raises(ConfigError) as info:
        validate_state({**good, "status": "created", "pid": None} | {"pid": 0})
    assert info.value.pointer == "/pid"
    with pytest.raises(ConfigError) as info:
        validate_state({k: v for k, v in good.items() if k != "bundle"})
    assert info.value.pointer == "" and "bundle" in info.value.reason


def test_resources_document_for_update() -> None:
    validate_resources(
        {"memory": {"limit": 1 << 30, "swap": -1}, "pids": {"limit": 100}, "cpu": {"cpus": "0"}}
    )
    for bad, pointer in [
        ({"memory": {"limit": "1G"}}, "/memory/limit"),
        ({"cpu": {"quota": 10, "burst": 20}}, "/cpu/burst"),
        ({"blockIO": {"weightDevice": [{"major": 8, "minor": 0}]}}, "/blockIO/weightDevice/0"),
        ([], ""),
    ]:
        with pytest.raises(ConfigError) as info:
            validate_resources(bad)
        assert info.value.pointer == pointer


def test_features_documents_validate() -> None:
    from pyrunc.features import features_document
    from pyrunc.spec.validate import validate_features

    validate_features(features_document())
    with pytest.raises(ConfigError) as info:
        validate_features(
            {"ociVersionMin": "1.0.0", "ociVersionMax": "1.3.0", "linux": {"cgroup": {"v2": "yes"}}}
        )
    assert info.value.pointer == "/linux/cgroup/v2"


def test_runc_features_output_validates() -> None:
    import shutil
    import subprocess

    from pyrunc.spec.validate import validate_features

    runc = shutil.which("runc")
    if runc is None:
        pytest.skip("runc is not installed (apt-get install runc)")
    out = subprocess.run([runc, "features"], capture_output=True, text=True, check=True).stdout
    validate_features(json.loads(out))


def test_container_process_state_for_seccomp_agents() -> None:
    from pyrunc.spec.validate import validate_container_process_state

    state = {"ociVersion": "1.3.0", "id": "c1", "status": "creating", "pid": 0, "bundle": "/b"}
    doc = {"ociVersion": "1.3.0", "fds": ["seccompFd"], "pid": 4242, "metadata": "m", "state": state}
    validate_container_process_state(doc)
    for bad, pointer in [
        ({**doc, "pid": 0}, "/pid"),
        ({**doc, "state": {**state, "bundle": 5}}, "/state/bundle"),
        ({**doc, "state": {**state, "status": "running"}}, "/state/pid"),
    ]:
        with pytest.raises(ConfigError) as info:
            validate_container_process_state(bad)
        assert info.value.pointer == pointer
