"""The compiled-seccomp cache: hits, and every way an entry or directory can be unsafe or damaged."""

from __future__ import annotations

import json
import os
import pathlib
import time

import pytest

from pyrunc.security import seccomp as sc
from pyrunc.security import seccomp_cache as cache

ENGINE_CONFIGS = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "engine-configs"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make files owned by another user")


def podman() -> dict:
    return json.loads((ENGINE_CONFIGS / "podman.json").read_text())["linux"]["seccomp"]


def only_entry(d: pathlib.Path) -> pathlib.Path:
    entries = [p for p in d.iterdir() if p.name.endswith(cache.SUFFIX)]
    assert len(entries) == 1
    return entries[0]


def test_second_compile_is_a_hit_with_the_same_program(tmp_path: pathlib.Path) -> None:
    d = tmp_path / "cache"
    cold = sc.compile_seccomp(podman(), cache_dir=str(d))
    warm = sc.compile_seccomp(podman(), cache_dir=str(d))
    assert not cold.from_cache and warm.from_cache
    assert warm.bpf == cold.bpf == sc.compile_seccomp(podman()).bpf
    assert (warm.flags, warm.skipped) == (cold.flags, cold.skipped)
    assert d.stat().st_mode & 0o777 == 0o700
    entry = only_entry(d)
    assert entry.stat().st_mode & 0o777 == 0o600
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]


def test_skipped_names_survive_the_cache(tmp_path: pathlib.Path) -> None:
    section = {
        "defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["nosuch1", "getppid", "nosuch2"], "action": "SCMP_ACT_ERRNO"}],
    }
    sc.compile_seccomp(section, cache_dir=str(tmp_path / "c"))
    warm = sc.compile_seccomp(section, cache_dir=str(tmp_path / "c"))
    assert warm.from_cache and warm.skipped == ["nosuch1", "nosuch2"]


def test_different_sections_have_different_entries(tmp_path: pathlib.Path) -> None:
    d = str(tmp_path / "c")
    a = sc.compile_seccomp(
        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]},
        cache_dir=d,
    )
    b = sc.compile_seccomp(
        {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"}]},
        cache_dir=d,
    )
    assert a.bpf != b.bpf and not b.from_cache
    assert len(list(pathlib.Path(d).iterdir())) == 2


def test_key_covers_libseccomp_version_arch_and_abi() -> None:
    base = {"libseccomp": "2.5.4", "arch": "x86_64", "abi": "1/1"}
    k = cache.cache_key(b"{}", **base)
    assert len(k) == 32
    for field, other in (("libseccomp", "2.5.5"), ("arch", "aarch64"), ("abi", "2/1")):
        assert cache.cache_key(b"{}", **{**base, field: other}) != k
    assert cache.cache_key(b"{ }", **base) != k


def _damage_and_check(tmp_path: pathlib.Path, damage) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "cache"
    good = sc.compile_seccomp(podman(), cache_dir=str(d))
    entry = only_entry(d)
    damage(entry)
    again = sc.compile_seccomp(podman(), cache_dir=str(d))
    assert not again.from_cache and again.bpf == good.bpf  # ignored, compiled afresh
    st = os.lstat(entry)
    assert st.st_uid == os.geteuid() and st.st_mode & 0o777 == 0o600  # and rewritten soundly
    assert sc.compile_seccomp(podman(), cache_dir=str(d)).from_cache


def test_entry_with_another_key_is_ignored(tmp_path: pathlib.Path) -> None:
    def damage(p: pathlib.Path) -> None:
        data = bytearray(p.read_bytes())
        data[len(cache.MAGIC)] ^= 0xFF
        p.write_bytes(bytes(data))

    _damage_and_check(tmp_path, damage)


@pytest.mark.parametrize("cut", [1, 3, 8, 100])
def test_truncated_entry_is_ignored(tmp_path: pathlib.Path, cut: int) -> None:
    _damage_and_check(tmp_path, lambda p: p.write_bytes(p.read_bytes()[:-cut]))


def test_bpf_length_not_a_whole_instruction_is_ignored(tmp_path: pathlib.Path) -> None:
    def damage(p: pathlib.Path) -> None:
        data = bytearray(p.read_bytes())
        off = len(cache.MAGIC) + cache.KEY_LEN
        n = int.from_bytes(data[off : off + 4], "little")
        data[off : off + 4] = (n - 3).to_bytes(4, "little")
        p.write_bytes(bytes(data[:-3]))

    _damage_and_check(tmp_path, damage)


def test_extra_bytes_are_ignored(tmp_path: pathlib.Path) -> None:
    _damage_and_check(tmp_path, lambda p: p.write_bytes(p.read_bytes() + b"\0" * 8))


def test_symlinked_entry_is_not_followed(tmp_path: pathlib.Path) -> None:
    planted = tmp_path / "planted"

    def damage(p: pathlib.Path) -> None:
        # A perfectly valid entry elsewhere: only the symlink makes it unacceptable.
        planted.write_bytes(p.read_bytes())
        planted.chmod(0o600)
        p.unlink()
        p.symlink_to(planted)

    _damage_and_check(tmp_path, damage)


def test_group_or_other_writable_entry_is_ignored(tmp_path: pathlib.Path) -> None:
    _damage_and_check(tmp_path, lambda p: p.chmod(0o620))


@root_only
def test_entry_owned_by_someone_else_is_ignored(tmp_path: pathlib.Path) -> None:
    _damage_and_check(tmp_path, lambda p: os.chown(p, 65534, 65534))


def test_fifo_under_the_entry_name_does_not_hang(tmp_path: pathlib.Path) -> None:
    def damage(p: pathlib.Path) -> None:
        p.unlink()
        os.mkfifo(p, 0o600)

    d = tmp_path / "cache"
    sc.compile_seccomp(podman(), cache_dir=str(d))
    entry = only_entry(d)
    damage(entry)
    start = time.monotonic()
    again = sc.compile_seccomp(podman(), cache_dir=str(d))
    assert not again.from_cache and time.monotonic() - start < 5
    assert os.path.isfile(entry)  # the rename replaced the fifo


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o701])
def test_directory_open_to_others_is_not_used(tmp_path: pathlib.Path, mode: int) -> None:
    d = tmp_path / "cache"
    d.mkdir()
    d.chmod(mode)
    sc.compile_seccomp(podman(), cache_dir=str(d))
    assert list(d.iterdir()) == []  # nothing stored
    # Nothing read either: a valid entry placed there is not used.
    key = sc._cache_key(podman())
    (d / (key.hex() + cache.SUFFIX)).write_bytes(cache.encode_entry(key, b"\0" * 8, []))
    assert cache.load(str(d), key) is None
    assert not sc.compile_seccomp(podman(), cache_dir=str(d)).from_cache


