"""The compose editor: writes remedies into a compose file at the place the reader recorded.

A setting that is written somewhere is changed where it is written: in the override that set
it, in the file an ``extends`` pulled it from, or in the anchor a ``<<: *defaults`` merged it
from (fixing the anchor fixes every service that shares it).  A missing setting is added to
the service, with the file's own indentation and list style; resource limits go under
``deploy.resources.limits`` when the service or the file already writes them there.

DW201's remedy for a service that mounts the Docker socket puts a ``dockward guard proxy``
service in front of the socket and points the service's Docker client at it.
"""

from __future__ import annotations

from typing import Any

from dockward.findings import Change, Remedy
from dockward.fixers.base import SourceText, Unfixable, target_of
from dockward.fixers.edits import Edit
from dockward.fixers.specs import (
    port_with_host_ip,
    volume_read_only,
    volume_without_propagation,
)
from dockward.fixers.yaml_text import Entry, YamlText, YNode
from dockward.kinds import (
    COMPOSE_DEPLOY_LIMITS,
    COMPOSE_KEYS,
    COMPOSE_LISTS,
    GUARD_PROXY_PORT,
    GUARD_PROXY_SERVICE,
    cpus_text,
    docker_size,
    format_value,
)
from dockward.models.location import Location
from dockward.models.workload import normalize_capability

_SCALAR_KEYS = COMPOSE_KEYS
_DEPLOY_LIMITS = COMPOSE_DEPLOY_LIMITS
_LIST_KEYS = COMPOSE_LISTS

PROXY_SERVICE = GUARD_PROXY_SERVICE
PROXY_IMAGE = "dockward:latest"
PROXY_PORT = GUARD_PROXY_PORT


