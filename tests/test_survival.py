"""Survival models: outcome checks, Cox score test, estimators, nested CV, persistence.

Synthetic data: a Cox model with known coefficients (exponential baseline hazard), so the
tests can assert what a correct fit must recover. Real data: scikit-survival's GSE7390.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sksurv.linear_model import CoxPHSurvivalAnalysis

from onco_genomics.errors import ModelError, OncogenError, TableFormatError
from onco_genomics.omics.model_dir import load_model, save_model
from onco_genomics.omics.survival import (
    SurvivalData,
    feature_effects,
    predict_survival,
    prepare_survival_data,
    train_survival,
)
from onco_genomics.omics.survival_models import (
    _ENSEMBLE_COXNET,
    AutoencoderCox,
    CoxnetSurvival,
    DeepSurv,
    EnsembleCox,
    XGBoostCox,
    cox_partial_likelihood_loss,
    cox_score_statistic,
)
from onco_genomics.omics.survival_outcome import make_outcome

pytestmark = pytest.mark.usefixtures("one_torch_thread")


TRUE_BETA = np.array([1.0, -0.8, 0.6])


def cox_data(n: int = 200, n_features: int = 20, seed: int = 0) -> SurvivalData:
    """Cox data: hazard exp(X[:, :3] @ TRUE_BETA), uniform censoring (~30%)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    hazard = np.exp(X[:, :3] @ TRUE_BETA)
    event_time = rng.exponential(1.0 / hazard)
    censor_time = rng.uniform(0, 3.0, size=n)
    time = np.minimum(event_time, censor_time) + 1e-3
    event = event_time <= censor_time
    ids = [f"s{i}" for i in range(n)]
    features = pd.DataFrame(X, index=ids, columns=[f"g{j}" for j in range(n_features)])
    return SurvivalData(features, make_outcome(time, event, sample_ids=ids), "synthetic")


# ---- bad input ------------------------------------------------------------------------------

def test_outcome_rejects_negative_times() -> None:
    with pytest.raises(TableFormatError, match=r"times >= 0.*1 negative.*c=-2"):
        make_outcome([1.0, 0.0, -2.0], [1, 0, 1], sample_ids=["a", "b", "c"])


def test_outcome_accepts_zero_times_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING"):
        outcome = make_outcome([1.0, 0.0, 2.0, 0.0], [1, 0, 1, 1],
                               sample_ids=["a", "b", "c", "d"])
    assert outcome.time.tolist() == [1.0, 0.0, 2.0, 0.0]
    assert "2 samples" in caplog.text and "time of 0" in caplog.text and "b, d" in caplog.text


def test_outcome_rejects_missing_times() -> None:
    with pytest.raises(TableFormatError, match="missing or non-numeric"):
        make_outcome([1.0, np.nan, "x"], [1, 0, 1])


def test_outcome_rejects_all_censored() -> None:
    with pytest.raises(OncogenError, match="all 3 samples censored"):
        make_outcome([1.0, 2.0, 3.0], [0, 0, 0])


def test_outcome_parses_event_words_and_rejects_others() -> None:
    outcome = make_outcome([1, 2, 3, 4], ["dead", "alive", "1", "0"])
    assert outcome.event.tolist() == [True, False, True, False]
    with pytest.raises(TableFormatError, match="recode"):
        make_outcome([1, 2], ["dead", "maybe"])


def test_prepare_warns_about_unmatched_samples(caplog: pytest.LogCaptureFixture) -> None:
    data = cox_data(40)
    clinical = pd.DataFrame({"Time": data.outcome.time, "Event": data.outcome.event.astype(int)},
                            index=list(data.features.index))
    clinical.loc["extra"] = [5.0, 1]
    joined = prepare_survival_data(data.features.iloc[:-3], clinical)
    assert len(joined.outcome) == 37
    # 37 samples have both; the 3 dropped from the features and "extra" only an outcome
    assert "0 samples have features but no outcome and 4 an outcome but no features" in \
        caplog.text


