"""What hassfest checks of the integration's files, checked here without network.

hassfest (Home Assistant's own validator) is not installable on its own. These
tests repeat the parts of its translations, services, icons and manifest plugins
that apply to this integration, plus the other way round: every key the code
uses has its text and icon. Each check is a function that returns the problems
it finds, and each is also run on a deliberately broken copy, to show it can
fail.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
import yaml

from custom_components.audible_tracker import event
from custom_components.audible_tracker.core.sync import PushRejection

PACKAGE = Path(__file__).parent.parent / "custom_components" / "audible_tracker"

# hassfest refuses URLs in translation strings ("please use description
# placeholders instead"); bare www. addresses turn into links just the same.
URL = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass
class Integration:
    """The integration's files as hassfest reads them, and its code's keys."""

    manifest: dict[str, Any]
    services: dict[str, Any]
    strings: dict[str, Any]
    icons: dict[str, Any]
    sources: dict[str, str]
    # Event types of each event entity, by its translation key.
    event_types: dict[str, list[str]] = field(default_factory=dict)


def load() -> Integration:
    def read_json(name: str) -> Any:
        return json.loads((PACKAGE / name).read_text(encoding="utf-8"))

    return Integration(
        manifest=read_json("manifest.json"),
        services=yaml.safe_load((PACKAGE / "services.yaml").read_text("utf-8")),
        strings=read_json("translations/en.json"),
        icons=read_json("icons.json"),
        sources={
            path.stem: path.read_text(encoding="utf-8")
            for path in sorted(PACKAGE.glob("*.py"))
        },
        event_types={
            str(event.BOOK_EVENT.translation_key): list(
                event.BOOK_EVENT.event_types or []
            )
        },
    )


def _get(tree: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


# ---- keys the code uses ------------------------------------------------------


@dataclass(frozen=True)
class KeyUse:
    """A translation key used in code, and where its text must be."""

    section: tuple[str, ...]
    key: str
    where: str


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a string, e.g. `ISSUE: Final = "x"`."""
    found: dict[str, str] = {}
    for node in tree.body:
        target: ast.expr | None = None
        if isinstance(node, ast.AnnAssign):
            target = node.target
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        value = getattr(node, "value", None)
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            found[target.id] = value.value
    return found


Helper = tuple[int, str, tuple[str, ...]]


def _helper_params(tree: ast.Module, module: str) -> dict[str, Helper]:
    """Functions that pass one of their parameters on as translation_key.

    Each maps to the parameter's position and name, and the section of the
    call it is passed to (an entity description factory: the platform's
    entities; an error builder: the exceptions).
    """
    helpers: dict[str, Helper] = {}
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        params = [arg.arg for arg in func.args.args]
        for call in ast.walk(func):
            if not isinstance(call, ast.Call):
                continue
            for keyword in call.keywords:
                if (
                    keyword.arg == "translation_key"
                    and isinstance(keyword.value, ast.Name)
                    and keyword.value.id in params
                ):
                    index = params.index(keyword.value.id)
                    section = _section(_callee(call), module)
                    helpers[func.name] = (index, keyword.value.id, section)
    return helpers


# Keys the code passes through a value the scanner cannot follow, and the
# values it can take: the push planner's refusals are translation keys.
DYNAMIC_KEYS: Final[dict[tuple[str, str], list[str]]] = {
    ("errors", "str(err.reason)"): [str(reason) for reason in PushRejection],
}


def _values(node: ast.expr, constants: dict[str, str]) -> list[str] | None:
    """The strings an expression can be, or None if it cannot be told."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body = _values(node.body, constants)
        orelse = _values(node.orelse, constants)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    return None


# Platforms whose entities a module may describe: `sensor_series.py` holds
# sensors (a platform module's helpers are named after it).
_PLATFORMS = ("binary_sensor", "calendar", "event", "number", "sensor")


def _platform(module: str) -> str:
    return next(
        (p for p in _PLATFORMS if module == p or module.startswith(f"{p}_")), module
    )


def _section(callee: str, module: str) -> tuple[str, ...]:
    if callee.endswith("Description"):  # entity descriptions and subclasses
        return ("entity", _platform(module))
    if callee == "SelectSelectorConfig":
        return ("selector",)
    if callee == "async_create_issue":
        return ("issues",)
    # ConfigEntryAuthFailed, UpdateFailed, ServiceValidationError, ...
    return ("exceptions",)


def _key_nodes(
    call: ast.Call, module: str, helpers: dict[str, Helper]
) -> list[tuple[ast.expr, tuple[str, ...]]]:
    """The expressions a call passes as a translation key, with their section."""
    callee = _callee(call)
    nodes = [
        (keyword.value, _section(callee, module))
        for keyword in call.keywords
        if keyword.arg == "translation_key"
    ]
    if callee in helpers:
        index, name, section = helpers[callee]
        arg = next(
            (k.value for k in call.keywords if k.arg == name),
            call.args[index] if index < len(call.args) else None,
        )
        if arg is not None:
            nodes.append((arg, section))
    return nodes


def _enclosing_functions(
    tree: ast.Module,
) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The innermost function around each call, by the call's id."""
    around: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            # ast.walk goes outside in: inner functions overwrite outer ones.
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    around[id(node)] = func
    return around


