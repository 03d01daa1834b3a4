"""The `oncogen` entry point: version, help, lazy command table, error handling."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import onco_genomics
from onco_genomics import cli as cli_module
from onco_genomics.cli import COMMANDS, TRAIN_COMMANDS, cli
from onco_genomics.errors import OncogenError


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert onco_genomics.__version__ in result.output


def test_help_lists_every_command_with_summary() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, (_, _, summary) in COMMANDS.items():
        assert name in result.output
        assert summary.split()[0] in result.output
    assert "train" in result.output


@pytest.mark.parametrize(
    ("table", "name"),
    [(COMMANDS, n) for n in COMMANDS] + [(TRAIN_COMMANDS, n) for n in TRAIN_COMMANDS],
)
def test_every_registered_command_imports(table: dict[str, tuple[str, str, str]],
                                          name: str) -> None:
    module_name, attr, summary = table[name]
    command = getattr(importlib.import_module(module_name), attr)
    assert isinstance(command, click.Command)
    assert summary, "every command needs a one-line summary"


def test_user_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    def boom() -> None:
        raise OncogenError("expected X, found Y; fix: do Z")

    monkeypatch.setattr(cli_module.cli, "get_command", lambda ctx, name: boom)
    result = CliRunner().invoke(cli, ["boom"])
    assert result.exit_code == 2
    assert "oncogen: error: expected X, found Y; fix: do Z" in result.output
    assert "Traceback" not in result.output


def test_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    def bug() -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli_module.cli, "get_command", lambda ctx, name: bug)
    result = CliRunner().invoke(cli, ["bug"])
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)


def test_console_script_help_does_not_import_torch() -> None:
    code = (
        "import sys; from onco_genomics.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules, 'oncogen --help imported torch'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


def test_log_file_option(tmp_path: Path) -> None:
    log_file = tmp_path / "run.log"
    result = CliRunner().invoke(cli, ["--log-file", str(log_file), "-v", "train", "--help"])
    assert result.exit_code == 0
    assert log_file.exists()