def test_prepare_rejects_nan_features_and_missing_columns() -> None:
    data = cox_data(20)
    clinical = pd.DataFrame({"time": data.outcome.time, "event": data.outcome.event},
                            index=list(data.features.index))
    features = data.features.copy()
    features.iloc[0, 0] = np.nan
    with pytest.raises(TableFormatError, match="impute"):
        prepare_survival_data(features, clinical)
    with pytest.raises(TableFormatError, match="--time-column"):
        prepare_survival_data(data.features, clinical.rename(columns={"time": "os"}))


# ---- the maths ------------------------------------------------------------------------------

def test_cox_score_statistic_matches_direct_formula() -> None:
    data = cox_data(60, 4, seed=3)
    X, t, e = data.features.to_numpy(), data.outcome.time, data.outcome.event
    t = np.round(t, 1) + 0.1  # introduce ties
    stat = cox_score_statistic(X, t, e)
    for j in range(X.shape[1]):
        u = info = 0.0
        for i in np.flatnonzero(e):
            risk_set = X[t >= t[i], j]
            u += X[i, j] - risk_set.mean()
            info += risk_set.var()
        assert stat[j] == pytest.approx(u * u / info, rel=1e-9)


def test_cox_loss_is_minimal_near_true_coefficients() -> None:
    import torch

    data = cox_data(400, 3, seed=1)
    x = torch.as_tensor(data.features.to_numpy().copy(), dtype=torch.float32)
    t = torch.as_tensor(data.outcome.time.copy(), dtype=torch.float32)
    e = torch.as_tensor(data.outcome.event.copy(), dtype=torch.float32)

    def loss(beta: np.ndarray) -> float:
        return float(cox_partial_likelihood_loss(x @ torch.as_tensor(beta, dtype=torch.float32),
                                                 t, e))

    assert loss(TRUE_BETA) < loss(TRUE_BETA * 0.3)
    assert loss(TRUE_BETA) < loss(TRUE_BETA * 3.0)
    assert loss(TRUE_BETA) < loss(-TRUE_BETA)


# ---- estimators -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def train_test() -> tuple[SurvivalData, SurvivalData]:
    data = cox_data(300, 20, seed=0)
    ids = list(data.features.index)
    train = SurvivalData(data.features.iloc[:200], data.outcome.subset(range(200)), "train")
    test = SurvivalData(data.features.iloc[200:], data.outcome.subset(range(200, 300)), "test")
    assert ids[200] == test.outcome.sample_ids[0]
    return train, test


FAST = {
    # the default variance selection is blind to the outcome: keep all 20 columns so the
    # 3 true features are in (the others select by the Cox score)
    "coxnet": lambda: CoxnetSurvival(max_features=None),
    "deepsurv": lambda: DeepSurv(max_features=10, epochs=60, hidden=(16,)),
    "autoencoder-cox": lambda: AutoencoderCox(max_features=10, hidden=16, latent=8, epochs=60),
    "xgboost-cox": lambda: XGBoostCox(max_features=10, n_estimators=60),
    # the weight grid keeps both members in the final model (1.0 would drop the partner)
    "ensemble-cox": lambda: EnsembleCox(max_features=10, coxnet_weights=(0.75, 0.5),
                                        partner_params={"n_estimators": 60}),
}


@pytest.fixture(scope="module")
def fitted(train_test: tuple[SurvivalData, SurvivalData]) -> dict[str, object]:
    train, _ = train_test
    return {name: make().fit(train.features.to_numpy(), train.outcome.to_structured())
            for name, make in FAST.items()}


@pytest.mark.parametrize("name", list(FAST))
def test_estimator_ranks_held_out_risk(name: str, train_test: tuple[SurvivalData, SurvivalData],
                                       fitted: dict[str, Any]) -> None:
    _, test = train_test
    model = fitted[name]
    c = model.score(test.features.to_numpy(), test.outcome.to_structured())
    # the true linear predictor reaches ~0.75 here, random 0.5; the autoencoder compresses
    # without the outcome, so it keeps less of the signal
    assert c > (0.58 if name == "autoencoder-cox" else 0.62), f"{name}: held-out C {c:.3f}"
    assert {0, 1, 2} <= set(model.selected_.tolist()), "the 3 true features must be selected"
    times = np.array([0.2, 0.5, 1.0])
    surv = model.predict_survival(test.features.to_numpy(), times)
    assert surv.shape == (100, 3)
    assert np.all(np.diff(surv, axis=1) <= 1e-12) and np.all((surv > 0) & (surv <= 1))
    groups = model.risk_group(test.features.to_numpy())
    assert set(groups) <= {"low", "high"}
    risk = model.predict(test.features.to_numpy())
    if name != "autoencoder-cox":  # cut-off groups: high group has the higher risk
        assert risk[groups == "high"].min() >= risk[groups == "low"].max()


