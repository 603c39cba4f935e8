"""The front end's record (pyrunc/state/fastrecord.py): format, contents, and how the store writes it.

The C reader is exercised against real containers in tests/integration/test_front.py; here the Python
side is checked against a reader written from the format's documentation.
"""

from __future__ import annotations

import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyrunc import jsonio
from pyrunc.runtime.container import Container, start_failed_message
from pyrunc.state import fastrecord
from pyrunc.state.store import Store


def parse(data: bytes) -> dict[str, list[bytes]]:
    """The documented format: magic line, then `KEY LEN\\n VALUE\\n` repeated."""
    assert data.startswith(fastrecord.MAGIC)
    pos = len(fastrecord.MAGIC)
    out: dict[str, list[bytes]] = {}
    while pos < len(data):
        nl = data.index(b"\n", pos)
        key, _, length = data[pos:nl].partition(b" ")
        assert key and key.replace(b"_", b"").isalnum() and key == key.lower()
        n = int(length)
        value = data[nl + 1 : nl + 1 + n]
        assert data[nl + 1 + n : nl + 2 + n] == b"\n"
        if key == b"crc":
            assert int(value) == zlib.crc32(data[:pos]) and nl + 2 + n == len(data), "crc must come last"
        out.setdefault(key.decode(), []).append(value)
        pos = nl + 2 + n
    assert "crc" in out
    return out


def record(**extra: object) -> dict:
    rec: dict = {
        "ociVersion": "1.3.0",
        "id": "c1",
        "pid": 4242,
        "init_start": "123456",
        "bundle": "/b",
        "rootfs": "/b/rootfs",
        "created": "2026-01-01T00:00:00Z",
        "owner": "root",
        "annotations": {},
        "cgroup": None,
        "hooks": {},
        "mount_ns": True,
    }
    rec.update(extra)
    return rec


def render(rec: dict, tmp_path) -> dict[str, list[bytes]]:
    state = jsonio.dumps(rec).encode()
    data = fastrecord.render(Store(str(tmp_path)), rec, state)
    assert data is not None
    return parse(data)


def test_plain_container(tmp_path):
    rec = record()
    fields = render(rec, tmp_path)
    state = jsonio.dumps(rec).encode()
    assert fields["id"] == [b"c1"]
    assert fields["pid"] == [b"4242"] and fields["init_start"] == [b"123456"]
    assert fields["state_size"] == [str(len(state)).encode()]
    assert fields["state_crc"] == [str(zlib.crc32(state)).encode()]
    assert fields["poststart"] == fields["poststop"] == fields["unmount"] == [b"0"]
    assert "freezer" not in fields and "cgroup_leaf" not in fields and "cgroup_rmdir" not in fields
    container = Container(Store(str(tmp_path)), rec)
    for status in fastrecord.STATUSES:
        want = jsonio.dumps(container.oci_state(status), indent=2) + "\n"
        assert fields["doc_" + status] == [want.encode()]
        assert jsonio.loads(fields["doc_" + status][0])["status"] == status
    assert jsonio.loads(fields["doc_stopped"][0])["pid"] == 0
    assert fields["start_error"] == [start_failed_message("c1").encode()]


def test_flags(tmp_path):
    hooks = {"poststart": [{"path": "/x"}], "poststop": [{"path": "/y"}]}
    fields = render(record(hooks=hooks, mount_ns=False), tmp_path)
    assert fields["poststart"] == fields["poststop"] == fields["unmount"] == [b"1"]
    # No rootfs recorded: nothing for delete to unmount, as lifecycle._teardown decides.
    assert render(record(mount_ns=False, rootfs=""), tmp_path)["unmount"] == [b"0"]
    assert render(record(hooks={"poststart": []}), tmp_path)["poststart"] == [b"0"]


def test_init_start_not_recorded_is_empty(tmp_path):
    assert render(record(init_start=None), tmp_path)["init_start"] == [b""]


@pytest.mark.parametrize("change", [{"pid": "12"}, {"pid": True}, {"pid": 1.5}, {"init_start": ""},
                                    {"init_start": 5}, {"init_start": "12a"}, {"id": None}])
def test_no_record_for_what_the_front_end_cannot_judge(tmp_path, change):
    rec = record(**change)
    assert fastrecord.render(Store(str(tmp_path)), rec, jsonio.dumps(rec).encode()) is None


