"""Stage 6: groups' demands compared: conflicts, agreements, and the most one text can meet."""