@root_only
def test_directory_owned_by_someone_else_is_not_used(tmp_path: pathlib.Path) -> None:
    d = tmp_path / "cache"
    d.mkdir(mode=0o700)
    os.chown(d, 65534, 65534)
    key = sc._cache_key(podman())
    (d / (key.hex() + cache.SUFFIX)).write_bytes(cache.encode_entry(key, b"\0" * 8, []))
    assert cache.load(str(d), key) is None
    assert not cache.store(str(d), key, b"\0" * 8, [])


def test_symlinked_directory_is_not_used(tmp_path: pathlib.Path) -> None:
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "cache"
    link.symlink_to(real)
    sc.compile_seccomp(podman(), cache_dir=str(link))
    assert list(real.iterdir()) == []
    assert not sc.compile_seccomp(podman(), cache_dir=str(link)).from_cache


def test_unusable_cache_dir_still_compiles(tmp_path: pathlib.Path) -> None:
    c = sc.compile_seccomp(podman(), cache_dir=str(tmp_path / "missing-parent" / "cache"))
    assert c.bpf and not c.from_cache


def test_decode_entry_rejects_what_encode_entry_would_not_make() -> None:
    key = b"k" * 32
    good = cache.encode_entry(key, b"\1" * 16, ["a", "b"])
    assert cache.decode_entry(good, key) == (b"\1" * 16, ["a", "b"])
    assert cache.decode_entry(good, b"x" * 32) is None
    assert cache.decode_entry(cache.encode_entry(key, b"", []), key) is None
    assert cache.decode_entry(cache.encode_entry(key, b"\1" * 12, []), key) is None
    assert cache.decode_entry(b"NOTMAGIC" + good[8:], key) is None
    # Skipped names that are not UTF-8.
    bad_text = cache.MAGIC + key + (8).to_bytes(4, "little") + (1).to_bytes(4, "little") + b"\1" * 8 + b"\xff"
    assert cache.decode_entry(bad_text, key) is None


def test_directory_is_kept_bounded(tmp_path: pathlib.Path) -> None:
    d = tmp_path / "cache"
    for i in range(cache.MAX_ENTRIES + 5):
        assert cache.store(str(d), i.to_bytes(32, "big"), b"\0" * 8, [])
    assert len([p for p in d.iterdir() if p.name.endswith(cache.SUFFIX)]) <= cache.MAX_ENTRIES
    assert cache.load(str(d), (cache.MAX_ENTRIES + 4).to_bytes(32, "big")) is not None


def test_warm_compile_is_much_cheaper_than_cold(tmp_path: pathlib.Path) -> None:
    section = podman()
    cold = []
    for i in range(5):
        t = time.perf_counter()
        sc.compile_seccomp(section, cache_dir=str(tmp_path / f"c{i}"))
        cold.append(time.perf_counter() - t)
    warm = []
    for _ in range(20):
        t = time.perf_counter()
        assert sc.compile_seccomp(section, cache_dir=str(tmp_path / "c0")).from_cache
        warm.append(time.perf_counter() - t)
    assert min(warm) * 4 < min(cold), (min(warm), min(cold))
