"""The caller's network, model files, scoring and training loop, on synthetic tensors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from onco_genomics.caller.dataset import EncodedSet, load_encoded, save_encoded
from onco_genomics.caller.inference import phred_quality, resolve_device, score_tensors
from onco_genomics.caller.model import load_model, save_model
from onco_genomics.caller.network import (
    MAX_INDEL_LENGTH,
    VARIANT_CLASSES,
    NetworkConfig,
    NetworkOutput,
    SomaticNet,
    allele_probability,
    allele_targets,
    count_parameters,
    length_class,
)
from onco_genomics.caller.records import (
    FilterOptions,
    SomaticCall,
    call_filters,
    orientation_bias_pvalue,
    orientation_biased,
    strong_indel_evidence,
    substitution_class,
)
from onco_genomics.caller.train import (
    TrainOptions,
    augment_batch,
    best_threshold,
    fit_caller,
    split_by_region,
)
from onco_genomics.errors import ModelError, OptionsError

SPEC = {"version": "test", "window": 11, "channels": [f"c{i}" for i in range(5)] + ["depth"]}


def small_net(seed: int = 0) -> SomaticNet:
    torch.manual_seed(seed)
    return SomaticNet(NetworkConfig(in_channels=6, window=11, width=16, blocks=2, hidden=16))


def test_network_shapes_and_size() -> None:
    net = small_net()
    out = net(torch.zeros(3, 6, 11))
    assert out.type_logits.shape == (3, len(VARIANT_CLASSES))
    assert out.alt_logits.shape == (3, 4)
    assert out.length_logits.shape == (3, MAX_INDEL_LENGTH)
    with pytest.raises(ValueError, match="expected input"):
        net(torch.zeros(3, 5, 11))
    # the production shape (70 channels x 41 columns) stays well under 1 M parameters
    default = SomaticNet(NetworkConfig(in_channels=70, window=41))
    assert 10_000 < count_parameters(default) < 1_000_000


def test_allele_targets_and_length_classes() -> None:
    assert allele_targets("SNV", "A", "G") == (2, -1)
    assert allele_targets("INS", "A", "ACC") == (-1, 1)
    assert allele_targets("DEL", "ACCC", "A") == (-1, 2)
    assert length_class(1) == 0
    assert length_class(500) == MAX_INDEL_LENGTH - 1
    with pytest.raises(ValueError):
        length_class(0)


def test_allele_probability_is_the_candidate_type() -> None:
    type_logits = torch.log(torch.tensor([[0.1, 0.6, 0.2, 0.1], [0.1, 0.1, 0.7, 0.1]]))
    out = NetworkOutput(type_logits, torch.zeros(2, 4), torch.zeros(2, MAX_INDEL_LENGTH))
    prob = allele_probability(out, np.array([1, 2]))
    np.testing.assert_allclose(prob, [0.6, 0.7], rtol=1e-5)
    # the same tensor proposed as a deletion scores P(DEL)
    np.testing.assert_allclose(allele_probability(out, np.array([3, 3])), [0.1, 0.1], rtol=1e-5)


def test_phred_quality() -> None:
    q = phred_quality(np.array([0.0, 0.9, 0.99, 1.0]))
    assert q.tolist() == [0.0, 10.0, 20.0, 99.0]


def test_model_round_trip_and_checks(tmp_path: Path) -> None:
    net = small_net()
    folder = save_model(tmp_path / "m", net, encoder=SPEC, threshold=0.4,
                        training={"sets": ["x"]}, metrics={"f1": 0.9})
    meta = json.loads((folder / "model.json").read_text())
    assert meta["kind"] == "caller/cnn" and meta["encoder"]["window"] == 11
    model = load_model(folder, encoder=SPEC, device="cpu")
    assert model.threshold == 0.4
    x = torch.randn(4, 6, 11)
    net.eval()
    assert torch.equal(model.network(x).type_logits, net(x).type_logits)
    # a different encoder is refused, naming the difference
    with pytest.raises(ModelError, match=r"different pileup encoder.*window"):
        load_model(folder, encoder={**SPEC, "window": 13})
    # damaged weights are refused
    weights = folder / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ModelError, match="checksum"):
        load_model(folder, encoder=SPEC)
    with pytest.raises(ModelError, match="no file or folder"):
        load_model(tmp_path / "nowhere", encoder=SPEC)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "model.json").write_text(json.dumps({"format": "oncogen-model",
                                                             "kind": "cup/xgboost"}))
    with pytest.raises(ModelError, match="kind 'caller/cnn'"):
        load_model(tmp_path / "bad", encoder=SPEC)


def test_score_tensors_batching_is_invariant(tmp_path: Path) -> None:
    model = load_model(save_model(tmp_path / "m", small_net(), encoder=SPEC), encoder=SPEC)
    rng = np.random.default_rng(1)
    tensors = rng.random((37, 6, 11), dtype=np.float32)
    types = ["SNV", "INS", "DEL"] * 12 + ["SNV"]
    refs = ["A" if t != "DEL" else "ACG" for t in types]
    alts = ["C" if t == "SNV" else ("AT" if t == "INS" else "A") for t in types]
    whole = score_tensors(model, tensors, types, refs, alts, batch_size=64)
    pieces = score_tensors(model, tensors, types, refs, alts, batch_size=5)
    np.testing.assert_allclose(whole, pieces, rtol=0, atol=1e-6)
    assert ((whole >= 0) & (whole <= 1)).all()


def test_device_cuda_without_gpu_is_a_clear_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present: the error path cannot be exercised")
    with pytest.raises(OptionsError, match="no CUDA GPU"):
        resolve_device("cuda")
    assert resolve_device("auto").type == "cpu"
    with pytest.raises(OptionsError, match="one of"):
        resolve_device("tpu")


def test_filters_and_call_records() -> None:
    options = FilterOptions()
    assert call_filters(0.9, 0, 30, threshold=0.5, options=options) == ()
    assert call_filters(0.3, 0, 30, threshold=0.5, options=options) == ("LowQual",)
    assert call_filters(0.9, 6, 30, threshold=0.5, options=options) == ("NormalSupport",)
    # the SNV ALT-read floor (3 by default) flags 2-read SNVs, never indels
    assert call_filters(0.9, 0, 30, threshold=0.5, options=options, vartype="SNV",
                        tumor_alt=2) == ("LowAltReads",)
    assert call_filters(0.9, 0, 30, threshold=0.5, options=options, vartype="SNV",
                        tumor_alt=3) == ()
    assert call_filters(0.9, 0, 30, threshold=0.5, options=options, vartype="DEL",
                        tumor_alt=2) == ()
    assert call_filters(0.9, 0, 30, threshold=0.5, options=FilterOptions(min_snv_alt_reads=2),
                        vartype="SNV", tumor_alt=2) == ()
    with pytest.raises(ValueError, match="min_snv_alt_reads"):
        FilterOptions(min_snv_alt_reads=0)
    # the indel floor is off by default (2 = the candidate floor) and flags INS/DEL, never
    # SNVs or MNVs, when raised
    floor3 = FilterOptions(min_indel_alt_reads=3)
    for vartype, expected in (("INS", ("LowAltReads",)), ("DEL", ("LowAltReads",)),
                              ("MNV", ())):
        assert call_filters(0.9, 0, 30, threshold=0.5, options=floor3, vartype=vartype,
                            tumor_alt=2) == expected
        assert call_filters(0.9, 0, 30, threshold=0.5, options=floor3, vartype=vartype,
                            tumor_alt=3) == ()
    assert call_filters(0.9, 0, 30, threshold=0.5, options=FilterOptions(min_indel_alt_reads=1,
                        min_snv_alt_reads=5), vartype="SNV", tumor_alt=4) == ("LowAltReads",)
    with pytest.raises(ValueError, match="min_indel_alt_reads"):
        FilterOptions(min_indel_alt_reads=0)
    # tumor-only calls use the same floors
    from onco_genomics.caller.tumor_only_records import tumor_only_filters

    def tumor_only(vartype: str, alt: str, options: FilterOptions) -> tuple[str, ...]:
        return tumor_only_filters(0.9, 0.01, pon=False, threshold=0.5, germline_threshold=0.9,
                                  vartype=vartype, ref="A", alt=alt, tumor_alt=2,
                                  tumor_alt_f1r2=1, options=options)

    assert tumor_only("INS", "AT", options) == ()
    assert tumor_only("INS", "AT", floor3) == ("LowAltReads",)
    assert tumor_only("SNV", "T", options) == ("LowAltReads",)
    call = SomaticCall("20", 99, "A", "T", "SNV", 50, 10, 60, 30, 0, 30, 0.95, 13.01)
    assert SomaticCall.from_json(json.loads(json.dumps(call.to_json()))) == call
    variant = call.to_variant(normal_sample="N", tumor_sample="T")
    assert variant.filters == ("PASS",) and variant.info["TYPE"] == "SNV"
    assert variant.sample_data["T"]["AD"] == [50, 10]
    assert variant.sample_data["N"]["GT"] == "0/0"
    with pytest.raises(ValueError, match="unknown filter"):
        SomaticCall("20", 99, "A", "T", "SNV", 1, 1, 2, 1, 0, 1, 0.5, 3.0, ("Bogus",))


def test_orientation_bias_pvalue_and_classes() -> None:
    assert orientation_bias_pvalue(6, 0) == pytest.approx(0.5 ** 6)
    assert orientation_bias_pvalue(0, 6) == pytest.approx(0.5 ** 6)
    # one-sided tail of the larger count: P(X >= 9) for X ~ Bin(10, 0.5) = 11 / 1024
    assert orientation_bias_pvalue(1, 9) == pytest.approx(11 / 1024)
    assert orientation_bias_pvalue(5, 5) == pytest.approx(638 / 1024)
    assert orientation_bias_pvalue(0, 0) == 1.0
    assert [substitution_class(r, a) for r, a in ("GT", "CA", "GA", "CT", "AG", "TC")] == [
        "C>A", "C>A", "C>T", "C>T", "T>C", "T>C"]


def test_orientation_bias_filter_on_synthetic_calls() -> None:
    options = FilterOptions(orientation_bias_p=0.01)
    kwargs = {"threshold": 0.5, "options": options, "vartype": "SNV"}
    # G>T with 12 ALT reads all F1R2 (the 8-oxoG signature): p = 2.4e-4
    assert call_filters(0.9, 0, 30, tumor_alt=12, ref="G", alt="T", tumor_alt_f1r2=12,
                        **kwargs) == ("OrientationBias",)
    # ... all F2R1 is as suspicious (C>A on the other strand)
    assert call_filters(0.9, 0, 30, tumor_alt=12, ref="C", alt="A", tumor_alt_f1r2=0,
                        **kwargs) == ("OrientationBias",)
    # balanced orientations, or too few reads to tell (6 of 6: p = 0.016), pass
    assert call_filters(0.9, 0, 30, tumor_alt=12, ref="G", alt="T", tumor_alt_f1r2=5,
                        **kwargs) == ()
    assert call_filters(0.9, 0, 30, tumor_alt=6, ref="G", alt="T", tumor_alt_f1r2=6,
                        **kwargs) == ()
    # one-sided, not merely unbalanced: 14 + 3 of 17 (p = 0.0064, minor 18%) passes unless
    # the minor-orientation condition is dropped; 19 + 1 of 20 (minor 5%) is flagged
    assert call_filters(0.9, 0, 30, tumor_alt=17, ref="G", alt="T", tumor_alt_f1r2=14,
                        **kwargs) == ()
    assert orientation_biased("G", "T", 14, 3,
                              options=FilterOptions(orientation_bias_max_minor=1.0))
    assert orientation_biased("G", "T", 19, 1, options=options)
    assert not orientation_biased("G", "T", 19, 1,
                                  options=FilterOptions(orientation_bias_max_minor=0.0))
    # C>T (deamination) is in the default classes, T>G is not
    assert orientation_biased("G", "A", 12, 0, options=options)
    assert not orientation_biased("T", "G", 12, 0, options=options)
    everything = FilterOptions(orientation_bias_classes=("C>A", "C>G", "C>T", "T>A", "T>C",
                                                         "T>G"))
    assert orientation_biased("T", "G", 12, 0, options=everything)
    # 0 turns it off; indels are never flagged; without the counts nothing is flagged
    assert not orientation_biased("G", "T", 30, 0, options=FilterOptions(orientation_bias_p=0))
    assert call_filters(0.9, 0, 30, threshold=0.5, options=options, vartype="INS",
                        tumor_alt=12, ref="G", alt="GT", tumor_alt_f1r2=12) == ()
    assert call_filters(0.9, 0, 30, tumor_alt=12, **kwargs) == ()
    # together with the other filters, in FILTERS order
    assert call_filters(0.3, 6, 30, tumor_alt=12, ref="G", alt="T", tumor_alt_f1r2=12,
                        **kwargs) == ("LowQual", "NormalSupport", "OrientationBias")
    with pytest.raises(ValueError, match="orientation_bias_p"):
        FilterOptions(orientation_bias_p=1.0)
    with pytest.raises(ValueError, match="orientation_bias_max_minor"):
        FilterOptions(orientation_bias_max_minor=1.5)
    with pytest.raises(ValueError, match="orientation_bias_classes"):
        FilterOptions(orientation_bias_classes=("G>T",))


def test_call_records_carry_pair_orientation() -> None:
    call = SomaticCall("20", 99, "G", "T", "SNV", 50, 10, 60, 30, 1, 31, 0.95, 13.01,
                       ("OrientationBias",), tumor_ref_f1r2=26, tumor_alt_f1r2=10,
                       normal_ref_f1r2=14, normal_alt_f1r2=0)
    assert SomaticCall.from_json(json.loads(json.dumps(call.to_json()))) == call
    assert call.tumor_alt_f2r1 == 0 and call.orientation_bias_p == pytest.approx(0.5 ** 10)
    variant = call.to_variant(normal_sample="N", tumor_sample="T")
    assert variant.sample_data["T"]["F1R2"] == [26, 10]
    assert variant.sample_data["T"]["F2R1"] == [24, 0]
    assert variant.sample_data["N"]["F1R2"] == [14, 0]
    assert variant.sample_data["N"]["F2R1"] == [16, 1]
    with pytest.raises(ValueError, match="tumor_alt_f1r2"):
        SomaticCall("20", 99, "G", "T", "SNV", 50, 10, 60, 30, 0, 30, 0.95, 13.01,
                    tumor_alt_f1r2=11)
    old = call.to_json()
    del old["tumor_alt_f1r2"]  # a chunk file written before the F1R2 counts existed
    with pytest.raises(ValueError, match="tumor_alt_f1r2"):
        SomaticCall.from_json(old)


def synthetic_set(n: int, *, seed: int, name: str = "synthetic") -> EncodedSet:
    """Candidates spread over 400 kb; somatic SNVs carry a signal in channel 0 at the centre
    and their alt base in channel 1; germline negatives carry it in the normal too."""
    rng = np.random.default_rng(seed)
    tensors = rng.normal(0.0, 0.3, (n, 6, 11)).astype(np.float32)
    tensors[:, 5] = 0.5
    somatic = rng.random(n) < 0.25
    alt = rng.integers(0, 4, n)
    tensors[somatic, 0, 5] += 2.0
    tensors[np.arange(n), 1, 5] = alt / 3.0
    germline = ~somatic & (rng.random(n) < 0.2)
    tensors[germline, 0, 5] += 2.0
    tensors[germline, 2, 5] += 2.0
    return EncodedSet(
        name=name, tensors=tensors.astype(np.float16),
        type_target=np.where(somatic, 1, 0).astype(np.int64),
        alt_target=np.where(somatic, alt, -1).astype(np.int64),
        length_target=np.full(n, -1, dtype=np.int64),
        vartype=np.ones(n, dtype=np.int64), chrom=np.array(["20"] * n),
        pos=np.sort(rng.integers(0, 400_000, n)).astype(np.int64),
        ref=np.array(["A"] * n), alt=np.array([["A", "C", "G", "T"][a] for a in alt]),
        truth_vaf=np.where(somatic, rng.uniform(0.02, 0.5, n), np.nan),
        germline=germline, tumor_af=rng.random(n), n_truth=int(somatic.sum()),
        summary={"name": name},
    )


def test_split_by_region_keeps_validation_away_from_training() -> None:
    data = synthetic_set(2000, seed=3)
    split = split_by_region(data, val_fraction=0.25, block_size=50_000, margin=1_000, seed=7)
    assert len(split.validation) and len(split.train)
    train_pos, val_pos = data.pos[split.train], data.pos[split.validation]
    gaps = np.abs(val_pos[:, None] - train_pos[None, :]).min(axis=1)
    assert gaps.min() >= 2 * 1_000  # never a validation site next to a training site
    train_blocks = set((train_pos // 50_000).tolist())
    assert not train_blocks & set((val_pos // 50_000).tolist())
    again = split_by_region(data, val_fraction=0.25, block_size=50_000, margin=1_000, seed=7)
    assert np.array_equal(again.validation, split.validation)


def test_encoded_set_round_trip(tmp_path: Path) -> None:
    data = synthetic_set(50, seed=1)
    save_encoded(tmp_path / "set.npz", data)
    back = load_encoded(tmp_path / "set.npz")
    assert back.name == data.name and back.n_truth == data.n_truth
    np.testing.assert_array_equal(back.tensors, data.tensors)
    np.testing.assert_array_equal(back.alt, data.alt)


def test_augmentation_keeps_zeros_and_shape() -> None:
    x = torch.zeros(4, 6, 11)
    x[:, 5, 3:8] = 0.5
    out = augment_batch(x, generator=torch.Generator().manual_seed(0), depth_channels=[5])
    assert out.shape == x.shape
    assert torch.all(out[:, :5] == 0)
    assert torch.all(out[:, 5, :3] == 0)
    assert not torch.equal(out, x)


@pytest.fixture()
def one_torch_thread() -> Iterator[None]:
    """Small networks train faster on one thread (and do not fight other test workers)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("one_torch_thread")
