"""The formats of `draftcheck check`, one module each (the table is checker.formats.CHECK)."""
