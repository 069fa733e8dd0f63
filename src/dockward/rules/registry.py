"""Rule declaration and discovery.

A rule is a function in its own module under ``dockward.rules``, declared with ``@rule``.
Its docstring is its documentation (fixed headings, checked by a test), and its metadata
travels with every finding.  Modules are discovered automatically; third-party rule packs
register through the ``dockward.rules`` entry-point group.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dockward.config import FixDefaults
from dockward.findings import Confidence, FixSafety, Hit, Severity
from dockward.models.environment import NO_ENVIRONMENT, Environment

_FIX_LINE = re.compile(r"^Automatic fix: (safe|unsafe|none)\.\s+(.+?)(?:\n\s*\n|\Z)",
                       re.MULTILINE | re.DOTALL)

REQUIRED_DOC_HEADINGS = (
    "## What it does",
    "## Why it matters", "## Bad", "## Good", "## Fix", "## References")


@dataclass(frozen=True)
class RuleContext:
    """What a check may consult besides the model.

    ``options``: the rule's options (defaults merged with config).  ``fix``: the values fixes
    use (the config's ``[fix]`` table), so a remedy carries concrete values.  ``env``: the
    daemon's defaults and the image's configured user, when the caller knows them (audit,
    guard); a scan of files has none.
    """

    options: dict[str, Any] = field(default_factory=dict)
    fix: FixDefaults = field(default_factory=FixDefaults)
    env: Environment = NO_ENVIRONMENT

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


CheckFn = Callable[[Any, RuleContext], Iterable[Hit]]


@dataclass(frozen=True)
class Option:
    """A rule option's declaration: its default, and what a configured value may be.

    The type is the default's (a whole number, a number, a string, a boolean, or a list of
    strings); ``minimum``/``maximum`` bound numbers; ``items`` lists the values a list may
    hold (compared after ``normalize``).  Validation is generic (:meth:`problem`), so a
    config typo such as ``capabilities = [1, 2]`` or ``max_retries = -5`` is an error
    instead of a silently weaker policy.
    """

    default: Any
    minimum: float | None = None
    maximum: float | None = None
    items: frozenset[str] | None = None
    normalize: Callable[[str], str] | None = None

    @property
    def kind(self) -> str:
        """How the expected type is called in messages."""
        d = self.default
        if isinstance(d, bool):
            return "true or false"
        if isinstance(d, int):
            return "a whole number"
        if isinstance(d, float):
            return "a number"
        if isinstance(d, str):
            return "a string"
        return "a list of strings"

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not acceptable for this option, or None when it is."""
        d = self.default
        if isinstance(d, bool):
            ok = isinstance(value, bool)
        elif isinstance(d, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(d, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif isinstance(d, str):
            ok = isinstance(value, str)
        else:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not ok:
            return f"must be {self.kind}, not {value!r}"
        if isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum:g}, not {value!r}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum:g}, not {value!r}"
        if isinstance(value, list) and self.items is not None:
            norm = self.normalize or (lambda s: s)
            bad = [v for v in value if norm(v) not in self.items]
            if bad:
                return (f"has unknown value(s) {', '.join(map(repr, bad))} "
                        f"(known: {', '.join(sorted(self.items))})")
        return None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    model: type
    severity: Severity
    check: CheckFn
    summary: str
    doc: str
    refs: tuple[str, ...] = ()
    fix: FixSafety = FixSafety.NONE
    confidence: Confidence = Confidence.HIGH
    options: dict[str, Any] = field(default_factory=dict)  # name -> default value
    module: str = ""
    also: tuple[type, ...] = ()  # further models the same check applies to
    option_specs: dict[str, Option] = field(default_factory=dict)

    @property
    def models(self) -> tuple[type, ...]:
        """Every model this rule checks: ``model`` first, then ``also``."""
        return (self.model, *self.also)

    @property
    def family(self) -> str:
        return self.code[:3]

    @property
    def fix_line(self) -> tuple[str, str]:
        """The doc's ``Automatic fix: <safe|unsafe|none>. <what it does, or why not>``
        paragraph as (safety word, explanation); ("", "") when the doc has none."""
        match = _FIX_LINE.search(self.doc)
        if match is None:
            return "", ""
        return match.group(1), " ".join(match.group(2).split())

    @property
    def fix_note(self) -> str:
        """Why this rule's findings need a human (the explanation of ``Automatic fix:
        none.``); empty for rules that fix."""
        safety, text = self.fix_line
        return text if safety == "none" else ""


_RULES: dict[str, Rule] = {}
_LOADED = False


