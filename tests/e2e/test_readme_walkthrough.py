"""The README's walk-through, pasted into a shell top to bottom in a fresh clone.

Its ``sh`` blocks carry the marker comment :data:`MARKER`; this test runs them, in
order, in one bash, in a copy of the tracked files (``git ls-files``) with no ``.venv``,
and checks each response the README shows after ``# →`` (``...`` stands for the rest,
and what it shows must appear as shown). The one liberty: ``make install`` links
``.venv`` to the virtualenv running this test (``LINK_VENV``, see the Makefile) instead
of installing a new one. The hub listens on a free port (``HUB_PORT``), and the test
stops it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MARKER = '<!-- walk-through: tests/e2e/test_readme_walkthrough.py runs this block and checks its "# →" responses -->'
SECTION = "## A walk through"
ARROW = "# →"


@dataclass
class Command:
    """One shell command of the walk-through and the responses the README shows for it."""

    text: str
    shown: list[str] = field(default_factory=list)

    def fragments(self) -> list[str]:
        """The literal pieces of what the README shows, ``...`` cut out."""
        return [piece for line in self.shown for piece in (p.strip() for p in line.split("...")) if piece]


def walkthrough(readme: str) -> list[list[Command]]:
    """The marked blocks of the walk-through section, as commands; every block there is marked."""
    start = readme.index(SECTION)
    end = readme.index("\n## ", start + 1)
    section = readme[start:end].splitlines()
    blocks: list[list[Command]] = []
    for number, line in enumerate(section):
        if line.startswith("```sh"):
            assert section[number - 1] == MARKER, f"an unmarked sh block in the walk-through: {section[number + 1]}"
            body = section[number + 1 : section.index("```", number + 1)]
            blocks.append(_commands(body))
    assert readme.count(MARKER) == len(blocks), "the marker is used outside the walk-through"
    return blocks


def _commands(lines: list[str]) -> list[Command]:
    commands: list[Command] = []
    pending = ""
    for line in lines:
        stripped = line.strip()
        if pending:
            pending += "\n" + line
        elif stripped.startswith(ARROW):
            commands[-1].shown.append(stripped.removeprefix(ARROW).strip())
        elif stripped.startswith("#") and commands and commands[-1].shown:
            commands[-1].shown[-1] += stripped.lstrip("#").strip()  # a shown response, continued
        elif stripped:
            pending = line
        if pending and not pending.endswith("\\"):
            commands.append(Command(pending))
            pending = ""
    return commands


def _script(blocks: list[list[Command]]) -> str:
    """One bash script: the commands as written, each followed by a line that ends its output."""
    lines = []
    for index, command in enumerate(c for block in blocks for c in block):
        lines += [command.text, f"printf '\\n@@end {index}@@\\n'"]
    lines.append("printf '@@KEY=%s@@\\n' \"${KEY-}\"")
    return "\n".join(lines) + "\n"


def _fresh_copy(into: Path) -> None:
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"not a git checkout, so no list of tracked files to copy: {error}")
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # tracked files deleted in the work tree are not in a fresh clone
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _environment(port: int) -> dict[str, str]:
    """A user's shell: no HUB_* settings or outer make, the venv not on PATH; a free port."""
    venv_bin = str(Path(sys.prefix) / "bin")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("HUB_") and name not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV")
    }
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    return env | {"HUB_PORT": str(port), "LINK_VENV": sys.prefix}


def _stop(group: int, port: int) -> None:
    """Stop what the walk-through left running (``make run &``: make and hub serve)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        except httpx.TransportError:
            break
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def test_the_readme_walkthrough_works_pasted_into_a_fresh_clone(tmp_path: Path) -> None:
    if not (Path(sys.prefix) / "bin" / "hub").exists():
        pytest.skip(f"the running Python is not a virtualenv with the hub installed: {sys.prefix}")
    blocks = walkthrough((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    clone = tmp_path / "clone"
    clone.mkdir()
    _fresh_copy(clone)
    assert not (clone / ".venv").exists()
    port = _free_port()
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        # Its own process group, so that what it leaves in the background can be stopped.
        shell = subprocess.Popen(
            ["bash", "-c", _script(blocks)],
            cwd=clone,
            env=_environment(port),
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        try:
            shell.wait(timeout=90)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the walk-through did not finish in 90 s:\n{stdout.read_text()}\n{stderr.read_text()}")
        output = stdout.read_text()
        log = (clone / "hub.log").read_text() if (clone / "hub.log").exists() else "(no hub.log)"
        context = f"\n--- stdout\n{output}\n--- stderr\n{stderr.read_text()}\n--- hub.log\n{log}"

        key = re.search(r"@@KEY=(.*)@@", output)
        assert key is not None and key.group(1).startswith("jxc_"), f"no API key{context}"
        answers = re.split(r"\n?@@end \d+@@\n", output)
        commands = [c for block in blocks for c in block]
        for command, answer in zip(commands, answers, strict=False):
            at = 0
            for fragment in command.fragments():  # each piece as shown, in the order shown
                found = answer.find(fragment, at)
                assert found >= 0, f"{command.text}\n  shown: {fragment}\n  answered: {answer}{context}"
                at = found + len(fragment)

        by_text = dict(zip((c.text for c in commands), answers, strict=False))
        order = json.loads(next(a for t, a in by_text.items() if "Idempotency-Key" in t))
        assert order["status"] == "confirmed" and order["lines"][0]["reserved"] == 30
        stock = json.loads(next(a for t, a in by_text.items() if t.startswith("curl -s $HUB/stock/TEA-LJ-250")))
        assert (stock["on_hand"], stock["reserved"], stock["stock_value"]) == (66, 0, "2508.00")
        moves = json.loads(next(a for t, a in by_text.items() if "stock/moves" in t))["items"]
        assert [(m["from_location"], m["to_location"], m["qty"]) for m in moves] == [
            ("supplier", "SH", 96),
            ("SH", "customer", 30),
        ]
        terminal = next(a for t, a in by_text.items() if t.startswith(".venv/bin/hub stock"))
        assert "66" in terminal and "2508.00" in terminal, terminal
    finally:
        _stop(shell.pid, port)
