"""Generated from oci-schemas/*.json by pyrunc/spec/gen_fastcheck.py: do not edit.

Regenerate with `python -m pyrunc.spec.gen_fastcheck` after changing a schema.

Each _c_* function returns None for a valid value, or (message, kind, path) with the JSON
pointer segments of the failing value innermost first; `kind` is the keyword that failed.
The checkers of rare sections are stubs that load fastcheck_rare.py on first use.
"""

# ruff: noqa
# mypy: ignore-errors
# fmt: off

_MISSING = object()

_ENUM8 = frozenset(['private', 'shared', 'slave', 'unbindable'])
_ENUM8_TEXT = '"private", "shared", "slave", "unbindable"'
_ENUM28 = frozenset(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'])
_ENUM28_TEXT = '"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"'
_ENUM34 = frozenset(['mount', 'pid', 'network', 'uts', 'ipc', 'user', 'cgroup', 'time'])
_ENUM34_TEXT = '"mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time"'
_ENUM41 = frozenset(['a', 'c', 'b'])
_ENUM41_TEXT = '"a", "c", "b"'
_ENUM49 = frozenset(['c', 'b', 'u', 'p'])
_ENUM49_TEXT = '"c", "b", "u", "p"'
_ENUM53 = frozenset(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB'])
_ENUM53_TEXT = '"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB"'
_ENUM54 = frozenset(['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'])
_ENUM54_TEXT = '"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"'
_ENUM59 = frozenset(['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'])
_ENUM59_TEXT = '"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"'
_IDENT_CHARS = frozenset('-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')
_DIGITS = frozenset('0123456789')


def _dotted_idents(text: str) -> bool:
    """SemVer pre-release/build: dot-separated, non-empty identifiers of [0-9A-Za-z-]."""
    for ident in text.split("."):
        if not ident:
            return False
        for ch in ident:
            if ch not in _IDENT_CHARS:
                return False
    return True

def _plain_number(text: str) -> bool:
    """A SemVer numeric field: ASCII digits without a leading zero (`0` itself is fine)."""
    if not text or (len(text) > 1 and text[0] == "0"):
        return False
    for ch in text:
        if ch not in _DIGITS:
            return False
    return True

def is_oci_version(text: str) -> bool:
    """1.0.0 .. 1.3.x with optional `-pre` and `+build`; pre-releases of 1.0.0 itself predate 1.0."""
    core, plus, build = text.partition("+")
    if plus and not _dotted_idents(build):
        return False
    version, dash, pre = core.partition("-")
    if dash and not _dotted_idents(pre):
        return False
    parts = version.split(".")
    if len(parts) != 3:
        return False
    major, minor, patch = parts
    if major != "1" or minor not in ("0", "1", "2", "3") or not _plain_number(patch):
        return False
    return not (dash and minor == "0" and patch == "0")


def _c_config(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'ociVersion' not in v:
        return ('missing required property "ociVersion"', 'required', [])
    x = v.get('ociVersion', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['ociVersion'])
        if not is_oci_version(x):
            return ('unsupported version (pyrunc accepts runtime-spec 1.0.0 up to 1.3.x)', 'pattern', ['ociVersion'])
    x = v.get('root', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Root(x)
        if e is not None:
            e[2].append('root')
            return e
    x = v.get('mounts', _MISSING)
    if x is not _MISSING:
        e = _c_node0(x)
        if e is not None:
            e[2].append('mounts')
            return e
    x = v.get('process', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Process(x)
        if e is not None:
            e[2].append('process')
            return e
    x = v.get('hostname', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['hostname'])
    x = v.get('domainname', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['domainname'])
    x = v.get('hooks', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Hooks(x)
        if e is not None:
            e[2].append('hooks')
            return e
    x = v.get('annotations', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Annotations(x)
        if e is not None:
            e[2].append('annotations')
            return e
    x = v.get('linux', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Linux(x)
        if e is not None:
            e[2].append('linux')
            return e
    return None


def _c_defs__Process(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'cwd' not in v:
        return ('missing required property "cwd"', 'required', [])
    x = v.get('terminal', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['terminal'])
    x = v.get('consoleSize', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ConsoleSize(x)
        if e is not None:
            e[2].append('consoleSize')
            return e
    x = v.get('cwd', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['cwd'])
    x = v.get('env', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('env')
            return e
    x = v.get('args', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('args')
            return e
    x = v.get('commandLine', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['commandLine'])
    x = v.get('rlimits', _MISSING)
    if x is not _MISSING:
        e = _c_node1(x)
        if e is not None:
            e[2].append('rlimits')
            return e
    x = v.get('apparmorProfile', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['apparmorProfile'])
    x = v.get('capabilities', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Capabilities(x)
        if e is not None:
            e[2].append('capabilities')
            return e
    x = v.get('noNewPrivileges', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['noNewPrivileges'])
    x = v.get('oomScoreAdj', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['oomScoreAdj'])
        if x < -1000:
            return ('must be at least -1000', 'minimum', ['oomScoreAdj'])
        if x > 1000:
            return ('must be at most 1000', 'maximum', ['oomScoreAdj'])
    x = v.get('scheduler', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Scheduler(x)
        if e is not None:
            e[2].append('scheduler')
            return e
    x = v.get('selinuxLabel', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['selinuxLabel'])
    x = v.get('ioPriority', _MISSING)
    if x is not _MISSING:
        e = _c_defs__IOPriority(x)
        if e is not None:
            e[2].append('ioPriority')
            return e
    x = v.get('execCPUAffinity', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ExecCPUAffinity(x)
        if e is not None:
            e[2].append('execCPUAffinity')
            return e
    x = v.get('user', _MISSING)
    if x is not _MISSING:
        e = _c_defs__User(x)
        if e is not None:
            e[2].append('user')
            return e
    return None


def _c_config_linux__Resources(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('devices', _MISSING)
    if x is not _MISSING:
        e = _c_node2(x)
        if e is not None:
            e[2].append('devices')
            return e
    x = v.get('memory', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Memory(x)
        if e is not None:
            e[2].append('memory')
            return e
    x = v.get('cpu', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__CPU(x)
        if e is not None:
            e[2].append('cpu')
            return e
    x = v.get('blockIO', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__BlockIO(x)
        if e is not None:
            e[2].append('blockIO')
            return e
    x = v.get('hugepageLimits', _MISSING)
    if x is not _MISSING:
        e = _c_node3(x)
        if e is not None:
            e[2].append('hugepageLimits')
            return e
    x = v.get('network', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Network(x)
        if e is not None:
            e[2].append('network')
            return e
    x = v.get('pids', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Pids(x)
        if e is not None:
            e[2].append('pids')
            return e
    x = v.get('rdma', _MISSING)
    if x is not _MISSING:
        e = _c_node4(x)
        if e is not None:
            e[2].append('rdma')
            return e
    x = v.get('unified', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__MapStringString(x)
        if e is not None:
            e[2].append('unified')
            return e
    return None


def _c_defs__Root(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'path' not in v:
        return ('missing required property "path"', 'required', [])
    x = v.get('path', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['path'])
    x = v.get('readonly', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['readonly'])
    return None


def _c_node0(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_defs__Mount(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_defs__Hooks(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('prestart', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfHooks(x)
        if e is not None:
            e[2].append('prestart')
            return e
    x = v.get('createRuntime', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfHooks(x)
        if e is not None:
            e[2].append('createRuntime')
            return e
    x = v.get('createContainer', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfHooks(x)
        if e is not None:
            e[2].append('createContainer')
            return e
    x = v.get('startContainer', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfHooks(x)
        if e is not None:
            e[2].append('startContainer')
            return e
    x = v.get('poststart', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfHooks(x)
        if e is not None:
            e[2].append('poststart')
            return e
    x = v.get('poststop', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfHooks(x)
        if e is not None:
            e[2].append('poststop')
            return e
    return None


def _c_defs__Annotations(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    for k in v:
        if len(k) < 1:
            return ('property names must not be empty', 'propertyNames', [])
    for k, x in v.items():
        if not isinstance(x, str):
            return ('expected a string', 'type', [k])
    return None


def _c_config_linux__Linux(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('namespaces', _MISSING)
    if x is not _MISSING:
        e = _c_node5(x)
        if e is not None:
            e[2].append('namespaces')
            return e
    x = v.get('uidMappings', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfIDMappings(x)
        if e is not None:
            e[2].append('uidMappings')
            return e
    x = v.get('gidMappings', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfIDMappings(x)
        if e is not None:
            e[2].append('gidMappings')
            return e
    x = v.get('timeOffsets', _MISSING)
    if x is not _MISSING:
        e = _c_node6(x)
        if e is not None:
            e[2].append('timeOffsets')
            return e
    x = v.get('devices', _MISSING)
    if x is not _MISSING:
        e = _c_node7(x)
        if e is not None:
            e[2].append('devices')
            return e
    x = v.get('netDevices', _MISSING)
    if x is not _MISSING:
        e = _c_node8(x)
        if e is not None:
            e[2].append('netDevices')
            return e
    x = v.get('cgroupsPath', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['cgroupsPath'])
    x = v.get('resources', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Resources(x)
        if e is not None:
            e[2].append('resources')
            return e
    x = v.get('intelRdt', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__IntelRdt(x)
        if e is not None:
            e[2].append('intelRdt')
            return e
    x = v.get('memoryPolicy', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__MemoryPolicy(x)
        if e is not None:
            e[2].append('memoryPolicy')
            return e
    x = v.get('sysctl', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__MapStringString(x)
        if e is not None:
            e[2].append('sysctl')
            return e
    x = v.get('seccomp', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Seccomp(x)
        if e is not None:
            e[2].append('seccomp')
            return e
    x = v.get('rootfsPropagation', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['rootfsPropagation'])
        if x not in _ENUM8:
            return ('must be one of ' + _ENUM8_TEXT, 'enum', ['rootfsPropagation'])
    x = v.get('maskedPaths', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('maskedPaths')
            return e
    x = v.get('readonlyPaths', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('readonlyPaths')
            return e
    x = v.get('mountLabel', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['mountLabel'])
    x = v.get('personality', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__Personality(x)
        if e is not None:
            e[2].append('personality')
            return e
    return None


def _c_defs__ArrayOfStrings(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
    return None


def _c_node1(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_defs__Rlimit(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_defs__Capabilities(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('effective', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('effective')
            return e
    x = v.get('bounding', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('bounding')
            return e
    x = v.get('inheritable', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('inheritable')
            return e
    x = v.get('permitted', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('permitted')
            return e
    x = v.get('ambient', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('ambient')
            return e
    return None


def _c_defs__User(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'uid' not in v:
        return ('missing required property "uid"', 'required', [])
    if 'gid' not in v:
        return ('missing required property "gid"', 'required', [])
    x = v.get('uid', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['uid'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['uid'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['uid'])
    x = v.get('gid', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['gid'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['gid'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['gid'])
    x = v.get('umask', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['umask'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['umask'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['umask'])
    x = v.get('additionalGids', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfUint32(x)
        if e is not None:
            e[2].append('additionalGids')
            return e
    x = v.get('username', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['username'])
    return None


def _c_node2(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__DeviceCgroup(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_node3(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__HugepageLimit(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_config_linux__Pids(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('limit', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['limit'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['limit'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['limit'])
    return None


def _c_node4(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    for k, x in v.items():
        e = _c_config_linux__Rdma(x)
        if e is not None:
            e[2].append(k)
            return e
    return None


def _c_config_linux__MapStringString(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    for k, x in v.items():
        if not isinstance(x, str):
            return ('expected a string', 'type', [k])
    return None


def _c_defs__Mount(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'destination' not in v:
        return ('missing required property "destination"', 'required', [])
    x = v.get('destination', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['destination'])
    x = v.get('source', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['source'])
    x = v.get('options', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('options')
            return e
    x = v.get('type', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['type'])
    x = v.get('uidMappings', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfIDMappings(x)
        if e is not None:
            e[2].append('uidMappings')
            return e
    x = v.get('gidMappings', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfIDMappings(x)
        if e is not None:
            e[2].append('gidMappings')
            return e
    return None


def _c_defs__ArrayOfHooks(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_defs__Hook(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_node5(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__Namespace(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_defs__ArrayOfIDMappings(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_defs__IDMapping(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_node6(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    for k, x in v.items():
        e = _c_config_linux__TimeOffset(x)
        if e is not None:
            e[2].append(k)
            return e
    return None


def _c_node7(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__Device(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_node8(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    for k, x in v.items():
        e = _c_config_linux__NetDevice(x)
        if e is not None:
            e[2].append(k)
            return e
    return None


def _c_config_linux__Seccomp(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'defaultAction' not in v:
        return ('missing required property "defaultAction"', 'required', [])
    x = v.get('defaultAction', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['defaultAction'])
        if x not in _ENUM28:
            return ('must be one of ' + _ENUM28_TEXT, 'enum', ['defaultAction'])
    x = v.get('defaultErrnoRet', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['defaultErrnoRet'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['defaultErrnoRet'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['defaultErrnoRet'])
    x = v.get('architectures', _MISSING)
    if x is not _MISSING:
        e = _c_node19(x)
        if e is not None:
            e[2].append('architectures')
            return e
    x = v.get('flags', _MISSING)
    if x is not _MISSING:
        e = _c_node20(x)
        if e is not None:
            e[2].append('flags')
            return e
    x = v.get('listenerPath', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['listenerPath'])
    x = v.get('listenerMetadata', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['listenerMetadata'])
    x = v.get('syscalls', _MISSING)
    if x is not _MISSING:
        e = _c_node21(x)
        if e is not None:
            e[2].append('syscalls')
            return e
    return None


def _c_defs__Rlimit(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'type' not in v:
        return ('missing required property "type"', 'required', [])
    if 'soft' not in v:
        return ('missing required property "soft"', 'required', [])
    if 'hard' not in v:
        return ('missing required property "hard"', 'required', [])
    x = v.get('type', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['type'])
    x = v.get('soft', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['soft'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['soft'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['soft'])
    x = v.get('hard', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['hard'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['hard'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['hard'])
    return None


def _c_defs__ArrayOfUint32(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', [i])
        if x < 0:
            return ('must be at least 0', 'minimum', [i])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', [i])
    return None


def _c_config_linux__DeviceCgroup(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'allow' not in v:
        return ('missing required property "allow"', 'required', [])
    x = v.get('allow', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['allow'])
    x = v.get('type', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['type'])
        if x not in _ENUM41:
            return ('must be one of ' + _ENUM41_TEXT, 'enum', ['type'])
    x = v.get('major', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['major'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['major'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['major'])
    x = v.get('minor', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['minor'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['minor'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['minor'])
    x = v.get('access', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['access'])
    return None


def _c_defs__Hook(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'path' not in v:
        return ('missing required property "path"', 'required', [])
    x = v.get('path', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['path'])
    x = v.get('args', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('args')
            return e
    x = v.get('env', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('env')
            return e
    x = v.get('timeout', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['timeout'])
        if x < 1:
            return ('must be at least 1', 'minimum', ['timeout'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['timeout'])
    return None


def _c_config_linux__Namespace(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'type' not in v:
        return ('missing required property "type"', 'required', [])
    x = v.get('type', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['type'])
        if x not in _ENUM34:
            return ('must be one of ' + _ENUM34_TEXT, 'enum', ['type'])
    x = v.get('path', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['path'])
    return None


def _c_defs__IDMapping(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'containerID' not in v:
        return ('missing required property "containerID"', 'required', [])
    if 'hostID' not in v:
        return ('missing required property "hostID"', 'required', [])
    if 'size' not in v:
        return ('missing required property "size"', 'required', [])
    x = v.get('containerID', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['containerID'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['containerID'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['containerID'])
    x = v.get('hostID', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['hostID'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['hostID'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['hostID'])
    x = v.get('size', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['size'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['size'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['size'])
    return None


def _c_config_linux__Device(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'type' not in v:
        return ('missing required property "type"', 'required', [])
    if 'path' not in v:
        return ('missing required property "path"', 'required', [])
    x = v.get('type', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['type'])
        if x not in _ENUM49:
            return ('must be one of ' + _ENUM49_TEXT, 'enum', ['type'])
    x = v.get('path', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['path'])
    x = v.get('major', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['major'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['major'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['major'])
    x = v.get('minor', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['minor'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['minor'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['minor'])
    x = v.get('fileMode', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['fileMode'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['fileMode'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['fileMode'])
    x = v.get('uid', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['uid'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['uid'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['uid'])
    x = v.get('gid', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['gid'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['gid'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['gid'])
    return None


def _c_node19(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
        if x not in _ENUM53:
            return ('must be one of ' + _ENUM53_TEXT, 'enum', [i])
    return None


def _c_node20(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
        if x not in _ENUM54:
            return ('must be one of ' + _ENUM54_TEXT, 'enum', [i])
    return None


def _c_node21(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__Syscall(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_config_linux__Syscall(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'names' not in v:
        return ('missing required property "names"', 'required', [])
    if 'action' not in v:
        return ('missing required property "action"', 'required', [])
    x = v.get('names', _MISSING)
    if x is not _MISSING:
        e = _c_node22(x)
        if e is not None:
            e[2].append('names')
            return e
    x = v.get('action', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['action'])
        if x not in _ENUM28:
            return ('must be one of ' + _ENUM28_TEXT, 'enum', ['action'])
    x = v.get('errnoRet', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['errnoRet'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['errnoRet'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['errnoRet'])
    x = v.get('args', _MISSING)
    if x is not _MISSING:
        e = _c_node23(x)
        if e is not None:
            e[2].append('args')
            return e
    return None


def _c_node22(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    if len(v) < 1:
        return ('must have at least 1 item', 'minItems', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
    return None


def _c_node23(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__SyscallArg(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_config_linux__SyscallArg(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'index' not in v:
        return ('missing required property "index"', 'required', [])
    if 'value' not in v:
        return ('missing required property "value"', 'required', [])
    if 'op' not in v:
        return ('missing required property "op"', 'required', [])
    x = v.get('index', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['index'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['index'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['index'])
    x = v.get('value', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['value'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['value'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['value'])
    x = v.get('valueTwo', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['valueTwo'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['valueTwo'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['valueTwo'])
    x = v.get('op', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['op'])
        if x not in _ENUM59:
            return ('must be one of ' + _ENUM59_TEXT, 'enum', ['op'])
    return None


def _rare():
    from . import fastcheck_rare

    return fastcheck_rare


def _c_state(v):
    return _rare()._c_state(v)


def _c_features(v):
    return _rare()._c_features(v)


def _c_container_process_state(v):
    return _rare()._c_container_process_state(v)


def _c_defs__ConsoleSize(v):
    return _rare()._c_defs__ConsoleSize(v)


def _c_defs__Scheduler(v):
    return _rare()._c_defs__Scheduler(v)


def _c_defs__IOPriority(v):
    return _rare()._c_defs__IOPriority(v)


def _c_defs__ExecCPUAffinity(v):
    return _rare()._c_defs__ExecCPUAffinity(v)


def _c_config_linux__Memory(v):
    return _rare()._c_config_linux__Memory(v)


def _c_config_linux__CPU(v):
    return _rare()._c_config_linux__CPU(v)


def _c_config_linux__BlockIO(v):
    return _rare()._c_config_linux__BlockIO(v)


def _c_config_linux__Network(v):
    return _rare()._c_config_linux__Network(v)


def _c_config_linux__IntelRdt(v):
    return _rare()._c_config_linux__IntelRdt(v)


def _c_config_linux__MemoryPolicy(v):
    return _rare()._c_config_linux__MemoryPolicy(v)


def _c_config_linux__Personality(v):
    return _rare()._c_config_linux__Personality(v)


def _c_config_linux__HugepageLimit(v):
    return _rare()._c_config_linux__HugepageLimit(v)


def _c_config_linux__Rdma(v):
    return _rare()._c_config_linux__Rdma(v)


def _c_config_linux__TimeOffset(v):
    return _rare()._c_config_linux__TimeOffset(v)


def _c_config_linux__NetDevice(v):
    return _rare()._c_config_linux__NetDevice(v)


def _pointer(path):
    return ''.join('/' + str(s).replace('~', '~0').replace('/', '~1') for s in reversed(path))


def check(document, value):
    """None if `value` is a valid `document` ("config", ...), else (pointer, kind, message)."""
    e = _CHECKS[document](value)
    if e is None:
        return None
    return _pointer(e[2]), e[1], e[0]


def unknown_properties(document, value):
    """JSON pointers of properties the schema does not define (the spec says: ignore them)."""
    from .fastcheck_unknown import unknown_properties

    return unknown_properties(document, value)


_CHECKS = {
    'config': _c_config,
    'process': _c_defs__Process,
    'state': _c_state,
    'features': _c_features,
    'resources': _c_config_linux__Resources,
    'containerProcessState': _c_container_process_state,
}
