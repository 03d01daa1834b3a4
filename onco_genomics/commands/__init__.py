"""Click commands, one module per command family; wired up lazily by onco_genomics.cli."""
