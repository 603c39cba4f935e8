"""Generated from oci-schemas/*.json by pyrunc/spec/gen_fastcheck.py: do not edit.

Regenerate with `python -m pyrunc.spec.gen_fastcheck` after changing a schema.

Each _u_* function appends to `out` the JSON pointers of the properties below `v` (found at
pointer `p`) that the schema does not define. Only `--debug` asks for them.
"""

# ruff: noqa
# mypy: ignore-errors
# fmt: off

_KNOWN0 = frozenset(['annotations', 'domainname', 'hooks', 'hostname', 'linux', 'mounts', 'ociVersion', 'process', 'root'])
_KNOWN1 = frozenset(['apparmorProfile', 'args', 'capabilities', 'commandLine', 'consoleSize', 'cwd', 'env', 'execCPUAffinity', 'ioPriority', 'noNewPrivileges', 'oomScoreAdj', 'rlimits', 'scheduler', 'selinuxLabel', 'terminal', 'user'])
_KNOWN2 = frozenset(['annotations', 'bundle', 'id', 'ociVersion', 'pid', 'status'])
_KNOWN3 = frozenset(['annotations', 'hooks', 'linux', 'mountOptions', 'ociVersionMax', 'ociVersionMin', 'potentiallyUnsafeConfigAnnotations'])
_KNOWN4 = frozenset(['blockIO', 'cpu', 'devices', 'hugepageLimits', 'memory', 'network', 'pids', 'rdma', 'unified'])
_KNOWN5 = frozenset(['fds', 'metadata', 'ociVersion', 'pid', 'state'])
_KNOWN6 = frozenset(['path', 'readonly'])
_KNOWN7 = frozenset(['createContainer', 'createRuntime', 'poststart', 'poststop', 'prestart', 'startContainer'])
_KNOWN9 = frozenset(['cgroupsPath', 'devices', 'gidMappings', 'intelRdt', 'maskedPaths', 'memoryPolicy', 'mountLabel', 'namespaces', 'netDevices', 'personality', 'readonlyPaths', 'resources', 'rootfsPropagation', 'seccomp', 'sysctl', 'timeOffsets', 'uidMappings'])
_KNOWN10 = frozenset(['height', 'width'])
_KNOWN11 = frozenset(['ambient', 'bounding', 'effective', 'inheritable', 'permitted'])
_KNOWN13 = frozenset(['deadline', 'flags', 'nice', 'period', 'policy', 'priority', 'runtime'])
_KNOWN15 = frozenset(['class', 'priority'])
_KNOWN16 = frozenset(['final', 'initial'])
_KNOWN17 = frozenset(['additionalGids', 'gid', 'uid', 'umask', 'username'])
_KNOWN18 = frozenset(['apparmor', 'capabilities', 'cgroup', 'intelRdt', 'memoryPolicy', 'mountExtensions', 'namespaces', 'netDevices', 'seccomp', 'selinux'])
_KNOWN19 = frozenset(['checkBeforeUpdate', 'disableOOMKiller', 'kernel', 'kernelTCP', 'limit', 'reservation', 'swap', 'swappiness', 'useHierarchy'])
_KNOWN20 = frozenset(['burst', 'cpus', 'idle', 'mems', 'period', 'quota', 'realtimePeriod', 'realtimeRuntime', 'shares'])
_KNOWN21 = frozenset(['leafWeight', 'throttleReadBpsDevice', 'throttleReadIOPSDevice', 'throttleWriteBpsDevice', 'throttleWriteIOPSDevice', 'weight', 'weightDevice'])
_KNOWN22 = frozenset(['classID', 'priorities'])
_KNOWN23 = frozenset(['limit'])
_KNOWN24 = frozenset(['destination', 'gidMappings', 'options', 'source', 'type', 'uidMappings'])
_KNOWN25 = frozenset(['closID', 'enableMonitoring', 'l3CacheSchema', 'memBwSchema', 'schemata'])
_KNOWN27 = frozenset(['flags', 'mode', 'nodes'])
_KNOWN29 = frozenset(['architectures', 'defaultAction', 'defaultErrnoRet', 'flags', 'listenerMetadata', 'listenerPath', 'syscalls'])
_KNOWN31 = frozenset(['domain', 'flags'])
_KNOWN32 = frozenset(['hard', 'soft', 'type'])
_KNOWN35 = frozenset(['rdma', 'systemd', 'systemdUser', 'v1', 'v2'])
_KNOWN36 = frozenset(['actions', 'archs', 'enabled', 'knownFlags', 'operators', 'supportedFlags'])
_KNOWN37 = frozenset(['enabled'])
_KNOWN38 = frozenset(['flags', 'modes'])
_KNOWN39 = frozenset(['enabled', 'monitoring', 'schemata'])
_KNOWN40 = frozenset(['idmap'])
_KNOWN42 = frozenset(['access', 'allow', 'major', 'minor', 'type'])
_KNOWN43 = frozenset(['limit', 'pageSize'])
_KNOWN44 = frozenset(['hcaHandles', 'hcaObjects'])
_KNOWN45 = frozenset(['args', 'env', 'path', 'timeout'])
_KNOWN46 = frozenset(['path', 'type'])
_KNOWN47 = frozenset(['containerID', 'hostID', 'size'])
_KNOWN48 = frozenset(['nanosecs', 'secs'])
_KNOWN50 = frozenset(['fileMode', 'gid', 'major', 'minor', 'path', 'type', 'uid'])
_KNOWN51 = frozenset(['name'])
_KNOWN55 = frozenset(['leafWeight', 'major', 'minor', 'weight'])
_KNOWN56 = frozenset(['major', 'minor', 'rate'])
_KNOWN57 = frozenset(['name', 'priority'])
_KNOWN58 = frozenset(['action', 'args', 'errnoRet', 'names'])
_KNOWN60 = frozenset(['index', 'op', 'value', 'valueTwo'])


