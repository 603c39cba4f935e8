"""The front end's record: what the C fast path (csrc/front/) needs, next to state.json.

The front end serves plain `state`, `start`, `kill`, `delete [--force]` and `list` without starting
Python, and must not parse JSON. So whenever the store writes state.json, it first writes this record
beside it, as `state.front`, holding the few facts the C code decides on and the documents that
`pyrunc state` and `pyrunc list` would print, rendered here by Python (C prints bytes Python made).

Format (version 1), bytes:

    pyrunc-front 1\\n
    KEY LEN\\n VALUE\\n          (repeated; KEY is [a-z0-9_]+, LEN the value's length in decimal bytes,
                               VALUE raw bytes; no space around them, the \\n after VALUE is required)

Keys (each once unless noted; the front end falls back to Python on an unknown or missing key):
    id              the container id
    state_size      length of state.json in bytes      } the record is used only when state.json is
    state_crc       CRC-32 of state.json, decimal      } exactly the file this record was made from
    pid             the init's pid, decimal
    init_start      its start time (field 22 of /proc/PID/stat), empty when not recorded
    freezer         empty, or "v1:<dir>/freezer.state" / "v2:<dir>/cgroup.freeze": the file whose
                    content makes the container paused (what CgroupManager.is_frozen reads)
    poststart       "1" if start has poststart hooks to run, else "0"
    poststop        "1" if delete has poststop hooks to run, else "0"
    unmount         "1" if delete must unmount the rootfs (no mount namespace of its own), else "0"
    cgroups         optional: "none" (no cgroup), "skipped" (rootless without cgroups) or "managed";
                    `delete --force` is served only when it is present
    cgroup_v2       optional: the cgroup2 directory (managed cgroups on a host with cgroup2): where
                    `delete --force` writes cgroup.kill and waits for cgroup.events "populated 0"
    cgroup_procs    (repeated) the directories CgroupManager.pids reads, in its order (the first that
                    exists is the one read)
    cgroup_leaf     (repeated) a cgroup directory of the container: delete checks it holds no process
    cgroup_rmdir    (repeated, in removal order) "L<dir>" a leaf that must go, "P<dir>" a parent that
                    goes once empty (best effort): CgroupManager.destroy's rmdir order
    doc_created, doc_running, doc_paused, doc_stopped
                    `pyrunc state`'s stdout for that status
    start_error     the message `start` reports when the init exits before the user's process runs
    list_bundle, list_created, list_owner
                    optional, all or none: the BUNDLE, CREATED and OWNER cells of `pyrunc list`'s table
    list_doc_head, list_doc_tail
                    optional, with the three above: the container's object in `pyrunc list -f json` is
                    list_doc_head + PID + ',"status":"' + STATUS + '"' + list_doc_tail (PID 0 when
                    stopped). All five are written only when every one is ASCII (the table pads by
                    characters, and the terminal's encoding is Python's business): `list` falls back
                    without them
    crc             last: CRC-32 (zlib) of every byte before this field, decimal; a damaged record is
                    refused rather than printed

Written with the same lock and the same temp + rename as state.json, before state.json is
renamed: a reader that sees a new record with an old state.json (or the reverse) sees a size or CRC
mismatch and falls back. Removed with the container directory.
"""

from __future__ import annotations

import os

from .. import jsonio

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..runtime.container import Container
    from .store import Store

RECORD_FILE = "state.front"
MAGIC = b"pyrunc-front 1\n"
STATUSES = ("created", "running", "paused", "stopped")


def _field(out: list[bytes], key: str, value: bytes | str) -> None:
    raw = value.encode() if isinstance(value, str) else value
    out.append(b"%s %d\n%s\n" % (key.encode(), len(raw), raw))


