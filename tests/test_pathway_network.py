"""Pathway-informed network: Reactome export, layout, sparsity, attributions, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from onco_genomics.datasets.pathways import load_reactome
from onco_genomics.errors import OncogenError
from onco_genomics.omics.drug_response_data import prepare_drug_response
from onco_genomics.omics.drug_response_models import MultitaskDrugResponse
from onco_genomics.omics.model_dir import load_model, save_model
from onco_genomics.omics.pathway_network import (
    MaskedLinear,
    PathwayEncoder,
    build_layout,
    gene_of,
    pathway_attributions,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


GENES = ["TP53", "MDM2", "CDKN1A", "BAX", "KRAS", "BRAF", "MAP2K1", "MAPK1", "MAPK3",
         "EGFR", "PIK3CA", "AKT1", "PTEN", "MTOR", "RB1", "CDK4", "CCND1", "E2F1"]


def test_shipped_reactome_export() -> None:
    reactome = load_reactome()
    assert reactome.gene_pathway["gene"].nunique() > 10_000
    tp53 = set(reactome.gene_pathway.loc[reactome.gene_pathway["gene"] == "TP53", "pathway"])
    assert "R-HSA-6804757" in tp53  # Regulation of TP53 Degradation
    assert reactome.names["R-HSA-6804757"] == "Regulation of TP53 Degradation"
    assert reactome.hierarchy["parent"].str.startswith("R-HSA").all()


def test_gene_names_from_feature_names() -> None:
    assert [gene_of(n) for n in ("TP53_mut", "HS_KRAS", "EGFR", "MYC_amp")] == \
        ["TP53", "KRAS", "EGFR", "MYC"]


def test_layout_follows_reactome() -> None:
    names = [f"{g}_mut" for g in GENES] + ["tissue:lung", "loss_cnaPANCAN1"]
    layout = build_layout(names, n_levels=3, min_genes=2)
    assert layout.genes == tuple(GENES)
    assert layout.other_features.tolist() == [len(GENES), len(GENES) + 1]
    reactome = load_reactome()
    members = set(map(tuple, reactome.gene_pathway.to_numpy()))
    rows, cols = np.nonzero(layout.masks[0])
    assert all((layout.genes[r], layout.levels[0][c]) in members for r, c in zip(rows, cols,
                                                                                   strict=True))
    links = set(map(tuple, reactome.hierarchy.to_numpy()))
    rows, cols = np.nonzero(layout.masks[1])
    for r, c in zip(rows, cols, strict=True):
        child, parent = layout.levels[0][r], layout.levels[1][c]
        assert (parent, child) in links or parent == child
    assert (layout.masks[1].sum(axis=1) >= 1).all()  # every pathway reaches the next level
    with pytest.raises(OncogenError, match="gene symbols"):
        build_layout(["feature_a", "feature_b"])


def test_masked_weights_stay_zero_and_attributions_rank() -> None:
    layout = build_layout(GENES, n_levels=2, min_genes=2)
    torch.manual_seed(0)
    encoder = PathwayEncoder(layout, 4, dropout=0.0)
    x = torch.randn(64, len(GENES))
    target = x[:, GENES.index("TP53")] * 2.0
    opt = torch.optim.Adam(encoder.parameters(), lr=1e-2)
    for _ in range(80):
        opt.zero_grad()
        loss = ((encoder(x).sum(dim=1) - target) ** 2).mean()
        loss.backward()
        opt.step()
    first = encoder.layers[0]
    assert isinstance(first, MaskedLinear)
    effective = (first.linear.weight * first.mask).detach().numpy()
    assert np.all(effective[first.mask.numpy() == 0] == 0)
    table = pathway_attributions(encoder, x, lambda inp: encoder(inp).sum(dim=1))
    level0 = table[table["level"] == 0]
    tp53_pathways = set(load_reactome().gene_pathway.query("gene == 'TP53'")["pathway"])
    # the pathways carrying the only informative gene dominate level 0
    assert level0.iloc[0]["pathway"] in tp53_pathways


def test_multitask_with_pathway_encoder_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    cells = [f"c{i}" for i in range(80)]
    feats = pd.DataFrame((rng.random((80, len(GENES))) < 0.3).astype(float), index=cells,
                         columns=[f"{g}_mut" for g in GENES])
    ic50 = 2 + 1.5 * feats[["TP53_mut"]].to_numpy() * rng.normal(0, 1, 4) \
        + rng.normal(0, 0.3, (80, 4))
    data = prepare_drug_response(pd.DataFrame(ic50, index=cells, columns=list("ABCD")), feats)
    model = MultitaskDrugResponse(encoder="pathway", code_size=4, epochs=30,
                                  min_feature_count=1).fit(data)
    card = {"feature_names": list(feats.columns), "preprocessing": {}, "targets": ["A"],
            "training_data": {}, "metrics": {}}
    loaded = load_model(save_model(model, tmp_path / "m", card=card))
    pairs = data.response.iloc[:30]
    np.testing.assert_allclose(loaded.predict(feats, pairs), model.predict(feats, pairs),
                               rtol=1e-5, atol=1e-5)
    table = loaded.pathway_attributions(feats, "A")
    assert {"level", "pathway", "name", "attribution"} <= set(table.columns)
    assert (table["attribution"] >= 0).all() and table["attribution"].iloc[0] > 0


def test_deepsurv_with_pathway_encoder(tmp_path: Path) -> None:
    from onco_genomics.omics.survival_models import DeepSurv
    from onco_genomics.omics.survival_outcome import make_outcome

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, len(GENES)))
    hazard = np.exp(1.5 * X[:, GENES.index("TP53")])
    t_event, t_censor = rng.exponential(1 / hazard), rng.uniform(0, 2, 300)
    outcome = make_outcome(np.minimum(t_event, t_censor) + 1e-3, t_event <= t_censor)
    y = outcome.to_structured()
    model = DeepSurv(encoder="pathway", feature_names=tuple(f"HS_{g}" for g in GENES),
                     hidden=(8,), epochs=100, lr=3e-3, dropout=0.0, patience=30,
                     max_features=None).fit(X[:200], y[:200])
    assert model.score(X[200:], y[200:]) > 0.65
    table = model.pathway_attributions(X[:200])
    tp53_pathways = set(load_reactome().gene_pathway.query("gene == 'TP53'")["pathway"])
    top = table[table["level"] == 0].head(3)["pathway"]
    assert set(top) & tp53_pathways
    card = {"feature_names": [f"HS_{g}" for g in GENES], "preprocessing": {},
            "targets": ["risk_score"], "training_data": {}, "metrics": {}}
    loaded = load_model(save_model(model, tmp_path / "ds", card=card))
    np.testing.assert_allclose(loaded.predict(X[200:]), model.predict(X[200:]), atol=1e-5)