def _locals(
    func: ast.FunctionDef | ast.AsyncFunctionDef, constants: dict[str, str]
) -> dict[str, list[str]]:
    """Local names bound to a readable key, e.g. `key = a if c else b`."""
    found: dict[str, list[str]] = {}
    for node in ast.walk(func):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and (values := _values(node.value, constants)) is not None
        ):
            found[node.targets[0].id] = values
    return found


def used_keys(sources: dict[str, str]) -> tuple[list[KeyUse], list[str]]:
    """Every translation key the code passes, and what could not be read."""
    uses: list[KeyUse] = []
    unreadable: list[str] = []
    trees = {module: ast.parse(source) for module, source in sources.items()}
    # Names imported from const.py and the like: every module's constants;
    # helpers (error builders, description factories) are called across modules.
    shared = {k: v for tree in trees.values() for k, v in _constants(tree).items()}
    helpers = {
        name: helper
        for module, tree in trees.items()
        for name, helper in _helper_params(tree, module).items()
    }
    for module, tree in trees.items():
        constants = shared | _constants(tree)
        around = _enclosing_functions(tree)
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for call in calls:
            where = f"{module}.py:{call.lineno}"
            func = around.get(id(call))
            local = _locals(func, constants) if func is not None else {}
            for node, section in _key_nodes(call, module, helpers):
                if (
                    func is not None
                    and func.name in helpers
                    and isinstance(node, ast.Name)
                    and node.id == helpers[func.name][1]
                ):
                    continue  # a helper's own parameter: its callers count
                values = (
                    _values(node, constants)
                    or (local.get(node.id) if isinstance(node, ast.Name) else None)
                    or DYNAMIC_KEYS.get((module, ast.unparse(node)))
                )
                if values is None:
                    unreadable.append(f"{where}: {ast.unparse(node)}")
                    continue
                uses.extend(KeyUse(section, value, where) for value in values)
    return uses, unreadable


# ---- the checks --------------------------------------------------------------


def check_used_keys_have_text(itg: Integration) -> list[str]:
    """Every key used in code has its text in en.json (and no key is left over)."""
    uses, unreadable = used_keys(itg.sources)
    problems = [f"cannot tell the translation key at {u}" for u in unreadable]
    for use in uses:
        entry = _get(itg.strings, *use.section, use.key)
        if use.section[0] == "entity":
            ok = isinstance(_get(entry, "name"), str)
        elif use.section[0] == "exceptions":
            ok = isinstance(_get(entry, "message"), str)
        elif use.section[0] == "issues":
            ok = isinstance(_get(entry, "title"), str)
        else:
            ok = isinstance(_get(entry, "options"), dict)
        if not ok:
            problems.append(f"{use.where}: {'.'.join(use.section)}.{use.key}")
    for key, types in itg.event_types.items():
        states = _get(itg.strings, "entity", "event", key, "state_attributes")
        problems.extend(
            f"event type {key}.{event_type} has no text"
            for event_type in types
            if not isinstance(_get(states, "event_type", "state", event_type), str)
        )
    # Strings no code raises are dead text (hassfest does not see this).
    raised = {u.key for u in uses if u.section == ("exceptions",)}
    problems.extend(
        f"exceptions.{key} is never raised"
        for key in itg.strings.get("exceptions", {})
        if key not in raised
    )
    return problems


