"""One reader per input format, each turning a file's bytes into a `Source`."""
