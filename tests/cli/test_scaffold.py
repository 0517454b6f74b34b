"""``hub connector new NAME`` writes a connector package that compiles, imports and
declares its entry point — and refuses names and places it cannot use."""

from __future__ import annotations

import importlib
import importlib.util
import py_compile
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.connectors.sdk.base import Capability, Connector
from hub.connectors.sdk.base import ConnectorEnv
from hub.connectors.sdk.testing import ConnectorConformance
from hub.connectors.sdk.capabilities import missing_capabilities
from tests.fakes import FakeStore

FILES = [
    "pyproject.toml",
    "README.md",
    "acme_erp/__init__.py",
    "acme_erp/connector.py",
    "acme_erp/mappings.py",
    "tests/test_conformance.py",
]


def new(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["connector", "new", *args])
    return result.exit_code, result.output


@pytest.fixture
def importable(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Whatever a test imports from a generated project is forgotten afterwards."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_a_new_connector_compiles_imports_and_declares_its_entry_point(tmp_path: Path, importable: None) -> None:
    code, output = new("acme_erp", "--into", str(tmp_path))
    assert code == 0, output
    project = tmp_path / "acme_erp"
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()) == sorted(FILES)
    for path in project.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["hub.connectors"] == {"acme_erp": "acme_erp.connector:AcmeErpConnector"}

    sys.path.insert(0, str(project))
    try:
        module = importlib.import_module("acme_erp.connector")
        spec = importlib.util.spec_from_file_location("acme_erp_conformance", project / "tests/test_conformance.py")
        assert spec is not None and spec.loader is not None
        tests = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tests)
    finally:
        sys.path.remove(str(project))
    connector = module.AcmeErpConnector
    assert issubclass(connector, Connector)
    assert (connector.type_name, connector.title, connector.capabilities) == (
        "acme_erp",
        "Acme Erp",
        frozenset({Capability.STOCK_OUT, Capability.ORDERS_IN}),  # a storefront unless --kind says otherwise
    )
    config = connector.config_model.model_validate({"base_url": "https://acme.test", "api_key": "s3cret"})
    assert "s3cret" not in repr(config)  # the key is a secret
    assert issubclass(tests.TestAcmeErpConformance, ConnectorConformance)
    assert tests.TestAcmeErpConformance.connector is connector


@pytest.mark.parametrize("name", ["Acme", "acme-erp", "1acme", "_acme", "class", "json", "hub", ""])
def test_names_that_cannot_be_a_package_are_refused(tmp_path: Path, name: str) -> None:
    code, output = new(name, "--into", str(tmp_path))
    assert code == 2, output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "notes.txt").write_text("mine")
    code, output = new("acme", "--into", str(tmp_path))
    assert code == 2 and "already exists" in " ".join(output.split())
    assert [path.name for path in (tmp_path / "acme").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("kind", "capabilities"),
    [
        ("storefront", {Capability.STOCK_OUT, Capability.ORDERS_IN}),
        ("finance", {Capability.INVOICES_OUT}),
        ("erp", {Capability.PRODUCTS_IN}),
    ],
)
async def test_each_kind_provides_every_capability_it_declares(
    tmp_path: Path, importable: None, kind: str, capabilities: set[Capability]
) -> None:
    name = f"acme_{kind}"
    code, output = new(name, "--into", str(tmp_path), "--kind", kind)
    assert code == 0, output
    project = tmp_path / name
    sys.path.insert(0, str(project))
    try:
        module = importlib.import_module(f"{name}.connector")
    finally:
        sys.path.remove(str(project))
    cls = next(
        value
        for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__ and issubclass(value, Connector)
    )
    assert cls.capabilities == capabilities
    mappings = {"locations": {"1": "MAIN"}} if kind == "storefront" else {}
    connector = cls.from_stored(
        name, {"base_url": "https://acme.test", "api_key": "k"}, mappings, ConnectorEnv(uows=FakeStore())
    )
    try:
        # The stubs cover every declared capability: what is left is the vendor's own code.
        assert missing_capabilities(connector) == []
    finally:
        await connector.aclose()


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    code, output = new("acme", "--into", str(tmp_path), "--kind", "crm")
    assert code == 2 and "the kinds are storefront, finance, erp" in " ".join(output.split())
    assert list(tmp_path.iterdir()) == []
