"""Stage 7: two revisions of a draft compared, and the change behind each flipped verdict."""