def cgroup_state(mode: str = "hybrid", path: str = "/pyrunc/c1", **extra: object) -> dict:
    v1 = {"freezer": f"/sys/fs/cgroup/freezer{path}", "memory": f"/sys/fs/cgroup/memory{path}",
          "cpu": f"/sys/fs/cgroup/cpu,cpuacct{path}", "cpuacct": f"/sys/fs/cgroup/cpu,cpuacct{path}"}
    state = {"path": path, "mode": mode, "v1": v1 if mode != "unified" else {},
             "v2": f"/sys/fs/cgroup/unified{path}" if mode != "legacy" else None,
             "rootless": False, "skipped": False, "created": [], "devices": None}
    state.update(extra)
    return state


def test_hybrid_cgroups(tmp_path):
    fields = render(record(cgroup=cgroup_state()), tmp_path)
    assert fields["freezer"] == [b"v1:/sys/fs/cgroup/freezer/pyrunc/c1/freezer.state"]
    leaves = [v.decode() for v in fields["cgroup_leaf"]]
    # A co-mounted hierarchy appears once.
    want = {"/sys/fs/cgroup/freezer/pyrunc/c1", "/sys/fs/cgroup/memory/pyrunc/c1",
            "/sys/fs/cgroup/cpu,cpuacct/pyrunc/c1", "/sys/fs/cgroup/unified/pyrunc/c1"}
    assert sorted(leaves) == sorted(want)
    rmdirs = [v.decode() for v in fields["cgroup_rmdir"]]
    assert {r[1:] for r in rmdirs if r[0] == "L"} == set(leaves)
    # pyrunc's default parent goes too, once empty, after every leaf under it.
    parents = [r[1:] for r in rmdirs if r[0] == "P"]
    assert "/sys/fs/cgroup/unified/pyrunc" in parents and "/sys/fs/cgroup/freezer/pyrunc" in parents
    depths = [r.count("/") for r in rmdirs]
    assert depths == sorted(depths, reverse=True)


def test_unified_cgroup_uses_cgroup_freeze(tmp_path):
    fields = render(record(cgroup=cgroup_state("unified")), tmp_path)
    assert fields["freezer"] == [b"v2:/sys/fs/cgroup/unified/pyrunc/c1/cgroup.freeze"]
    assert fields["cgroup_leaf"] == [b"/sys/fs/cgroup/unified/pyrunc/c1"]


def test_skipped_cgroup_has_nothing_to_read_or_remove(tmp_path):
    fields = render(record(cgroup=cgroup_state(skipped=True)), tmp_path)
    assert "freezer" not in fields and "cgroup_leaf" not in fields and "cgroup_rmdir" not in fields
    assert fields["cgroups"] == [b"skipped"] and "cgroup_v2" not in fields and "cgroup_procs" not in fields


LIST_KEYS = ["list_bundle", "list_created", "list_owner", "list_doc_head", "list_doc_tail"]


def list_object(fields: dict[str, list[bytes]], status: str) -> bytes:
    """The front end's assembly of a container's `list -f json` object (csrc/front/list.c)."""
    pid = fields["pid"][0] if status != "stopped" else b"0"
    return fields["list_doc_head"][0] + pid + b',"status":"%s"' % status.encode() + fields["list_doc_tail"][0]


def test_cgroup_mode_and_kill_paths(tmp_path):
    from pyrunc.cgroups.manager import CgroupManager

    assert render(record(), tmp_path)["cgroups"] == [b"none"]
    state = cgroup_state()
    fields = render(record(cgroup=state), tmp_path)
    assert fields["cgroups"] == [b"managed"]
    assert fields["cgroup_v2"] == [b"/sys/fs/cgroup/unified/pyrunc/c1"]
    # CgroupManager.pids reads the first of these that exists, in this order.
    want = CgroupManager.from_state(state).procs_dirs()
    assert [v.decode() for v in fields["cgroup_procs"]] == want
    assert want[0] == "/sys/fs/cgroup/unified/pyrunc/c1"
    legacy = render(record(cgroup=cgroup_state("legacy")), tmp_path)
    assert legacy["cgroups"] == [b"managed"] and "cgroup_v2" not in legacy
    assert legacy["cgroup_procs"][0] == b"/sys/fs/cgroup/freezer/pyrunc/c1"


