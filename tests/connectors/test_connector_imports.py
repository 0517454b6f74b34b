"""A connector speaks to ports, never to SQL: no module under ``hub/connectors/<system>/``
imports ``hub.db``, SQLAlchemy or ``hub.api`` — directly, or through anything it imports.

Two checks, because each misses what the other sees: the source of every module (an
import inside a function or under ``TYPE_CHECKING`` counts too), and a fresh interpreter
that imports every module of every connector package and then looks at what got loaded.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import hub.connectors

FORBIDDEN = ("hub.db", "sqlalchemy", "hub.api")
ROOT = Path(hub.connectors.__file__).parent
#: Subpackages of hub.connectors that are not one external system.
NOT_SYSTEMS = {"sdk"}


def _systems() -> list[Path]:
    return sorted(
        path
        for path in ROOT.iterdir()
        if path.is_dir() and path.name not in NOT_SYSTEMS and (path / "__init__.py").exists()
    )


def _forbidden(name: str) -> bool:
    return any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)


def _imports(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_there_is_a_connector_package_to_check() -> None:
    assert "shopify" in [path.name for path in _systems()]


@pytest.mark.parametrize("package", _systems(), ids=lambda path: path.name)
def test_no_connector_module_imports_the_database_sqlalchemy_or_the_api(package: Path) -> None:
    offenders = {
        f"{path.relative_to(ROOT.parent.parent)}: {name}"
        for path in sorted(package.rglob("*.py"))
        for name in _imports(path.read_text(encoding="utf-8"))
        if _forbidden(name)
    }
    assert sorted(offenders) == []


_LOAD_ALL = """
import importlib, json, pkgutil, sys
loaded = {}
for package in sys.argv[1:]:
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        if info.name.rsplit(".", 1)[-1] == "__main__":
            continue  # runs a program (the simulator's server) rather than defining one
        before = set(sys.modules)
        importlib.import_module(info.name)
        for name in set(sys.modules) - before:
            loaded.setdefault(name, info.name)
print(json.dumps(loaded))
"""


def test_importing_every_connector_module_loads_no_database_sqlalchemy_or_api_module() -> None:
    packages = [f"hub.connectors.{path.name}" for path in _systems()]
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_ALL, *packages], capture_output=True, text=True, timeout=60, check=True
    )
    loaded: dict[str, str] = json.loads(done.stdout)
    # module loaded → the connector module whose import first pulled it in
    pulled = {name: by for name, by in loaded.items() if _forbidden(name)}
    assert pulled == {}


def test_the_hub_ships_its_types_for_connectors_written_outside_it() -> None:
    import tomllib
    from importlib.resources import files

    assert files("hub").joinpath("py.typed").is_file()
    pyproject = tomllib.loads((ROOT.parent.parent / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["hub"]


_RUNTIME = """
import importlib, sys
for module in ("hub.bootstrap", "hub.api.app", "hub.cli", "hub.outbox.runtime", "hub.connectors.runtime"):
    importlib.import_module(module)
print(sorted(name for name in sys.modules if name.startswith("hub.simulators")))
"""


def test_the_runtime_loads_no_simulator() -> None:
    # Simulators are test equipment: a production image may leave hub/simulators out.
    done = subprocess.run([sys.executable, "-c", _RUNTIME], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"
