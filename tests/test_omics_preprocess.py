"""Preprocessing transformers: gene ids, alignment and missing genes, normalisation, selection."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onco_genomics.errors import OptionsError, TableFormatError
from onco_genomics.omics import model_dir
from onco_genomics.omics.preprocess import (
    ExpressionNormaliser,
    FeatureSelector,
    GeneAligner,
    GeneIdHarmoniser,
    build_preprocessing,
    harmonise_gene_id,
)


def _frame(values: list[list[float]], genes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(values, columns=genes, index=[f"s{i}" for i in range(len(values))])


def test_gene_id_harmonisation() -> None:
    assert harmonise_gene_id("ENSG00000141510.17") == "ENSG00000141510"
    assert harmonise_gene_id("ENSG00000002586.20_PAR_Y") == "ENSG00000002586"
    assert harmonise_gene_id("tp53") == "TP53"
    assert harmonise_gene_id("7157.0") == "7157"
    frame = _frame([[1, 3, 5]], ["ENSG00000141510.1", "ENSG00000141510.2", "7157"])
    out = GeneIdHarmoniser(mapping={"ENSG00000141510": "TP53"}).fit_transform(frame)
    assert list(out.columns) == ["TP53", "7157"] and out.iloc[0, 0] == 2.0  # duplicates averaged


def test_aligner_imputes_missing_genes_and_reports(caplog: pytest.LogCaptureFixture) -> None:
    train = _frame([[1.0, 10.0, np.nan, 5.0], [3.0, 30.0, 7.0, 5.0], [2.0, 20.0, 9.0, 5.0]],
                   ["A", "B", "C", "D"])
    aligner = GeneAligner(max_missing=0.3).fit(train)
    assert aligner.median_values_.tolist() == [2.0, 20.0, 8.0, 5.0]
    new = _frame([[np.nan, 5.0, 1.0, 9.9]], ["B", "A", "C", "EXTRA"])
    with caplog.at_level(logging.WARNING):
        out = aligner.transform(new)
    assert list(out.columns) == ["A", "B", "C", "D"]
    assert out.iloc[0].tolist() == [5.0, 20.0, 1.0, 5.0]
    assert aligner.last_report_.n_missing == 1 and aligner.last_report_.n_nan_filled == 1
    assert "1 of 4 model genes are missing" in caplog.text
    with pytest.raises(TableFormatError,
                       match=r"found 1 of them \(75.0% missing, above the 30% limit\)"):
        aligner.transform(_frame([[1.0, 2.0]], ["A", "X"]))


def test_normaliser_by_input_type() -> None:
    counts = _frame([[10, 30, 60], [1, 1, 2]], ["A", "B", "C"])
    out = ExpressionNormaliser("counts").fit_transform(counts)
    assert np.allclose(out.iloc[0], np.log2(np.array([1e5, 3e5, 6e5]) + 1))
    micro = _frame([[200.0, 800.0, 3200.0], [100.0, 400.0, 1600.0]], ["A", "B", "C"])
    out = ExpressionNormaliser("microarray").fit_transform(micro)
    assert np.allclose(out.to_numpy(), [[-2, 0, 2], [-2, 0, 2]])  # log2 then median-centred
    same = ExpressionNormaliser("log").fit_transform(micro)
    assert same.equals(micro.astype(float))


def test_normaliser_bad_input() -> None:
    with pytest.raises(TableFormatError, match="all zero"):
        ExpressionNormaliser("tpm").fit(_frame([[0, 0], [1, 2]], ["A", "B"]))
    with pytest.raises(TableFormatError, match="negative"):
        ExpressionNormaliser("counts").fit(_frame([[-1, 2], [1, 2]], ["A", "B"]))
    with pytest.raises(TableFormatError, match="NaN"):
        ExpressionNormaliser("log").fit(_frame([[np.nan, 2]], ["A", "B"]))
    with pytest.raises(OptionsError, match="input_type"):
        ExpressionNormaliser("rpkm").fit(_frame([[1, 2]], ["A", "B"]))


def test_non_numeric_table_is_refused() -> None:
    frame = pd.DataFrame({"gene_name": ["x", "y"], "A": [1.0, 2.0]})
    with pytest.raises(TableFormatError, match="not numeric"):
        GeneAligner().fit(frame)


def test_feature_selector() -> None:
    frame = _frame([[0, 1, 5], [0, 2, -5], [0, 3, 5]], ["flat", "low", "high"])
    assert FeatureSelector(n_features=2).fit(frame).selected_ == ["low", "high"]
    labels = ["a", "b", "a"]
    assert FeatureSelector(n_features=1, method="anova").fit(frame, labels).selected_ == ["high"]


def test_pipeline_steps_save_and_load(tmp_path: Path) -> None:
    from sklearn.pipeline import Pipeline

    from onco_genomics.omics.classifiers import LogisticClassifier

    rng = np.random.default_rng(0)
    X = _frame(rng.normal(size=(20, 6)).tolist(), [f"g{i}" for i in range(6)])
    y = ["a"] * 10 + ["b"] * 10
    X.iloc[:10, 0] += 3
    pipe = Pipeline([*build_preprocessing(n_features=4), ("model", LogisticClassifier())])
    pipe.fit(X, y)
    card = {"feature_names": list(X.columns), "preprocessing": [], "training_data": {},
            "metrics": {}, "classes": ["a", "b"]}
    loaded = model_dir.load_model(model_dir.save_model(pipe, tmp_path / "m", card=card))
    assert [name for name, _ in loaded.steps] == [name for name, _ in pipe.steps]
    np.testing.assert_allclose(loaded.predict_proba(X), pipe.predict_proba(X), rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=3, max_size=8).filter(
    lambda v: sum(v) > 1.0))
def test_counts_normalisation_is_library_size_invariant(values: list[float]) -> None:
    genes = [f"g{i}" for i in range(len(values))]
    frame = _frame([values, [v * 7.0 for v in values]], genes)
    out = ExpressionNormaliser("counts").fit_transform(frame).to_numpy()
    np.testing.assert_allclose(out[0], out[1], rtol=1e-9, atol=1e-9)
