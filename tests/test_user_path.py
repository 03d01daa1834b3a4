"""Consistency of what a user sees (issue 16, finding 7): help texts, summaries, reprs."""

from __future__ import annotations

import logging
from pathlib import Path

import click
import numpy as np

from onco_genomics.cli import cli, configure_logging


def _options(command: click.Command, path: str) -> list[tuple[str, click.Option]]:
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        found = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            found += _options(sub, f"{path} {name}")
        return found
    return [(path, p) for p in command.params if isinstance(p, click.Option)]


def test_every_option_has_help_text() -> None:
    missing = [f"{path} {'/'.join(option.opts)}" for path, option in _options(cli, "oncogen")
               if not option.help and option.name != "help"]
    assert not missing, f"options without help text: {missing}"


def test_numexpr_thread_message_is_silenced() -> None:
    configure_logging(0, None)
    assert logging.getLogger("numexpr").getEffectiveLevel() >= logging.WARNING
    configure_logging(1, None)  # -v: still only numexpr's warnings
    assert logging.getLogger("numexpr").getEffectiveLevel() >= logging.WARNING


def test_call_result_repr_is_short() -> None:
    from onco_genomics.caller.calling import CallResult
    from onco_genomics.caller.records import SomaticCall

    call = SomaticCall(chrom="20", pos=99, ref="A", alt="C", vartype="SNV", tumor_ref=10,
                       tumor_alt=5, tumor_depth=15, normal_ref=20, normal_alt=0,
                       normal_depth=20, prob=0.9, qual=10.0, filters=())
    assert call.vcf_pos == 100
    result = CallResult(output=Path("calls.vcf.gz"), calls=(call,) * 5000, chunks_total=3,
                        chunks_resumed=0, candidates=9000)
    text = repr(result)
    assert len(text) < 200 and "5000" in text and "5000 PASS" in text


def test_risk_groups_have_one_colour_everywhere() -> None:
    from onco_genomics.omics.survival_plots import group_colour

    assert group_colour("high", 0) == group_colour("high", 1) == "tab:red"
    assert group_colour("low", 1) == "tab:blue"


def test_survival_cv_summary_is_readable() -> None:
    from onco_genomics.commands.survival import cv_summary_text

    summary = {f"{m}_{s}": v for m in ("harrell_c", "uno_c", "integrated_brier", "mean_auc")
               for s, v in (("mean", 0.7), ("sd", 0.05))}
    summary["logrank_p_oof_groups"] = 0.003
    text = cv_summary_text(summary, 5, Path("model"))
    assert "Harrell's C" in text and "0.700 +- 0.050" in text and "{" not in text
    assert np.isfinite(summary["logrank_p_oof_groups"])