def test_fit_caller_learns_a_separable_signal() -> None:
    sets = [synthetic_set(800, seed=11, name="a"), synthetic_set(800, seed=12, name="b")]
    options = TrainOptions(epochs=6, patience=3, batch_size=128, width=16, blocks=2, hidden=16,
                           block_size=50_000, margin=500, device="cpu", seed=5)
    result = fit_caller(sets, channels=SPEC["channels"], options=options)
    metrics = result.metrics
    assert metrics["average_precision"] > 0.9
    assert metrics["all"]["f1"] > 0.85
    assert 0.05 <= result.threshold <= 0.95
    assert metrics["germline_false_positives"] <= 0.05 * metrics["positives"]
    assert 1 <= result.best_epoch <= len(result.history)
    with pytest.raises(OptionsError, match="no candidates"):
        fit_caller([synthetic_set(0, seed=1)], channels=SPEC["channels"], options=options)


def test_best_threshold_maximises_f1() -> None:
    truth = np.array([True, True, False, False, False])
    prob = np.array([0.9, 0.35, 0.3, 0.1, 0.05])
    t = best_threshold(truth, prob)
    assert 0.3 < t <= 0.35


def test_orientation_bias_pvalue_matches_scipy() -> None:
    from scipy.stats import binom

    for a, b in ((0, 1), (7, 0), (2, 11), (14, 3), (40, 60), (250, 180), (999, 1001)):
        expected = float(binom.sf(max(a, b) - 1, a + b, 0.5))
        assert orientation_bias_pvalue(a, b) == pytest.approx(expected, rel=1e-9)