class ComposeEditor:
    """Edits one compose file (a base, an override, or a file named by ``extends``)."""

    settings = frozenset({
        *_SCALAR_KEYS, *_LIST_KEYS, "no_new_privileges", "mount_read_only",
        "mount_propagation", "port_host_ip", "env", "socket_proxy", "build_arg",
        "build_secret"})

    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.y = YamlText(source.text)
        self.services: dict[int, YNode] = {}  # id(mapping) -> the file's services mapping
        self.roots: list[YNode] = []
        for root in self.y.documents():
            top = root.deref()
            if top.kind != "map":
                continue
            self.roots.append(top)
            services = top.value_of("services")
            if services is not None and services.kind == "map":
                self.services[id(services)] = services

    # -- entry point -----------------------------------------------------------------------

    def edits(self, part: Remedy, anchor: Location) -> list[Edit]:
        if self.y.broken:
            raise Unfixable(f"{self.source.display} is not valid YAML at line "
                            f"{self.y.broken[0]}")
        target = target_of(part, anchor)
        setting = part.setting
        if setting in _SCALAR_KEYS:
            if part.change is Change.REMOVE:
                return [self._remove_entry(target, _SCALAR_KEYS[setting])]
            return self._set_scalar(target, setting, part.value)
        handler = getattr(self, f"_{setting}", None)
        if handler is not None:
            result: list[Edit] = handler(part, target)
            return result
        if setting in _LIST_KEYS:
            if part.change is Change.REMOVE:
                return self._remove_list_item(target, part)
            return self._add_list_item(target, _LIST_KEYS[setting], part.value)
        raise Unfixable(f"the compose editor cannot write {setting}")

    # -- lookups ---------------------------------------------------------------------------

    def _entry(self, target: Location) -> Entry | None:
        return self.y.entry_at(target.line, target.column)

    def _service(self, target: Location) -> YNode:
        """The service mapping whose key is at ``target`` (a finding's anchor)."""
        entry = self._entry(target)
        if entry is None or id(entry.mapping) not in self.services:
            raise Unfixable(f"no service at {target.describe()}")
        service = entry.value.deref()
        if service.kind != "map":
            raise Unfixable(f"service {entry.key.value!r} is not a mapping")
        return service

    def _service_name(self, target: Location) -> str:
        entry = self._entry(target)
        return entry.key.value if entry is not None else ""

    def _item(self, target: Location) -> YNode:
        item = self.y.item_at(target.line, target.column)
        if item is None:
            raise Unfixable(f"no list item at {target.describe()}")
        return item

    def _no_variable(self, node: YNode, what: str) -> None:
        if node.kind == "scalar" and "$" in node.value.replace("$$", ""):
            raise Unfixable(f"{what} comes from a variable ({node.value}): change it where "
                            "the variable is set")

    # -- scalar settings -------------------------------------------------------------------

    def _remove_entry(self, target: Location, keys: tuple[str, ...]) -> Edit:
        entry = self._entry(target)
        if entry is None or entry.key.value not in keys:
            raise Unfixable(f"no {keys[0]} at {target.describe()}")
        return self._remove_pair(entry)

    def _remove_pair(self, entry: Entry) -> Edit:
        """Remove an entry; an entry that is its mapping's last one takes the mapping's own
        entry with it (``bind: {propagation: shared}`` goes whole)."""
        mapping = entry.mapping
        if self.y.remaining(mapping) == 1 and id(mapping) not in self.services:
            owner = self.y.owner_entry(mapping)
            if owner is not None and id(owner.mapping) not in self.services:
                return self._remove_pair(owner)
        return self.y.remove_pair(mapping, entry.key)

    def _set_scalar(self, target: Location, setting: str, value: Any) -> list[Edit]:
        keys = _SCALAR_KEYS[setting]
        entry = self._entry(target)
        if entry is not None and id(entry.mapping) not in self.services:
            if setting == "restart" and entry.key.value in ("condition", "restart_policy"):
                return self._deploy_restart(entry, value)
            if entry.key.value in keys or entry.key.value == _DEPLOY_LIMITS.get(setting):
                node = entry.value
                self._no_variable(node, entry.key.value)
                if node.kind != "scalar":
                    raise Unfixable(f"{entry.key.value} is not a single value")
                deploy = entry.key.value == _DEPLOY_LIMITS.get(setting) \
                    and entry.key.value not in keys[:1]
                return [self.y.replace_scalar(node, _compose_value(setting, value, deploy))]
        service = self._service(target)
        if setting in _DEPLOY_LIMITS:
            return [self._resource_limit(service, setting, value)]
        existing = service.get(keys[0])
        if existing is not None:
            self._no_variable(existing[1], keys[0])
            return [self.y.replace_scalar(existing[1], _compose_value(setting, value))]
        return [self.y.insert_pair(service, keys[0], _compose_value(setting, value))]

    def _deploy_restart(self, entry: Entry, value: Any) -> list[Edit]:
        """``deploy.restart_policy``: condition on-failure with max_attempts."""
        _, retries = value
        if entry.key.value == "condition":
            policy = entry.mapping
            edits = [self.y.replace_scalar(entry.value, "on-failure")]
        else:
            policy = entry.value.deref()
            if policy.kind != "map":
                raise Unfixable("deploy.restart_policy is not a mapping")
            edits = [self.y.insert_pair(policy, "condition", "on-failure")]
        attempts = policy.get("max_attempts")
        if attempts is not None:
            edits.append(self.y.replace_scalar(attempts[1], retries))
        else:
            edits.append(self.y.insert_pair(policy, "max_attempts", retries))
        return edits

    def _resource_limit(self, service: YNode, setting: str, value: Any) -> Edit:
        """A limit where this file keeps them: ``deploy.resources.limits`` when the service
        or another service of the file uses it, else the service-level key."""
        key = _DEPLOY_LIMITS[setting]
        text = _compose_value(setting, value, deploy=True)
        deploy = service.value_of("deploy")
        resources = deploy.value_of("resources") if deploy is not None and \
            deploy.kind == "map" else None
        limits = resources.value_of("limits") if resources is not None and \
            resources.kind == "map" else None
        if limits is not None and limits.kind == "map":
            return self.y.insert_pair(limits, key, text)
        if resources is not None and resources.kind == "map" and resources.pairs:
            return self.y.insert_pair(resources, "limits", {key: text},
                                      claim=f"{resources.start}:limits")
        if self._file_uses_deploy_limits():
            if deploy is not None and deploy.kind == "map" and deploy.pairs:
                return self.y.insert_pair(deploy, "resources", {"limits": {key: text}},
                                          claim=f"{deploy.start}:resources")
            if deploy is None:
                return self.y.insert_pair(service, "deploy",
                                          {"resources": {"limits": {key: text}}},
                                          claim=f"{service.start}:deploy")
        plain = _SCALAR_KEYS[setting][0]
        return self.y.insert_pair(service, plain, _compose_value(setting, value))

    def _file_uses_deploy_limits(self) -> bool:
        for services in self.services.values():
            for _, service in services.pairs:
                node = service.deref()
                deploy = node.value_of("deploy") if node.kind == "map" else None
                resources = deploy.value_of("resources") if deploy is not None and \
                    deploy.kind == "map" else None
                if resources is not None and resources.kind == "map" and \
                        resources.value_of("limits") is not None:
                    return True
        return False

    # -- lists -----------------------------------------------------------------------------

    def _remove_list_item(self, target: Location, part: Remedy) -> list[Edit]:
        item = self._item(target)
        if part.setting in ("cap_add", "cap_drop") and part.value is not None and \
                normalize_capability(item.value) != normalize_capability(str(part.value)):
            raise Unfixable(f"the list item at {target.describe()} is {item.value!r}")
        return [self._drop_item(item)]

    def _drop_item(self, item: YNode) -> Edit:
        """Remove a list item; the list's key goes too when it was the only item."""
        sequence = item.parent
        if sequence is None or sequence.kind != "seq":
            raise Unfixable("the item is not in a list")
        if self.y.remaining(sequence) == 1:
            owner = self.y.owner_entry(sequence)
            if owner is not None:
                return self._remove_pair(owner)
        return self.y.remove_item(sequence, item)

    def _add_list_item(self, target: Location, key: str, value: Any) -> list[Edit]:
        service = self._service(target)
        existing = service.value_of(key)
        text = str(value)
        if existing is None or existing.is_null:
            found = service.get(key)
            if found is not None:
                return [self.y.set_empty_value(Entry(service, *found), [text])]
            return [self.y.insert_pair(service, key, [text])]
        if existing.kind == "seq":
            if any(i.deref().kind == "scalar" and i.deref().value == text
                   for i in existing.items):
                return []
            return [self.y.append_item(existing, text, claim=f"{existing.start}:+{text}")]
        if existing.kind == "scalar":
            self._no_variable(existing, key)
            if existing.value == text:
                return []
            return [Edit(existing.start, existing.end, self.y.flow([existing.value, text]))]
        raise Unfixable(f"{key} is not a list")

    def _no_new_privileges(self, part: Remedy, target: Location) -> list[Edit]:
        item = self.y.item_at(target.line, target.column)
        if item is not None and item.kind == "scalar":
            text = item.value
            cut = min((i for i in (text.find("="), text.find(":")) if i >= 0), default=-1)
            if cut < 0:
                raise Unfixable(f"cannot read the option {text!r}")
            return [self.y.replace_scalar(item, text[:cut + 1] + "true")]
        return self._add_list_item(target, "security_opt", "no-new-privileges:true")

    # -- mounts and ports ------------------------------------------------------------------

    def _mount_read_only(self, part: Remedy, target: Location) -> list[Edit]:
        item = self._item(target)
        if item.kind == "scalar":
            self._no_variable(item, "the mount")
            return [self.y.replace_scalar(item, volume_read_only(item.value))]
        if item.kind == "map":
            found = item.get("read_only")
            if found is not None:
                return [self.y.replace_scalar(found[1], True)]
            return [self.y.insert_pair(item, "read_only", True)]
        raise Unfixable("the mount is neither a string nor a mapping")

    def _mount_propagation(self, part: Remedy, target: Location) -> list[Edit]:
        item = self._item(target)
        if item.kind == "scalar":
            return [self.y.replace_scalar(item, volume_without_propagation(item.value))]
        bind = item.value_of("bind") if item.kind == "map" else None
        found = bind.get("propagation") if bind is not None and bind.kind == "map" else None
        if bind is None or found is None:
            raise Unfixable("no bind.propagation on this mount")
        return [self._remove_pair(Entry(bind, *found))]

    def _port_host_ip(self, part: Remedy, target: Location) -> list[Edit]:
        item = self._item(target)
        address = str(part.value)
        if item.kind == "scalar":
            self._no_variable(item, "the port")
            return [self.y.replace_scalar(item, port_with_host_ip(item.value, address))]
        if item.kind == "map":
            found = item.get("host_ip")
            if found is not None:
                return [self.y.replace_scalar(found[1], address)]
            return [self.y.insert_pair(item, "host_ip", address)]
        raise Unfixable("the port is neither a string nor a mapping")

    # -- environment and the socket proxy --------------------------------------------------

    def _env(self, part: Remedy, target: Location) -> list[Edit]:
        service = self._service(target)
        name, _, value = str(part.value).partition("=")
        existing = service.value_of("environment")
        if existing is None or existing.is_null:
            return [self.y.insert_pair(service, "environment", {name: value})]
        if existing.kind == "map":
            if name in existing.key_names():
                raise Unfixable(f"{name} is already set in the environment")
            return [self.y.insert_pair(existing, name, value)]
        if existing.kind == "seq":
            if any(i.kind == "scalar" and i.value.split("=", 1)[0] == name
                   for i in existing.items):
                raise Unfixable(f"{name} is already set in the environment")
            return [self.y.append_item(existing, f"{name}={value}")]
        raise Unfixable("environment is neither a list nor a mapping")

    def _socket_proxy(self, part: Remedy, target: Location) -> list[Edit]:
        """A ``dockward guard proxy`` service in front of the socket, once per file, and the
        client service started after it."""
        service = self._service(target)
        services = service.parent
        if services is None or id(services) not in self.services:
            raise Unfixable("the service is not defined in this file's services")
        network_mode = service.value_of("network_mode")
        if network_mode is not None and network_mode.kind == "scalar" and \
                not network_mode.value.startswith("service:"):
            raise Unfixable(f"the service uses network_mode {network_mode.value}: it cannot "
                            f"reach a proxy service by name")
        edits: list[Edit] = []
        if PROXY_SERVICE not in services.key_names():
            edits.append(self._proxy_service(services, str(part.value or
                                                           "/var/run/docker.sock"), service))
        edits.extend(self._depends_on(service))
        return edits

    def _proxy_service(self, services: YNode, socket: str, client: YNode) -> Edit:
        if services.flow or not services.pairs:
            raise Unfixable("the services mapping is written in flow style")
        indent = self.y.column(services.pairs[0][0])
        pad, inner = " " * indent, " " * (indent + self.y.step)
        dash = " " * (indent + self.y.step + self.y.seq_indent)
        listen = f"tcp://0.0.0.0:{PROXY_PORT}"
        lines = [
            f"{pad}{PROXY_SERVICE}:",
            f"{inner}# The Docker API for the services that mounted its socket, filtered by "
            "dockward's guard (read-only).",
            f"{inner}# Build the image from dockward's Dockerfile: docker build -t "
            f"{PROXY_IMAGE} <dockward checkout>",
            f"{inner}image: {PROXY_IMAGE}",
            f'{inner}command: [guard, proxy, --listen, "{listen}", --upstream, '
            f'"unix:{socket}", --profile, read-only]',
            f'{inner}user: "0:0"  # dockward: ignore[DW113] the socket is root\'s; no '
            "capabilities are kept",
            f"{inner}volumes:",
            f"{dash}# dockward: ignore[DW201] the guard proxy is the one service that "
            "talks to the socket",
            f"{dash}- {socket}:{socket}",
            f"{inner}cap_drop: [ALL]",
            f"{inner}security_opt: [no-new-privileges:true]",
            f"{inner}read_only: true",
            f"{inner}mem_limit: 64m",
            f"{inner}cpus: 0.5",
            f"{inner}pids_limit: 100",
            f"{inner}restart: on-failure:5",
        ]
        if self._services_spaced(services):
            lines.insert(0, "")
        networks = client.value_of("networks")
        if networks is not None and networks.kind in ("map", "seq"):
            names = networks.key_names() if networks.kind == "map" else [
                i.value for i in networks.items if i.kind == "scalar"]
            if names:
                lines.append(f"{inner}networks: [{names[0]}]")
        return self.y.insert_lines(self.y.last_line(services), lines,
                                   claim=f"{services.start}:{PROXY_SERVICE}")

    def _services_spaced(self, services: YNode) -> bool:
        """True when the file puts a blank line between its services."""
        keys = [k for k, _ in services.pairs]
        return len(keys) > 1 and not self.y.index.line_text(self.y.line(keys[1]) - 1).strip()

    def _depends_on(self, service: YNode) -> list[Edit]:
        existing = service.value_of("depends_on")
        if existing is None:
            return [self.y.insert_pair(service, "depends_on", [PROXY_SERVICE])]
        if existing.kind == "seq":
            if any(i.value == PROXY_SERVICE for i in existing.items):
                return []
            return [self.y.append_item(existing, PROXY_SERVICE)]
        if existing.kind == "map":
            if PROXY_SERVICE in existing.key_names():
                return []
            return [self.y.insert_pair(existing, PROXY_SERVICE,
                                       {"condition": "service_started"})]
        raise Unfixable("depends_on is neither a list nor a mapping")

    # -- build args to build secrets -------------------------------------------------------

    def _build_arg(self, part: Remedy, target: Location) -> list[Edit]:
        entry = self._entry(target)
        if entry is not None and entry.key.value == part.value:
            return [self._remove_pair(entry)]
        item = self.y.item_at(target.line, target.column)
        if item is not None and item.kind == "scalar" and \
                item.value.split("=", 1)[0].strip() == part.value:
            return [self._drop_item(item)]
        raise Unfixable(f"no build arg {part.value} at {target.describe()}")

    def _build_secret(self, part: Remedy, target: Location) -> list[Edit]:
        """``build.secrets: [id]`` and the top-level ``secrets: {id: {environment: VAR}}``."""
        ident, variable = part.value
        entry = self._entry(target)
        if entry is None or entry.key.value != "build":
            raise Unfixable(f"no build section at {target.describe()}")
        build = entry.value.deref()
        edits: list[Edit] = []
        if build.kind == "scalar":
            self._no_variable(build, "build")
            edits.append(Edit(build.start, build.end, self.y.flow(
                {"context": build.value, "secrets": [ident]})))
        elif build.kind == "map":
            secrets = build.value_of("secrets")
            if secrets is None:
                edits.append(self.y.insert_pair(build, "secrets", [ident]))
            elif secrets.kind == "seq":
                if not any(i.kind == "scalar" and i.value == ident for i in secrets.items):
                    edits.append(self.y.append_item(secrets, ident))
            else:
                raise Unfixable("build.secrets is not a list")
        else:
            raise Unfixable("build is neither a path nor a mapping")
        edits.extend(self._top_level_secret(ident, variable))
        return edits

    def _top_level_secret(self, ident: str, variable: str) -> list[Edit]:
        root = self.roots[0] if self.roots else None
        if root is None or root.flow or not root.pairs:
            raise Unfixable("the file's top level is not a block mapping")
        secrets = root.value_of("secrets")
        definition = {"environment": variable}
        if secrets is None:
            return [self.y.insert_pair(root, "secrets", {ident: definition},
                                       claim=f"{root.start}:secrets")]
        if secrets.kind != "map":
            raise Unfixable("the top-level secrets are not a mapping")
        if ident in secrets.key_names():
            return []
        return [self.y.insert_pair(secrets, ident, definition)]


def _compose_value(setting: str, value: Any, deploy: bool = False) -> Any:
    """A remedy value as compose writes it (``512m``; ``cpus: 1`` but ``cpus: "1"`` under
    deploy, where compose documents a string)."""
    if setting == "memory" and isinstance(value, int):
        return docker_size(value)
    if setting == "cpus" and isinstance(value, int | float):
        text = cpus_text(float(value))
        if deploy:
            return text
        return int(value) if float(value).is_integer() else float(value)
    if setting == "restart":
        return format_value(setting, value, "compose")
    return value
