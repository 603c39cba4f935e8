"""plan_mounts: config.json mount options -> flags, propagation, recursive attributes, extensions, data."""

from __future__ import annotations

import json
import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyrunc.errors import ConfigError
from pyrunc.runtime import mounts as M
from pyrunc.runtime.mounts import plan_mounts

ENGINE_CONFIGS = pathlib.Path(__file__).resolve().parents[3] / "shared" / "engine-configs"

# Every option runtime-spec 1.3 lists under "Linux mount options", plus the r* forms and extensions.
SPEC_OPTIONS = """
async atime bind defaults dev diratime dirsync exec iversion lazytime loud mand noatime nodev
nodiratime noexec noiversion nolazytime nomand norelatime nostrictatime nosuid nosymfollow
private ratime rbind rdev rdiratime relatime remount rexec rnoatime rnodiratime rnoexec rnodev
rnorelatime rnostrictatime rnosuid rnosymfollow ro rprivate rrelatime rro rrw rshared rslave
rstrictatime rsuid rsymfollow runbindable rw shared silent slave strictatime suid symfollow
sync tmpcopyup unbindable idmap ridmap
""".split()


def one(mount: dict, *, bundle: str = "/bundle", linux: dict | None = None) -> dict:
    cfg = {"mounts": [mount], "linux": linux or {}}
    return plan_mounts(cfg, bundle=bundle, userns=False)[0]


def tmpfs(*options: str) -> dict:
    return one({"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": list(options)})


def test_spec_options_are_all_known() -> None:
    assert set(SPEC_OPTIONS) <= M.KNOWN_MOUNT_OPTIONS
    for opt in SPEC_OPTIONS:
        if opt in ("tmpcopyup", "idmap", "ridmap", "remount", "bind", "rbind"):
            continue
        assert tmpfs(opt)["data"] == "", opt


@pytest.mark.parametrize("name", ["docker", "podman", "ctr"])
def test_engine_configs(name: str) -> None:
    cfg = json.loads((ENGINE_CONFIGS / f"{name}.json").read_text())
    plan = {m["destination"]: m for m in plan_mounts(cfg, bundle="/b", userns=False)}
    proc = plan["/proc"]
    assert proc["flags"] == M.MS_NOSUID | M.MS_NOEXEC | M.MS_NODEV and proc["ext"] == M.PR_MOUNT_PROC
    assert plan["/sys"]["flags"] & M.MS_RDONLY and plan["/sys"]["ext"] == M.PR_MOUNT_SYSFS
    pts = plan["/dev/pts"]
    assert pts["ext"] == M.PR_MOUNT_DEVPTS and pts["data"] == "newinstance,ptmxmode=0666,mode=0620,gid=5"
    assert plan["/dev"]["flags"] & M.MS_STRICTATIME and plan["/dev"]["data"] == "mode=755,size=65536k"
    for m in plan.values():
        assert m["userns_fd"] == -1 and set(m) >= {
            "source",
            "destination",
            "fstype",
            "data",
            "attr_set",
            "attr_clr",
        }
        if m["ext"] & M.PR_MOUNT_IS_BIND:
            assert m["flags"] & M.MS_BIND and m["fstype"] == "" and m["source"].startswith("/")
            assert m["propagation"] in (M.MS_PRIVATE | M.MS_REC, 0)
    if "/sys/fs/cgroup" in plan:
        cg = plan["/sys/fs/cgroup"]
        assert cg["ext"] == M.PR_MOUNT_CGROUP and cg["flags"] & M.MS_RDONLY
    if name == "podman":
        shm = plan["/dev/shm"]
        assert shm["ext"] == M.PR_MOUNT_IS_BIND and shm["flags"] & (M.MS_NOSUID | M.MS_NOEXEC | M.MS_NODEV)


def test_order_decides() -> None:
    assert tmpfs("ro", "rw")["flags"] & M.MS_RDONLY == 0
    assert tmpfs("rw", "ro")["flags"] & M.MS_RDONLY
    assert tmpfs("nosuid", "suid")["flags"] & M.MS_NOSUID == 0
    # One atime mode at a time; the last one named wins.
    assert tmpfs("noatime", "strictatime")["flags"] & M.ATIME_FLAGS == M.MS_STRICTATIME
    assert tmpfs("strictatime", "relatime")["flags"] & M.ATIME_FLAGS == M.MS_RELATIME
    assert tmpfs("shared", "rslave")["propagation"] == M.MS_SLAVE | M.MS_REC


