# Export the labelled expression sets used by oncogen's omics models to CSV.
#
# Run once on a machine with R and the Debian Bioconductor packages:
#   apt-get install -y r-base-core r-bioc-biobase r-bioc-impute r-bioc-all r-bioc-multtest
#   Rscript benchmarks/export_r_datasets.R onco_genomics/data/expression
# then gzip the CSVs (the script does it with R's gzfile connection).
# Output: <set>_expression.csv.gz (samples as rows, genes/probes as columns, first column
# "sample") and <set>_labels.csv.gz (sample + one column per label) plus <set>_genes.csv.gz
# (feature id -> description/symbol where the source gives one).
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "onco_genomics/data/expression"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

write_gz <- function(df, name) {
  con <- gzfile(file.path(out, name), "w")
  write.csv(df, con, row.names = FALSE, quote = TRUE)
  close(con)
}

# ---- Khan SRBCT (impute::khanmiss): first row = class, first two columns = gene info ----
# Missing values (1,282 of 145,404, in every sample) are kept as empty cells; oncogen
# imputes them with the per-gene training median (GeneAligner).
data(khanmiss, package = "impute")
k <- khanmiss
cls <- as.character(unlist(k[1, -(1:2)]))
clean <- function(x) trimws(gsub("[\"\\\\]", "", as.character(x)))
genes <- data.frame(feature = clean(k[-1, 1]), description = clean(k[-1, 2]),
                    stringsAsFactors = FALSE)
# 14 rows have no id (NA); every other row i is "GENE<i>", so these get their row's name
unnamed <- is.na(k[-1, 1]) | genes$feature %in% c("", "NA")
genes$feature[unnamed] <- paste0("GENE", which(unnamed))
vals <- k[-1, -(1:2)]
m <- matrix(suppressWarnings(as.numeric(as.matrix(vals))), nrow = nrow(vals))
samples <- colnames(k)[-(1:2)]
expr <- data.frame(sample = samples, t(round(m, 4)), check.names = FALSE)
colnames(expr)[-1] <- genes$feature
write_gz(expr, "khan_expression.csv.gz")
write_gz(data.frame(sample = samples, tumour_type = cls), "khan_labels.csv.gz")
write_gz(genes, "khan_genes.csv.gz")

# ---- ALL (ALL::ALL ExpressionSet, hgu95av2 probes, RMA log2) ----
suppressPackageStartupMessages(library(Biobase))
data(ALL, package = "ALL")
e <- exprs(ALL)
pd <- pData(ALL)
# rounded to 0.001 log2 units (0.07 % in linear scale) to keep the committed export small
expr <- data.frame(sample = colnames(e), t(round(e, 3)), check.names = FALSE)
write_gz(expr, "all_expression.csv.gz")
lineage <- ifelse(substr(as.character(pd$BT), 1, 1) == "B", "B", "T")
write_gz(data.frame(sample = rownames(pd), BT = as.character(pd$BT), lineage = lineage,
                    mol_biol = as.character(pd$mol.biol)), "all_labels.csv.gz")

# ---- Golub ALL/AML (multtest::golub) ----
data(golub, package = "multtest")
ids <- make.unique(as.character(golub.gnames[, 3]))
expr <- data.frame(sample = paste0("golub_", seq_len(ncol(golub))), t(golub), check.names = FALSE)
colnames(expr)[-1] <- ids
write_gz(expr, "golub_expression.csv.gz")
write_gz(data.frame(sample = expr$sample, leukaemia = ifelse(golub.cl == 0, "ALL", "AML")),
         "golub_labels.csv.gz")
write_gz(data.frame(feature = ids, index = golub.gnames[, 1], description = golub.gnames[, 2]),
         "golub_genes.csv.gz")
cat("wrote", out, "\n")
