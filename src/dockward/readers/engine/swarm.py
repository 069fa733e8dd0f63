"""A swarm manager's view of its cluster -> the Swarm model.

Three calls on a manager: ``GET /swarm`` (autolock, CA config, the root CA certificate),
``GET /nodes`` and ``GET /networks`` (overlay networks; which services use them comes from
the services already listed).  The listen address is not in the API: for a local daemon it
is read from ``<DockerRootDir>/swarm/docker-state.json``, the file dockerd keeps it in.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dockward.models.location import Location
from dockward.models.swarm import ServiceEnv, Swarm, SwarmNetwork, SwarmNode
from dockward.readers.engine.connect import Endpoint

_PEM = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.DOTALL)


def read_swarm(api: Any, endpoint: Endpoint, info: Mapping[str, Any],
               services: list[dict[str, Any]]) -> Swarm:
    """The cluster as the manager behind ``api`` sees it."""
    label = endpoint.label
    return swarm_from_api(label, api.inspect_swarm(), list(api.nodes()),
                          list(api.networks(filters={"driver": "overlay"})), services,
                          str(info.get("DockerRootDir") or "") if endpoint.is_local else "",
                          str((info.get("Swarm") or {}).get("NodeID") or ""))


def swarm_from_api(label: str, swarm: Mapping[str, Any], nodes: Sequence[Mapping[str, Any]],
                   networks: Sequence[Mapping[str, Any]], services: Sequence[Mapping[str, Any]],
                   docker_root: str = "", local_node_id: str = "") -> Swarm:
    """Build the model from raw API answers (``docker_root`` '' when not local)."""
    anchor = Location(subject=f"{label}/swarm")
    spec = swarm.get("Spec") or {}
    model = Swarm(name=label, anchor=anchor, source_kind="live",
                  cluster_id=str(swarm.get("ID") or ""), local_node_id=local_node_id)
    model.origins = {key: anchor.child(path) for key, path in (
        ("autolock", "Spec.EncryptionConfig.AutoLockManagers"),
        ("node_cert_expiry", "Spec.CAConfig.NodeCertExpiry"),
        ("ca", "TLSInfo.TrustRoot"),
        ("listen_addr", "docker-state.json.ListenAddr"),
    )}
    model.autolock = bool((spec.get("EncryptionConfig") or {}).get("AutoLockManagers"))
    ca_config = spec.get("CAConfig") or {}
    expiry = ca_config.get("NodeCertExpiry")
    if isinstance(expiry, int | float) and expiry > 0:
        model.node_cert_expiry_seconds = int(expiry // 1_000_000_000)
    model.external_ca = bool(ca_config.get("ExternalCAs"))
    model.ca_not_before = certificate_not_before(
        str((swarm.get("TLSInfo") or {}).get("TrustRoot") or ""))
    model.root_rotation_in_progress = bool(swarm.get("RootRotationInProgress"))
    for index, node in enumerate(nodes):
        node_spec = node.get("Spec") or {}
        manager = node.get("ManagerStatus") or {}
        model.nodes.append(SwarmNode(
            id=str(node.get("ID") or ""),
            hostname=str((node.get("Description") or {}).get("Hostname") or ""),
            role=str(node_spec.get("Role") or ""),
            availability=str(node_spec.get("Availability") or ""),
            state=str((node.get("Status") or {}).get("State") or ""),
            origin=Location(subject=f"{label}/node/{node.get('ID', index)}",
                            path="Spec.Availability"),
            manager_addr=str(manager.get("Addr") or ""),
            leader=bool(manager.get("Leader")),
        ))
    users: dict[str, list[str]] = {}
    for service in services:
        svc_spec = service.get("Spec") or {}
        name = str(svc_spec.get("Name") or service.get("ID") or "")
        container = (svc_spec.get("TaskTemplate") or {}).get("ContainerSpec") or {}
        for index, item in enumerate(container.get("Env") or []):
            key, eq, value = str(item).partition("=")
            model.service_env.append(ServiceEnv(
                service=name, name=key, value=value if eq else None,
                origin=Location(subject=f"{label}/{name}",
                                path=f"Spec.TaskTemplate.ContainerSpec.Env[{index}]")))
        for net in (svc_spec.get("TaskTemplate") or {}).get("Networks") or []:
            users.setdefault(str(net.get("Target") or ""), []).append(name)
    for net in networks:
        if str(net.get("Driver") or "") != "overlay":
            continue
        net_id = str(net.get("Id") or net.get("ID") or "")
        name = str(net.get("Name") or net_id)
        model.networks.append(SwarmNetwork(
            name=name, id=net_id,
            origin=Location(subject=f"{label}/network/{name}", path="Options"),
            encrypted="encrypted" in (net.get("Options") or {}),
            ingress=bool(net.get("Ingress")),
            services=sorted(users.get(net_id, []) + users.get(name, [])),
        ))
    if docker_root:
        state = read_docker_state(docker_root)
        if state is not None:
            model.listen_addr = str(state.get("ListenAddr") or "") or None
            model.advertise_addr = str(state.get("AdvertiseAddr") or "") or None
    return model


def read_docker_state(docker_root: str) -> dict[str, Any] | None:
    """``<root>/swarm/docker-state.json``: the addresses ``swarm init/join`` was given."""
    path = os.path.join(docker_root, "swarm", "docker-state.json")
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read(1024 * 1024))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --------------------------------------------------------------------------- certificates


def certificate_not_before(pem: str) -> datetime | None:
    """``notBefore`` of the first certificate in ``pem`` (None when it cannot be read).

    A minimal DER walk (Certificate -> TBSCertificate -> Validity) instead of a crypto
    dependency: only two timestamps are needed.
    """
    found = _PEM.search(pem)
    if found is None:
        return None
    try:
        der = base64.b64decode("".join(found.group(1).split()), validate=True)
        tbs, _ = _tlv(der, 0, expect=0x30)  # Certificate
        tbs_body, _ = _tlv(der, tbs[0], expect=0x30)  # TBSCertificate
        pos = tbs_body[0]
        if der[pos] == 0xA0:  # [0] version
            pos = _tlv(der, pos)[1]
        for _ in range(3):  # serialNumber, signature, issuer
            pos = _tlv(der, pos)[1]
        validity, _ = _tlv(der, pos, expect=0x30)
        start, _ = _tlv(der, validity[0])
        return _asn1_time(der[validity[0]], der[start[0]:start[1]])
    except (ValueError, IndexError, binascii.Error):
        return None


def _tlv(der: bytes, pos: int, expect: int | None = None) -> tuple[tuple[int, int], int]:
    """((content start, content end), next position) of the DER element at ``pos``."""
    tag = der[pos]
    if expect is not None and tag != expect:
        raise ValueError(f"unexpected DER tag {tag:#x}")
    length = der[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4:
            raise ValueError("bad DER length")
        length = int.from_bytes(der[pos:pos + count], "big")
        pos += count
    if pos + length > len(der):
        raise ValueError("truncated DER")
    return (pos, pos + length), pos + length


def _asn1_time(tag: int, raw: bytes) -> datetime:
    text = raw.decode("ascii")
    if tag == 0x17:  # UTCTime: YYMMDDHHMMSSZ
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime
        raise ValueError("not a time")
    return datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
