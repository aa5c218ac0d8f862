"""Stage 5: checks evaluated on a draft's index, and the verdicts with their evidence."""
