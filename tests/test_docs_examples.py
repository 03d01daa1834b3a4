"""Every shell block of README.md and docs/*.md runs (issue 16, finding 4).

Blocks of one file run in order in one scratch folder (a copy of example_data/, links to
benchmarks/, models/, nextflow/), so a later block may use an earlier block's outputs.
Shell blocks are fenced ``bash``/``sh``/``shell`` blocks and indented blocks; ``text``
blocks (command synopses with [OPTIONS]) are not run. A block is skipped only when an HTML
comment right before it says why:

    <!-- docs-test: skip: REASON -->           never run here (e.g. needs a cluster)
    <!-- docs-test: slow: REASON -->           run only with ONCOGEN_DOCS_SLOW=1
    <!-- docs-test: needs: MODULE -->          run when the Python module is installed
    <!-- docs-test: needs-tool: PROGRAM -->    run when the program is on PATH
    <!-- docs-test: needs-file: PATH -->       run when the file exists

``pip`` is a no-op inside the blocks (CI has installed the package; `.ci/install_check.sh`
tests install, reinstall and uninstall).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARK = re.compile(r"<!--\s*docs-test:\s*(skip|slow|needs|needs-tool|needs-file):\s*(.*?)\s*-->")
SHELL_TAGS = {"bash", "sh", "shell"}
PRELUDE = ('pip() { echo "docs test: pip $* not run (the package is installed)" >&2; }\n'
           "set -euo pipefail\n")


@dataclass(frozen=True)
class Block:
    file: str
    line: int
    code: str
    marks: tuple[tuple[str, str], ...]

    def skip_reason(self) -> str | None:
        for kind, value in self.marks:
            if kind == "skip":
                return value
            if kind == "slow" and not os.environ.get("ONCOGEN_DOCS_SLOW"):
                return f"slow ({value}); set ONCOGEN_DOCS_SLOW=1 to run"
            if kind == "needs" and importlib.util.find_spec(value) is None:
                return f"needs the Python package {value}"
            if kind == "needs-tool" and shutil.which(value) is None:
                return f"needs {value} on PATH"
            if kind == "needs-file" and not Path(value).exists():
                return f"needs {value}"
        return None


def shell_blocks(path: Path) -> list[Block]:
    """The shell blocks of a Markdown file, with the docs-test marks before each."""
    lines = path.read_text().splitlines()
    blocks: list[Block] = []
    marks: list[tuple[str, str]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        found = MARK.search(line)
        if found:
            marks.append((found[1], found[2]))
            i += 1
            continue
        if line.startswith("```"):
            tag = line[3:].strip().lower()
            end = i + 1
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            if tag in SHELL_TAGS:
                blocks.append(Block(path.name, i + 1, "\n".join(lines[i + 1:end]), tuple(marks)))
            marks, i = [], end + 1
            continue
        if line.startswith("    ") and (i == 0 or not lines[i - 1].strip()) and line.strip():
            end = i
            while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
                end += 1
            body = [text[4:] for text in lines[i:end]]
            blocks.append(Block(path.name, i + 1, "\n".join(body).rstrip(), tuple(marks)))
            marks, i = [], end
            continue
        if line.strip():
            marks = []
        i += 1
    return blocks


def _scratch(folder: Path) -> None:
    shutil.copytree(ROOT / "example_data", folder / "example_data")
    for name in ("benchmarks", "models", "nextflow"):
        (folder / name).symlink_to(ROOT / name)


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_shell_blocks_run(doc: Path, tmp_path: Path) -> None:
    blocks = shell_blocks(doc)
    runnable = [b for b in blocks if b.skip_reason() is None]
    if not runnable:
        pytest.skip(f"{doc.name}: no runnable block ({len(blocks)} skipped: "
                    + "; ".join(f"line {b.line}: {b.skip_reason()}" for b in blocks) + ")")
    _scratch(tmp_path)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    for block in runnable:
        result = subprocess.run(["bash", "-c", PRELUDE + block.code], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0, (
            f"{doc.name} line {block.line} failed (exit {result.returncode}):\n{block.code}\n"
            f"--- stderr (end) ---\n{result.stderr[-3000:]}")


def test_every_skip_says_why() -> None:
    for doc in DOCS:
        for block in shell_blocks(doc):
            for _, value in block.marks:
                assert value.strip(), f"{doc.name} line {block.line}: a mark without a reason"


if __name__ == "__main__":  # print the inventory: python tests/test_docs_examples.py
    total = run = 0
    for doc in DOCS:
        for block in shell_blocks(doc):
            total += 1
            reason = block.skip_reason()
            run += reason is None
            print(f"{doc.name}:{block.line}\t{'run' if reason is None else 'skip: ' + reason}")
    print(f"{run} of {total} shell blocks run, {total - run} skipped")