def _cgroup_fields(out: list[bytes], record: dict[str, Any], container: Container) -> None:
    if not record.get("cgroup"):
        _field(out, "cgroups", "none")
        return
    manager = container.cgroups()
    if manager is None:
        _field(out, "cgroups", "none")
        return
    if manager.skipped:
        _field(out, "cgroups", "skipped")
        return
    _field(out, "cgroups", "managed")
    if manager.v2_dir is not None:
        _field(out, "cgroup_v2", manager.v2_dir)
    for directory in manager.procs_dirs():
        _field(out, "cgroup_procs", directory)
    try:
        directory, is_v2 = manager.freezer()
    except Exception:  # no freezer on this host: is_frozen() is always false
        pass
    else:
        _field(out, "freezer", f"v2:{directory}/cgroup.freeze" if is_v2 else f"v1:{directory}/freezer.state")
    from ..cgroups.manager import removal_order

    leaves = manager.all_dirs()
    for leaf in leaves:
        _field(out, "cgroup_leaf", leaf)
    for directory, is_leaf in removal_order(leaves, leaves + list(manager.created), manager.path):
        _field(out, "cgroup_rmdir", ("L" if is_leaf else "P") + directory)


def _list_fields(out: list[bytes], container: Container) -> None:
    """What `pyrunc list` prints for this container (cli/cmd_list.py), when all of it is ASCII."""
    doc = container.oci_state("running")
    cells: list[str] = []
    for key in ("bundle", "created", "owner"):
        cell = doc.get(key)
        if not isinstance(cell, str) or not cell.isascii():
            return
        cells.append(cell)
    # One object serves every status: only "pid" and "status" differ, and they are adjacent. The first
    # `"pid":` is the top-level key (ociVersion and id come before it; a quote inside a string is escaped).
    if list(doc)[2:4] != ["pid", "status"]:
        return
    text = jsonio.dumps(doc)
    marker = f'"pid":{container.pid},"status":"running"'
    at = text.find(marker)
    if at < 0 or not text.isascii():
        return
    for key, cell in zip(("list_bundle", "list_created", "list_owner"), cells, strict=True):
        _field(out, key, cell)
    _field(out, "list_doc_head", text[: at + len('"pid":')])
    _field(out, "list_doc_tail", text[at + len(marker) :])


def render(store: Store, record: dict[str, Any], state_bytes: bytes) -> bytes | None:
    """The record for this state, or None when the fast path cannot serve this container."""
    import zlib

    from ..runtime.container import Container, start_failed_message

    pid = record.get("pid")
    started = record.get("init_start")
    container_id = record.get("id")
    if type(pid) is not int or not isinstance(container_id, str):
        return None
    if started is not None and (not isinstance(started, str) or not started.isdigit()):
        return None
    container = Container(store, record)
    out = [MAGIC]
    _field(out, "id", container_id)
    _field(out, "state_size", str(len(state_bytes)))
    _field(out, "state_crc", str(zlib.crc32(state_bytes)))
    _field(out, "pid", str(pid))
    _field(out, "init_start", started or "")
    hooks = record.get("hooks") or {}
    _field(out, "poststart", "1" if hooks.get("poststart") else "0")
    _field(out, "poststop", "1" if hooks.get("poststop") else "0")
    _field(out, "unmount", "1" if not record.get("mount_ns", True) and record.get("rootfs") else "0")
    _cgroup_fields(out, record, container)
    for status in STATUSES:
        _field(out, "doc_" + status, container.state_text(status))
    _field(out, "start_error", start_failed_message(container_id))
    _list_fields(out, container)
    body = b"".join(out)
    tail: list[bytes] = []
    _field(tail, "crc", str(zlib.crc32(body)))
    return body + tail[0]


def stage(store: Store, directory: str, record: dict[str, Any], state_bytes: bytes) -> str | None:
    """Write the record to a temp file for the caller to rename (store.StagedWrite) and return its path;
    when the fast path cannot serve this container, remove any old record and return None. The caller
    holds the container's lock and renames state.json after the record."""
    try:
        data = render(store, record, state_bytes)
    except Exception:  # noqa: BLE001 - the record is only an accelerator; Python serves without it
        data = None
    if data is None:
        try:
            os.unlink(os.path.join(directory, RECORD_FILE))
        except FileNotFoundError:
            pass
        return None
    from .store import write_temp

    return write_temp(directory, RECORD_FILE, data)