def test_list_fields(tmp_path):
    rec = record(annotations={"a": "b\"c", "pid": '"pid":4242,"status":"running"'}, bundle='/"pid":1')
    fields = render(rec, tmp_path)
    assert fields["list_bundle"] == [b'/"pid":1'] and fields["list_created"] == [b"2026-01-01T00:00:00Z"]
    assert fields["list_owner"] == [b"root"]
    container = Container(Store(str(tmp_path)), rec)
    docs = [list_object(fields, status) for status in fastrecord.STATUSES]
    for status, doc in zip(fastrecord.STATUSES, docs, strict=True):
        assert doc == jsonio.dumps(container.oci_state(status)).encode()
    # The front end joins the objects with commas in brackets: that is how jsonio writes the list.
    states = [container.oci_state(status) for status in fastrecord.STATUSES]
    assert b"[" + b",".join(docs) + b"]" == jsonio.dumps(states).encode()


@pytest.mark.parametrize("change", [{"bundle": "/b\u00e9"}, {"annotations": {"k": "\u2603"}}, {"owner": 0},
                                    {"created": None}, {"ociVersion": "\u00e9"}])
def test_no_list_fields_unless_all_ascii_text(tmp_path, change):
    fields = render(record(**change), tmp_path)
    assert not [k for k in LIST_KEYS if k in fields]
    assert "doc_created" in fields  # the rest of the record is unaffected


def test_removal_order_is_destroys():
    from pyrunc.cgroups.manager import removal_order

    leaves = ["/h/a/k8s/pod/c1", "/h/b/k8s/pod/c1"]
    created = ["/h/a/k8s/pod", "/h/a/k8s/pod/c1", "/h/b/k8s/pod/c1"]
    order = removal_order(leaves, leaves + created, "/k8s/pod/c1")
    assert order == [("/h/a/k8s/pod/c1", True), ("/h/b/k8s/pod/c1", True), ("/h/a/k8s/pod", False)]
    order = removal_order(["/h/a/pyrunc/x/c1"], ["/h/a/pyrunc/x/c1"], "/pyrunc/x/c1")
    assert order == [("/h/a/pyrunc/x/c1", True), ("/h/a/pyrunc/x", False), ("/h/a/pyrunc", False)]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=60), max_size=5))
def test_any_annotations_round_trip(tmp_path_factory, annotations):
    tmp_path = tmp_path_factory.mktemp("rec")
    rec = record(annotations=annotations)
    fields = render(rec, tmp_path)
    for status in fastrecord.STATUSES:
        doc = jsonio.loads(fields["doc_" + status][0])
        assert doc.get("annotations", {}) == annotations
    plain = all(k.isascii() and v.isascii() for k, v in annotations.items())
    assert [k for k in LIST_KEYS if k in fields] == (LIST_KEYS if plain else [])
    if plain:
        assert jsonio.loads(list_object(fields, "paused")).get("annotations", {}) == annotations


def test_store_writes_the_record_with_state(tmp_path):
    store = Store(str(tmp_path))
    store.create("c1")
    rec = record()
    store.write("c1", rec)
    data = (tmp_path / "c1" / "state.json").read_bytes()
    fields = parse((tmp_path / "c1" / fastrecord.RECORD_FILE).read_bytes())
    assert fields["state_crc"] == [str(zlib.crc32(data)).encode()]
    assert sorted(os.listdir(tmp_path / "c1")) == ["state.front", "state.json"]  # no temp file left
    store.remove("c1")
    assert not (tmp_path / "c1").exists()


def test_store_removes_a_stale_record_when_it_cannot_render(tmp_path):
    store = Store(str(tmp_path))
    store.create("c1")
    store.write("c1", record())
    assert (tmp_path / "c1" / fastrecord.RECORD_FILE).exists()
    store.write("c1", record(init_start=7))
    assert not (tmp_path / "c1" / fastrecord.RECORD_FILE).exists()
    assert store.read("c1")["init_start"] == 7


def test_record_module_is_cheap_to_import():
    """It is imported by every create: no typing, json, re, enum at module level."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); import pyrunc.state.fastrecord; "
            "heavy = ('typing', 'json', 're', 'enum', 'subprocess', 'logging'); "
            "bad = [m for m in heavy if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
