"""The harness's decision logic, on the host, without booting anything (test_in_guest.py boots it)."""

from __future__ import annotations

import importlib.util
import lzma
import struct
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
BUSYBOX = Path("/bin/busybox")


@pytest.fixture(scope="module")
def vm() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pyrunc_vm_run_h", HERE / "run.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _need_busybox() -> None:
    if not BUSYBOX.exists():
        pytest.skip("busybox-static is not installed (apt-get install busybox-static)")


def _extract(archive: bytes, dest: Path) -> None:
    _need_busybox()
    dest.mkdir()
    # Regular files and directories only: device nodes need root and say nothing about the format.
    listing = subprocess.run([str(BUSYBOX), "cpio", "-t"], input=archive, capture_output=True, check=True)
    names = [n for n in listing.stdout.decode().split() if not n.startswith("dev/")]
    subprocess.run(
        [str(BUSYBOX), "cpio", "-i", "-d", *names], input=archive, cwd=dest, capture_output=True, check=True
    )


def test_cpio_is_read_back_by_a_real_cpio(vm: ModuleType, tmp_path: Path) -> None:
    _need_busybox()
    c = vm.Cpio()
    c.dir("d")
    c.file("d/f", b"hello\n", 0o755)
    c.file("odd-length", b"x" * 5)
    c.chardev("dev/console", 5, 1)
    archive = c.finish()
    assert len(archive) % 512 == 0
    listing = subprocess.run([str(BUSYBOX), "cpio", "-tv"], input=archive, capture_output=True, check=True)
    lines = listing.stdout.decode().splitlines()
    assert any(line.startswith("crw") and line.endswith("dev/console") for line in lines), lines
    _extract(archive, tmp_path / "x")
    assert (tmp_path / "x" / "d" / "f").read_bytes() == b"hello\n"
    assert (tmp_path / "x" / "d" / "f").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "x" / "odd-length").read_bytes() == b"xxxxx"


def test_the_command_reaches_the_guest_verbatim(vm: ModuleType, tmp_path: Path) -> None:
    argv = ["sh", "-c", "echo \"$HOME\" '@TOKEN@' `x` $(y) ; & | \\ @CMD@"]
    _need_busybox()
    archive = vm.build_initramfs([], argv, "/a dir/with space", {"K": "v w"}, "tok123")
    _extract(archive, tmp_path / "x")
    stage2 = (tmp_path / "x" / "pyrunc-vm" / "stage2").read_text()
    run_line = next(line for line in stage2.splitlines() if line.startswith("$ENV -i "))
    words = run_line.removeprefix("$ENV -i ").removesuffix(" </dev/null")
    # Let a real sh parse it, as the guest's will.
    parsed = subprocess.run(
        ["sh", "-c", f'set -- {words}; printf "%s\\0" "$@"'], capture_output=True, check=True
    ).stdout.split(b"\0")[:-1]
    assert [w.decode() for w in parsed] == ["K=v w", *argv]
    assert "cd '/a dir/with space'" in stage2
    assert stage2.count("tok123") == 2  # the two sentinel lines, not the command's literal @TOKEN@


def test_module_closure_orders_dependencies_first(vm: ModuleType, tmp_path: Path) -> None:
    mods = tmp_path / "kernel"
    mods.mkdir()
    for name, deps in {"a": "b,c-d", "b": "c_d", "c-d": "", "e": "b"}.items():
        (mods / f"{name}.ko").write_bytes(
            b"\x7fELF junk\x00license=GPL\x00depends=" + deps.encode() + b"\x00"
        )
    (tmp_path / "modules.builtin").write_text("kernel/fs/builtin_fs.ko\n")
    order = [p.name for p in vm._module_closure(tmp_path, ("a", "builtin_fs", "e"))]
    assert order == ["c-d.ko", "b.ko", "a.ko", "e.ko"]
    with pytest.raises(vm.VMUnavailable, match="missing_mod"):
        vm._module_closure(tmp_path, ("missing_mod",))


def test_pvh_vmlinux_unpacks_an_xz_bzimage_payload(vm: ModuleType) -> None:
    elf = b"\x7fELF" + bytes(range(256)) * 16
    payload = lzma.compress(elf, format=lzma.FORMAT_XZ) + struct.pack("<I", len(elf))
    setup_sects = 3
    header = bytearray((setup_sects + 1) * 512)
    header[0x1F1] = setup_sects
    header[0x202:0x206] = b"HdrS"
    struct.pack_into("<II", header, 0x248, 16, len(payload))
    image = bytes(header) + b"\x00" * 16 + payload
    assert vm._pvh_vmlinux(image, "CONFIG_PVH=y\n") == elf
    assert vm._pvh_vmlinux(image, "# CONFIG_PVH is not set\n") is None
    assert vm._pvh_vmlinux(b"MZ" + image[2:0x202] + b"nope" + image[0x206:], "CONFIG_PVH=y\n") is None


def test_guest_env_is_clean_and_complete(vm: ModuleType) -> None:
    env = vm.guest_env({"EXTRA": "1"})
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
    assert env["TMPDIR"] == "/tmp" and env["HOME"] == "/root" and env["EXTRA"] == "1"
    assert env["PATH"].split(":")[-1] == "/bin"


def test_check_names_what_is_missing(vm: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vm, "QEMU", "qemu-system-does-not-exist")
    reason = vm.check()
    assert reason is not None and "qemu-system-does-not-exist is not installed" in reason
