"""DW203: a host device is made available to the container."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.knowledge import normalize_host_path
from dockward.models.workload import Device, Workload
from dockward.rules._common import string_list
from dockward.rules.registry import RuleContext, rule

# (pattern on the host path, what access to it gives)
DEVICE_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/dev/(sd[a-z]+|hd[a-z]+|vd[a-z]+|xvd[a-z]+|nvme\d+(n\d+)?|mmcblk\d+|"
                r"dm-\d+|md\d+|loop\d+|sr\d+)(p?\d+)?$|^/dev/mapper/|^/dev/disk/"),
     "raw access to a host disk: mount it or edit its blocks and read or rewrite the "
     "host's files, bypassing every file permission"),
    (re.compile(r"^/dev/(mem|kmem|port)$"),
     "direct access to physical or kernel memory: read secrets and patch the running "
     "kernel"),
    (re.compile(r"^/dev/(kmsg)$"), "the host kernel log, readable and writable"),
    (re.compile(r"^/dev/(tty\d*|console|pts(/.*)?|ptmx)$"),
     "a host terminal: read it, write to it, or inject input where TIOCSTI is allowed"),
    (re.compile(r"^/dev/(dri|nvidia|kfd|accel)"),
     "a GPU driver interface: driver bugs are kernel bugs reachable from the container, "
     "and GPU memory of other users may be readable"),
    (re.compile(r"^/dev/(bus/usb|usb|hidraw|input)"),
     "USB or input devices: keystrokes on the host and the devices plugged into it"),
    (re.compile(r"^/dev/(net/tun|fuse|vhost-net|kvm)$"),
     "a kernel interface (tunnels, FUSE, virtualization) with its own attack surface"),
    (re.compile(r"^/dev/(cpu|msr|cpu_dma_latency)"),
     "CPU model-specific registers and microcode interfaces"),
)


def _what(path: str) -> str:
    for pattern, text in DEVICE_KINDS:
        if pattern.search(path):
            return text
    return "a host device node: its driver becomes reachable from the container"


@rule(
    code="DW203",
    name="host-device-exposed",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CIS-5.18", "ATTACK-T1611", "ATTACK-T1006"),
    options={"allow": []},
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A host device is exposed to the container with --device.

    ## What it does
    Reports each device in `devices:` (`--device`), one finding per device at its line,
    saying what access to that kind of device gives (disks, memory, terminals, GPUs, USB,
    kernel interfaces). Devices reachable only through `--privileged` are DW101's.

    ## Why it matters
    A device node is a direct line to a kernel driver, below the namespaces. `--device
    /dev/sda` with the default `rwm` permissions lets root in the container read and write
    the host's disk block by block, or mount it and edit `/etc/shadow` on the host, with no
    file permission in the way. Memory devices expose the running kernel; terminals can be
    typed into; GPU and USB drivers are large, bug-prone kernel code. Every device added
    is one more door, and should be a deliberate choice.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        devices:
          - /dev/sda:/dev/sda
    ```
    ```sh
    docker run --device /dev/sda alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        volumes:
          - /srv/app/data:/data
    ```
    ```sh
    docker run -v /srv/app/data:/data alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: none. whether the workload can do without the device, or with a narrower
    node and permissions, is a decision only its owner can make.

    Give the container the data rather than the device (a directory or a volume instead of
    the disk). When hardware must be passed through, pass the narrowest node (a render node
    such as `/dev/dri/renderD128` rather than `/dev/dri`, one partition rather than the
    disk) with the narrowest permissions (`:r` rather than `:rwm`), and list reviewed
    devices in `allow`.

    ## Options
    - `allow` (list of host device paths, default empty): devices not to report, such as
      `/dev/net/tun` for VPN containers or `/dev/dri/renderD128` for transcoders.

    ## References
    - CIS Docker Benchmark v1.6, 5.18: host devices are not directly exposed to
      containers (`CIS-5.18`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1006, Direct Volume Access
      (`ATTACK-T1006`)
    """
    allowed = {normalize_host_path(p) for p in string_list(ctx.option("allow"))}
    for d in w.devices:
        host = normalize_host_path(d.host_path) if d.host_path else d.host_path
        if host in allowed:
            continue
        yield _hit(d, host)


def _hit(d: Device, host: str) -> Hit:
    inside = d.container_path or host
    perms = d.permissions or "rwm"
    where = f" as {inside}" if inside != host else ""
    return Hit(
        d.origin,
        f"exposes host device {host}{where} ({perms}): {_what(host)}",
        f"device {host}:{inside}:{perms}",
    )
