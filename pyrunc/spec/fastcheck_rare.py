"""Generated from oci-schemas/*.json by pyrunc/spec/gen_fastcheck.py: do not edit.

Regenerate with `python -m pyrunc.spec.gen_fastcheck` after changing a schema.

The checkers of fastcheck.py for sections few configs have, loaded on first use;
self-contained (the common checkers they call are repeated here).
"""

# ruff: noqa
# mypy: ignore-errors
# fmt: off

_MISSING = object()

_ENUM12 = frozenset(['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE'])
_ENUM12_TEXT = '"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"'
_ENUM14 = frozenset(['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'])
_ENUM14_TEXT = '"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"'
_ENUM26 = frozenset(['MPOL_DEFAULT', 'MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED', 'MPOL_PREFERRED_MANY', 'MPOL_LOCAL'])
_ENUM26_TEXT = '"MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE", "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"'
_ENUM30 = frozenset(['LINUX', 'LINUX32'])
_ENUM30_TEXT = '"LINUX", "LINUX32"'
_ENUM33 = frozenset(['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM', 'SCHED_FLAG_DL_OVERRUN', 'SCHED_FLAG_KEEP_POLICY', 'SCHED_FLAG_KEEP_PARAMS', 'SCHED_FLAG_UTIL_CLAMP_MIN', 'SCHED_FLAG_UTIL_CLAMP_MAX'])
_ENUM33_TEXT = '"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM", "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX"'
_ENUM34 = frozenset(['mount', 'pid', 'network', 'uts', 'ipc', 'user', 'cgroup', 'time'])
_ENUM34_TEXT = '"mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time"'
_ENUM52 = frozenset(['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'])
_ENUM52_TEXT = '"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"'
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


