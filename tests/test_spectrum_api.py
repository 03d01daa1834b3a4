"""The spectrum/signature API is reachable from ``import onco_genomics``, and the commands
stay light: no torch, shap, xgboost, scikit-learn or matplotlib unless a plot or an
extraction asks for them."""

from __future__ import annotations

import subprocess
import sys

import onco_genomics as og
from onco_genomics.spectrum import catalog, extract, fit, matrix_files, plots
from onco_genomics.spectrum import reference_signatures as refs

SPECTRUM_API = {
    "MutationCatalog": catalog, "CatalogOptions": catalog, "build_catalogs": catalog,
    "catalogs_from_variants": catalog, "read_catalog": matrix_files,
    "write_catalog": matrix_files, "load_reference_signatures": refs,
    "fit_catalog": fit, "fit_signatures": fit, "FitOptions": fit, "SignatureFit": fit,
    "extract_catalog": extract, "extract_signatures": extract, "ExtractOptions": extract,
    "Extraction": extract, "match_signatures": extract, "plot_catalog": plots,
    "plot_exposures": plots,
}
HEAVY = ("torch", "shap", "xgboost", "sklearn", "matplotlib")


def test_spectrum_names_are_reexported() -> None:
    for name, module in SPECTRUM_API.items():
        assert getattr(og, name) is getattr(module, name)
        assert name in dir(og)


def test_spectrum_and_fit_commands_import_nothing_heavy() -> None:
    code = ("import sys; import onco_genomics as og; "
            f"[getattr(og, n) for n in {sorted(SPECTRUM_API)!r}]; "
            "import onco_genomics.commands.spectrum, onco_genomics.commands.signatures; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
