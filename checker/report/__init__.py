"""Stage 4: the report every output reads, and its formats."""
