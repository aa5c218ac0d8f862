"""`python -m checker` runs the draftcheck command line."""

from checker.cli import run

run()
