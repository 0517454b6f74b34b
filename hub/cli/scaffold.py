"""``hub connector new NAME``: a connector package to start from.

It writes a project a third party can ship on its own: the connector (config and
mappings models, ``check()``, ``discover()``, a reconciler to fill in), pure mapping
functions, the conformance test against a fake of the vendor, and the
``hub.connectors`` entry point that makes the hub find it. The files come from
``hub/connectors/sdk/templates`` (``${name}``, ``${cls}``, ``${title}`` filled in).
"""

from __future__ import annotations

import keyword
import re
import sys
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Annotated

import typer

from hub.cli._common import err, out

__all__ = ["ScaffoldError", "app", "scaffold"]

app = typer.Typer(help="Write connectors.", no_args_is_help=True)

#: template → where it goes in the new project (``{name}``: the connector's name)
FILES = {
    "pyproject.toml": "pyproject.toml",
    "README.md": "README.md",
    "package_init.py": "{name}/__init__.py",
    "connector_{kind}.py": "{name}/connector.py",
    "mappings.py": "{name}/mappings.py",
    "test_conformance.py": "tests/test_conformance.py",
}
#: What each kind of connector starts as (the generated stubs cover every capability it declares):
#: storefront — stock out (a LevelWriter) and orders in (an IncrementalStream);
#: finance — invoices out (queued work per invoice, and a reconciliation);
#: erp — products in (an IncrementalStream).
KINDS = ("storefront", "finance", "erp")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class ScaffoldError(Exception):
    """The name or the target directory cannot be used; nothing was written."""


def _check(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ScaffoldError(f"{name!r}: use lowercase letters, digits and underscores, starting with a letter")
    # The name is also the package's import name: it must not hide another module.
    if keyword.iskeyword(name) or name in sys.stdlib_module_names or name == "hub":
        raise ScaffoldError(f"{name!r} is taken by Python or the hub; choose another name")


def scaffold(name: str, into: Path, kind: str = "storefront") -> Path:
    """Write the project for connector ``name`` at ``into/name``; returns that directory."""
    _check(name)
    if kind not in KINDS:
        raise ScaffoldError(f"{kind!r}: the kinds are {', '.join(KINDS)}")
    target = into / name
    if target.exists():
        raise ScaffoldError(f"{target} already exists")
    values = {
        "name": name,
        "cls": "".join(part.capitalize() for part in name.split("_") if part),
        "title": " ".join(part.capitalize() for part in name.split("_") if part),
    }
    templates = files("hub.connectors.sdk").joinpath("templates")
    for template, path in FILES.items():
        source = templates.joinpath(f"{template.format(kind=kind)}.tmpl").read_text(encoding="utf-8")
        text = Template(source).substitute(values)
        destination = target / path.format(name=name)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    return target


@app.command("new")
def connector_new(
    name: Annotated[str, typer.Argument(help="the connector's type name, e.g. acme_erp")],
    into: Annotated[Path, typer.Option("--into", help="the directory to write the project in")] = Path("."),
    kind: Annotated[
        str,
        typer.Option("--kind", help="storefront (stock out, orders in), finance (invoices out) or erp (products in)"),
    ] = "storefront",
) -> None:
    """Scaffold a connector package NAME with its conformance test and entry point."""
    try:
        target = scaffold(name, into, kind)
    except ScaffoldError as error:
        err.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    out.print(f"wrote {target}/")
    for path in FILES.values():
        out.print(f"  {path.format(name=name)}")
    out.print(f'next: cd {target} && pip install -e ".[test]" && pytest', markup=False)
