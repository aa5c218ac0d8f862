"""Regexes of the rule language: RE2, so a rule file can never make the checker hang."""

from __future__ import annotations

import functools

import re2

REGEX_MAX_MEM = 8 << 20  # bytes of RE2 program memory per regex


class RegexError(ValueError):
    """A regex RE2 cannot compile."""


@functools.lru_cache(maxsize=4096)
def compile_regex(pattern: str, ignore_case: bool) -> re2._Regexp:
    """Compile a regex with RE2 (linear time, bounded memory); raise RegexError if invalid."""
    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    options.max_mem = REGEX_MAX_MEM
    try:
        # Compiled as bytes, it runs over the UTF-8 text without the wrapper's per-match
        # conversion of offsets (see DocIndex.regex).
        return re2.compile(pattern.encode("utf-8", "surrogatepass"), options)
    except re2.error as error:
        reason = error.args[0] if error.args else "invalid regex"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(str(reason)) from None
