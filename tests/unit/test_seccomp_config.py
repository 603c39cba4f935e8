"""linux.seccomp validation, flags, the rule blob, and compiling the engines' real profiles."""

from __future__ import annotations

import json
import pathlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyrunc.errors import ConfigError
from pyrunc.security import seccomp as sc

ENGINE_CONFIGS = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "engine-configs"


def engine_seccomp(engine: str) -> dict | None:
    return json.loads((ENGINE_CONFIGS / f"{engine}.json").read_text())["linux"].get("seccomp")


def rule(**kw: object) -> dict:
    return {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", **kw}


def prof(*rules: dict, **kw: object) -> dict:
    return {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": list(rules), **kw}


BAD = [
    ([], "/linux/seccomp", "must be an object"),
    ({}, "/linux/seccomp/defaultAction", "must be a string"),
    (
        {"defaultAction": "SCMP_ACT_NOPE"},
        "/linux/seccomp/defaultAction",
        "unknown seccomp action 'SCMP_ACT_NOPE'",
    ),
    (
        {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 5},
        "/linux/seccomp/defaultErrnoRet",
        "only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno",
    ),
    (
        {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": -1},
        "/linux/seccomp/defaultErrnoRet",
        "0 to 65535",
    ),
    (
        {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": True},
        "/linux/seccomp/defaultErrnoRet",
        "0 to 65535",
    ),
    ({"defaultAction": "SCMP_ACT_NOTIFY"}, "/linux/seccomp/defaultAction", "cannot be the default action"),
    (
        prof(architectures=["SCMP_ARCH_X86_64", "SCMP_ARCH_Z80"]),
        "/linux/seccomp/architectures/1",
        "unknown architecture",
    ),
    (prof(architectures="SCMP_ARCH_X86"), "/linux/seccomp/architectures", "must be an array"),
    (prof(flags=["SECCOMP_FILTER_FLAG_NOPE"]), "/linux/seccomp/flags/0", "unknown seccomp flag"),
    (prof({"names": [], "action": "SCMP_ACT_ERRNO"}), "/linux/seccomp/syscalls/0/names", "non-empty array"),
    (
        prof(rule(), {"names": ["a", 3], "action": "SCMP_ACT_ERRNO"}),
        "/linux/seccomp/syscalls/1/names/1",
        "string",
    ),
    (prof(rule(action="SCMP_ACT_BOGUS")), "/linux/seccomp/syscalls/0/action", "unknown seccomp action"),
    (
        prof(rule(action="SCMP_ACT_ALLOW", errnoRet=1)),
        "/linux/seccomp/syscalls/0/errnoRet",
        "only SCMP_ACT_ERRNO",
    ),
    (
        prof(rule(action="SCMP_ACT_KILL", errnoRet=1)),
        "/linux/seccomp/syscalls/0/errnoRet",
        "only SCMP_ACT_ERRNO",
    ),
    (prof(rule(errnoRet=70000)), "/linux/seccomp/syscalls/0/errnoRet", "0 to 65535"),
    (
        prof(rule(args=[{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}])),
        "/linux/seccomp/syscalls/0/args/0/index",
        "0 to 5",
    ),
    (
        prof(rule(args=[{"index": -1, "value": 0, "op": "SCMP_CMP_EQ"}])),
        "/linux/seccomp/syscalls/0/args/0/index",
        "0 to 5",
    ),
    (
        prof(rule(args=[{"index": 0, "value": 0, "op": "SCMP_CMP_XOR"}])),
        "/linux/seccomp/syscalls/0/args/0/op",
        "unknown seccomp operator",
    ),
    (
        prof(rule(args=[{"index": 0, "value": -1, "op": "SCMP_CMP_EQ"}])),
        "/linux/seccomp/syscalls/0/args/0/value",
        "2^64-1",
    ),
    (
        prof(rule(args=[{"index": 0, "value": 2**64, "op": "SCMP_CMP_EQ"}])),
        "/linux/seccomp/syscalls/0/args/0/value",
        "2^64-1",
    ),
    (
        prof(rule(args=[{"index": 0, "value": 1, "valueTwo": 1.5, "op": "SCMP_CMP_MASKED_EQ"}])),
        "/linux/seccomp/syscalls/0/args/0/valueTwo",
        "integer",
    ),
    (prof(rule(args={"index": 0})), "/linux/seccomp/syscalls/0/args", "must be an array"),
    (
        prof(rule(args=[{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}] * 65)),
        "/linux/seccomp/syscalls/0/args",
        "at most 64",
    ),
    (
        prof(rule(action="SCMP_ACT_NOTIFY")),
        "/linux/seccomp/listenerPath",
        "required when a rule uses SCMP_ACT_NOTIFY",
    ),
    (
        prof(rule(action="SCMP_ACT_NOTIFY", names=["getppid", "write"]), listenerPath="/x"),
        "/linux/seccomp/syscalls/0/names/1",
        "cannot be used for 'write'",
    ),
    (prof(listenerPath=5), "/linux/seccomp/listenerPath", "must be a string"),
    (prof(listenerMetadata=["x"]), "/linux/seccomp/listenerMetadata", "must be a string"),
    (prof(syscalls={"names": []}), "/linux/seccomp/syscalls", "must be an array"),
]


@pytest.mark.parametrize(("section", "pointer", "words"), BAD)
def test_bad_input_names_the_field(section: object, pointer: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        sc.compile_seccomp(section)  # type: ignore[arg-type]
    assert info.value.pointer == pointer
    assert words in info.value.reason
    assert str(info.value).startswith(pointer + ": ")


def test_pointer_parameter_is_the_base_of_every_pointer() -> None:
    with pytest.raises(ConfigError) as info:
        sc.compile_seccomp(prof(rule(action="X")), pointer="/process/seccomp")
    assert info.value.pointer == "/process/seccomp/syscalls/0/action"


def test_architecture_libseccomp_does_not_know() -> None:
    from pyrunc.native import lib

    if lib.pyrunc_seccomp_arch_token(b"loongarch64"):
        pytest.skip("the installed libseccomp knows loongarch64; no spec architecture is unknown to it")
    with pytest.raises(ConfigError) as info:
        sc.compile_seccomp(prof(architectures=["SCMP_ARCH_LOONGARCH64"]))
    assert info.value.pointer == "/linux/seccomp/architectures/0"
    assert "not supported by the installed libseccomp" in info.value.reason


def test_every_spec_architecture_known_to_libseccomp_compiles() -> None:
    from pyrunc.native import lib

    native = lib.pyrunc_seccomp_native_arch()
    tokens = {a: lib.pyrunc_seccomp_arch_token(n.encode()) for a, n in sc.ARCHITECTURES.items()}
    known = [a for a, tok in tokens.items() if tok]
    assert len(known) >= 19  # libseccomp 2.5 knows x86 to riscv64
    same_order = [a for a in known if not (tokens[a] ^ native) & 0x40000000]
    c = sc.compile_seccomp(prof(rule(names=["getppid", "socketcall", "mmap2"]), architectures=same_order))
    assert len(c.bpf) % 8 == 0 and c.skipped == []
    # The others cannot share one program with the native architecture.
    for a in (a for a in known if a not in same_order):
        with pytest.raises(ConfigError) as info:
            sc.compile_seccomp(prof(architectures=["SCMP_ARCH_X86_64", a]))
        assert info.value.pointer == "/linux/seccomp/architectures/1"
        assert "byte order" in info.value.reason


def test_conflicting_rules_name_the_later_rule() -> None:
    args = [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]
    section = prof(
        rule(),
        rule(names=["personality"], args=args),
        rule(names=["personality"], action="SCMP_ACT_KILL", args=args),
    )
    with pytest.raises(ConfigError) as info:
        sc.compile_seccomp(section)
    assert info.value.pointer == "/linux/seccomp/syscalls/2"
    assert "add seccomp rule for `personality`" in info.value.reason


@pytest.mark.parametrize(
    ("flags", "notify", "want"),
    [
        ([], False, 0),
        (["SECCOMP_FILTER_FLAG_TSYNC"], False, sc.FLAG_TSYNC),
        (
            ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
            False,
            sc.FLAG_LOG | sc.FLAG_SPEC_ALLOW,
        ),
        # WAIT_KILLABLE_RECV only applies to a listener: dropped without one.
        (["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], False, 0),
        ([], True, sc.FLAG_NEW_LISTENER),
        (["SECCOMP_FILTER_FLAG_TSYNC"], True, sc.FLAG_TSYNC | sc.FLAG_NEW_LISTENER | sc.FLAG_TSYNC_ESRCH),
    ],
)
def test_flags(flags: list[str], notify: bool, want: int) -> None:
    rules = [rule(action="SCMP_ACT_NOTIFY")] if notify else [rule()]
    c = sc.compile_seccomp(prof(*rules, flags=flags, listenerPath="/run/agent.sock"))
    assert c.flags == want and c.notify is notify


def test_wait_killable_recv_kept_with_a_listener_when_the_kernel_has_it() -> None:
    from pyrunc.native import lib

    c = sc.compile_seccomp(
        prof(
            rule(action="SCMP_ACT_NOTIFY"),
            flags=["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
            listenerPath="/a",
        )
    )
    has = lib.pyrunc_seccomp_flags_supported(sc.FLAG_NEW_LISTENER | sc.FLAG_WAIT_KILLABLE_RECV)
    assert bool(c.flags & sc.FLAG_WAIT_KILLABLE_RECV) == bool(has)


def test_listener_payload_is_the_process_state_document() -> None:
    c = sc.compile_seccomp(
        prof(rule(action="SCMP_ACT_NOTIFY"), listenerPath="/run/a.sock", listenerMetadata="m=1")
    )
    state = {"ociVersion": "1.3.0", "id": "c1", "status": "creating", "pid": 4321, "bundle": "/b"}
    doc = json.loads(sc.listener_payload(c, state))
    assert doc == {
        "ociVersion": "1.3.0",
        "fds": ["seccompFd"],
        "pid": 4321,
        "metadata": "m=1",
        "state": state,
    }


def test_rule_equal_to_default_is_dropped() -> None:
    # libseccomp refuses such a rule; runc drops it. The program is the same as without it (read
    # has a lower number than getpid, so the ENOSYS stub is the same too).
    allow = {"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}
    without = sc.compile_seccomp({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [allow]})
    with_rule = sc.compile_seccomp(
        {
            "defaultAction": "SCMP_ACT_ERRNO",
            "syscalls": [allow, {"names": ["read"], "action": "SCMP_ACT_ERRNO"}],
        }
    )
    assert with_rule.bpf == without.bpf


def test_rule_blob_layout() -> None:
    r = sc._Rule(sc.ACT_ERRNO | 1, ["a", "b"], [(2, 7, 0xFF, 0x10)])
    blob = sc.build_rules_blob(sc.ACT_ALLOW, [0xC000003E], [r], [[39, -101]])
    magic, version, default, n_arch, arch, n_rules = struct.unpack_from("=6I", blob)
    assert (magic, version, default, n_arch, arch, n_rules) == (
        sc.RULES_MAGIC,
        sc.RULES_VERSION,
        sc.ACT_ALLOW,
        1,
        0xC000003E,
        1,
    )
    action, n_sys, n_args, s1, s2 = struct.unpack_from("=3I2i", blob, 24)
    assert (action, n_sys, n_args, s1, s2) == (sc.ACT_ERRNO | 1, 2, 1, 39, -101)
    assert struct.unpack_from("=IIQQ", blob, 44) == (2, 7, 0xFF, 0x10)
    assert struct.unpack_from("=I", blob, 68) == (0,)
    assert len(blob) == 44 + 24 + 4
    with_stub = sc.build_rules_blob(sc.ACT_ALLOW, [], [], [], [(0xC000003E, 450, 0x40000220)])
    assert struct.unpack_from("=4I", with_stub, 20) == (1, 0xC000003E, 450, 0x40000220)


def test_c_side_rejects_damaged_blobs() -> None:
    from pyrunc.errors import NativeError

    good = sc.build_rules_blob(sc.ACT_ALLOW, [], [sc._Rule(sc.ACT_ERRNO | 1, ["getppid"], [])], [[110]])
    assert len(sc._compile_blob(good)) % 8 == 0
    for bad in (good[:-2], good + b"\0\0\0\0", b"XXXX" + good[4:], good[:8]):
        with pytest.raises(NativeError) as info:
            sc._compile_blob(bad)
        assert info.value.stage == "seccomp" and "decode seccomp rules" in info.value.message
    bad_op = sc.build_rules_blob(
        sc.ACT_ALLOW, [], [sc._Rule(sc.ACT_ERRNO | 1, ["x"], [(0, 9, 0, 0)])], [[110]]
    )
    with pytest.raises(NativeError):
        sc._compile_blob(bad_op)


_op = st.sampled_from(sorted(sc.OPERATORS))
_arg = st.fixed_dictionaries(
    {"index": st.integers(0, 5), "value": st.integers(0, 2**64 - 1), "op": _op},
    optional={"valueTwo": st.integers(0, 2**64 - 1)},
)
_rule = st.fixed_dictionaries(
    {
        "names": st.lists(
            st.sampled_from(["read", "getppid", "personality", "clone", "nosuchcall"]), min_size=1, max_size=3
        ),
        "action": st.sampled_from(sorted(a for a in sc.ACTIONS if a != "SCMP_ACT_NOTIFY")),
        "args": st.lists(_arg, max_size=4),
    }
)


@settings(max_examples=80, deadline=None)
@given(
    rules=st.lists(_rule, max_size=6),
    default=st.sampled_from(["SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"]),
)
def test_any_valid_section_compiles_or_names_the_conflicting_rule(rules: list[dict], default: str) -> None:
    try:
        c = sc.compile_seccomp({"defaultAction": default, "syscalls": rules})
    except ConfigError as exc:
        # Only libseccomp's refusal of a rule that conflicts with an earlier one is acceptable.
        index = int(exc.pointer.rsplit("/", 1)[1])
        assert exc.pointer == f"/linux/seccomp/syscalls/{index}" and "file exists" in exc.reason
        assert index > 0
        return
    assert c.bpf and len(c.bpf) % 8 == 0
    assert set(c.skipped) <= {"nosuchcall"}
    assert ("nosuchcall" in c.skipped) == any("nosuchcall" in r["names"] for r in rules)


@pytest.mark.parametrize("engine", ["docker", "podman", "ctr"])
def test_engine_profiles_compile(engine: str) -> None:
    seccomp = engine_seccomp(engine)
    if seccomp is None:
        # containerd's `ctr run` sends no seccomp section unless asked (--seccomp): nothing to compile.
        assert engine == "ctr"
        return
    c = sc.compile_seccomp(seccomp)
    assert c.skipped == [] or all(isinstance(n, str) for n in c.skipped)
    assert 0 < len(c.bpf) // 8 <= sc.MAX_INSNS
    assert c.flags == 0 and not c.notify


def test_hot_path_imports_stay_light() -> None:
    import subprocess
    import sys

    root = pathlib.Path(sc.__file__).resolve().parents[2]
    code = (
        f"import sys; sys.path.insert(0, {str(root)!r}); before = set(sys.modules); "
        "import pyrunc.security.seccomp, pyrunc.security.seccomp_cache; "
        "heavy = {'typing','re','enum','json','argparse','subprocess','socket','signal','logging',"
        "'dataclasses',"
        "'hashlib', 'struct'}; print(sorted(heavy & (set(sys.modules) - before)))"
    )
    # -S: site hooks of this interpreter (certifi, distutils hack) would import typing themselves.
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_features_report_what_really_works() -> None:
    from pyrunc.native import lib

    f = sc.seccomp_features()
    assert f["enabled"] is True
    assert set(f["actions"]) == set(sc.ACTIONS)  # Linux >= 5.0 has them all
    assert f["operators"] == sorted(sc.OPERATORS)
    assert set(f["knownFlags"]) == set(sc.FLAGS)
    assert {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"} <= set(
        f["supportedFlags"]
    )
    wait_killable = bool(
        lib.pyrunc_seccomp_flags_supported(sc.FLAG_NEW_LISTENER | sc.FLAG_WAIT_KILLABLE_RECV)
    )
    assert ("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV" in f["supportedFlags"]) == wait_killable
    # Every listed architecture compiles; the others are refused.
    assert f["archs"]
    sc.compile_seccomp({"defaultAction": "SCMP_ACT_ALLOW", "architectures": f["archs"]})
    for arch in set(sc.ARCHITECTURES) - set(f["archs"]):
        with pytest.raises(ConfigError):
            sc.compile_seccomp({"defaultAction": "SCMP_ACT_ALLOW", "architectures": [arch]})


def test_odd_names_are_unknown_not_truncated_or_crashing() -> None:
    names = ["getpid\0junk", "\udc80getpid", "getppid"]
    c = sc.compile_seccomp(prof(rule(names=names)))
    assert c.skipped == names[:2]
