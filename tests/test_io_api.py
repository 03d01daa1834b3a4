"""The io functions are reachable from ``import onco_genomics`` without importing torch."""

from __future__ import annotations

import subprocess
import sys

import onco_genomics as og
from onco_genomics.io import alignments, bed, reference, tables, variants

IO_API = {
    "Variant": variants, "read_variants": variants, "write_vcf": variants,
    "vcf_info": variants, "Reference": reference, "open_alignments": alignments,
    "sample_name": alignments, "check_contigs": alignments, "read_bed": bed,
    "write_bed": bed, "read_table": tables, "read_labels": tables, "write_table": tables,
}


def test_io_names_are_reexported() -> None:
    for name, module in IO_API.items():
        assert getattr(og, name) is getattr(module, name)
        assert name in dir(og)


def test_io_modules_do_not_import_torch() -> None:
    code = ("import sys, onco_genomics as og; "
            f"[getattr(og, n) for n in {sorted(IO_API)!r}]; "
            "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