def test_platt_calibration_is_loaded_applied_per_type_and_checked(tmp_path: Path) -> None:
    folder = save_model(tmp_path / "m", small_net(), encoder=SPEC, threshold=0.4)
    meta = json.loads((folder / "model.json").read_text())
    raw = load_model(folder, encoder=SPEC)
    assert raw.calibration == {}
    meta["calibration"] = {"method": "platt", "fitted_on": {"pairs": ["p"]},
                           "SNV": [2.0, 1.0], "DEL": [0.5, -1.0]}
    (folder / "model.json").write_text(json.dumps(meta))
    model = load_model(folder, encoder=SPEC)
    assert model.calibration == {"SNV": (2.0, 1.0), "DEL": (0.5, -1.0)}
    rng = np.random.default_rng(2)
    tensors = rng.random((9, 6, 11), dtype=np.float32)
    types = ["SNV", "INS", "DEL"] * 3
    refs = ["A", "A", "AC"] * 3
    alts = ["C", "AT", "A"] * 3
    before = score_tensors(raw, tensors, types, refs, alts)
    after = score_tensors(model, tensors, types, refs, alts)
    logit = np.log(before / (1 - before))
    expected = before.copy()
    expected[0::3] = 1 / (1 + np.exp(-(2.0 * logit[0::3] + 1.0)))
    expected[2::3] = 1 / (1 + np.exp(-(0.5 * logit[2::3] - 1.0)))
    np.testing.assert_allclose(after, expected, rtol=1e-9)  # INS (no entry) unchanged
    for bad in ({"method": "isotonic"}, {"method": "platt", "MNV": [1, 0]},
                {"method": "platt", "SNV": [-1.0, 0.0]}, {"method": "platt", "SNV": "x"}):
        meta["calibration"] = bad
        (folder / "model.json").write_text(json.dumps(meta))
        with pytest.raises(ModelError, match="calibration"):
            load_model(folder, encoder=SPEC)