def check_entity_icons(itg: Integration) -> list[str]:
    """Every entity has an icon (each event type too); no icon without entity."""
    uses, _ = used_keys(itg.sources)
    entities = {(u.section[1], u.key) for u in uses if u.section[0] == "entity"}
    problems = [
        f"entity.{platform}.{key} has no default icon"
        for platform, key in sorted(entities)
        if not isinstance(_get(itg.icons, "entity", platform, key, "default"), str)
    ]
    for key, types in itg.event_types.items():
        states = _get(itg.icons, "entity", "event", key, "state") or {}
        problems.extend(
            f"event type {key}.{event_type} has no icon"
            for event_type in types
            if not isinstance(states.get(event_type), str)
        )
    for platform, keys in itg.icons.get("entity", {}).items():
        problems.extend(
            f"icon for unknown entity {platform}.{key}"
            for key in keys
            if (platform, key) not in entities
        )
    return problems


def check_services(itg: Integration) -> list[str]:
    """hassfest's services plugin: name, description, field texts and icon."""
    problems: list[str] = []
    texts = itg.strings.get("services", {})
    icons = itg.icons.get("services", {})
    for service, spec in itg.services.items():
        text = texts.get(service, {})
        problems.extend(
            f"service {service} has no {attr}"
            for attr in ("name", "description")
            if not _get(text, attr)
        )
        if not isinstance(_get(icons, service, "service"), str):
            problems.append(f"service {service} has no icon")
        problems.extend(
            f"field {service}.{name} has no {attr}"
            for name in (spec or {}).get("fields", {})
            for attr in ("name", "description")
            if not _get(text, "fields", name, attr)
        )
        problems.extend(
            f"text for unknown field {service}.{name}"
            for name in _get(text, "fields") or {}
            if name not in (spec or {}).get("fields", {})
        )
    problems.extend(
        f"text for unknown service {s}" for s in texts if s not in itg.services
    )
    problems.extend(
        f"icon for unknown service {s}" for s in icons if s not in itg.services
    )
    return problems