def _esc(k):
    return str(k).replace('~', '~0').replace('/', '~1')


def _u_config(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN0:
            out.append(p + '/' + _esc(k))
        elif k == 'root':
            _u_defs__Root(x, p + '/root', out)
        elif k == 'mounts':
            _u_node0(x, p + '/mounts', out)
        elif k == 'process':
            _u_defs__Process(x, p + '/process', out)
        elif k == 'hooks':
            _u_defs__Hooks(x, p + '/hooks', out)
        elif k == 'linux':
            _u_config_linux__Linux(x, p + '/linux', out)


def _u_defs__Process(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN1:
            out.append(p + '/' + _esc(k))
        elif k == 'consoleSize':
            _u_defs__ConsoleSize(x, p + '/consoleSize', out)
        elif k == 'rlimits':
            _u_node1(x, p + '/rlimits', out)
        elif k == 'capabilities':
            _u_defs__Capabilities(x, p + '/capabilities', out)
        elif k == 'scheduler':
            _u_defs__Scheduler(x, p + '/scheduler', out)
        elif k == 'ioPriority':
            _u_defs__IOPriority(x, p + '/ioPriority', out)
        elif k == 'execCPUAffinity':
            _u_defs__ExecCPUAffinity(x, p + '/execCPUAffinity', out)
        elif k == 'user':
            _u_defs__User(x, p + '/user', out)


def _u_state(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN2:
            out.append(p + '/' + _esc(k))


def _u_features(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN3:
            out.append(p + '/' + _esc(k))
        elif k == 'linux':
            _u_features_linux__Linux(x, p + '/linux', out)


def _u_config_linux__Resources(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN4:
            out.append(p + '/' + _esc(k))
        elif k == 'devices':
            _u_node2(x, p + '/devices', out)
        elif k == 'memory':
            _u_config_linux__Memory(x, p + '/memory', out)
        elif k == 'cpu':
            _u_config_linux__CPU(x, p + '/cpu', out)
        elif k == 'blockIO':
            _u_config_linux__BlockIO(x, p + '/blockIO', out)
        elif k == 'hugepageLimits':
            _u_node3(x, p + '/hugepageLimits', out)
        elif k == 'network':
            _u_config_linux__Network(x, p + '/network', out)
        elif k == 'pids':
            _u_config_linux__Pids(x, p + '/pids', out)
        elif k == 'rdma':
            _u_node4(x, p + '/rdma', out)


def _u_container_process_state(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN5:
            out.append(p + '/' + _esc(k))
        elif k == 'state':
            _u_state(x, p + '/state', out)


def _u_defs__Root(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN6:
            out.append(p + '/' + _esc(k))


def _u_node0(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_defs__Mount(x, p + '/' + str(i), out)


def _u_defs__Hooks(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN7:
            out.append(p + '/' + _esc(k))
        elif k == 'prestart':
            _u_defs__ArrayOfHooks(x, p + '/prestart', out)
        elif k == 'createRuntime':
            _u_defs__ArrayOfHooks(x, p + '/createRuntime', out)
        elif k == 'createContainer':
            _u_defs__ArrayOfHooks(x, p + '/createContainer', out)
        elif k == 'startContainer':
            _u_defs__ArrayOfHooks(x, p + '/startContainer', out)
        elif k == 'poststart':
            _u_defs__ArrayOfHooks(x, p + '/poststart', out)
        elif k == 'poststop':
            _u_defs__ArrayOfHooks(x, p + '/poststop', out)


def _u_defs__Annotations(v, p, out):
    return


def _u_config_linux__Linux(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN9:
            out.append(p + '/' + _esc(k))
        elif k == 'namespaces':
            _u_node5(x, p + '/namespaces', out)
        elif k == 'uidMappings':
            _u_defs__ArrayOfIDMappings(x, p + '/uidMappings', out)
        elif k == 'gidMappings':
            _u_defs__ArrayOfIDMappings(x, p + '/gidMappings', out)
        elif k == 'timeOffsets':
            _u_node6(x, p + '/timeOffsets', out)
        elif k == 'devices':
            _u_node7(x, p + '/devices', out)
        elif k == 'netDevices':
            _u_node8(x, p + '/netDevices', out)
        elif k == 'resources':
            _u_config_linux__Resources(x, p + '/resources', out)
        elif k == 'intelRdt':
            _u_config_linux__IntelRdt(x, p + '/intelRdt', out)
        elif k == 'memoryPolicy':
            _u_config_linux__MemoryPolicy(x, p + '/memoryPolicy', out)
        elif k == 'seccomp':
            _u_config_linux__Seccomp(x, p + '/seccomp', out)
        elif k == 'personality':
            _u_config_linux__Personality(x, p + '/personality', out)


def _u_defs__ConsoleSize(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN10:
            out.append(p + '/' + _esc(k))


def _u_defs__ArrayOfStrings(v, p, out):
    return


def _u_node1(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_defs__Rlimit(x, p + '/' + str(i), out)


def _u_defs__Capabilities(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN11:
            out.append(p + '/' + _esc(k))


def _u_defs__Scheduler(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN13:
            out.append(p + '/' + _esc(k))


def _u_defs__IOPriority(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN15:
            out.append(p + '/' + _esc(k))


def _u_defs__ExecCPUAffinity(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN16:
            out.append(p + '/' + _esc(k))


def _u_defs__User(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN17:
            out.append(p + '/' + _esc(k))


def _u_features_linux__Linux(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN18:
            out.append(p + '/' + _esc(k))
        elif k == 'cgroup':
            _u_node11(x, p + '/cgroup', out)
        elif k == 'seccomp':
            _u_node12(x, p + '/seccomp', out)
        elif k == 'apparmor':
            _u_features_linux__Enabled(x, p + '/apparmor', out)
        elif k == 'selinux':
            _u_features_linux__Enabled(x, p + '/selinux', out)
        elif k == 'memoryPolicy':
            _u_node13(x, p + '/memoryPolicy', out)
        elif k == 'intelRdt':
            _u_node14(x, p + '/intelRdt', out)
        elif k == 'mountExtensions':
            _u_node15(x, p + '/mountExtensions', out)
        elif k == 'netDevices':
            _u_features_linux__Enabled(x, p + '/netDevices', out)


def _u_node2(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__DeviceCgroup(x, p + '/' + str(i), out)


def _u_config_linux__Memory(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN19:
            out.append(p + '/' + _esc(k))


def _u_config_linux__CPU(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN20:
            out.append(p + '/' + _esc(k))


def _u_config_linux__BlockIO(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN21:
            out.append(p + '/' + _esc(k))
        elif k == 'weightDevice':
            _u_node16(x, p + '/weightDevice', out)
        elif k == 'throttleReadBpsDevice':
            _u_config_linux__ArrayOfThrottleDevices(x, p + '/throttleReadBpsDevice', out)
        elif k == 'throttleWriteBpsDevice':
            _u_config_linux__ArrayOfThrottleDevices(x, p + '/throttleWriteBpsDevice', out)
        elif k == 'throttleReadIOPSDevice':
            _u_config_linux__ArrayOfThrottleDevices(x, p + '/throttleReadIOPSDevice', out)
        elif k == 'throttleWriteIOPSDevice':
            _u_config_linux__ArrayOfThrottleDevices(x, p + '/throttleWriteIOPSDevice', out)


def _u_node3(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__HugepageLimit(x, p + '/' + str(i), out)


def _u_config_linux__Network(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN22:
            out.append(p + '/' + _esc(k))
        elif k == 'priorities':
            _u_node17(x, p + '/priorities', out)


def _u_config_linux__Pids(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN23:
            out.append(p + '/' + _esc(k))


def _u_node4(v, p, out):
    if isinstance(v, dict):
        for k, x in v.items():
            _u_config_linux__Rdma(x, p + '/' + _esc(k), out)


def _u_config_linux__MapStringString(v, p, out):
    return


def _u_defs__Mount(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN24:
            out.append(p + '/' + _esc(k))
        elif k == 'uidMappings':
            _u_defs__ArrayOfIDMappings(x, p + '/uidMappings', out)
        elif k == 'gidMappings':
            _u_defs__ArrayOfIDMappings(x, p + '/gidMappings', out)


def _u_defs__ArrayOfHooks(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_defs__Hook(x, p + '/' + str(i), out)


def _u_node5(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__Namespace(x, p + '/' + str(i), out)


def _u_defs__ArrayOfIDMappings(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_defs__IDMapping(x, p + '/' + str(i), out)


def _u_node6(v, p, out):
    if isinstance(v, dict):
        for k, x in v.items():
            _u_config_linux__TimeOffset(x, p + '/' + _esc(k), out)


def _u_node7(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__Device(x, p + '/' + str(i), out)


def _u_node8(v, p, out):
    if isinstance(v, dict):
        for k, x in v.items():
            _u_config_linux__NetDevice(x, p + '/' + _esc(k), out)


def _u_config_linux__IntelRdt(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN25:
            out.append(p + '/' + _esc(k))


def _u_config_linux__MemoryPolicy(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN27:
            out.append(p + '/' + _esc(k))


def _u_config_linux__Seccomp(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN29:
            out.append(p + '/' + _esc(k))
        elif k == 'syscalls':
            _u_node21(x, p + '/syscalls', out)


def _u_config_linux__Personality(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN31:
            out.append(p + '/' + _esc(k))


def _u_defs__Rlimit(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN32:
            out.append(p + '/' + _esc(k))


def _u_node9(v, p, out):
    return


def _u_defs__ArrayOfUint32(v, p, out):
    return


def _u_node10(v, p, out):
    return


def _u_node11(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN35:
            out.append(p + '/' + _esc(k))


def _u_node12(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN36:
            out.append(p + '/' + _esc(k))


def _u_features_linux__Enabled(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN37:
            out.append(p + '/' + _esc(k))


def _u_node13(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN38:
            out.append(p + '/' + _esc(k))


def _u_node14(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN39:
            out.append(p + '/' + _esc(k))


def _u_node15(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN40:
            out.append(p + '/' + _esc(k))
        elif k == 'idmap':
            _u_features_linux__Enabled(x, p + '/idmap', out)


def _u_config_linux__DeviceCgroup(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN42:
            out.append(p + '/' + _esc(k))


def _u_node16(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__BlockIOWeightDevice(x, p + '/' + str(i), out)


def _u_config_linux__ArrayOfThrottleDevices(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__BlockIOThrottleDevice(x, p + '/' + str(i), out)


def _u_config_linux__HugepageLimit(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN43:
            out.append(p + '/' + _esc(k))


def _u_node17(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__NetworkPriority(x, p + '/' + str(i), out)


def _u_config_linux__Rdma(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN44:
            out.append(p + '/' + _esc(k))


def _u_defs__Hook(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN45:
            out.append(p + '/' + _esc(k))


def _u_config_linux__Namespace(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN46:
            out.append(p + '/' + _esc(k))


def _u_defs__IDMapping(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN47:
            out.append(p + '/' + _esc(k))


def _u_config_linux__TimeOffset(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN48:
            out.append(p + '/' + _esc(k))


def _u_config_linux__Device(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN50:
            out.append(p + '/' + _esc(k))


def _u_config_linux__NetDevice(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN51:
            out.append(p + '/' + _esc(k))


def _u_node18(v, p, out):
    return


def _u_node19(v, p, out):
    return


def _u_node20(v, p, out):
    return


def _u_node21(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__Syscall(x, p + '/' + str(i), out)


def _u_config_linux__BlockIOWeightDevice(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN55:
            out.append(p + '/' + _esc(k))


def _u_config_linux__BlockIOThrottleDevice(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN56:
            out.append(p + '/' + _esc(k))


def _u_config_linux__NetworkPriority(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN57:
            out.append(p + '/' + _esc(k))


def _u_config_linux__Syscall(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN58:
            out.append(p + '/' + _esc(k))
        elif k == 'args':
            _u_node23(x, p + '/args', out)


def _u_node22(v, p, out):
    return


def _u_node23(v, p, out):
    if isinstance(v, list):
        for i, x in enumerate(v):
            _u_config_linux__SyscallArg(x, p + '/' + str(i), out)


def _u_config_linux__SyscallArg(v, p, out):
    if not isinstance(v, dict):
        return
    for k, x in v.items():
        if k not in _KNOWN60:
            out.append(p + '/' + _esc(k))


def unknown_properties(document, value):
    """JSON pointers of properties the schema does not define (the spec says: ignore them)."""
    out = []
    _UNKNOWN[document](value, '', out)
    return out


_UNKNOWN = {
    'config': _u_config,
    'process': _u_defs__Process,
    'state': _u_state,
    'features': _u_features,
    'resources': _u_config_linux__Resources,
    'containerProcessState': _u_container_process_state,
}
