"""Imports go one way (STYLE.md): lower apps never import higher ones; reads and writes never import
interfaces; interfaces stay thin."""

from __future__ import annotations

import ast
from pathlib import Path

import tandem

PACKAGE = Path(tandem.__file__).resolve().parent
# Lower number = lower layer. Apps in the same layer are siblings and talk through selectors.
LAYERS = {
    "core": 0, "conf": 0,
    "identity": 1,
    "access": 2, "audit": 2,
    "customfields": 3, "notifications": 3,
    "accounts": 4,
    "contacts": 5, "files": 5,
    "search": 6, "transfer": 6, "timeline": 6,
    "scheduling": 7, "collaboration": 7, "meetings": 7, "contracts": 7, "usage": 7,
    "pipeline": 8, "tickets": 8,
    "renewals": 9, "quotas": 9,
    "health": 10,
    "demo": 11, "api": 12, "web": 12, "cli": 12,
}
# identity's models sit below access and audit; its services, selectors and interfaces authorise and audit,
# so they sit above them. conf/urls.py wires every app together.
MODULE_LAYERS = {"identity/models.py": 1, "identity/logic.py": 1, "identity/backends.py": 1,
                 "identity/requests.py": 1,
                 "identity/choices.py": 1, "conf/urls.py": 13}
IDENTITY_SERVICES_LAYER = 2.5
INTERFACE_MODULES = {"views", "api", "forms", "admin_views", "team_views", "merge_views", "views_saved", "urls"}
# core/schedule.py names job paths of higher apps; core/testing builds fixtures from every app.
CORE_EXCEPTIONS = {"core/schedule.py", "core/testing"}
# Apps register resources/sections/merge steps into lower apps' registries: those imports point downwards.


def _modules():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tandem."):
            yield node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tandem."):
                    yield alias.name


def test_every_app_has_a_layer():
    apps = {path.name for path in PACKAGE.iterdir() if path.is_dir() and not path.name.startswith(("_", "locale"))}
    assert apps - {"templates", "static"} <= set(LAYERS), apps - set(LAYERS)


def test_lower_apps_never_import_higher_apps():
    violations = []
    for relative, tree in _modules():
        app = relative.parts[0].removesuffix(".py")
        if any(str(relative).startswith(prefix) for prefix in CORE_EXCEPTIONS):
            continue
        own_layer = MODULE_LAYERS.get(str(relative), IDENTITY_SERVICES_LAYER if app == "identity" else LAYERS.get(app))
        for module in _imports(tree):
            target = module.split(".")[1]
            target_layer = LAYERS.get(target)
            if target == "identity" and module.split(".")[-1] not in ("models", "logic", "choices", "backends",
                                                                       "requests"):
                target_layer = IDENTITY_SERVICES_LAYER
            if target_layer is not None and own_layer is not None and target_layer > own_layer and app not in (
                    "api", "web"):
                if relative.stem in INTERFACE_MODULES and target in ("api",):
                    continue  # interfaces use the API helpers (auth, pagination)
                violations.append(f"{relative} imports {module}")
    assert violations == [], "Lower apps import higher ones (order in STYLE.md):\n" + "\n".join(violations)


def test_models_selectors_services_and_logic_never_import_interfaces():
    violations = []
    for relative, tree in _modules():
        if relative.stem not in {"models", "selectors", "services", "logic", "team", "merge", "queries", "readers",
                                 "importers", "exports"}:
            continue
        for module in _imports(tree):
            parts = module.split(".")
            if parts[1] in ("api", "web") or parts[-1] in INTERFACE_MODULES:
                violations.append(f"{relative} imports {module}")
    assert violations == [], "Reads/writes import an interface:\n" + "\n".join(violations)


def test_pure_logic_modules_do_not_touch_the_database():
    for relative, tree in _modules():
        if relative.stem != "logic":
            continue
        imported = set(_imports(tree)) | {node.module for node in ast.walk(tree)
                                          if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(name and (name.startswith("django.db") or name.endswith(".models")) for name in imported), (
            relative)


def test_interfaces_do_not_query_models_directly():
    offenders = []
    for relative, tree in _modules():
        if relative.parts[0] in ("api", "web") and relative.stem != "views":
            continue  # the API/web plumbing (token lookup, middleware) is not a resource interface
        if not (relative.stem == "api" or "views" in relative.stem):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "Views/API handlers query models directly; use a selector or service:\n" + "\n".join(
        offenders)
