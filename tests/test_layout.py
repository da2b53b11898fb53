"""The package's layout: no import circles, and domain packages never import the views.

Read from the source with `ast`, so a circle is caught even where Python would tolerate it
(an import inside a function). Imports under `if TYPE_CHECKING:` are for annotations only
and are not followed.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT

PACKAGE = REPO_ROOT / "campaign"
# Packages of views, one per audience; everything else is the frame or a domain package.
AUDIENCES = ("campaign.public", "campaign.organizer", "campaign.api")
# The app factory and the commands put the parts together, so they may import any of them.
ASSEMBLERS = ("campaign", "campaign.cli")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST):
    """Every import statement, at any depth, except those for type checking only."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from (n for child in node.orelse for n in _import_nodes_of(child))
            continue
        yield from _import_nodes_of(node)


def _import_nodes_of(node: ast.AST):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _import_nodes(node)


def imports_of(name: str) -> set[str]:
    """The modules of campaign/ that this module imports (a package stands for its __init__)."""
    path = MODULES[name]
    found = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from pkg import mod` imports the module; `from mod import name` the module itself.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        found.update(t for t in targets if t in MODULES and t != name)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def _circles() -> list[list[str]]:
    """Each import circle once, as the list of modules along it (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
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
                components.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return components


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_no_module_of_the_package_is_missed():
    assert {"campaign", "campaign.signing.submission", "campaign.public.pages",
            "campaign.organizer.blueprint"} <= set(MODULES)
    assert GRAPH["campaign.public.embed"] >= {"campaign.signing.submission", "campaign.public.forms"}


def test_no_import_circles():
    assert _circles() == []


@pytest.mark.parametrize("audience", AUDIENCES)
def test_domain_packages_never_import_the_views(audience):
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        if not any(_within(name, package) for package in AUDIENCES)
        and name not in ASSEMBLERS and not _within(name, "campaign.cli")
        for target in targets if _within(target, audience)
    )
    assert offenders == []


def test_one_audience_never_imports_the_other():
    crossing = sorted(
        f"{name} imports {target}"
        for name, targets in GRAPH.items()
        for target in targets
        for one in AUDIENCES for other in AUDIENCES
        if one != other and _within(name, one) and _within(target, other)
    )
    assert crossing == []


def test_the_top_level_holds_the_frame_and_packages_only():
    loose = sorted(p.name for p in PACKAGE.iterdir()
                   if p.suffix == ".py" and p.stem not in FRAME)
    assert loose == []


def _package_of(name: str) -> str:
    return ".".join(name.split(".")[:2])


def _private_uses(name: str) -> list[str]:
    """Underscored names this module takes from a module of another package."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    modules: dict[str, str] = {}  # local name -> module of campaign/ it stands for
    found = []
    for node in _import_nodes(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("campaign"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in MODULES:
                    modules[alias.asname or alias.name] = full
                elif alias.name.startswith("_") and _package_of(node.module) != _package_of(name):
                    found.append(f"{node.module}.{alias.name}")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and _package_of(modules[node.value.id]) != _package_of(name)):
            found.append(f"{modules[node.value.id]}.{node.attr}")
    return found


def test_packages_use_each_other_only_through_public_names():
    assert {name: uses for name in MODULES if (uses := _private_uses(name))} == {}


def _summary(package: Path) -> str:
    """The first line of a package's docstring, as the README's map writes it."""
    line = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
    line = line.splitlines()[0].rstrip(".")
    return line if line[:2].isupper() else line[0].lower() + line[1:]  # "OSDI" stays


PACKAGES = sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").exists() and p.name != "models")


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_the_readme_map_describes_each_package_as_its_docstring_does(package):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `campaign/{package.name}/` | {_summary(package)} |" in readme


def test_the_readme_map_names_only_what_exists():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What is here", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^\| `(campaign/[\w/]+)`", section, re.MULTILINE)
    assert named and [path for path in named if not (REPO_ROOT / path.rstrip("/")).exists()] == []


# The frame: what every part of the app stands on.
FRAME = {"__init__", "audit", "cache", "clock", "database", "errors", "extensions", "links",
         "plurals", "query_args", "tokens"}