def test_explain_attributes_reproduce_risk(train_test: tuple[SurvivalData, SurvivalData]) -> None:
    train, test = train_test
    X, y = train.features.to_numpy(), train.outcome.to_structured()
    Xt = test.features.to_numpy()
    coxnet = CoxnetSurvival(max_features=None).fit(X, y)
    np.testing.assert_allclose(Xt @ coxnet.coef_ + coxnet.intercept_, coxnet.predict(Xt),
                               atol=1e-10)
    assert coxnet.coef_[0] > 0 and coxnet.coef_[1] < 0 and coxnet.coef_[2] > 0
    deep = DeepSurv(max_features=10, epochs=20, hidden=(8,)).fit(X, y)
    out = deep.torch_module_(deep.to_tensor(Xt)).detach().numpy().ravel()
    np.testing.assert_allclose(out, deep.predict(Xt), atol=1e-5)
    xgb = XGBoostCox(max_features=5, n_estimators=20).fit(X, y)
    used = {int(name[1:]) for name in xgb.booster_.get_score()}
    assert used <= set(xgb.selected_.tolist())


@pytest.mark.parametrize("name", list(FAST))
def test_save_load_round_trip(name: str, train_test: tuple[SurvivalData, SurvivalData],
                              fitted: dict[str, Any], tmp_path: Path) -> None:
    train, test = train_test
    model = fitted[name]
    card = {"feature_names": list(train.features.columns), "preprocessing": {},
            "targets": ["risk_score"], "training_data": train.summary(), "metrics": {}}
    path = save_model(model, tmp_path / name, card=card)
    loaded = load_model(path, expect_kind="survival/")
    Xt = test.features.to_numpy()
    np.testing.assert_allclose(loaded.predict(Xt), model.predict(Xt), rtol=1e-5, atol=1e-6)
    assert (loaded.risk_group(Xt) == model.risk_group(Xt)).all()
    times = np.array([0.3, 0.9])
    np.testing.assert_allclose(loaded.predict_survival(Xt, times),
                               model.predict_survival(Xt, times), rtol=1e-5, atol=1e-6)


# ---- nested CV and prediction ---------------------------------------------------------------

def test_nested_cv_and_prediction_on_gse7390() -> None:
    from onco_genomics.datasets.survival import load_survival_dataset

    data = load_survival_dataset("gse7390")
    assert data.features.shape == (198, 76) and data.outcome.n_events == 51
    trained = train_survival(data, model="coxnet", cv_folds=3, params={"max_features": 30})
    summary = trained.cv.summary() if trained.cv else {}
    assert trained.cv is not None and len(trained.cv.folds) == 3
    assert 0.55 < summary["harrell_c_mean"] < 0.85
    assert 0.0 < summary["integrated_brier_mean"] < 0.25
    # out-of-fold risk groups separate on this prognostic set (p about 3e-4 when written)
    assert summary["logrank_p_oof_groups"] < 0.01
    assert trained.cv is not None and np.isfinite(trained.cv.oof_risk).all()
    pred = predict_survival(trained.model, data.features.iloc[:, ::-1],
                            feature_names=trained.card["feature_names"], outcome=data.outcome)
    assert list(pred.samples.columns) == ["sample", "risk_score", "risk_group"]
    np.testing.assert_allclose(pred.samples["risk_score"],
                               trained.model.predict(data.features.to_numpy()))
    assert pred.groups is not None and pred.groups.logrank_p < 0.05  # in-sample groups
    curves = pred.curves
    assert (curves["survival_high"] <= curves["survival_low"] + 1e-12).all()
    effects = feature_effects(trained.model, data.features, top=3)
    assert len(effects) == 3 and effects[0].spread >= effects[-1].spread > 0