def _c_state(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'ociVersion' not in v:
        return ('missing required property "ociVersion"', 'required', [])
    if 'id' not in v:
        return ('missing required property "id"', 'required', [])
    if 'status' not in v:
        return ('missing required property "status"', 'required', [])
    if 'bundle' not in v:
        return ('missing required property "bundle"', 'required', [])
    x = v.get('ociVersion', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['ociVersion'])
        if not is_oci_version(x):
            return ('unsupported version (pyrunc accepts runtime-spec 1.0.0 up to 1.3.x)', 'pattern', ['ociVersion'])
    x = v.get('id', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['id'])
        if len(x) < 1:
            return ('must not be empty', 'minLength', ['id'])
    x = v.get('status', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['status'])
        if len(x) < 1:
            return ('must not be empty', 'minLength', ['status'])
    x = v.get('pid', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['pid'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['pid'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['pid'])
    x = v.get('bundle', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['bundle'])
        if len(x) < 1:
            return ('must not be empty', 'minLength', ['bundle'])
    x = v.get('annotations', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Annotations(x)
        if e is not None:
            e[2].append('annotations')
            return e
    return None


def _c_features(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'ociVersionMin' not in v:
        return ('missing required property "ociVersionMin"', 'required', [])
    if 'ociVersionMax' not in v:
        return ('missing required property "ociVersionMax"', 'required', [])
    x = v.get('ociVersionMin', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['ociVersionMin'])
        if not is_oci_version(x):
            return ('unsupported version (pyrunc accepts runtime-spec 1.0.0 up to 1.3.x)', 'pattern', ['ociVersionMin'])
    x = v.get('ociVersionMax', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['ociVersionMax'])
        if not is_oci_version(x):
            return ('unsupported version (pyrunc accepts runtime-spec 1.0.0 up to 1.3.x)', 'pattern', ['ociVersionMax'])
    x = v.get('hooks', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('hooks')
            return e
    x = v.get('mountOptions', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('mountOptions')
            return e
    x = v.get('linux', _MISSING)
    if x is not _MISSING:
        e = _c_features_linux__Linux(x)
        if e is not None:
            e[2].append('linux')
            return e
    x = v.get('annotations', _MISSING)
    if x is not _MISSING:
        e = _c_defs__Annotations(x)
        if e is not None:
            e[2].append('annotations')
            return e
    x = v.get('potentiallyUnsafeConfigAnnotations', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('potentiallyUnsafeConfigAnnotations')
            return e
    return None


def _c_container_process_state(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'ociVersion' not in v:
        return ('missing required property "ociVersion"', 'required', [])
    if 'pid' not in v:
        return ('missing required property "pid"', 'required', [])
    if 'state' not in v:
        return ('missing required property "state"', 'required', [])
    x = v.get('ociVersion', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['ociVersion'])
        if not is_oci_version(x):
            return ('unsupported version (pyrunc accepts runtime-spec 1.0.0 up to 1.3.x)', 'pattern', ['ociVersion'])
    x = v.get('fds', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('fds')
            return e
    x = v.get('pid', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['pid'])
        if x < 1:
            return ('must be at least 1', 'minimum', ['pid'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['pid'])
    x = v.get('metadata', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['metadata'])
    x = v.get('state', _MISSING)
    if x is not _MISSING:
        e = _c_state(x)
        if e is not None:
            e[2].append('state')
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


def _c_defs__ConsoleSize(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'height' not in v:
        return ('missing required property "height"', 'required', [])
    if 'width' not in v:
        return ('missing required property "width"', 'required', [])
    x = v.get('height', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['height'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['height'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['height'])
    x = v.get('width', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['width'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['width'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['width'])
    return None


def _c_defs__ArrayOfStrings(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
    return None


def _c_defs__Scheduler(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'policy' not in v:
        return ('missing required property "policy"', 'required', [])
    x = v.get('policy', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['policy'])
        if x not in _ENUM12:
            return ('must be one of ' + _ENUM12_TEXT, 'enum', ['policy'])
    x = v.get('nice', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['nice'])
        if x < -2147483648:
            return ('must be at least -2147483648', 'minimum', ['nice'])
        if x > 2147483647:
            return ('must be at most 2147483647', 'maximum', ['nice'])
    x = v.get('priority', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['priority'])
        if x < -2147483648:
            return ('must be at least -2147483648', 'minimum', ['priority'])
        if x > 2147483647:
            return ('must be at most 2147483647', 'maximum', ['priority'])
    x = v.get('flags', _MISSING)
    if x is not _MISSING:
        e = _c_node9(x)
        if e is not None:
            e[2].append('flags')
            return e
    x = v.get('runtime', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['runtime'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['runtime'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['runtime'])
    x = v.get('deadline', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['deadline'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['deadline'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['deadline'])
    x = v.get('period', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['period'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['period'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['period'])
    return None


def _c_defs__IOPriority(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'class' not in v:
        return ('missing required property "class"', 'required', [])
    if 'priority' not in v:
        return ('missing required property "priority"', 'required', [])
    x = v.get('class', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['class'])
        if x not in _ENUM14:
            return ('must be one of ' + _ENUM14_TEXT, 'enum', ['class'])
    x = v.get('priority', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['priority'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['priority'])
        if x > 7:
            return ('must be at most 7', 'maximum', ['priority'])
    return None


def _c_defs__ExecCPUAffinity(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('initial', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['initial'])
    x = v.get('final', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['final'])
    return None


def _c_features_linux__Linux(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('namespaces', _MISSING)
    if x is not _MISSING:
        e = _c_node10(x)
        if e is not None:
            e[2].append('namespaces')
            return e
    x = v.get('capabilities', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('capabilities')
            return e
    x = v.get('cgroup', _MISSING)
    if x is not _MISSING:
        e = _c_node11(x)
        if e is not None:
            e[2].append('cgroup')
            return e
    x = v.get('seccomp', _MISSING)
    if x is not _MISSING:
        e = _c_node12(x)
        if e is not None:
            e[2].append('seccomp')
            return e
    x = v.get('apparmor', _MISSING)
    if x is not _MISSING:
        e = _c_features_linux__Enabled(x)
        if e is not None:
            e[2].append('apparmor')
            return e
    x = v.get('selinux', _MISSING)
    if x is not _MISSING:
        e = _c_features_linux__Enabled(x)
        if e is not None:
            e[2].append('selinux')
            return e
    x = v.get('memoryPolicy', _MISSING)
    if x is not _MISSING:
        e = _c_node13(x)
        if e is not None:
            e[2].append('memoryPolicy')
            return e
    x = v.get('intelRdt', _MISSING)
    if x is not _MISSING:
        e = _c_node14(x)
        if e is not None:
            e[2].append('intelRdt')
            return e
    x = v.get('mountExtensions', _MISSING)
    if x is not _MISSING:
        e = _c_node15(x)
        if e is not None:
            e[2].append('mountExtensions')
            return e
    x = v.get('netDevices', _MISSING)
    if x is not _MISSING:
        e = _c_features_linux__Enabled(x)
        if e is not None:
            e[2].append('netDevices')
            return e
    return None


def _c_config_linux__Memory(v):
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
    x = v.get('reservation', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['reservation'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['reservation'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['reservation'])
    x = v.get('swap', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['swap'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['swap'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['swap'])
    x = v.get('kernel', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['kernel'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['kernel'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['kernel'])
    x = v.get('kernelTCP', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['kernelTCP'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['kernelTCP'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['kernelTCP'])
    x = v.get('swappiness', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['swappiness'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['swappiness'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['swappiness'])
    x = v.get('disableOOMKiller', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['disableOOMKiller'])
    x = v.get('useHierarchy', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['useHierarchy'])
    x = v.get('checkBeforeUpdate', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['checkBeforeUpdate'])
    return None


def _c_config_linux__CPU(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('shares', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['shares'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['shares'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['shares'])
    x = v.get('quota', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['quota'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['quota'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['quota'])
    x = v.get('burst', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['burst'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['burst'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['burst'])
    x = v.get('period', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['period'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['period'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['period'])
    x = v.get('realtimeRuntime', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['realtimeRuntime'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['realtimeRuntime'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['realtimeRuntime'])
    x = v.get('realtimePeriod', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['realtimePeriod'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['realtimePeriod'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['realtimePeriod'])
    x = v.get('cpus', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['cpus'])
    x = v.get('mems', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['mems'])
    x = v.get('idle', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['idle'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['idle'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['idle'])
    return None


def _c_config_linux__BlockIO(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('weight', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['weight'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['weight'])
        if x > 65535:
            return ('must be at most 65535', 'maximum', ['weight'])
    x = v.get('leafWeight', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['leafWeight'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['leafWeight'])
        if x > 65535:
            return ('must be at most 65535', 'maximum', ['leafWeight'])
    x = v.get('weightDevice', _MISSING)
    if x is not _MISSING:
        e = _c_node16(x)
        if e is not None:
            e[2].append('weightDevice')
            return e
    x = v.get('throttleReadBpsDevice', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__ArrayOfThrottleDevices(x)
        if e is not None:
            e[2].append('throttleReadBpsDevice')
            return e
    x = v.get('throttleWriteBpsDevice', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__ArrayOfThrottleDevices(x)
        if e is not None:
            e[2].append('throttleWriteBpsDevice')
            return e
    x = v.get('throttleReadIOPSDevice', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__ArrayOfThrottleDevices(x)
        if e is not None:
            e[2].append('throttleReadIOPSDevice')
            return e
    x = v.get('throttleWriteIOPSDevice', _MISSING)
    if x is not _MISSING:
        e = _c_config_linux__ArrayOfThrottleDevices(x)
        if e is not None:
            e[2].append('throttleWriteIOPSDevice')
            return e
    return None


def _c_config_linux__Network(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('classID', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['classID'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['classID'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['classID'])
    x = v.get('priorities', _MISSING)
    if x is not _MISSING:
        e = _c_node17(x)
        if e is not None:
            e[2].append('priorities')
            return e
    return None


def _c_config_linux__IntelRdt(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('closID', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['closID'])
    x = v.get('l3CacheSchema', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['l3CacheSchema'])
    x = v.get('memBwSchema', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['memBwSchema'])
    x = v.get('schemata', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('schemata')
            return e
    x = v.get('enableMonitoring', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['enableMonitoring'])
    return None


def _c_config_linux__MemoryPolicy(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'mode' not in v:
        return ('missing required property "mode"', 'required', [])
    x = v.get('mode', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['mode'])
        if x not in _ENUM26:
            return ('must be one of ' + _ENUM26_TEXT, 'enum', ['mode'])
    x = v.get('nodes', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['nodes'])
    x = v.get('flags', _MISSING)
    if x is not _MISSING:
        e = _c_node18(x)
        if e is not None:
            e[2].append('flags')
            return e
    return None


def _c_config_linux__Personality(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'domain' not in v:
        return ('missing required property "domain"', 'required', [])
    x = v.get('domain', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['domain'])
        if x not in _ENUM30:
            return ('must be one of ' + _ENUM30_TEXT, 'enum', ['domain'])
    x = v.get('flags', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('flags')
            return e
    return None


def _c_node9(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
        if x not in _ENUM33:
            return ('must be one of ' + _ENUM33_TEXT, 'enum', [i])
    return None


def _c_node10(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
        if x not in _ENUM34:
            return ('must be one of ' + _ENUM34_TEXT, 'enum', [i])
    return None


def _c_node11(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('v1', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['v1'])
    x = v.get('v2', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['v2'])
    x = v.get('systemd', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['systemd'])
    x = v.get('systemdUser', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['systemdUser'])
    x = v.get('rdma', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['rdma'])
    return None


def _c_node12(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('enabled', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['enabled'])
    x = v.get('actions', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('actions')
            return e
    x = v.get('operators', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('operators')
            return e
    x = v.get('archs', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('archs')
            return e
    x = v.get('knownFlags', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('knownFlags')
            return e
    x = v.get('supportedFlags', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('supportedFlags')
            return e
    return None


def _c_features_linux__Enabled(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('enabled', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['enabled'])
    return None


def _c_node13(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('modes', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('modes')
            return e
    x = v.get('flags', _MISSING)
    if x is not _MISSING:
        e = _c_defs__ArrayOfStrings(x)
        if e is not None:
            e[2].append('flags')
            return e
    return None


def _c_node14(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('enabled', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['enabled'])
    x = v.get('schemata', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['schemata'])
    x = v.get('monitoring', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, bool):
            return ('expected a boolean', 'type', ['monitoring'])
    return None


def _c_node15(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('idmap', _MISSING)
    if x is not _MISSING:
        e = _c_features_linux__Enabled(x)
        if e is not None:
            e[2].append('idmap')
            return e
    return None


def _c_node16(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__BlockIOWeightDevice(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_config_linux__ArrayOfThrottleDevices(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__BlockIOThrottleDevice(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_config_linux__HugepageLimit(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'pageSize' not in v:
        return ('missing required property "pageSize"', 'required', [])
    if 'limit' not in v:
        return ('missing required property "limit"', 'required', [])
    x = v.get('pageSize', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['pageSize'])
    x = v.get('limit', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['limit'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['limit'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['limit'])
    return None


def _c_node17(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        e = _c_config_linux__NetworkPriority(x)
        if e is not None:
            e[2].append(i)
            return e
    return None


def _c_config_linux__Rdma(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('hcaHandles', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['hcaHandles'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['hcaHandles'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['hcaHandles'])
    x = v.get('hcaObjects', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['hcaObjects'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['hcaObjects'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['hcaObjects'])
    return None


def _c_config_linux__TimeOffset(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('secs', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['secs'])
        if x < -9223372036854775808:
            return ('must be at least -9223372036854775808', 'minimum', ['secs'])
        if x > 9223372036854775807:
            return ('must be at most 9223372036854775807', 'maximum', ['secs'])
    x = v.get('nanosecs', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['nanosecs'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['nanosecs'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['nanosecs'])
    return None


def _c_config_linux__NetDevice(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    x = v.get('name', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['name'])
    return None


def _c_node18(v):
    if not isinstance(v, list):
        return ('expected an array', 'type', [])
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return ('expected a string', 'type', [i])
        if x not in _ENUM52:
            return ('must be one of ' + _ENUM52_TEXT, 'enum', [i])
    return None


def _c_config_linux__BlockIOWeightDevice(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'major' not in v:
        return ('missing required property "major"', 'required', [])
    if 'minor' not in v:
        return ('missing required property "minor"', 'required', [])
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
    x = v.get('weight', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['weight'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['weight'])
        if x > 65535:
            return ('must be at most 65535', 'maximum', ['weight'])
    x = v.get('leafWeight', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['leafWeight'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['leafWeight'])
        if x > 65535:
            return ('must be at most 65535', 'maximum', ['leafWeight'])
    return None


def _c_config_linux__BlockIOThrottleDevice(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'major' not in v:
        return ('missing required property "major"', 'required', [])
    if 'minor' not in v:
        return ('missing required property "minor"', 'required', [])
    if 'rate' not in v:
        return ('missing required property "rate"', 'required', [])
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
    x = v.get('rate', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['rate'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['rate'])
        if x > 18446744073709551615:
            return ('must be at most 18446744073709551615', 'maximum', ['rate'])
    return None


def _c_config_linux__NetworkPriority(v):
    if not isinstance(v, dict):
        return ('expected an object', 'type', [])
    if 'name' not in v:
        return ('missing required property "name"', 'required', [])
    if 'priority' not in v:
        return ('missing required property "priority"', 'required', [])
    x = v.get('name', _MISSING)
    if x is not _MISSING:
        if not isinstance(x, str):
            return ('expected a string', 'type', ['name'])
    x = v.get('priority', _MISSING)
    if x is not _MISSING:
        if not (isinstance(x, int) and not isinstance(x, bool)):
            return ('expected an integer', 'type', ['priority'])
        if x < 0:
            return ('must be at least 0', 'minimum', ['priority'])
        if x > 4294967295:
            return ('must be at most 4294967295', 'maximum', ['priority'])
    return None
