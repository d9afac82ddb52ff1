"""The import arrows point one way: from the features down to organisations and accounts.

Each top-level folder is one capability. A module may import its own capability and
the layers below it, never one above: so no two apps import each other, and a reader
follows any behaviour from URL to SQL without doubling back. `improvewell` is the
project: its kernel (row-level security, HTTP and form helpers, validators, the admin
base) sits at the bottom and imports no app; its settings, URLs, home page and demo
seeding sit at the top and may import everything.

Foreign keys named by string are not imports and may point up: an idea records the
team that triages it (`"teams.Team"`) and the routing rule that chose it
(`"triage.RoutingRule"`), and an audit event the idea or project it is
about (`"ideas.Idea"`, `"projects.Project"`), without either app importing the other.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Bottom to top. A module may import from its own layer and every layer before it.
LAYERS = [
    "kernel",  # improvewell's shared helpers: no app
    "charts",  # run, XmR and SVG charts: pure Python, no Django
    "accounts",
    "organisations",
    "audit",
    "ideas",
    "teams",
    "projects",
    "triage",
    "dashboards",
    "api",  # the REST API: may use every app; nothing imports it
    "webhooks",  # signed event deliveries: hears the apps below through their signals
    "privacy",  # a person's own data (UK GDPR): reads and erases across the apps below
    "project",  # improvewell's settings, URLs, home page and demo seeding
]
RANK = {name: rank for rank, name in enumerate(LAYERS)}

# improvewell modules that wire the apps together (everything else in it is kernel).
COMPOSITION = {
    "improvewell.settings",
    "improvewell.urls",
    "improvewell.views",
    "improvewell.context_processors",
    "improvewell.wsgi",
    "improvewell.asgi",
    "improvewell.management.commands.seed_demo",
}


def layer_of(module: str) -> str | None:
    top = module.split(".")[0]
    if top == "improvewell":
        return "project" if module in COMPOSITION else "kernel"
    return top if top in RANK else None


def modules():
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] not in {*RANK, "improvewell"} or "migrations" in relative.parts:
            continue
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        yield name, path


def imports_of(name: str, path: Path):
    """Every module imported anywhere in the file, functions included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            yield target, node.lineno
            for alias in node.names:  # `from improvewell import views` imports a module
                yield f"{target}.{alias.name}", node.lineno


def upward_imports():
    found = []
    for name, path in modules():
        source = layer_of(name)
        for target, line in imports_of(name, path):
            layer = layer_of(target)
            if layer is None or layer == source:
                continue
            if RANK[layer] > RANK[source]:
                found.append(
                    f"{path.relative_to(ROOT)}:{line} ({source}) imports {target} ({layer})"
                )
    return found


def test_every_capability_is_a_known_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps <= set(RANK) | {"improvewell"}, "add the new app to LAYERS"


def test_imports_point_down_only():
    assert upward_imports() == []


def test_the_chart_package_is_framework_free():
    for name, path in modules():
        if layer_of(name) != "charts":
            continue
        for target, line in imports_of(name, path):
            top = target.split(".")[0]
            assert top not in {"django", *RANK, "improvewell"} - {"charts"}, (
                f"{path.name}:{line} imports {target}"
            )


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("improvewell.rls", "kernel"),
        ("improvewell.urls", "project"),
        ("triage.views", "triage"),
        ("charts.spc", "charts"),
        ("allauth.account", None),
    ],
)
def test_layer_of(module, expected):
    assert layer_of(module) == expected
