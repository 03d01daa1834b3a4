"""The ``oncogen`` command line.

This module only wires commands together: each command lives in
``onco_genomics/commands/<family>.py``, parses its options, calls one API function and
writes the result. Commands are imported lazily so ``oncogen --help`` and light commands
(spectrum, evaluate) never import torch.

To add a command, add one line to :data:`COMMANDS` (or to a group's table):
``name: ("module", "attribute", "one-line summary")``.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from onco_genomics import __version__
from onco_genomics.errors import OncogenError, os_error_message
from onco_genomics.interrupts import Interrupted, install_signal_handlers

log = logging.getLogger(__name__)

CommandSpec = tuple[str, str, str]

#: top-level commands: name -> (module, attribute, summary shown in --help)
COMMANDS: dict[str, CommandSpec] = {
    "simulate": ("onco_genomics.commands.simulate", "simulate",
                 "Simulate a matched tumor/normal BAM pair with a truth VCF."),
    "evaluate": ("onco_genomics.commands.evaluate", "evaluate",
                 "Score somatic calls against a truth VCF (precision, recall, F1 by VAF)."),
    "call": ("onco_genomics.commands.call", "call",
             "Call somatic SNVs and indels from tumor/normal BAMs with the CNN."),
    "pon": ("onco_genomics.commands.pon", "pon",
            "Build a panel of normals (recurrent non-reference sites) from normal BAMs."),
    "shards": ("onco_genomics.commands.shards", "shards",
               "Split the genome into N interval BEDs balanced by callable bases."),
    "merge": ("onco_genomics.commands.shards", "merge",
              "Merge per-shard VCFs into one sorted, indexed VCF."),
    "spectrum": ("onco_genomics.commands.spectrum", "spectrum",
                 "Build SBS96/DBS78/ID83 mutation catalogs from VCF or MAF files."),
    "signatures": ("onco_genomics.commands.signatures", "signatures",
                   "Fit or extract mutational signatures from a catalog."),
    "cup": ("onco_genomics.commands.cup", "cup",
            "Predict the tumour type of expression profiles (cancer of unknown primary)."),
    "explain": ("onco_genomics.commands.explain", "explain",
                "SHAP explanations of an omics model on a table (tables and plots)."),
    "example": ("onco_genomics.commands.example", "example",
                "Write small example inputs (cup, subtype, survival, drug-response)."),
    "report": ("onco_genomics.commands.report", "report",
               "Self-contained HTML report (and MultiQC content) of somatic call sets."),
    "models": ("onco_genomics.commands.models", "models",
               "List the shipped models and their model cards."),
    "subtype": ("onco_genomics.commands.subtype", "subtype",
                "Discover subtypes (consensus NMF) or predict them with a classifier."),
    "features": ("onco_genomics.commands.features", "features",
                 "Per-sample TMB, gene status, SBS96, signatures, density from VCF/MAF."),
    "drug-response": ("onco_genomics.commands.drug_response", "drug_response",
                      "Predict ln(IC50) of cell lines x drugs with a drug-response model."),
    "survival": ("onco_genomics.commands.survival", "survival",
                 "Risk scores, risk groups and survival curves from a survival model."),
}

#: subcommands of `oncogen train`: name -> (module, attribute, summary)
TRAIN_COMMANDS: dict[str, CommandSpec] = {
    "caller": ("onco_genomics.commands.call", "train_caller",
               "Train the CNN somatic caller from simulated or truth-labelled pairs."),
    "caller-tumor-only": ("onco_genomics.commands.tumor_only", "train_tumor_only",
                          "Train the tumor-only caller on simulated tumors with a population."),
    "cup": ("onco_genomics.commands.cup", "train_cup",
            "Train a tumour-type classifier (cnn1d, mlp, xgboost) with a CV report."),
    "subtype": ("onco_genomics.commands.subtype", "train_subtype",
                "Train a supervised subtype classifier with a CV report."),
    "drug-response": ("onco_genomics.commands.drug_response", "train_drug_response",
                      "Train a drug-response model (multitask, xgboost, baselines)."),
    "survival": ("onco_genomics.commands.survival", "train_survival",
                 "Train a survival model (coxnet, deepsurv, autoencoder-cox, xgboost-cox)."),
}


class LazyGroup(click.Group):
    """A click group whose commands are imported only when invoked."""

    def __init__(self, *args: Any, lazy: dict[str, CommandSpec] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attr, _ = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module_name}.{attr} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:
                rows.append((name, self.lazy[name][2]))
            else:
                command = super().get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit=80)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


#: exit status of every error the user can fix (bad input, options, output location)
EXIT_USER_ERROR = 2


def _one_line(text: str) -> str:
    """Messages are one line: join any line breaks (click's and htslib's) with '; '."""
    return "; ".join(part.strip() for part in str(text).splitlines() if part.strip())


def usage_error_message(err: click.UsageError) -> str:
    """A click usage error as one line naming the command and its ``--help``."""
    message = _one_line(err.format_message())
    command = err.ctx.command_path if err.ctx is not None else "oncogen"
    return f"{command}: {message.rstrip('.')}; see `{command} --help`"


def user_error_message(err: BaseException) -> str | None:
    """The one-line message for an error the user can fix, or None for a bug.

    :class:`OncogenError`, the file-system errors of
    :func:`onco_genomics.errors.os_error_message` (permission denied, a file where a folder
    is expected, disk full, ...) and click's usage errors.
    """
    if isinstance(err, OncogenError):
        return _one_line(str(err))
    if isinstance(err, click.exceptions.NoArgsIsHelpError):
        return None  # a group without a command: click prints the help
    if isinstance(err, click.UsageError):
        return usage_error_message(err)
    if isinstance(err, OSError):
        return os_error_message(err)
    if isinstance(err, UnicodeDecodeError):  # a reader without its own check met binary data
        return (f"an input file is not text ({err.reason} at byte {err.start}); check that "
                "each input is the kind of file its argument or option asks for")
    return None


class RootGroup(LazyGroup):
    """The top-level group: user errors become one line ``oncogen: error: ...``, exit 2.

    User errors are :class:`OncogenError`, file-system errors a user can fix (see
    :func:`user_error_message`) and click usage errors. Doing this in ``make_context`` and
    ``invoke`` (not only in :func:`main`) means click's ``CliRunner`` sees the same
    behaviour as the shell. Anything else is a bug and keeps its traceback.
    """

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # `oncogen` or `oncogen train` alone: click prints the help
        except click.UsageError as err:
            click.echo(f"oncogen: error: {usage_error_message(err)}", err=True)
            raise click.exceptions.Exit(EXIT_USER_ERROR) from err

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OncogenError, OSError, click.UsageError, UnicodeDecodeError) as err:
            message = user_error_message(err)
            if message is None:
                raise
            if (ctx.obj or {}).get("verbose", 0) > 0:
                log.exception("traceback of the error below")
            click.echo(f"oncogen: error: {message}", err=True)
            ctx.exit(EXIT_USER_ERROR)


def configure_logging(verbose: int, log_file: str | None) -> None:
    """Configure the root logger; called once by the CLI, never by library code."""
    level = logging.WARNING if verbose < 0 else (logging.INFO if verbose == 0 else logging.DEBUG)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file))
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        handlers=handlers,
        force=True,
    )
    # numexpr logs "NumExpr defaulting to N threads." at INFO on import, on every command
    logging.getLogger("numexpr").setLevel(max(level, logging.WARNING))


@click.group(cls=RootGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oncogen")
@click.option("-v", "--verbose", count=True,
              help="More log output (-v: debug, and tracebacks for errors).")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--log-file", type=click.Path(dir_okay=False), default=None,
              help="Also write the log to this file.")
@click.pass_context
def cli(ctx: click.Context, verbose: int, quiet: bool, log_file: str | None) -> None:
    """oncogen: a CNN somatic variant caller and the omics models fed by its calls."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    configure_logging(-1 if quiet else verbose, log_file)


@cli.group(cls=LazyGroup, lazy=TRAIN_COMMANDS)
def train() -> None:
    """Train a model (caller, cup, subtype, ...)."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    install_signal_handlers()
    try:
        cli.main(args=argv, prog_name="oncogen")
    except Interrupted as stop:
        click.echo(f"oncogen: interrupted by {stop.name}; no output was written under the final "
                   "name (`oncogen call` keeps finished chunks: rerun it with --resume)",
                   err=True)
        _exit_now(stop.exit_code)
    except SystemExit as stop:
        if stop.code and "onco_genomics.caller.scanning" in sys.modules:
            from onco_genomics.caller.scanning import workers_terminated

            if workers_terminated():
                _exit_now(stop.code if isinstance(stop.code, int) else 1)
        raise


def _exit_now(code: int) -> None:
    """Exit without the interpreter's exit handlers, after flushing logs and streams.

    After worker processes were terminated mid-chunk, the exit handler of
    :mod:`concurrent.futures` may wait forever for a pool thread reading a half-written
    result; every file has been cleaned up by then.
    """
    import os

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