def test_unknown_options_become_data_in_order() -> None:
    m = tmpfs("size=1m", "nosuid", "mode=1777", "uid=5", "ro", 'context="a,b"')
    assert m["data"] == 'size=1m,mode=1777,uid=5,context="a,b"'
    assert m["flags"] == M.MS_NOSUID | M.MS_RDONLY


def test_recursive_attributes() -> None:
    m = tmpfs("rro", "rnosuid", "rnoexec")
    assert (
        m["attr_set"] == M.MOUNT_ATTR_RDONLY | M.MOUNT_ATTR_NOSUID | M.MOUNT_ATTR_NOEXEC
        and m["attr_clr"] == 0
    )
    assert m["flags"] == 0
    m = tmpfs("rro", "rrw")
    assert m["attr_set"] == 0 and m["attr_clr"] == M.MOUNT_ATTR_RDONLY
    m = tmpfs("rnoatime")
    assert m["attr_set"] == M.MOUNT_ATTR_NOATIME and m["attr_clr"] == M.MOUNT_ATTR__ATIME
    m = tmpfs("rnoatime", "rstrictatime")
    assert m["attr_set"] == M.MOUNT_ATTR_STRICTATIME and m["attr_clr"] == M.MOUNT_ATTR__ATIME
    m = tmpfs("rrelatime")
    assert m["attr_set"] == 0 and m["attr_clr"] == M.MOUNT_ATTR__ATIME


def test_bind_paths() -> None:
    m = one(
        {"destination": "etc//hosts/", "type": "bind", "source": "files/hosts", "options": ["ro"]},
        bundle="/srv/bundle",
    )
    assert m["source"] == "/srv/bundle/files/hosts" and m["destination"] == "/etc/hosts"
    assert m["flags"] == M.MS_BIND | M.MS_RDONLY and m["ext"] == M.PR_MOUNT_IS_BIND | M.PR_MOUNT_REMOUNT_RO
    # "rbind" alone makes a bind, whatever the type says.
    m = one({"destination": "/data", "type": "none", "source": "/srv/data", "options": ["rbind", "rprivate"]})
    assert (
        m["flags"] == M.MS_BIND | M.MS_REC
        and m["fstype"] == ""
        and m["propagation"] == M.MS_PRIVATE | M.MS_REC
    )
    assert one({"destination": "//dev", "type": "tmpfs", "source": "tmpfs"})["destination"] == "/dev"
    assert one({"destination": "/a/../../b", "type": "tmpfs"})["destination"] == "/b"


def test_tmpcopyup() -> None:
    assert tmpfs("tmpcopyup", "mode=755")["ext"] == M.PR_MOUNT_TMPCOPYUP
    with pytest.raises(ConfigError) as exc:
        one({"destination": "/x", "type": "bind", "source": "/y", "options": ["ro", "tmpcopyup"]})
    assert exc.value.pointer == "/mounts/0/options/1"


def test_idmap() -> None:
    maps = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    m = one(
        {
            "destination": "/x",
            "type": "bind",
            "source": "/y",
            "options": ["rbind", "idmap"],
            "uidMappings": maps,
            "gidMappings": maps,
        }
    )
    assert m["ext"] & M.PR_MOUNT_IDMAP and m["uid_mappings"] == [(0, 100000, 65536)] and m["userns_fd"] == -1
    # Without mappings on the mount, the container's user namespace mappings are used.
    linux = {
        "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
        "gidMappings": [{"containerID": 0, "hostID": 2000, "size": 1}],
    }
    m = one({"destination": "/x", "type": "bind", "source": "/y", "options": ["bind", "ridmap"]}, linux=linux)
    assert m["flags"] & M.MS_REC and m["gid_mappings"] == [(0, 2000, 1)]
    with pytest.raises(ConfigError) as exc:
        one({"destination": "/x", "type": "bind", "source": "/y", "options": ["idmap"]})
    assert exc.value.pointer == "/mounts/0/uidMappings"
    with pytest.raises(ConfigError) as exc:
        one({"destination": "/x", "type": "tmpfs", "options": ["nosuid", "idmap"]})
    assert exc.value.pointer == "/mounts/0/options/1"


