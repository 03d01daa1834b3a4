"""Output locations and sets of outputs: one-line errors, checked before work, all or none.

Issue 14, classes 4 (unwritable or occupied output paths), 5 (multi-file outputs written
one by one) and 8 (click usage errors, folder permissions).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from onco_genomics import cli as cli_module
from onco_genomics.cli import cli
from onco_genomics.errors import OutputPathError, os_error_message
from onco_genomics.io.atomic import atomic_outputs, check_output_path, make_temp_folder

DATA = Path(__file__).parent / "data"
EVAL = DATA / "evaluate"
SPECTRUM = DATA / "spectrum"
CALLER = DATA / "caller"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def one_error_line(output: str) -> str:
    """The single ``oncogen: error:`` line of a failed run (and no traceback)."""
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("oncogen: error:")]
    assert len(lines) == 1, output
    return lines[0]


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- click usage errors ---------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["call"],                                              # missing arguments
    ["call", "t.bam", "n.bam", "--ref", "r.fa", "-o", "x.vcf.gz", "--threads", "two"],
    ["no-such-command"],
    ["--no-such-option"],
    ["train", "no-such-model"],
    ["spectrum", "x.vcf", "--ref", "r.fa", "-o", "o.tsv", "--adjacent-snvs", "bogus"],
])
def test_usage_errors_are_one_line_exit_2(argv: list[str]) -> None:
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output)
    assert "--help" in line
    assert "Usage:" not in result.output


def test_group_without_command_still_prints_help() -> None:
    result = CliRunner().invoke(cli, ["train"])
    assert "Commands:" in result.output
    assert "oncogen: error" not in result.output


# --- file-system errors at the CLI root -----------------------------------------------------

@pytest.mark.parametrize(("error", "expected"), [
    (PermissionError(errno.EACCES, "Permission denied", "/x/out.tsv"), "permission denied"),
    (NotADirectoryError(errno.ENOTDIR, "Not a directory", "/x/f/out.tsv"), "not a folder"),
    (FileExistsError(errno.EEXIST, "File exists", "/x/out"), "already exists"),
    (IsADirectoryError(errno.EISDIR, "Is a directory", "/x/out"), "is a folder"),
    (OSError(errno.ENOSPC, "No space left on device", "/x/out.vcf.gz"), "no space left"),
])
def test_file_system_errors_become_one_line(monkeypatch: pytest.MonkeyPatch,
                                            error: OSError, expected: str) -> None:
    @click.command()
    def boom() -> None:
        raise error

    monkeypatch.setattr(cli_module.cli, "get_command", lambda ctx, name: boom)
    result = CliRunner().invoke(cli, ["boom"])
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert expected in line and str(error.filename) in line


def test_other_os_errors_keep_their_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    def bug() -> None:
        raise OSError("an htslib error oncogen did not expect")

    monkeypatch.setattr(cli_module.cli, "get_command", lambda ctx, name: bug)
    result = CliRunner().invoke(cli, ["bug"])
    assert result.exit_code == 1
    assert isinstance(result.exception, OSError)
    assert os_error_message(OSError("x")) is None


# --- checking output locations up front -----------------------------------------------------

def test_check_output_path(tmp_path: Path) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    with pytest.raises(OutputPathError, match="is a folder"):
        check_output_path(tmp_path)
    with pytest.raises(OutputPathError, match="is a file; expected a folder"):
        check_output_path(a_file, folder=True)
    with pytest.raises(OutputPathError, match="is a file, not a folder"):
        check_output_path(a_file / "sub" / "out.tsv")
    assert check_output_path(tmp_path / "new" / "deeper" / "out.tsv").name == "out.tsv"
    assert not (tmp_path / "new").exists()  # checking creates nothing


@pytest.mark.skipif(IS_ROOT, reason="root may write into any folder, so chmod cannot refuse")
def test_check_output_path_refuses_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputPathError, match="not writable"):
            check_output_path(folder / "out.tsv")
    finally:
        folder.chmod(0o755)


def test_call_checks_the_output_before_loading_the_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import onco_genomics.caller.calling as calling

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr(calling, "load_plan", no_model)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, [
        "call", str(CALLER / "pair" / "tumor.bam"), str(CALLER / "pair" / "normal.bam"),
        "--ref", str(CALLER / "ref.fa"), "-o", str(blocker / "calls.vcf.gz")])
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in one_error_line(result.output)


def test_evaluate_output_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, [
        "evaluate", str(EVAL / "truth.vcf"), str(EVAL / "calls.vcf"),
        "-o", str(blocker / "eval")])
    assert result.exit_code == 2, result.output
    one_error_line(result.output)
    assert listing(tmp_path) == ["a_file"]


# --- sets of outputs: all or none -----------------------------------------------------------

def test_atomic_outputs_all_or_none(tmp_path: Path) -> None:
    (tmp_path / "b.tsv").write_text("old b")
    with pytest.raises(RuntimeError), atomic_outputs() as files:
        files.file(tmp_path / "a.tsv").write_text("new a")
        files.file(tmp_path / "b.tsv").write_text("new b")
        files.file(tmp_path / "sub" / "c.tsv").write_text("new c")
        raise RuntimeError("the third output failed")
    assert listing(tmp_path) == ["b.tsv"]
    assert (tmp_path / "b.tsv").read_text() == "old b"
    with atomic_outputs() as files:
        files.file(tmp_path / "a.tsv").write_text("new a")
        files.file(tmp_path / "b.tsv").write_text("new b")
    assert listing(tmp_path) == ["a.tsv", "b.tsv"]
    assert (tmp_path / "b.tsv").read_text() == "new b"


def test_atomic_outputs_rolls_back_a_failed_commit(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.tsv").write_text("old a")
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        calls["n"] += 1
        if Path(dst).name == "b.tsv":
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(OSError, match="No space"), atomic_outputs() as files:
        files.file(tmp_path / "a.tsv").write_text("new a")
        files.file(tmp_path / "b.tsv").write_text("new b")
    monkeypatch.setattr(os, "replace", real_replace)
    assert listing(tmp_path) == ["a.tsv"]
    assert (tmp_path / "a.tsv").read_text() == "old a"


def test_temp_folders_honour_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = make_temp_folder(tmp_path / "model")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_saved_omics_model_folder_is_readable_by_others(tmp_path: Path) -> None:
    import numpy as np

    from onco_genomics.omics.classifiers import LogisticClassifier
    from onco_genomics.omics.model_dir import save_model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    y = np.array(["a", "b"] * 10)
    model = LogisticClassifier().fit(x, y)
    old = os.umask(0o022)
    try:
        path = save_model(model, tmp_path / "shared_model", card={
            "feature_names": ["f1", "f2", "f3"], "preprocessing": {}, "training_data": {},
            "metrics": {}, "classes": ["a", "b"]})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o755


def test_spectrum_writes_every_catalog_or_none(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import onco_genomics.spectrum.matrix_files as matrix_files

    real = matrix_files.write_catalog
    written: list[str] = []

    def second_fails(catalog: object, path: Path) -> object:
        written.append(str(path))
        if len(written) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(catalog, path)  # type: ignore[arg-type]

    monkeypatch.setattr(matrix_files, "write_catalog", second_fails)
    vcf = tmp_path / "calls.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=slice20,length=2000>\n"
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "slice20\t11\t.\tC\tT\t50\tPASS\t.\n")
    out = tmp_path / "out" / "catalog.tsv"
    result = CliRunner().invoke(cli, [
        "spectrum", str(vcf), "--ref", str(SPECTRUM / "chr20_1Mb_2kb.fa"), "-o", str(out),
        "--context", "sbs96,dbs78"])
    assert result.exit_code == 2, result.output
    assert "no space left" in one_error_line(result.output)
    assert listing(tmp_path) == ["calls.vcf"]
