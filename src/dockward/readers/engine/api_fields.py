"""Field names of the Engine API's request bodies, as dockerd's Go structs spell them.

dockerd decodes bodies into Go structs, whose field lookup is case-insensitive (with
Unicode simple folding): ``privileged`` and ``ſecurityOpt`` reach ``Privileged`` and
``SecurityOpt``.  No client sends such spellings; a request that does is either broken or
hiding a field from a naive check, so the guard refuses it.  These lists say what the
canonical spellings are, which objects are free-form maps (whose keys are names chosen by
the user, such as label keys), and which ``HostConfig`` fields dockerd 20.10-26 still
reads at the top level of a create body (the deprecated embedded ``HostConfig``).
"""

from __future__ import annotations

CONFIG_FIELDS: frozenset[str] = frozenset({
    "Hostname", "Domainname", "User", "AttachStdin", "AttachStdout", "AttachStderr",
    "ExposedPorts", "Tty", "OpenStdin", "StdinOnce", "Env", "Cmd", "Healthcheck",
    "ArgsEscaped", "Image", "Volumes", "WorkingDir", "Entrypoint", "NetworkDisabled",
    "MacAddress", "OnBuild", "Labels", "StopSignal", "StopTimeout", "Shell",
})

RESOURCES_FIELDS: frozenset[str] = frozenset({
    "CpuShares", "Memory", "NanoCpus", "CgroupParent", "BlkioWeight", "BlkioWeightDevice",
    "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
    "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod",
    "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", "Devices", "DeviceCgroupRules",
    "DeviceRequests", "KernelMemory", "KernelMemoryTCP", "MemoryReservation", "MemorySwap",
    "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits", "CpuCount", "CpuPercent",
    "IOMaximumIOps", "IOMaximumBandwidth",
})

HOST_CONFIG_FIELDS: frozenset[str] = RESOURCES_FIELDS | frozenset({
    "Binds", "ContainerIDFile", "LogConfig", "NetworkMode", "PortBindings",
    "RestartPolicy", "AutoRemove", "VolumeDriver", "VolumesFrom", "ConsoleSize",
    "Annotations", "CapAdd", "CapDrop", "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch",
    "ExtraHosts", "GroupAdd", "IpcMode", "Cgroup", "Links", "OomScoreAdj", "PidMode",
    "Privileged", "PublishAllPorts", "ReadonlyRootfs", "SecurityOpt", "StorageOpt",
    "Tmpfs", "UTSMode", "UsernsMode", "ShmSize", "Sysctls", "Runtime", "Isolation",
    "Capabilities", "Mounts", "MaskedPaths", "ReadonlyPaths", "Init",
})

_OTHER_STRUCT_FIELDS: frozenset[str] = frozenset({
    # create wrapper, networking
    "HostConfig", "NetworkingConfig", "EndpointsConfig", "IPAMConfig", "IPv4Address",
    "IPv6Address", "LinkLocalIPs", "Aliases", "NetworkID", "EndpointID", "Gateway",
    "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen",
    "DriverOpts", "DNSNames",
    # mounts
    "Type", "Source", "Target", "ReadOnly", "Consistency", "BindOptions", "VolumeOptions",
    "TmpfsOptions", "Propagation", "NonRecursive", "CreateMountpoint", "NoCopy",
    "DriverConfig", "Name", "Options", "SizeBytes", "Mode", "Subpath",
    # small HostConfig structs
    "MaximumRetryCount", "Config", "PathOnHost", "PathInContainer", "CgroupPermissions",
    "Driver", "Count", "DeviceIDs", "Capabilities", "Soft", "Hard", "Path", "Rate",
    "Weight", "HostIp", "HostPort", "Test", "Interval", "Timeout", "Retries",
    "StartPeriod", "StartInterval",
    # exec
    "Privileged", "User", "Detach", "DetachKeys", "WorkingDir",
    # swarm service spec
    "TaskTemplate", "ContainerSpec", "PluginSpec", "NetworkAttachmentSpec", "Resources",
    "Limits", "Reservations", "RestartPolicy", "Placement", "Networks", "LogDriver",
    "ForceUpdate", "Runtime", "Replicated", "Global", "ReplicatedJob",
    "GlobalJob", "UpdateConfig", "RollbackConfig", "EndpointSpec", "Ports", "Protocol",
    "TargetPort", "PublishedPort", "PublishMode", "Command", "Args", "Dir", "Groups",
    "Privileges", "CredentialSpec", "SELinuxContext", "Seccomp", "AppArmor",
    "NoNewPrivileges", "Disable", "Role", "Level", "Profile", "StopGracePeriod",
    "DNSConfig", "Nameservers", "Search", "Hosts", "Secrets", "Configs", "Isolation",
    "CapabilityAdd", "CapabilityDrop", "Condition", "Delay", "MaxAttempts", "Window",
    "Replicas", "NanoCPUs", "MemoryBytes", "Pids", "GenericResources", "Constraints",
    "Preferences", "MaxReplicas", "Platforms", "File", "UID", "GID", "SecretID",
    "SecretName", "ConfigID", "ConfigName",
    # volumes, plugins, swarm
    "Value", "Description", "ListenAddr", "AdvertiseAddr", "DataPathAddr",
    "DataPathPort", "DefaultAddrPool", "ForceNewCluster", "SubnetSize", "Spec",
    "RemoteAddrs", "JoinToken", "AvailabilityZone", "UnlockKey", "Availability",
    "Data", "Templating", "EncryptionConfig", "AutoLockManagers", "CAConfig",
    "TaskDefaults", "Orchestration", "Raft", "Dispatcher",
})

KNOWN_FIELDS: frozenset[str] = (CONFIG_FIELDS | HOST_CONFIG_FIELDS | _OTHER_STRUCT_FIELDS)
# Folded spelling -> the canonical spellings (``NanoCpus`` in HostConfig and ``NanoCPUs``
# in a swarm ``Resources`` fold to the same key and are both real).
KNOWN_BY_FOLD: dict[str, frozenset[str]] = {
    folded: frozenset(n for n in KNOWN_FIELDS if n.casefold() == folded)
    for folded in {name.casefold() for name in KNOWN_FIELDS}
}

# Objects whose keys are the user's names (labels, paths, ports, networks, options), not
# struct fields: their keys are never "case variants".
FREE_FORM_MAPS: frozenset[str] = frozenset(
    name.casefold() for name in (
        "Labels", "Volumes", "ExposedPorts", "Tmpfs", "Sysctls", "PortBindings",
        "EndpointsConfig", "DriverOpts", "Options", "StorageOpt", "Annotations",
        "Config",  # LogConfig.Config (the only object-valued Config in these bodies)
    )
)

HOST_CONFIG_BY_FOLD: dict[str, str] = {name.casefold(): name for name in HOST_CONFIG_FIELDS}