def test_prediction_refuses_input_missing_most_features(
        train_test: tuple[SurvivalData, SurvivalData], fitted: dict[str, Any]) -> None:
    train, test = train_test
    model = fitted["coxnet"]
    names = list(train.features.columns)
    with pytest.raises(TableFormatError, match="selected features"):
        predict_survival(model, test.features.iloc[:, 10:], feature_names=names)


@pytest.mark.parametrize("name", ["coxnet", "xgboost-cox", "deepsurv", "ensemble-cox"])
def test_shap_explains_the_risk_score(name: str, train_test: tuple[SurvivalData, SurvivalData],
                                      fitted: dict[str, Any]) -> None:
    from onco_genomics.explain import explain_model, global_importance

    _, test = train_test
    model = fitted[name]
    X = test.features.iloc[:20]
    explanation = explain_model(model, X, n_background=30)
    assert explanation.output_names == ("risk_score",)
    total = explanation.values[:, :, 0].sum(axis=1) + explanation.base_values[0]
    if name != "deepsurv":  # exact explainers: SHAP values add up to the risk score
        np.testing.assert_allclose(total, model.predict(X.to_numpy()), atol=1e-3)
    top = global_importance(explanation).index[:3] if name in ("coxnet", "ensemble-cox") else []
    assert set(top) <= {"g0", "g1", "g2"}


# ---- the Coxnet + partner ensemble ----------------------------------------------------------

def test_ensemble_with_weight_one_is_the_coxnet_baseline(
        train_test: tuple[SurvivalData, SurvivalData], caplog: pytest.LogCaptureFixture) -> None:
    train, test = train_test
    X, y, Xt = train.features.to_numpy(), train.outcome.to_structured(), test.features.to_numpy()
    with caplog.at_level(logging.WARNING):
        ensemble = EnsembleCox(max_features=10, coxnet_weights=(1.0,)).fit(X, y)
    # the ensemble's member is the 0.1.0 Coxnet (Cox-score selection), its benchmarked design
    coxnet = CoxnetSurvival(max_features=10, **_ENSEMBLE_COXNET).fit(X, y)
    assert ensemble.coxnet_weight_ == 1.0 and len(ensemble.members_) == 1
    # a single weight: no inner CV, so no out-of-fold scale; it stays 1, with a warning
    assert ensemble.risk_scale_ == 1.0 and "no inner CV" in caplog.text
    # same ranking as the baseline (the risk is rescaled by its training sd)
    scale = np.std(coxnet.predict(X))
    np.testing.assert_allclose(ensemble.predict(Xt), coxnet.predict(Xt) / scale, atol=1e-10)
    assert ensemble.score(Xt, test.outcome.to_structured()) == pytest.approx(
        coxnet.score(Xt, test.outcome.to_structured()))


def test_ensemble_risk_scale_recovers_a_known_cox_coefficient(
        caplog: pytest.LogCaptureFixture) -> None:
    data = cox_data(n=3000, n_features=3, seed=5)
    lp = data.features.to_numpy() @ TRUE_BETA  # the true log hazard ratio
    y = data.outcome.to_structured()
    for true_scale in (0.5, 2.0):
        # a score whose Cox coefficient is true_scale
        scale = EnsembleCox._fit_risk_scale(lp / true_scale, y)
        assert scale == pytest.approx(true_scale, rel=0.08)
    with caplog.at_level(logging.WARNING):
        assert EnsembleCox._fit_risk_scale(np.zeros(len(lp)), y) == 1.0
        assert EnsembleCox._fit_risk_scale(-lp, y) == 1.0  # a negative coefficient
    assert caplog.text.count("keeping the blend's scale at 1") == 2


