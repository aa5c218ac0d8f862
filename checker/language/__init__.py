"""Stage 2: the rule language parsed and checked (names, types, scopes) before any draft is read."""
