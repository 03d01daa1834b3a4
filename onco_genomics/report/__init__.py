"""Run reports: a self-contained HTML page and MultiQC custom content for somatic calls."""

from __future__ import annotations

from onco_genomics.report.calls import CallSummary, summarise_calls
from onco_genomics.report.render import write_html_report, write_multiqc

__all__ = ["CallSummary", "summarise_calls", "write_html_report", "write_multiqc"]
