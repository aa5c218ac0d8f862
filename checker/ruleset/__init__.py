"""Stage 1: a rule-set file loaded safely, schema-checked, with the place of every value."""
