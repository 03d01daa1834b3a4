"""File formats: reference FASTA, BAM/CRAM, VCF/BCF/MAF, BED and tables.

Only this subpackage reads or writes file formats; the rest of oncogen works on the
typed objects it returns.
"""
