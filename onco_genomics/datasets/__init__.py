"""Loaders for public data sets shipped with oncogen or by registry packages."""

from __future__ import annotations

from onco_genomics.datasets.expression import ExpressionSet, load_expression_set

__all__ = ["ExpressionSet", "load_expression_set"]
