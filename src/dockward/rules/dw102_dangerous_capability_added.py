"""DW102: a capability that opens a path to the host is added."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.knowledge import DEFAULT_CAPABILITIES, LINUX_CAPABILITIES
from dockward.models.workload import Workload, normalize_capability
from dockward.rules._common import is_host_mode, string_list
from dockward.rules.registry import Option, RuleContext, rule

DANGEROUS_CAPABILITIES: tuple[str, ...] = (
    "ALL", "SYS_ADMIN", "SYS_MODULE", "SYS_BOOT", "SYS_PTRACE", "SYS_RAWIO",
    "DAC_READ_SEARCH", "NET_ADMIN", "BPF", "PERFMON", "SYS_TIME", "MAC_ADMIN", "MAC_OVERRIDE",
)

# Capabilities whose configuration reach is the network namespace: with the host's network
# they rewrite the host's routes and firewall; in the container's own namespace they still
# open the kernel's netfilter/nf_tables code to the container, whose bugs gave root on the
# host (CVE-2022-25636, CVE-2023-32233, CVE-2024-1086), so they are reported lower.
NETNS_SCOPED: tuple[str, ...] = ("NET_ADMIN",)
OWN_NETNS_SEVERITY = Severity.MEDIUM
KERNEL_BUGS = ("CVE-2022-25636, CVE-2023-32233 and CVE-2024-1086, netfilter/nf_tables bugs "
               "that gave root on the host from a container, all need it, and Docker leaves "
               "it out of the default set")

# What each capability lets root in the container do to the host.
WHAT_IT_ALLOWS: dict[str, str] = {
    "ALL": "every capability at once (SYS_ADMIN, SYS_MODULE, SYS_PTRACE, ...): nearly "
           "as strong as --privileged, treat it as critical",
    "SYS_ADMIN": "mount filesystems, create namespaces and, on cgroup v1, set a cgroup "
                 "release_agent that the host kernel runs as root",
    "SYS_MODULE": "load a kernel module into the shared host kernel: arbitrary code in the "
                  "kernel",
    "SYS_BOOT": "reboot the host or kexec_load a different kernel",
    "SYS_PTRACE": "attach to and inject code into other processes (host processes too when "
                  "the PID namespace is shared)",
    "SYS_RAWIO": "raw I/O port and memory access (iopl/ioperm), reaching the hardware "
                 "below the kernel",
    "DAC_READ_SEARCH": "open any host file by handle with open_by_handle_at() (the "
                       "'Shocker' escape reads /etc/shadow of the host)",
    "NET_ADMIN": "reconfigure interfaces, routes and firewall rules (the host's own with "
                 "host networking) to intercept or redirect traffic",
    "BPF": "load eBPF programs: trace every process on the host and read kernel memory",
    "PERFMON": "perf and BPF tracing across the whole system, observing other processes "
               "and reaching a large kernel attack surface",
    "SYS_TIME": "set the host's clock (time is not namespaced), breaking TLS, Kerberos "
                "and log timelines",
    "MAC_ADMIN": "change the AppArmor/SELinux/Smack policy that confines containers",
    "MAC_OVERRIDE": "bypass the mandatory access control (Smack) policy",
}


@rule(
    code="DW102",
    name="dangerous-capability-added",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.4", "OWASP-D3", "ATTACK-T1611", "ATTACK-T1547.006",
          "PSS-baseline-capabilities"),
    options={"capabilities": Option(list(DANGEROUS_CAPABILITIES), items=LINUX_CAPABILITIES,
                                    normalize=normalize_capability),
             "netns_scoped": Option(list(NETNS_SCOPED), items=LINUX_CAPABILITIES,
                                    normalize=normalize_capability)},
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A capability that lets the container reach into the host kernel or host is added.

    ## What it does
    Reports each capability in `cap_add` (`--cap-add`, Kubernetes
    `capabilities.add`) that is on the dangerous list, one finding per capability, at the
    line that adds it. `ALL` is reported like the others but is close to `--privileged`.
    `NET_ADMIN` is reported at high severity with the host's network namespace
    (`network_mode: host`, `hostNetwork: true`) and at medium severity in the container's
    own network namespace.

    ## Why it matters
    Capabilities split root's power into pieces; Docker's default set leaves out the pieces
    that touch the shared kernel or the host. Adding them back hands those pieces to
    whoever gets code execution in the container: `SYS_ADMIN` can mount filesystems and,
    on cgroup v1 hosts, write a `release_agent` the host runs as root; `SYS_MODULE` loads
    kernel code; `SYS_BOOT` reboots the host or `kexec`s another kernel; `DAC_READ_SEARCH`
    reads any host file through `open_by_handle_at()`; `SYS_PTRACE` injects code into other
    processes. `ALL` adds every one of them.

    `NET_ADMIN` with the host's network rewrites the host's routes and firewall. In the
    container's own network namespace it only configures the container's interfaces, but
    it still hands the container the kernel's netfilter and nf_tables interfaces: the
    kernel bugs that gave root on the host from a container through them
    (CVE-2022-25636, CVE-2023-32233, CVE-2024-1086) all need `CAP_NET_ADMIN`, which is
    why Docker leaves it out of its default set. So it is reported there too, at a lower
    severity.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        cap_add:
          - SYS_ADMIN
    ```
    ```sh
    docker run --cap-add SYS_ADMIN alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]
    ```
    ```sh
    docker run --cap-drop ALL --cap-add NET_BIND_SERVICE alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes the capability from `cap_add`
    (`--cap-add`, `capabilities.add`), and the list when it was the last one. Unsafe: the
    workload may need what the capability allowed.

    Remove the capability and find a narrower way to do the job (a FUSE helper instead of
    `SYS_ADMIN` mounts, a pre-built network namespace instead of `NET_ADMIN`). If a
    capability is truly needed, run that container on a host where its blast radius is
    acceptable (a patched kernel, for `NET_ADMIN`) and suppress the finding with a reason.
    A VPN client or a network sidecar (WireGuard, OpenVPN, Tailscale, an Istio init
    container) needs `NET_ADMIN` in its own namespace by design; keep it with a reasoned
    inline ignore, and keep the host's kernel patched:

    ```yaml
    services:
      vpn:
        image: linuxserver/wireguard:1.0.20210914
        cap_drop: [ALL]
        cap_add:
          # dockward: ignore[DW102] VPN client: configures its own tunnel in its own netns
          - NET_ADMIN
    ```

    ## Options
    - `capabilities` (list of names, default: `ALL`, `SYS_ADMIN`, `SYS_MODULE`, `SYS_BOOT`,
      `SYS_PTRACE`, `SYS_RAWIO`, `DAC_READ_SEARCH`, `NET_ADMIN`, `BPF`, `PERFMON`,
      `SYS_TIME`, `MAC_ADMIN`, `MAC_OVERRIDE`): capabilities to report when added, with or
      without the `CAP_` prefix.
    - `netns_scoped` (list of names, default: `NET_ADMIN`): capabilities reported at
      medium severity when the container keeps its own network namespace, and at the
      rule's severity with the host's. Empty the list to report them at the rule's
      severity always.

    ## References
    - CIS Docker Benchmark v1.6, 5.4: Linux kernel capabilities are restricted (`CIS-5.4`)
    - OWASP Docker Security Cheat Sheet, rule 3: limit capabilities (`OWASP-D3`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1547.006, Kernel Modules and
      Extensions (`ATTACK-T1547.006`)
    - Kubernetes Pod Security Standards, baseline: Capabilities (`PSS-baseline-capabilities`)
    """
    wanted = {normalize_capability(c) for c in string_list(ctx.option("capabilities"))}
    netns_scoped = {normalize_capability(c) for c in string_list(ctx.option("netns_scoped"))}
    host_net = is_host_mode(w.network_mode)
    seen: set[str] = set()
    for cap in w.cap_add:
        name = normalize_capability(cap.name)
        if name not in wanted or name in seen:
            continue
        seen.add(name)
        allows = WHAT_IT_ALLOWS.get(name)
        remedy = Remedy(Change.REMOVE, "cap_add", name, cap.origin)
        if name in netns_scoped and not host_net:
            yield Hit(cap.origin, f"adds capability {name} in the container's own network "
                      f"namespace: it configures only the container's network, but {KERNEL_BUGS}"
                      "; a VPN or network sidecar that needs it can keep it with a reasoned "
                      "inline ignore", f"cap_add {name}", severity=OWN_NETNS_SEVERITY,
                      remedy=remedy)
        elif name == "ALL":
            yield Hit(cap.origin, f"adds ALL capabilities: {allows}", "cap_add ALL",
                      severity=Severity.CRITICAL, remedy=remedy)
        elif allows is not None:
            yield Hit(cap.origin, f"adds capability {name}: lets root in the container "
                      f"{allows}", f"cap_add {name}", remedy=remedy)
        else:
            where = "in" if name in DEFAULT_CAPABILITIES else "beyond"
            yield Hit(cap.origin, f"adds capability {name}, which the configured policy "
                      f"lists as dangerous ({where} Docker's default set)", f"cap_add {name}",
                      remedy=remedy)
