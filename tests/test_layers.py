"""The layers hold: the project package is configuration, and the app's imports run one way.

Read from the source (every import statement, at module level or inside a
function), so a new import that breaks a layer fails here before it works
by accident at run time.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from celery.beat import Scheduler
from celery.utils.imports import symbol_by_name
from celery.worker.consumer import Consumer
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import import_string

ROOT = Path(__file__).resolve().parent.parent
APPS = ("requests_app", "articles")


def _modules(package: str) -> dict[str, Path]:
    """Every module of `package` by dotted name (migrations left out: they freeze old code on purpose)."""
    modules = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_names(module: str, path: Path) -> list[tuple[str, bool]]:
    """(dotted name, at module level?) for every name `module` imports, relative imports resolved.

    `from a.b import c` gives "a.b.c" (c may be a module or a name in a.b).
    Imports under `if TYPE_CHECKING:` are left out: they never run.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, top) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                found.extend((f"{base}.{alias.name}", top) for alias in child.names)
            # Statements in a function or a class body run later (or once per call): not at import time.
            visit(child, top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))

    visit(ast.parse(path.read_text()), True)
    return found


def _owner(name: str, modules: dict[str, Path]) -> str | None:
    """The first-party module `name` is or is in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def import_graph(*packages: str) -> dict[str, dict[str, bool]]:
    """module -> {imported first-party module: imported at module level?}, every import statement counted."""
    modules: dict[str, Path] = {}
    for package in packages:
        modules.update(_modules(package))
    graph: dict[str, dict[str, bool]] = {module: {} for module in modules}
    for module, path in modules.items():
        for name, top in imported_names(module, path):
            target = _owner(name, modules)
            if target is not None and target != module:
                graph[module][target] = graph[module].get(target, False) or top
    return graph


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


# --- the project package is configuration ---------------------------------------------------------


def test_the_project_package_imports_no_app_module_not_even_inside_a_function():
    offending = [
        f"{module} imports {name}"
        for module, path in _modules("clinic").items()
        for name, _ in imported_names(module, path)
        if name.split(".")[0] in APPS
    ]
    assert offending == []


def test_the_project_package_s_modules_load_without_loading_any_app():
    """Imported without django.setup() (which would import every app), in a fresh interpreter."""
    # The URLconf and WSGI need the app registry; the test above reads their imports instead.
    modules = sorted(name for name in _modules("clinic") if name not in ("clinic.urls", "clinic.wsgi"))
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"print(sorted(n for n in sys.modules if n.split('.')[0] in {APPS!r}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "path",
    [
        *settings.MIDDLEWARE,
        *cast("dict[str, list[str]]", settings.TEMPLATES[0]["OPTIONS"])["context_processors"],
        settings.REST_FRAMEWORK["EXCEPTION_HANDLER"],
        settings.AXES_LOCKOUT_CALLABLE,
        settings.AXES_CLIENT_IP_CALLABLE,
        settings.EMAIL_BACKEND,
        "clinic.urls.handler500",
    ],
)
def test_every_module_the_settings_name_as_a_string_exists(path):
    if path == "clinic.urls.handler500":
        path = import_string(path)
    assert callable(import_string(path))


def test_the_worker_s_consumer_beat_s_scheduler_and_the_admin_site_named_in_settings_exist():
    assert issubclass(symbol_by_name(settings.CELERY_WORKER_CONSUMER), Consumer)
    assert issubclass(symbol_by_name(settings.CELERY_BEAT_SCHEDULER), Scheduler)
    admin_config = apps.get_app_config("admin")
    assert isinstance(admin_config, SimpleAdminConfig)
    site_class = import_string(admin_config.default_site)
    assert isinstance(admin.site, site_class)


# --- the app's imports run one way ------------------------------------------------------------------

# What pages, emails and the API read from: they may import models and each other, never a write service.
READ_SIDE = (
    "requests_app.business_hours",
    "requests_app.context_processors",
    "requests_app.deadlines",
    "requests_app.emails",
    "requests_app.formatting",
    "requests_app.opening_hours",
    "requests_app.selectors",
    "requests_app.templatetags",
)
WRITE_SIDE = ("requests_app.services", "requests_app.tasks")
# How the clinic's hours and times are computed and said: usable from anywhere, models included.
PURE_HELPERS = ("requests_app.opening_hours", "requests_app.business_hours", "requests_app.formatting")


def _in(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def _service_queues_task(module: str, target: str) -> bool:
    return module.startswith("requests_app.services.") and target == "requests_app.tasks"


def test_the_only_import_loops_are_services_queueing_a_task_from_inside_a_function():
    """HackSoft's one allowed loop: a service publishes a task after its commit; the task calls services."""
    graph = import_graph("clinic", "requests_app", "articles")
    at_import_time = [
        module
        for module, targets in graph.items()
        if any(_service_queues_task(module, target) and top for target, top in targets.items())
    ]
    assert at_import_time == [], "a service may import requests_app.tasks only inside the function that queues it"
    without_queueing = {
        module: {target for target in targets if not _service_queues_task(module, target)}
        for module, targets in graph.items()
    }
    assert loops(without_queueing) == []


def test_pages_emails_and_reads_import_no_write_service():
    graph = import_graph("requests_app")
    offending = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _in(module, READ_SIDE)
        for target in targets
        if _in(target, WRITE_SIDE)
    ]
    assert offending == []


def test_models_import_only_models_and_the_pure_helpers_below_them():
    """A callback attempt names itself on the clinic's clock (formatting); nothing that reads or writes models."""
    graph = import_graph("requests_app")
    offending = [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _in(module, ("requests_app.models",))
        for target in targets
        if not _in(target, ("requests_app.models", *PURE_HELPERS))
    ]
    assert offending == []


@pytest.mark.parametrize("module", PURE_HELPERS)
def test_formatting_business_hours_and_opening_hours_need_no_model_even_indirectly(module):
    graph = import_graph("requests_app")
    reached, todo = set(), [module]
    while todo:
        for target in graph[todo.pop()]:
            if target not in reached:
                reached.add(target)
                todo.append(target)
    assert sorted(name for name in reached if _in(name, ("requests_app.models", *WRITE_SIDE))) == []


def test_what_open_means_for_a_callback_is_written_only_beside_the_model():
    """Everyone else asks `callback.is_open`, `Callback.objects.open()` or `callback_list()`."""
    home = ROOT / "requests_app" / "models" / "callbacks.py"
    written_elsewhere = [
        f"{path.relative_to(ROOT)}: {spelling}"
        for package in ("clinic", "requests_app", "articles")
        for path in _modules(package).values()
        if path != home
        for spelling in ("OPEN_CALLBACK_STATUSES", "is_open=True", "is_open=False")
        if spelling in path.read_text()
    ]
    assert written_elsewhere == []
