"""Tests that the Python examples in the README and the tutorial run as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DOCS = [
    "README.md",
    "docs/reference/api.md",
    "docs/explanation/architecture.md",
    "docs/reference/procedure-format.md",
    "docs/how-to/run-a-round.md",
    "docs/explanation/decisions.md",
    "docs/how-to/compare-rules.md",
]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
NEEDS_FILES = "load_entities("  # examples reading the reader's own files are not run
BUNDLED = "pack.folder /"  # ...but those reading a pack's bundled example round are


@pytest.mark.parametrize("name", DOCS)
def test_python_examples_run(name: str) -> None:
    """Each document's Python blocks run in order, in one namespace."""
    blocks = [
        b
        for b in BLOCK.findall((ROOT / name).read_text(encoding="utf-8"))
        if NEEDS_FILES not in b or BUNDLED in b
    ]
    assert blocks, f"{name} has no runnable example"
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, f"<{name}>", "exec"), namespace)  # our own docs; <name>: not a file


LINK = re.compile(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)")


@pytest.mark.parametrize(
    "path",
    sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_relative_links_resolve(path: Path) -> None:
    """Every relative link between documents points at a file that exists."""
    broken = [
        t
        for t in LINK.findall(path.read_text(encoding="utf-8"))
        if not (path.parent / t).resolve().exists()
    ]
    assert not broken, broken


SHELL = re.compile(r"```sh\n(.*?)```", re.S)
COMMAND_DOCS = [
    "docs/reference/cli.md",
    "docs/how-to/run-a-round.md",
    "docs/how-to/compare-rules.md",
]


@pytest.mark.parametrize("name", COMMAND_DOCS)
def test_shell_examples_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each ``greenrules`` command in the page's shell blocks runs as written and exits 0."""
    from greenrules._cli import main

    monkeypatch.chdir(tmp_path)  # commands that write files write them here
    commands = [
        line.strip()
        for block in SHELL.findall((ROOT / name).read_text(encoding="utf-8"))
        for line in block.splitlines()
        if line.strip().startswith("greenrules ")
    ]
    assert commands, f"{name} has no command"
    for command in commands:
        assert main(shlex.split(command)[1:]) == 0, command
        capsys.readouterr()


BLOCKS = re.compile(r"```(python|sh)\n(.*?)```", re.S)


def test_the_tutorial_runs_in_page_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tutorial's Python blocks and ``greenrules`` commands run as written, in page order.

    It starts from an empty folder: the template a command writes is the file the next block
    fills and the next command evaluates.
    """
    from greenrules._cli import main

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    steps = BLOCKS.findall((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8"))
    assert [kind for kind, _ in steps][:3] == ["sh", "python", "sh"]  # it starts from the template
    for kind, block in steps:
        if kind == "python":
            exec(compile(block, "<docs/tutorial.md>", "exec"), namespace)  # our own docs
            continue
        for line in block.splitlines():
            if line.strip().startswith("greenrules "):
                assert main(shlex.split(line)[1:]) == 0, line
                capsys.readouterr()


def test_the_official_table_how_to_runs_in_page_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The how-to's Python blocks and ``greenrules`` commands run as written, in page order."""
    from greenrules._cli import main

    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    page = ROOT / "docs" / "how-to" / "supply-an-official-table.md"
    steps = BLOCKS.findall(page.read_text(encoding="utf-8"))
    assert {kind for kind, _ in steps} == {"python", "sh"}
    for kind, block in steps:
        if kind == "python":
            exec(compile(block, f"<{page.name}>", "exec"), namespace)  # our own docs
            continue
        for line in block.splitlines():
            if line.strip().startswith("greenrules "):
                assert main(shlex.split(line)[1:]) == 0, line
                capsys.readouterr()
    assert (tmp_path / "decisions.json").is_file()


GUIDE_BLOCKS = re.compile(r"```(python|sh|yaml|toml|text)\n(.*?)```", re.S)


@pytest.mark.slow
def test_the_pack_guide_runs_in_page_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every block of the pack guide runs as written, in page order, from an empty folder.

    Python runs in one namespace; ``greenrules`` and ``pytest`` commands run (``pip`` is only
    named in prose); a YAML block headed ``# FOLDER/FILE`` is written to that file, so the pack
    checked is the one the page shows, and any other YAML or TOML must parse; ``text`` blocks
    are output.
    """
    import subprocess
    import sys
    import tomllib

    import yaml

    from greenrules._cli import main

    monkeypatch.chdir(tmp_path)
    page = (ROOT / "docs" / "how-to" / "write-a-pack.md").read_text(encoding="utf-8")
    steps = GUIDE_BLOCKS.findall(page)
    assert [kind for kind, _ in steps][:2] == ["sh", "yaml"]  # it starts from new-pack
    namespace: dict[str, object] = {}
    written = []
    for kind, block in steps:
        first = block.splitlines()[0]
        if kind == "python":
            exec(compile(block, "<docs/how-to/write-a-pack.md>", "exec"), namespace)  # our docs
        elif kind == "yaml" and first.startswith("# cn-bl/"):
            path = tmp_path / first.removeprefix("# ")
            assert path.parent.is_dir(), first  # the guide only edits files new-pack wrote
            path.write_text(block, encoding="utf-8")
            written.append(path.name)
        elif kind == "yaml":
            yaml.safe_load(block)
        elif kind == "toml":
            tomllib.loads(block)
        for line in block.splitlines() if kind == "sh" else ():
            words = shlex.split(line)
            if words[0] == "greenrules":
                assert main(words[1:]) == 0, line
                capsys.readouterr()
            elif words[0] == "pytest":
                command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
                done = subprocess.run(
                    [*command, *words[1:]], capture_output=True, text=True, timeout=1200
                )
                assert done.returncode == 0, done.stdout + done.stderr
    assert written == ["pack.yaml", "clauses.yaml", "params.yaml", "factory.yaml", "factory.yaml"]
