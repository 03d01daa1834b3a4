"""oncogen: deep-learning methods of cancer genomics in one package.

The public API is re-exported lazily, so ``import onco_genomics`` stays fast and does not
import torch until a function that needs it is used.

Examples
--------
>>> import onco_genomics as og
>>> og.__version__  # doctest: +SKIP
'0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use); "module:attribute" where
# the public name differs from the module's own
_API: dict[str, str] = {
    "OncogenError": "onco_genomics.errors",
    "scan_region": "onco_genomics.pileup.scan",
    "PileupOptions": "onco_genomics.pileup.candidates",
    "Candidate": "onco_genomics.pileup.candidates",
    "AlleleDepths": "onco_genomics.pileup.candidates",
    "PileupBatch": "onco_genomics.pileup.encode",
    "encoder_spec": "onco_genomics.pileup.encode",
    "Region": "onco_genomics.regions",
    "parse_region": "onco_genomics.regions",
    "Variant": "onco_genomics.io.variants",
    "read_variants": "onco_genomics.io.variants",
    "write_vcf": "onco_genomics.io.variants",
    "call_somatic": "onco_genomics.caller.calling",
    "build_panel_of_normals": "onco_genomics.caller.pon",
    "call_tumor_only": "onco_genomics.caller.tumor_only_calling",
    "train_caller": "onco_genomics.caller.train",
    "TrainingSet": "onco_genomics.caller.dataset",
    "vcf_info": "onco_genomics.io.variants",
    "Reference": "onco_genomics.io.reference",
    "open_alignments": "onco_genomics.io.alignments",
    "sample_name": "onco_genomics.io.alignments",
    "check_contigs": "onco_genomics.io.alignments",
    "read_bed": "onco_genomics.io.bed",
    "write_bed": "onco_genomics.io.bed",
    "read_table": "onco_genomics.io.tables",
    "read_labels": "onco_genomics.io.tables",
    "write_table": "onco_genomics.io.tables",
    "normalize_variant": "onco_genomics.io.normalize",
    "evaluate_calls": "onco_genomics.evaluate.compare",
    "EvaluationResult": "onco_genomics.evaluate.compare",
    "make_shards": "onco_genomics.caller.shards",
    "merge_vcfs": "onco_genomics.io.merge",
    "simulate_pair": "onco_genomics.simulate.pair",
    "SimulationOptions": "onco_genomics.simulate.options",
    "SimulationResult": "onco_genomics.simulate.pair",
    "VafSpec": "onco_genomics.simulate.options",
    "load_mutations": "onco_genomics.simulate.mutations",
    # drug response and survival
    "prepare_survival_data": "onco_genomics.omics.survival",
    "train_survival": "onco_genomics.omics.survival",
    "predict_survival": "onco_genomics.omics.survival",
    "load_survival_dataset": "onco_genomics.datasets.survival",
    "train_drug_response": "onco_genomics.omics.drug_response",
    "predict_drug_response": "onco_genomics.omics.drug_response",
    "load_gdsc_v17": "onco_genomics.datasets.drug",
    "load_reactome": "onco_genomics.omics.reactome",
    # mutation spectra and signatures
    "MutationCatalog": "onco_genomics.spectrum.catalog",
    "CatalogOptions": "onco_genomics.spectrum.catalog",
    "build_catalogs": "onco_genomics.spectrum.catalog",
    "catalogs_from_variants": "onco_genomics.spectrum.catalog",
    "train_classifier": "onco_genomics.omics.classification.training",
    "predict_tumour_type": "onco_genomics.omics.classification.training",
    "load_classifier": "onco_genomics.omics.classification.training",
    "predict_classes": "onco_genomics.omics.classification.training",
    "discover_subtypes": "onco_genomics.omics.subtype",
    "mutation_features": "onco_genomics.omics.mutation_features",
    "save_model": "onco_genomics.omics.core.model_dir",  # = save_omics_model
    "load_model": "onco_genomics.models",
    "load_caller_model": "onco_genomics.models",
    "load_omics_model": "onco_genomics.models",
    "model_kind": "onco_genomics.models",
    "list_models": "onco_genomics.models",
    "explain_model": "onco_genomics.explain.shap_values",
    "top_features": "onco_genomics.explain.shap_values",
    "load_expression_set": "onco_genomics.datasets.expression",
    "read_catalog": "onco_genomics.spectrum.matrix_files",
    "write_catalog": "onco_genomics.spectrum.matrix_files",
    "load_reference_signatures": "onco_genomics.spectrum.reference_signatures",
    "fit_catalog": "onco_genomics.spectrum.fit",
    "fit_signatures": "onco_genomics.spectrum.fit",
    "FitOptions": "onco_genomics.spectrum.fit",
    "SignatureFit": "onco_genomics.spectrum.fit",
    "extract_catalog": "onco_genomics.spectrum.extract",
    "extract_signatures": "onco_genomics.spectrum.extract",
    "ExtractOptions": "onco_genomics.spectrum.extract",
    "Extraction": "onco_genomics.spectrum.extract",
    "match_signatures": "onco_genomics.spectrum.extract",
    "plot_catalog": "onco_genomics.spectrum.plots",
    "plot_exposures": "onco_genomics.spectrum.plots",
    "plot_signatures": "onco_genomics.spectrum.plots",
    "write_matrix": "onco_genomics.spectrum.matrix_files",
    # errors a user can fix (each also a ValueError where the input's value is wrong)
    "OptionsError": "onco_genomics.errors",
    "InputFileError": "onco_genomics.errors",
    "TableFormatError": "onco_genomics.errors",
    "ModelError": "onco_genomics.errors",
    # options objects of the commands
    "FilterOptions": "onco_genomics.caller.records",
    "TrainOptions": "onco_genomics.caller.train",
    "TrainingOptions": "onco_genomics.omics.classification.training",
    "FeatureOptions": "onco_genomics.omics.mutation_features",
    "Orientation": "onco_genomics.io.orientation",
    "substitution_class": "onco_genomics.caller.records",
    # outputs written together or not at all
    "atomic_outputs": "onco_genomics.io.atomic",
    "check_output_path": "onco_genomics.io.atomic",
    # results and their writers
    "format_evaluation": "onco_genomics.evaluate.compare:format_table",
    "TrainedClassifier": "onco_genomics.omics.classification.training",
    "TrainedSurvival": "onco_genomics.omics.survival",
    "SurvivalPrediction": "onco_genomics.omics.survival",
    "TrainedDrugResponse": "onco_genomics.omics.drug_response",
    "SubtypeDiscovery": "onco_genomics.omics.subtype",
    "feature_effects": "onco_genomics.omics.survival",
    "save_omics_model": "onco_genomics.omics.core.model_dir",
    # tables and features the commands read
    "read_gene_intervals": "onco_genomics.omics.mutation_features",
    "harmonise_gene_id": "onco_genomics.omics.core.preprocess",
    "read_gene_positions": "onco_genomics.omics.classification.training",
    "read_clinical": "onco_genomics.omics.survival.workflow",
    "combine_drug_features": "onco_genomics.omics.drug_response.data",
    "read_model_input": "onco_genomics.explain.inputs",
    "read_response_table": "onco_genomics.omics.drug_response.table",
    "morgan_fingerprints": "onco_genomics.omics.drug_response.data",
    # explanations, reports and examples
    "Explanation": "onco_genomics.explain.shap_values",
    "top_features_wide": "onco_genomics.explain.shap_values",
    "rank_outputs": "onco_genomics.explain.outputs",
    "write_explanation": "onco_genomics.explain.plots",
    "CallSummary": "onco_genomics.report.calls",
    "summarise_calls": "onco_genomics.report.calls",
    "write_html_report": "onco_genomics.report.render",
    "write_multiqc": "onco_genomics.report.render",
    "write_example": "onco_genomics.datasets.examples",
    # tumor-only training
    "TumorOnlySet": "onco_genomics.caller.tumor_only_train",
    "train_tumor_only_caller": "onco_genomics.caller.tumor_only_train",
    "tune_operating_point": "onco_genomics.caller.tumor_only_operating_point",
}


def __getattr__(name: str) -> Any:
    target = _API.get(name)
    if target is None:
        raise AttributeError(f"module 'onco_genomics' has no attribute {name!r}")
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute or name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])


__all__ = ["__version__", *_API]