def _strings(tree: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _strings(value, f"{path}.{key}" if path else key)
    elif isinstance(tree, str):
        yield path, tree


def check_no_urls(itg: Integration) -> list[str]:
    """hassfest's translations plugin: URLs go in description placeholders."""
    return [
        f"{path}: {text}" for path, text in _strings(itg.strings) if URL.search(text)
    ]


def check_manifest_order(itg: Integration) -> list[str]:
    """hassfest's manifest plugin: domain, name, then the rest alphabetically."""
    keys = list(itg.manifest)
    rest = sorted(k for k in keys if k not in ("domain", "name"))
    wanted = ["domain", "name", *rest]
    return [] if keys == wanted else [f"manifest keys {keys}, want {wanted}"]


CHECKS: dict[str, Callable[[Integration], list[str]]] = {
    "used keys have text": check_used_keys_have_text,
    "entity icons": check_entity_icons,
    "services": check_services,
    "no urls": check_no_urls,
    "manifest order": check_manifest_order,
}


@pytest.mark.parametrize("name", CHECKS)
def test_integration_passes(name: str) -> None:
    assert CHECKS[name](load()) == []


def test_keys_are_found_in_code() -> None:
    """The scan sees the keys, so an empty problem list means something."""
    uses, unreadable = used_keys(load().sources)
    found = {(".".join(u.section), u.key) for u in uses}
    assert unreadable == []
    assert {
        ("entity.sensor", "currently_reading"),
        ("entity.event", "book"),
        ("exceptions", "audible_auth_failed"),
        ("exceptions", "all_sources_unavailable"),  # one side of an if
        ("exceptions", "unknown_asin"),  # through the invalid_call() helper
        ("issues", "match_conflict"),  # through a module constant
        ("selector", "sync_mode"),
    } <= found


# ---- each check fails on a broken copy ---------------------------------------


def _del(tree: dict[str, Any], *path: str) -> None:
    for key in path[:-1]:
        tree = tree[key]
    del tree[path[-1]]


def _set(tree: dict[str, Any], value: Any, *path: str) -> None:
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def _add_code(module: str, code: str) -> Callable[[Integration], None]:
    def change(itg: Integration) -> None:
        itg.sources[module] += f"\n{code}\n"

    return change


BREAKAGES: list[tuple[str, str, Callable[[Integration], None], str]] = [
    (
        "services",
        "service without name",
        lambda i: _del(i.strings, "services", "link", "name"),
        "service link has no name",
    ),
    (
        "services",
        "field without description",
        lambda i: _del(i.strings, "services", "link", "fields", "asin", "description"),
        "field link.asin has no description",
    ),
    (
        "services",
        "new field without text",
        lambda i: _set(
            i.services, {"selector": {"text": None}}, "sync_now", "fields", "x"
        ),
        "field sync_now.x has no name",
    ),
    (
        "services",
        "service without icon",
        lambda i: _del(i.icons, "services", "unlink"),
        "service unlink has no icon",
    ),
    (
        "services",
        "text of a removed service",
        lambda i: _del(i.services, "get_conflicts"),
        "text for unknown service get_conflicts",
    ),
    (
        "used keys have text",
        "sensor without name",
        lambda i: _del(i.strings, "entity", "sensor", "progress"),
        "entity.sensor.progress",
    ),
    (
        "used keys have text",
        "raised exception without message",
        lambda i: _del(i.strings, "exceptions", "push_failed"),
        "exceptions.push_failed",
    ),
    (
        "used keys have text",
        "exception through the helper",
        lambda i: _del(i.strings, "exceptions", "unknown_asin"),
        "exceptions.unknown_asin",
    ),
    (
        "used keys have text",
        "new exception in code",
        _add_code(
            "coordinator",
            'raise UpdateFailed(translation_domain=DOMAIN, translation_key="nope")',
        ),
        "exceptions.nope",
    ),
    (
        "used keys have text",
        "unreadable key",
        _add_code("coordinator", "raise UpdateFailed(translation_key=make_key())"),
        "cannot tell the translation key",
    ),
    (
        "used keys have text",
        "exception text nothing raises",
        lambda i: _set(i.strings, {"message": "Gone."}, "exceptions", "stale"),
        "exceptions.stale is never raised",
    ),
    (
        "used keys have text",
        "issue without title",
        lambda i: _del(i.strings, "issues", "match_conflict", "title"),
        "issues.match_conflict",
    ),
    (
        "used keys have text",
        "selector without options",
        lambda i: _del(i.strings, "selector", "marketplace"),
        "selector.marketplace",
    ),
    (
        "used keys have text",
        "event type without text",
        lambda i: i.event_types["book"].append("abandoned"),
        "event type book.abandoned has no text",
    ),
    (
        "entity icons",
        "sensor without icon",
        lambda i: _del(i.icons, "entity", "sensor", "library_size"),
        "entity.sensor.library_size has no default icon",
    ),
    (
        "entity icons",
        "event type without icon",
        lambda i: _del(i.icons, "entity", "event", "book", "state", "finished"),
        "event type book.finished has no icon",
    ),
    (
        "entity icons",
        "icon of a removed entity",
        lambda i: _set(i.icons, {"default": "mdi:x"}, "entity", "sensor", "old"),
        "icon for unknown entity sensor.old",
    ),
    (
        "no urls",
        "https URL in a help text",
        lambda i: _set(
            i.strings,
            "Starts with https://www.amazon.",
            "config",
            "step",
            "audible_login",
            "data_description",
            "response_url",
        ),
        "config.step.audible_login.data_description.response_url",
    ),
    (
        "no urls",
        "http URL in an exception",
        lambda i: _set(i.strings, {"message": "See http://x"}, "exceptions", "u"),
        "exceptions.u.message",
    ),
    (
        "no urls",
        "bare www address",
        lambda i: _set(
            i.strings, "Go to www.audible.com", "options", "step", "init", "description"
        ),
        "options.step.init.description",
    ),
    (
        "manifest order",
        "keys out of order",
        lambda i: setattr(i, "manifest", {"name": "x", "domain": "y", **i.manifest}),
        "manifest keys",
    ),
    (
        "manifest order",
        "rest not alphabetical",
        lambda i: setattr(
            i,
            "manifest",
            {"domain": "d", "name": "n", "version": "1", "codeowners": []},
        ),
        "manifest keys",
    ),
]


@pytest.mark.parametrize(
    ("check", "change", "expected"),
    [(check, change, expected) for check, _, change, expected in BREAKAGES],
    ids=[name for _, name, _, _ in BREAKAGES],
)
def test_check_fails_on_broken_copy(
    check: str, change: Callable[[Integration], None], expected: str
) -> None:
    itg = copy.deepcopy(load())
    change(itg)
    problems = CHECKS[check](itg)
    assert any(expected in problem for problem in problems), problems
