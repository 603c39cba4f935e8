"""Decision logic of `exec` options next to the real tests in test_exec.py: which cgroup directories a
`--cgroup` list selects (against directory trees standing in for cgroup mounts) and how the flags
change the process built from the container's."""

from __future__ import annotations

import pathlib

import pytest

from pyrunc.cgroups.host import HYBRID, UNIFIED
from pyrunc.cgroups.manager import CgroupManager
from pyrunc.errors import PyruncError, UsageError
from pyrunc.runtime.execproc import apply_exec_flags, exec_cgroup_dirs


def manager(tmp_path: pathlib.Path, mode: str, controllers: list[str], v2: bool) -> CgroupManager:
    v1 = {c: str(tmp_path / c / "ctr") for c in controllers}
    v2_dir = str(tmp_path / "unified" / "ctr") if v2 else None
    for d in [*v1.values(), *([v2_dir] if v2_dir else [])]:
        pathlib.Path(d, "sub", "deeper").mkdir(parents=True)
    return CgroupManager("c", "/ctr", mode, v1, v2_dir, None)


def test_bare_path_moves_every_hierarchy(tmp_path):
    m = manager(tmp_path, HYBRID, ["pids", "memory"], v2=True)
    dirs = exec_cgroup_dirs(m, ["sub"])
    assert dirs == [str(tmp_path / c / "ctr" / "sub") for c in ("pids", "memory", "unified")]
    assert exec_cgroup_dirs(m, ["/sub/./deeper/"])[0] == str(tmp_path / "pids" / "ctr" / "sub" / "deeper")


def test_controller_path_moves_only_those_controllers(tmp_path):
    m = manager(tmp_path, HYBRID, ["pids", "memory", "cpu"], v2=True)
    dirs = exec_cgroup_dirs(m, ["pids,cpu:sub"])
    assert dirs == [
        str(tmp_path / "pids" / "ctr" / "sub"),
        str(tmp_path / "memory" / "ctr"),
        str(tmp_path / "cpu" / "ctr" / "sub"),
        str(tmp_path / "unified" / "ctr"),
    ]
    mixed = exec_cgroup_dirs(m, ["memory:sub/deeper", "sub"])
    assert mixed[1] == str(tmp_path / "memory" / "ctr" / "sub" / "deeper")
    assert mixed[0] == str(tmp_path / "pids" / "ctr" / "sub") and mixed[3].endswith("unified/ctr/sub")


def test_co_mounted_controllers_are_joined_once(tmp_path):
    m = manager(tmp_path, HYBRID, ["cpu"], v2=False)
    m.v1_dirs["cpuacct"] = m.v1_dirs["cpu"]
    assert exec_cgroup_dirs(m, ["sub"]) == [str(tmp_path / "cpu" / "ctr" / "sub")]


@pytest.mark.parametrize(
    "specs, mode, message",
    [
        (["../x"], HYBRID, ".."),
        (["sub/../../x"], HYBRID, ".."),
        ([""], HYBRID, "empty"),
        (["pids:"], HYBRID, "empty"),
        (["sub", "sub"], HYBRID, "twice"),
        (["nosuch:sub"], HYBRID, "nosuch"),
        (["pids:sub"], UNIFIED, "cgroup v2"),
    ],
)
def test_refusals(tmp_path, specs, mode, message):
    m = manager(tmp_path, mode, [] if mode == UNIFIED else ["pids"], v2=True)
    with pytest.raises(UsageError, match=message):
        exec_cgroup_dirs(m, specs)


def test_missing_sub_cgroup_is_named(tmp_path):
    m = manager(tmp_path, UNIFIED, [], v2=True)
    with pytest.raises(PyruncError, match="absent"):
        exec_cgroup_dirs(m, ["absent"])


class Opts:
    def __init__(self, **values: object) -> None:
        self.values = values

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name))

    def items(self, name: str) -> list[str]:
        return list(self.values.get(name) or [])  # type: ignore[call-overload]


def test_flags_on_top_of_the_container_process():
    proc = {
        "args": ["sh"],
        "env": ["PATH=/bin", "A=1"],
        "user": {"uid": 1, "gid": 2, "additionalGids": [3]},
        "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "inheritable": ["CAP_KILL"]},
    }
    apply_exec_flags(
        proc,
        Opts(
            env=["A=2", "B=3"],
            user="5",
            additional_gids=["7"],
            cap=["CAP_SYS_ADMIN", "CAP_KILL"],
            cwd="/w",
            tty=True,
            no_new_privs=True,
        ),
    )
    assert proc["env"] == ["PATH=/bin", "A=2", "B=3"]
    assert proc["user"] == {"uid": 5, "gid": 2, "additionalGids": [3, 7]}
    caps = proc["capabilities"]
    assert caps["bounding"] == caps["effective"] == ["CAP_KILL", "CAP_SYS_ADMIN"]
    assert caps["permitted"] == ["CAP_SYS_ADMIN", "CAP_KILL"]
    assert caps["inheritable"] == ["CAP_KILL"]  # --cap never adds here
    assert (proc["cwd"], proc["terminal"], proc["noNewPrivileges"]) == ("/w", True, True)
    with pytest.raises(UsageError):
        apply_exec_flags({}, Opts(user="root"))
    with pytest.raises(UsageError):
        apply_exec_flags({}, Opts(additional_gids=["wheel"]))