def test_indel_rescue_needs_strong_reads_and_a_clean_normal() -> None:
    options = FilterOptions()  # 5 reads, AF 0.1
    # (vartype, tumor ALT, tumor depth, normal ALT, normal depth) -> rescued
    cases = [(("INS", 25, 59, 0, 37), True), (("DEL", 5, 50, 0, 10), True),
             (("DEL", 4, 40, 0, 30), False),   # under 5 reads
             (("INS", 5, 60, 0, 30), False),   # AF 0.083 < 0.1
             (("INS", 10, 40, 1, 40), True),   # one normal read: 5 x 0.025 < 0.25
             (("INS", 10, 40, 1, 10), False),  # 5 x 0.1 >= 0.25
             (("INS", 10, 40, 2, 100), False),  # more than one normal ALT read
             (("INS", 9, 9, 0, 30), False),    # tumor depth under 10
             (("INS", 10, 40, 0, 9), False),   # normal depth under 10
             (("SNV", 25, 59, 0, 37), False), (("MNV", 25, 59, 0, 37), False)]
    for (vartype, t_alt, t_dp, n_alt, n_dp), expected in cases:
        assert strong_indel_evidence(vartype, t_alt, t_dp, n_alt, n_dp, options) is expected, (
            vartype, t_alt, t_dp, n_alt, n_dp)
    assert not strong_indel_evidence("INS", 25, 59, 0, 37,
                                     FilterOptions(indel_rescue_min_alt_reads=0))
    assert call_filters(0.04, 0, 37, threshold=0.3, options=options, vartype="INS",
                        tumor_alt=25, rescued=True) == ()
    assert call_filters(0.04, 0, 37, threshold=0.3, options=options, vartype="INS",
                        tumor_alt=25) == ("LowQual",)
    with pytest.raises(ValueError, match="indel_rescue_min_alt_reads"):
        FilterOptions(indel_rescue_min_alt_reads=-1)
    with pytest.raises(ValueError, match="indel_rescue_min_af"):
        FilterOptions(indel_rescue_min_af=1.5)
    call = SomaticCall("20", 9, "T", "TC", "INS", 34, 25, 59, 37, 0, 37, 0.04, 0.2,
                       rescued=True)
    assert SomaticCall.from_json(json.loads(json.dumps(call.to_json()))) == call
    variant = call.to_variant(normal_sample="N", tumor_sample="T")
    assert variant.info["RESCUED"] is True and variant.filters == ("PASS",)
    assert "RESCUED" not in SomaticCall("20", 9, "T", "TC", "INS", 34, 25, 59, 37, 0, 37, 0.9,
                                        10.0).to_variant(normal_sample="N",
                                                         tumor_sample="T").info


def test_tumor_only_refuses_the_indel_rescue_settings(tmp_path: Path) -> None:
    from onco_genomics.caller.tumor_only_calling import call_tumor_only

    for options in (FilterOptions(indel_rescue_min_alt_reads=3),
                    FilterOptions(indel_rescue_min_af=0.2)):
        with pytest.raises(OptionsError, match=r"indel_rescue_min_.* is not used without"):
            call_tumor_only(tmp_path / "missing.bam", reference=tmp_path / "ref.fa",
                            output=tmp_path / "c.vcf.gz", filters=options)
    assert not (tmp_path / "c.vcf.gz").exists()