def overfit_data(n: int = 80, n_features: int = 300, seed: int = 0) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """One weak signal among many noise features: a fit on 50 selected of 300 features for
    80 samples nearly separates its own training outcomes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    event_time = rng.exponential(1.0 / np.exp(0.8 * X[:, 0]))
    censor_time = rng.uniform(0, 3.0, size=n)
    outcome = make_outcome(np.minimum(event_time, censor_time) + 1e-3,
                           event_time <= censor_time, sample_ids=[f"s{i}" for i in range(n)])
    return X, outcome.to_structured()


def test_ensemble_risk_scale_is_estimated_out_of_fold(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = overfit_data()
    seen: list[int] = []
    fit_scale = EnsembleCox._fit_risk_scale

    def spy(blend: np.ndarray, pooled: np.ndarray) -> float:
        seen.append(len(blend))
        return fit_scale(blend, pooled)

    monkeypatch.setattr(EnsembleCox, "_fit_risk_scale", staticmethod(spy))
    model = EnsembleCox(max_features=50, inner_folds=3, inner_repeats=2,
                        coxnet_weights=(1.0, 0.5),
                        partner_params={"n_estimators": 20}).fit(X, y)
    # fitted once, on the validation parts of the 3 x 2 inner folds: every sample twice
    assert seen == [2 * len(y)]
    # the training blend's Cox coefficient over-spreads; the out-of-fold one is far smaller
    blend = model.predict(X) / model.risk_scale_
    training = float(CoxPHSurvivalAnalysis(ties="breslow").fit(blend.reshape(-1, 1),
                                                                 y).coef_[0])
    assert training > 2.0
    assert 0.0 < model.risk_scale_ < 0.5 * training and model.risk_scale_ != 1.0


def test_ensemble_weight_is_chosen_inside_fit(
        train_test: tuple[SurvivalData, SurvivalData]) -> None:
    train, _ = train_test
    X, y = train.features.to_numpy(), train.outcome.to_structured()
    weights = (1.0, 0.75, 0.5, 0.25, 0.0)
    for one_se_rule in (False, True):
        ensemble = EnsembleCox(max_features=10, inner_folds=3, inner_repeats=2,
                               coxnet_weights=weights, one_se_rule=one_se_rule,
                               gate_level=None, partner_params={"n_estimators": 30}).fit(X, y)
        assert set(ensemble.inner_cv_c_) == set(ensemble.inner_cv_se_) == {
            "1", "0.75", "0.5", "0.25", "0"}
        best_w = max(ensemble.inner_cv_c_, key=lambda w: ensemble.inner_cv_c_[w])
        best = ensemble.inner_cv_c_[best_w]
        assert ensemble.inner_cv_se_[best_w] == 0.0  # paired with itself
        margin = (ensemble.inner_cv_se_ if one_se_rule
                  else dict.fromkeys(ensemble.inner_cv_c_, 0.0))
        chosen = f"{ensemble.coxnet_weight_:g}"
        assert best - ensemble.inner_cv_c_[chosen] <= margin[chosen] + 1e-12
        # the most linear blend that is good enough: no larger Coxnet weight qualifies
        assert all(best - c > margin[w] for w, c in ensemble.inner_cv_c_.items()
                   if float(w) > ensemble.coxnet_weight_)
        assert len(ensemble.members_) == (1 if ensemble.coxnet_weight_ in (0.0, 1.0) else 2)


def test_ensemble_one_se_rule_uses_the_paired_corrected_se() -> None:
    weights = (1.0, 0.0)
    ensemble = EnsembleCox(inner_folds=5, coxnet_weights=weights, gate_level=None)
    rng = np.random.default_rng(0)
    fold_c = rng.normal(0.65, 0.08, size=15)  # folds differ a lot (unpaired SE ~0.02)
    # the partner is better by 0.01 on every fold: a paired difference with no noise
    chosen, se, t_stat = ensemble._choose(np.column_stack([fold_c, fold_c + 0.01]), weights)
    assert chosen == 1 and se[1] == 0.0 and t_stat == np.inf
    # the same mean gain of 0.01 with paired noise sd 0.03 is within one corrected SE
    # (0.03 * sqrt(1/15 + 1/4) = 0.017; the uncorrected 0.03 / sqrt(15) = 0.008 is not),
    # so the linear model is kept
    noise = rng.normal(size=15)
    noise = (noise - noise.mean()) / noise.std(ddof=1)
    scores = np.column_stack([fold_c, fold_c + 0.01 + 0.03 * noise])
    chosen, se, t_stat = ensemble._choose(scores, weights)
    assert chosen == 0 and np.isnan(t_stat)
    np.testing.assert_allclose(se[0], 0.03 * np.sqrt(1 / 15 + 1 / 4))
    assert ensemble.set_params(one_se_rule=False)._choose(scores, weights)[0] == 1


def test_ensemble_gate_keeps_coxnet_unless_the_blend_passes_the_corrected_t_test() -> None:
    weights = (1.0, 0.0)
    rng = np.random.default_rng(1)
    fold_c = rng.normal(0.65, 0.08, size=15)
    noise = rng.normal(size=15)
    noise = (noise - noise.mean()) / noise.std(ddof=1)
    # gain 0.03, paired sd 0.03: t = 0.03 / (0.03 * sqrt(1/15 + 1/4)) = 1.78, beyond one SE
    # but below the two-sided 5% quantile of t with 14 df (2.14), above the 20% one (1.35)
    scores = np.column_stack([fold_c, fold_c + 0.03 + 0.03 * noise])
    expected_t = 1 / np.sqrt(1 / 15 + 1 / 4)
    for level, chosen_weight in ((None, 0.0), (0.05, 1.0), (0.2, 0.0)):
        ensemble = EnsembleCox(inner_folds=5, coxnet_weights=weights, gate_level=level)
        chosen, _, t_stat = ensemble._choose(scores, weights)
        assert weights[chosen] == chosen_weight, level
        assert t_stat == pytest.approx(expected_t)


def test_ensemble_inner_folds_refit_coxnet_with_the_full_data_penalty(
        train_test: tuple[SurvivalData, SurvivalData], monkeypatch: pytest.MonkeyPatch) -> None:
    train, _ = train_test
    X, y = train.features.to_numpy(), train.outcome.to_structured()
    seen: list[tuple[float | None, int]] = []
    fit_selected = CoxnetSurvival._fit_selected

    def spy(self: CoxnetSurvival, Xs: np.ndarray, outcome: Any) -> None:
        seen.append((self.alpha, Xs.shape[0]))
        fit_selected(self, Xs, outcome)

    monkeypatch.setattr(CoxnetSurvival, "_fit_selected", spy)
    ensemble = EnsembleCox(max_features=10, inner_folds=4, inner_repeats=2,
                           coxnet_weights=(1.0, 0.5),
                           partner_params={"n_estimators": 20}).fit(X, y)
    final = ensemble.members_[0]
    assert isinstance(final, CoxnetSurvival) and final.alpha is None
    # the full-data fit chooses the penalty; 4 x 2 inner folds reuse it on 3/4 of the data
    assert seen[0] == (None, 200)
    assert seen[1:] == [(final.alpha_, 150)] * 8


def test_coxnet_with_a_fixed_penalty_matches_the_path(
        train_test: tuple[SurvivalData, SurvivalData]) -> None:
    train, _ = train_test
    X, y = train.features.to_numpy(), train.outcome.to_structured()
    chosen = CoxnetSurvival(max_features=10).fit(X, y)
    fixed = CoxnetSurvival(max_features=10, alpha=chosen.alpha_).fit(X, y)
    assert fixed.alpha_ == chosen.alpha_
    np.testing.assert_allclose(fixed.coef_, chosen.coef_, atol=1e-3)
    stronger = CoxnetSurvival(max_features=10, alpha=2 * chosen.alpha_).fit(X, y)
    assert np.abs(stronger.coef_).sum() < np.abs(chosen.coef_).sum()
    # a small penalty is reached along a warm-started path (alone it can diverge)
    weak = CoxnetSurvival(max_features=10, alpha=chosen.alpha_ / 20).fit(X, y)
    assert np.abs(weak.coef_).sum() > np.abs(chosen.coef_).sum()
    with pytest.raises(OncogenError, match="positive Coxnet alpha"):
        CoxnetSurvival(max_features=10, alpha=0.0).fit(X, y)


def test_coxnet_variance_selection_ignores_the_outcome() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 8)) * np.array([1, 5, 1, 4, 1, 3, 1, 1])
    y = make_outcome(rng.exponential(size=60) + 0.01, rng.random(60) < 0.6,
                     sample_ids=[f"s{i}" for i in range(60)]).to_structured()
    model = CoxnetSurvival(max_features=3).fit(X, y)
    assert model.selected_.tolist() == [1, 3, 5]
    shuffled = CoxnetSurvival(max_features=3).fit(X, y[rng.permutation(60)])
    assert shuffled.selected_.tolist() == [1, 3, 5]
    by_score = CoxnetSurvival(max_features=3, selection="cox-score").fit(X, y)
    assert by_score.get_params()["selection"] == "cox-score"
    with pytest.raises(OncogenError, match="unknown feature selection 'random'"):
        CoxnetSurvival(max_features=3, selection="random").fit(X, y)


def test_coxnet_files_from_before_selection_load_as_cox_score(
        train_test: tuple[SurvivalData, SurvivalData], tmp_path: Path) -> None:
    train, test = train_test
    X, y = train.features.to_numpy(), train.outcome.to_structured()
    model = CoxnetSurvival(max_features=10, selection="cox-score").fit(X, y)
    card = {"feature_names": list(train.features.columns), "preprocessing": {},
            "targets": ["risk_score"], "training_data": train.summary(), "metrics": {}}
    path = save_model(model, tmp_path / "old", card=card)
    document_path = path / "model.json"
    document = json.loads(document_path.read_text())
    del document["payload"]["params"]["selection"]  # what oncogen 0.1.0 wrote
    document_path.write_text(json.dumps(document))
    loaded = load_model(path, expect_kind="survival/")
    assert loaded.get_params()["selection"] == "cox-score"
    Xt = test.features.to_numpy()
    np.testing.assert_allclose(loaded.predict(Xt), model.predict(Xt), atol=1e-10)


def test_models_train_with_zero_follow_up_times() -> None:
    data = cox_data(80, 6, seed=4)
    time = data.outcome.time.copy()
    time[:3] = 0.0  # an event and censorings at 0 are kept
    event = data.outcome.event.copy()
    event[0], event[1] = True, False
    y = make_outcome(time, event, sample_ids=list(data.outcome.sample_ids)).to_structured()
    X = data.features.to_numpy()
    for model in (CoxnetSurvival(max_features=None), XGBoostCox(n_estimators=20)):
        assert model.fit(X, y).score(X, y) > 0.6


def test_ensemble_refuses_bad_options() -> None:
    X = np.zeros((4, 2))
    y = make_outcome(np.ones(4), np.array([1, 0, 1, 0]), sample_ids=list("abcd")).to_structured()
    with pytest.raises(OncogenError, match="partner"):
        EnsembleCox(partner="random-forest").fit(X, y)
    with pytest.raises(OncogenError, match="weights in"):
        EnsembleCox(coxnet_weights=(1.5,)).fit(X, y)
    with pytest.raises(OncogenError, match="inner_repeats"):
        EnsembleCox(inner_repeats=0).fit(X, y)
    with pytest.raises(OncogenError, match="gate_level"):
        EnsembleCox(gate_level=1.5).fit(X, y)
    with pytest.raises(OncogenError, match="unknown xgboost-cox parameters"):
        EnsembleCox(partner_params={"n_trees": 3}).fit(X, y)


def test_ensemble_with_deepsurv_saves_and_loads(
        train_test: tuple[SurvivalData, SurvivalData], tmp_path: Path) -> None:
    train, test = train_test
    X, y, Xt = train.features.to_numpy(), train.outcome.to_structured(), test.features.to_numpy()
    model = EnsembleCox(max_features=10, partner="deepsurv", coxnet_weights=(0.5,),
                        partner_params={"epochs": 20, "hidden": (8,)}).fit(X, y)
    assert [type(m).__name__ for m in model.members_] == ["CoxnetSurvival", "DeepSurv"]
    card = {"feature_names": list(train.features.columns), "preprocessing": {},
            "targets": ["risk_score"], "training_data": train.summary(), "metrics": {}}
    path = save_model(model, tmp_path / "ens", card=card)
    assert (path / "member1-deepsurv" / "deepsurv.pt").is_file()
    loaded = load_model(path, expect_kind="survival/ensemble-cox")
    np.testing.assert_allclose(loaded.predict(Xt), model.predict(Xt), rtol=1e-5, atol=1e-6)


def test_ensemble_risk_scale_saves_and_loads_and_old_versions_load_unscaled(
        tmp_path: Path) -> None:
    X, y = overfit_data(seed=0)
    Xt = overfit_data(seed=1)[0]
    model = EnsembleCox(max_features=50, inner_folds=3, inner_repeats=2,
                        coxnet_weights=(1.0, 0.5),
                        partner_params={"n_estimators": 20}).fit(X, y)
    assert model.risk_scale_ != 1.0 and model.risk_scale_ > 0
    names = [f"g{j}" for j in range(X.shape[1])]
    card = {"feature_names": names, "preprocessing": {}, "targets": ["risk_score"],
            "training_data": {}, "metrics": {}}
    path = save_model(model, tmp_path / "ens", card=card)
    loaded = load_model(path, expect_kind="survival/ensemble-cox")
    assert loaded.risk_scale_ == model.risk_scale_
    np.testing.assert_allclose(loaded.predict(Xt), model.predict(Xt), rtol=1e-5, atol=1e-6)
    times = np.array([0.2, 0.5, 1.0])
    np.testing.assert_allclose(loaded.predict_survival(Xt, times),
                               model.predict_survival(Xt, times), rtol=1e-5, atol=1e-6)
    # a version-1 file (before risk_scale): its coefficients and baseline are the unscaled
    # blend's and load as stored; a newer payload version is refused
    meta = path / "model.json"
    document = json.loads(meta.read_text())
    payload = document["payload"]
    assert payload["payload_version"] == 2
    for entry in payload["members"]:
        entry["coefficient"] /= model.risk_scale_
    del payload["payload_version"], payload["risk_scale"]
    meta.write_text(json.dumps(document))
    old = load_model(path, expect_kind="survival/ensemble-cox")
    assert old.risk_scale_ == 1.0
    np.testing.assert_allclose(old.predict(Xt) * model.risk_scale_, model.predict(Xt),
                               rtol=1e-5, atol=1e-6)
    payload["payload_version"] = 3
    meta.write_text(json.dumps(document))
    with pytest.raises(ModelError, match=r"payload version 3.*Upgrade oncogen"):
        load_model(path, expect_kind="survival/ensemble-cox")


def test_survset_sets_keep_zero_times_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("SurvSet", reason="survset (a test extra) ships these data sets")
    from onco_genomics.datasets.survival import load_survival_dataset

    with caplog.at_level("WARNING"):
        aml = load_survival_dataset("aml_bull")
    assert aml.features.shape == (116, 6283) and (aml.outcome.time == 0).sum() == 1
    assert "follow-up time of 0" in caplog.text
    nsbcd = load_survival_dataset("nsbcd")
    assert nsbcd.features.shape == (115, 549) and nsbcd.outcome.n_events == 38


def test_trained_and_predicted_survival_write_the_cli_files(tmp_path: Path) -> None:
    """TrainedSurvival.save and SurvivalPrediction.write give a script the files of
    `oncogen train survival` and `oncogen survival`; the out-of-fold table names the
    training samples in order."""
    data = cox_data(n=90, n_features=6)
    trained = train_survival(data, model="coxnet", cv_folds=3)
    oof = trained.oof_table()
    assert list(oof.index) == list(data.outcome.sample_ids)
    assert np.array_equal(oof["risk_score"].to_numpy(), trained.cv.oof_risk)  # type: ignore[union-attr]
    folder = trained.save(tmp_path / "model")
    assert {p.name for p in folder.iterdir()} >= {"model.json", "cv_folds.tsv",
                                                  "cv_risk_groups.tsv", "km_risk_groups.png"}
    written = pd.read_csv(folder / "cv_risk_groups.tsv", sep="\t", index_col=0)
    assert list(written.index) == list(data.outcome.sample_ids)
    model = load_model(folder)
    prediction = predict_survival(model, data.features.iloc[:30], outcome=None, n_effects=2)
    assert prediction.effects is not None and len(prediction.effects) == 2
    out = prediction.write(tmp_path / "pred")
    assert {p.name for p in out.iterdir()} == {"risk.tsv", "curves.tsv", "curves.png",
                                               "feature_effects.png"}
    no_cv = train_survival(data, model="coxnet", cv_folds=0)
    with pytest.raises(OncogenError, match="no cross-validation"):
        no_cv.oof_table()
