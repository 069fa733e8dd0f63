"""Flag tables of the nerdctl CLI.  MAINTAINED BY HAND, in the format of ``cli_flags.py``.

nerdctl cannot be installed on the machines the tables are generated on, so
``scripts/gen_flag_tables.py`` does not write this module: update it from
``nerdctl run --help`` and ``nerdctl --help`` by hand.  The run table holds only what
nerdctl adds to docker's flags (the run-line reader merges it over ``DOCKER_RUN_FLAGS``);
the global table is complete.  Each table maps a long flag name to (its short letter or
"", whether it takes a value); the comment is the value type.
"""

from __future__ import annotations

from dockward.readers.commands.cli_flags import FlagTable

# `nerdctl run` / `nerdctl create` flags that docker does not have
NERDCTL_RUN_FLAGS: FlagTable = {
    "cosign-certificate-identity": ("", True),  # string
    "cosign-certificate-identity-regexp": ("", True),  # string
    "cosign-certificate-oidc-issuer": ("", True),  # string
    "cosign-certificate-oidc-issuer-regexp": ("", True),  # string
    "cosign-key": ("", True),  # string
    "ipfs-address": ("", True),  # string
    "pidfile": ("", True),  # string
    "rdt-class": ("", True),  # string
    "systemd": ("", True),  # string
    "verify": ("", True),  # string
}

# options before the subcommand (`nerdctl -n k8s.io run ...`)
NERDCTL_GLOBAL_FLAGS: FlagTable = {
    "address": ("a", True),  # string
    "bridge-ip": ("", True),  # string
    "cgroup-manager": ("", True),  # string
    "cni-netconfpath": ("", True),  # string
    "cni-path": ("", True),  # string
    "data-root": ("", True),  # string
    "debug": ("", False),  # bool
    "debug-full": ("", False),  # bool
    "experimental": ("", False),  # bool
    "help": ("", False),  # bool
    "host": ("H", True),  # string
    "host-gateway-ip": ("", True),  # string
    "hosts-dir": ("", True),  # strings
    "insecure-registry": ("", False),  # bool
    "kube-hide-dupe": ("", False),  # bool
    "namespace": ("n", True),  # string
    "snapshotter": ("", True),  # string
    "storage-driver": ("", True),  # string
    "version": ("v", False),  # bool
}
