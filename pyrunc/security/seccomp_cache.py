"""A cache of compiled seccomp programs, so an engine's 400-name profile is compiled once per host.

Entries live in one directory (the coordinator passes `<--root>/.seccomp-cache`). Loading a cached
program into a container is as powerful as writing the container's config, so an entry is only
used when nobody but us could have written it:
- the directory is opened without following symlinks and must be owned by us with mode 0700;
- an entry is opened O_NOFOLLOW relative to that directory fd, must be a regular file owned by us
  and not group/other-writable;
- its content must carry the full key it is stored under and a BPF length that is a whole number
  of instructions.
Anything else is ignored (and rewritten by the next store). Entries are written to a temporary name
and renamed into place, so a reader never sees a half-written one.

Hot path module: imports only os.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

MAGIC = b"PRSCBPF\x01"
KEY_LEN = 32
HEADER_LEN = len(MAGIC) + KEY_LEN + 8  # + u32 bpf length + u32 skipped-names length
MAX_BPF = 4096 * 8  # BPF_MAXINSNS instructions of 8 bytes
MAX_SKIPPED = 1 << 20
MAX_ENTRIES = 64  # distinct profiles kept; engines use a handful
SUFFIX = ".bpf"

_O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_S_IFMT = 0o170000
_S_IFREG = 0o100000


def _sha256(data: bytes) -> bytes:
    # `_sha256` imports in ~0.3 ms; `hashlib` (which loads OpenSSL's _hashlib) takes 3-5 ms.
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover - Python built without the builtin module
        from hashlib import sha256
    return sha256(data).digest()


def cache_key(canonical: bytes, *, libseccomp: str, arch: str, abi: str) -> bytes:
    """Digest of everything that decides the compiled program: the section and the compiler."""
    head = f"pyrunc-seccomp\0{libseccomp}\0{arch}\0{abi}\0".encode()
    return _sha256(head + canonical)


def _open_dir(cache_dir: str, create: bool) -> int | None:
    if create:
        try:
            os.mkdir(cache_dir, 0o700)
        except FileExistsError:
            pass
        except OSError:
            return None
    try:
        fd = os.open(cache_dir, _O_DIR)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    # Someone else's directory, or one others can write to, could hold entries we did not write.
    if st.st_uid != os.geteuid() or st.st_mode & 0o077:
        os.close(fd)
        return None
    return fd


def _entry_name(key: bytes) -> str:
    return key.hex() + SUFFIX


def decode_entry(data: bytes, key: bytes) -> tuple[bytes, list[str]] | None:
    """(bpf, skipped names) when data is a sound entry for key, else None."""
    if len(data) < HEADER_LEN or data[: len(MAGIC)] != MAGIC:
        return None
    off = len(MAGIC)
    if data[off : off + KEY_LEN] != key:
        return None
    off += KEY_LEN
    bpf_len = int.from_bytes(data[off : off + 4], "little")
    skipped_len = int.from_bytes(data[off + 4 : off + 8], "little")
    if bpf_len == 0 or bpf_len % 8 or bpf_len > MAX_BPF or skipped_len > MAX_SKIPPED:
        return None
    if len(data) != HEADER_LEN + bpf_len + skipped_len:
        return None
    bpf = data[HEADER_LEN : HEADER_LEN + bpf_len]
    try:
        text = data[HEADER_LEN + bpf_len :].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return bpf, (text.split("\n") if text else [])


def encode_entry(key: bytes, bpf: bytes, skipped: Iterable[str]) -> bytes:
    names = "\n".join(skipped).encode("utf-8")
    return b"".join(
        (MAGIC, key, len(bpf).to_bytes(4, "little"), len(names).to_bytes(4, "little"), bpf, names)
    )


def load(cache_dir: str, key: bytes) -> tuple[bytes, list[str]] | None:
    """The cached program for key, or None (missing, unsafe or damaged entries count as missing)."""
    dfd = _open_dir(cache_dir, create=False)
    if dfd is None:
        return None
    try:
        try:
            # O_NONBLOCK: a fifo planted under the name must not hang us (it fails the S_IFREG check).
            fd = os.open(
                _entry_name(key), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, dir_fd=dfd
            )
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if (
                st.st_mode & _S_IFMT != _S_IFREG
                or st.st_uid != os.geteuid()
                or st.st_mode & 0o022
                or st.st_size > HEADER_LEN + MAX_BPF + MAX_SKIPPED
            ):
                return None
            chunks = []
            want = st.st_size + 1  # one byte more reveals a file that grew since fstat
            while want > 0:
                chunk = os.read(fd, want)
                if not chunk:
                    break
                chunks.append(chunk)
                want -= len(chunk)
            return decode_entry(b"".join(chunks), key)
        except OSError:
            return None
        finally:
            os.close(fd)
    finally:
        os.close(dfd)


def store(cache_dir: str, key: bytes, bpf: bytes, skipped: Iterable[str]) -> bool:
    """Write the entry for key atomically; False when the cache cannot be used (never raises)."""
    dfd = _open_dir(cache_dir, create=True)
    if dfd is None:
        return False
    name = _entry_name(key)
    tmp = f".{name}.{os.getpid()}.tmp"
    try:
        _prune(dfd)
        data = encode_entry(key, bpf, skipped)
        try:
            os.unlink(tmp, dir_fd=dfd)  # left over by a crashed writer with our pid
        except FileNotFoundError:
            pass
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=dfd
        )
        try:
            # Imported here: a cache write is rare, and at import this module needs only os.
            from ..state.store import write_all

            write_all(fd, data)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        return True
    except OSError:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
        return False
    finally:
        os.close(dfd)


def _prune(dfd: int) -> None:
    """Keep the directory bounded: drop the oldest entries beyond MAX_ENTRIES."""
    names = [n for n in os.listdir(dfd) if n.endswith(SUFFIX)]
    if len(names) < MAX_ENTRIES:
        return
    aged = []
    for n in names:
        try:
            aged.append((os.stat(n, dir_fd=dfd, follow_symlinks=False).st_mtime_ns, n))
        except OSError:
            continue
    aged.sort()
    for _, n in aged[: len(aged) - MAX_ENTRIES + 1]:
        try:
            os.unlink(n, dir_fd=dfd)
        except OSError:
            pass