@pytest.mark.parametrize(
    ("mount", "pointer"),
    [
        ({"destination": "/x", "type": "tmpfs", "options": ["ro", ""]}, "/mounts/0/options/1"),
        ({"destination": "/x", "type": "tmpfs", "options": ["ro", 5]}, "/mounts/0/options/1"),
        ({"destination": "/x", "type": "bind", "options": ["bind"]}, "/mounts/0/source"),
        ({"destination": "/x", "source": "x"}, "/mounts/0/type"),
        ({"destination": "", "type": "tmpfs"}, "/mounts/0/destination"),
        (
            {"destination": "/x", "type": "bind", "source": "/y", "options": ["remount"]},
            "/mounts/0/options/0",
        ),
        ({"destination": "/x", "type": "tmpfs", "uidMappings": []}, "/mounts/0/uidMappings"),
    ],
)
def test_invalid(mount: dict, pointer: str) -> None:
    with pytest.raises(ConfigError) as exc:
        one(mount)
    assert exc.value.pointer == pointer


def test_planwriter_encodes_every_plan() -> None:
    from pyrunc.runtime import planfile

    cfg = json.loads((ENGINE_CONFIGS / "docker.json").read_text())
    w = planfile.PlanWriter()
    for m in plan_mounts(cfg, bundle="/b", userns=False):
        w.mount(m)
    assert len(w.blob()) > 200


DATA_OPTS = st.sampled_from(["size=1m", "mode=755", "uid=5", "gid=5", "nr_inodes=10", "x-custom"])
OPTIONS = st.lists(
    st.one_of(st.sampled_from(sorted(M.KNOWN_MOUNT_OPTIONS - M.EXTENSION_OPTIONS - {"remount"})), DATA_OPTS),
    max_size=12,
)


@given(OPTIONS)
def test_fold_invariants(options: list[str]) -> None:
    m = tmpfs(*options)
    assert m["data"] == ",".join(o for o in options if o not in M.KNOWN_MOUNT_OPTIONS)
    ro_rw = [o for o in options if o in ("ro", "rw")]
    assert bool(m["flags"] & M.MS_RDONLY) == (bool(ro_rw) and ro_rw[-1] == "ro")
    props = [o for o in options if o in M.PROPAGATION_OPTIONS]
    assert m["propagation"] == (M.PROPAGATION_OPTIONS[props[-1]] if props else 0)
    assert bin(m["flags"] & M.ATIME_FLAGS).count("1") <= 1
    # Never set and clear the same attribute (the kernel refuses that).
    assert m["attr_set"] & m["attr_clr"] & ~M.MOUNT_ATTR__ATIME == 0
    if m["attr_set"] & M.MOUNT_ATTR__ATIME:
        assert m["attr_clr"] & M.MOUNT_ATTR__ATIME == M.MOUNT_ATTR__ATIME
    is_bind = "bind" in options or "rbind" in options
    assert bool(m["ext"] & M.PR_MOUNT_IS_BIND) == is_bind
    assert m == tmpfs(*options)


def test_idmap_text() -> None:
    assert M.idmap_text([(0, 100000, 65536), (65536, 1, 1)]) == "0 100000 65536\n65536 1 1\n"


def test_sysfs_in_user_namespace_without_network_namespace_is_a_bind() -> None:
    sysfs = {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "ro"]}
    own_net = {"mounts": [sysfs], "linux": {"namespaces": [{"type": "user"}, {"type": "network"}]}}
    host_net = {"mounts": [sysfs], "linux": {"namespaces": [{"type": "user"}]}}
    assert plan_mounts(own_net, bundle="/b", userns=True)[0]["ext"] == M.PR_MOUNT_SYSFS
    assert plan_mounts(host_net, bundle="/b", userns=False)[0]["ext"] == M.PR_MOUNT_SYSFS
    m = plan_mounts(host_net, bundle="/b", userns=True)[0]
    assert m["ext"] & M.PR_MOUNT_IS_BIND and m["source"] == "/sys" and m["destination"] == "/sys"
    assert m["flags"] == M.MS_BIND | M.MS_REC | M.MS_NOSUID | M.MS_RDONLY
    assert m["propagation"] == M.MS_SLAVE | M.MS_REC and m["attr_set"] == M.MOUNT_ATTR_RDONLY