def rule(
    *,
    code: str,
    name: str,
    model: type | tuple[type, ...],
    severity: Severity,
    refs: tuple[str, ...] = (),
    fix: FixSafety = FixSafety.NONE,
    confidence: Confidence = Confidence.HIGH,
    options: dict[str, Any] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    """Register a check function as a rule; the docstring's first line is its summary.

    ``options`` maps each option to an :class:`Option` (or to a bare default, whose type is
    then the only constraint).

    ``model`` is one model class, or a tuple when one check covers several surfaces
    (``(Build, Workload)``): the first is :attr:`Rule.model`, the rest :attr:`Rule.also`.
    """
    models = model if isinstance(model, tuple) else (model,)
    specs = {key: value if isinstance(value, Option) else Option(value)
             for key, value in (options or {}).items()}

    def decorate(fn: CheckFn) -> CheckFn:
        doc = inspect.cleandoc(fn.__doc__ or "")
        if code in _RULES and _RULES[code].module != fn.__module__:
            raise ValueError(f"rule code {code} declared twice ({fn.__module__})")
        _RULES[code] = Rule(
            code=code,
            name=name,
            model=models[0],
            severity=severity,
            check=fn,
            summary=doc.splitlines()[0] if doc else name,
            doc=doc,
            refs=refs,
            fix=fix,
            confidence=confidence,
            options={key: spec.default for key, spec in specs.items()},
            module=fn.__module__,
            also=models[1:],
            option_specs=specs,
        )
        return fn

    return decorate


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import dockward.rules as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("dw"):
            importlib.import_module(f"{pkg.__name__}.{info.name}")
    from importlib.metadata import entry_points

    for ep in entry_points(group="dockward.rules"):
        ep.load()


def all_rules() -> list[Rule]:
    _load()
    return sorted(_RULES.values(), key=lambda r: r.code)


def rules_for(model: type) -> list[Rule]:
    """The rules that check ``model``, by code; only their modules are imported (through
    the generated index, :mod:`dockward.rules._index`) unless a rule pack is installed."""
    _load_for(model)
    return sorted((r for r in _RULES.values() if model in r.models), key=lambda r: r.code)


def model_key(model: type) -> str:
    """How the index names a model class."""
    return f"{model.__module__}.{model.__qualname__}"


_INDEX_USABLE: bool | None = None


def _load_for(model: type) -> None:
    """Import the rule modules that check ``model``: a scan of one compose file needs the
    workload rules, not the daemon's, the swarm's or the guard's."""
    global _INDEX_USABLE
    if _LOADED:
        return
    if _INDEX_USABLE is None:
        _INDEX_USABLE = _index_usable()
    if not _INDEX_USABLE:
        _load()
        return
    from dockward.rules._index import BY_MODEL

    for name in BY_MODEL.get(model_key(model), ()):
        importlib.import_module(f"dockward.rules.{name}")


def _index_usable() -> bool:
    """Whether the index can stand for all the rules: it lists exactly the rule modules
    present (a test keeps it up to date; this catches a module added without it), and no
    rule pack is installed (a pack may add rules for any model)."""
    import dockward.rules as pkg
    from dockward.rules._index import MODULES
    from dockward.rules.packs import declared_rule_packs

    present = {info.name for info in pkgutil.iter_modules(pkg.__path__)
               if info.name.startswith("dw")}
    return present == set(MODULES) and not declared_rule_packs()


def rule_index() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """Every built-in rule module, and for each model the modules with a rule for it: what
    ``scripts/gen_rule_index.py`` writes to :mod:`dockward.rules._index`."""
    builtin = [r for r in all_rules() if r.module.startswith("dockward.rules.dw")]
    modules = tuple(sorted({r.module.rsplit(".", 1)[1] for r in builtin}))
    by_model: dict[str, set[str]] = {}
    for r in builtin:
        for model in r.models:
            by_model.setdefault(model_key(model), set()).add(r.module.rsplit(".", 1)[1])
    return modules, {key: tuple(sorted(names)) for key, names in sorted(by_model.items())}


def lookup(code_or_name: str) -> Rule | None:
    """Find a rule by code (``DW201``) or kebab name (``runtime-socket-mounted``)."""
    _load()
    key = code_or_name.strip()
    if key.upper() in _RULES:
        return _RULES[key.upper()]
    for r in _RULES.values():
        if r.name == key.lower():
            return r
    return None


# Codes the engine itself reports (not backed by a rule module).
PSEUDO_RULES: dict[str, tuple[str, Severity, str]] = {
    "DW000": ("unreadable-input", Severity.HIGH,
              "A file could not be read or parsed; nothing in it was checked."),
    "DW001": ("unused-suppression", Severity.LOW,
              "An inline ignore comment matches no finding."),
}
