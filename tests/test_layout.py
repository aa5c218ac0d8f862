"""The package's layout: stages import one way only, and start-up stays lazy.

checker/ is built in stages, each a subpackage that may use only the stages below it, so the
pipeline reads from the tree: load a rule set, check its language, read the draft, evaluate,
report; compare and revisions on top; api chains them and cli calls api.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import checker

PACKAGE = Path(checker.__file__).parent

# Lowest first; a module may import its own stage and the stages before it, never one after.
STAGES = ["base", "ruleset", "language", "document", "report", "evaluation", "compare",
          "revisions", "api", "cli"]
BASE = {"checker", "checker.errors", "checker.text", "checker.files"}


def stage_of(module: str) -> str:
    if module in BASE:
        return "base"
    part = module.split(".")[1]
    return "cli" if part in ("__main__", "formats") else part  # formats: the CLI's tables


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()
_NAMED = re.compile(r"checker(?:\.[a-z_]+)+(?=:\w+$|$)")  # "checker.x.y" or "checker.x.y:function"


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """Every checker module a file uses, with its line: imports anywhere (functions included,
    relative ones resolved), `checker.x` attribute chains, and module names in strings (what
    importlib and the format tables import)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("checker")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            if base.startswith("checker"):
                targets = [f"{base}.{a.name}" for a in node.names]
                found += [(node.lineno, t if t in MODULES else base) for t in targets]
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "checker" and f"checker.{node.attr}" in MODULES):
            found.append((node.lineno, f"checker.{node.attr}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            named = _NAMED.match(node.value)
            if named and named.group() in MODULES:
                found.append((node.lineno, named.group()))
    return found


def test_every_module_belongs_to_a_known_stage() -> None:
    unknown = {m for m in MODULES if stage_of(m) not in STAGES}
    assert not unknown, f"modules outside the stages {STAGES}: {sorted(unknown)}"


def test_stages_import_one_way_only() -> None:
    back = []
    for module, path in MODULES.items():
        rank = STAGES.index(stage_of(module))
        for line, target in imports_of(path, module):
            if STAGES.index(stage_of(target)) > rank:
                back.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} "
                            f"({stage_of(module)}) imports {target} ({stage_of(target)})")
    assert not back, "imports that run back up the pipeline:\n" + "\n".join(sorted(set(back)))


@pytest.mark.parametrize("probe", [
    "from ..api import load_rules", "import checker.cli", "from checker import api",
    "import importlib\nimportlib.import_module('checker.cli')", "import checker\nchecker.api.check",
    "FORMAT = 'checker.report.formats.text:render'"])
def test_the_import_walk_sees_every_way_of_reaching_a_module(probe: str, tmp_path: Path) -> None:
    # A probe written in a ruleset module must be seen as reaching the module it names.
    source = tmp_path / "probe.py"
    source.write_text(probe + "\n", "utf-8")
    reached = {target for _, target in imports_of(source, "checker.ruleset.probe")}
    assert {stage_of(target) for target in reached} & {"api", "cli", "report"}, reached


@pytest.mark.parametrize("command", ["CHECK", "DIFF", "COMPARE", "CONSENSUS"])
def test_every_output_format_names_a_function_that_exists(command: str) -> None:
    import importlib

    from checker import formats

    for form in getattr(formats, command).values():
        for target in filter(None, (form.renders, form.problems)):
            module, name = target.split(":")
            assert callable(getattr(importlib.import_module(module), name, None)), target


@pytest.mark.parametrize(("command", "table"), [("check", "CHECK"), ("diff", "DIFF"),
                                                ("compare", "COMPARE"),
                                                ("consensus", "CONSENSUS")])
def test_the_cli_offers_exactly_the_formats_of_its_table(command: str, table: str) -> None:
    from typer.testing import CliRunner

    from checker import formats
    from checker.cli import app

    shown = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"}).output
    assert f"<{'|'.join(getattr(formats, table))}>" in shown


@pytest.mark.parametrize("init", sorted(PACKAGE.rglob("__init__.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_subpackage_inits_import_nothing(init: Path) -> None:
    # Start-up is budgeted: importing checker.report must not pull in every format.
    tree = ast.parse(init.read_text("utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                and init.parent != PACKAGE]
