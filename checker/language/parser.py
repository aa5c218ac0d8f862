"""Parse rule-language expressions with the lark grammar in grammars/draftcheck.lark."""

from __future__ import annotations

import contextlib
import functools
import io
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Transformer, Tree, v_args
from lark import __version__ as lark_version
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from checker.language import syntax as ex
from checker.language.syntax import ExprError
from checker.ruleset import cache

GRAMMAR = "draftcheck.lark"
MAX_EXPRESSION = 10_000  # characters; a rule's check is a line or two, never a document
MAX_DEPTH = 64  # nested operators and calls; keeps every later stage far from Python's stack limit


def grammar_path() -> Path:
    """Locate the grammar: inside the installed package, else the source checkout's grammars/."""
    packaged = resources.files("checker") / "grammars" / GRAMMAR
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "grammars" / GRAMMAR


@functools.cache
def _parser() -> Lark:
    grammar = grammar_path().read_text(encoding="utf-8")
    options = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": False}
    # lark's own cache writes through whatever a path points to; ours checks what it reads.
    made_of = cache.key(lark_version, grammar, repr(sorted(options.items())))
    name = cache.entry_name("grammar", made_of)
    saved = cache.load(name)
    if isinstance(saved, bytes):
        with contextlib.suppress(Exception):  # from another lark: build it again
            return Lark.load(io.BytesIO(saved))
    parser = Lark(grammar, **options)
    buffer = io.BytesIO()
    parser.save(buffer)
    cache.store(name, buffer.getvalue())
    return parser


# What a user calls each terminal, for "expected ..." messages.
_TERMINALS = {
    "STRING": "a phrase in quotes", "REGEX": "a /regex/", "NUMBER": "a number", "NAME": "a name",
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "VBAR": "'|'", "COMPARE": "a comparison",
    "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'", "AND": "'and'", "OR": "'or'", "NOT": "'not'",
    "IN": "'in'", "_RANGE": "'..'", "$END": "the end of the expression",
}


def parse(source: str) -> ex.Node:
    """Parse one expression; raise ExprError with the offending span on any syntax error."""
    if len(source) > MAX_EXPRESSION:
        raise ExprError(f"expression is longer than {MAX_EXPRESSION} characters",
                        (0, 1))
    if not source.strip():
        raise ExprError("empty expression", (0, 0))
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as error:
        raise _syntax_error(source, error) from None
    _check_depth(tree)
    try:
        return _ToAst(source).transform(tree)
    except VisitError as error:  # lark wraps what a transformer raises
        if isinstance(error.orig_exc, ExprError):
            raise error.orig_exc from None
        raise


def _check_depth(tree: Tree) -> None:
    """Refuse trees nested deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = getattr(node.meta, "start_pos", 0) if not node.meta.empty else 0
            raise ExprError(f"expression is nested more than {MAX_DEPTH} levels deep",
                            (start, start + 1))
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


def _syntax_error(source: str, error: UnexpectedInput) -> ExprError:
    at = min(error.pos_in_stream or 0, len(source))
    if isinstance(error, UnexpectedCharacters):
        char = source[at] if at < len(source) else ""
        if char in "\"'":
            return ExprError("unclosed quote", (at, at + 1))
        if char == "/":
            return ExprError("unclosed regex: a /regex/ must end with '/' on the same line",
                             (at, at + 1))
        return ExprError(f"unexpected character {char!r}", (at, at + 1))
    if isinstance(error, UnexpectedEOF) or (
            isinstance(error, UnexpectedToken) and error.token.type == "$END"):
        opened = _unclosed_paren(source)
        if opened is not None:
            return ExprError("unclosed '('", (opened, opened + 1))
        end = len(source.rstrip())  # just after the last word, not past a block's last line
        return ExprError("the expression ends too early", (end, end))
    assert isinstance(error, UnexpectedToken)
    token = error.token
    where = (token.start_pos, token.end_pos or token.start_pos + 1)
    if token.type == "RPAR" and _unclosed_paren(source[: token.start_pos]) is None:
        return ExprError("unmatched ')'", where)
    if token.type == "COMPARE":
        return ExprError("comparisons do not chain; combine them with 'and'", where)
    if token.value == "/" and "REGEX" in error.expected:
        return ExprError("unclosed regex: a /regex/ must end with '/' on the same line", where)
    expected = {_TERMINALS.get(name, name) for name in error.expected}
    if "'|'" in expected:
        # After an operand the full list is mostly operators; name the likely fix.
        inside = _unclosed_paren(source[: token.start_pos]) is not None
        expected = {"')'", "','", "an operator"} if inside else {
            "an operator", "the end of the expression"}
    return ExprError(f"unexpected {token.value!r}; expected {_either(sorted(expected))}", where)


def _unclosed_paren(source: str) -> int | None:
    """Return the offset of the innermost '(' left open, ignoring quoted text."""
    stack: list[int] = []
    quote = None
    for i, char in enumerate(source):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            stack.append(i)
        elif char == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _either(options: list[str]) -> str:
    return options[0] if len(options) == 1 else ", ".join(options[:-1]) + " or " + options[-1]


def unquote(token: str) -> str:
    """Return the value of a quoted string token, with \\" and \\\\ escapes resolved."""
    body = token[1:-1]
    out, escaped = [], False
    for char in body:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    return "".join(out)


MAX_NUMBER = 1e15  # larger literals are typos, and would overflow whole-number arguments


def _finite(token: Token) -> float:
    value = float(token)
    if not value <= MAX_NUMBER:
        raise ExprError(f"number {str(token)[:20]}{'…' * (len(token) > 20)} is too large",
                        (token.start_pos, token.end_pos))
    return value


@v_args(meta=True, inline=True)
class _ToAst(Transformer):
    """Turn lark's parse tree into syntax-tree nodes (checker.language.syntax), each with its
    span and source text."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def _at(self, meta) -> dict:
        span = (meta.start_pos, meta.end_pos)
        return {"span": span, "text": self.source[span[0]:span[1]]}

    def phrase(self, meta, token: Token) -> ex.Node:
        return ex.Phrase(unquote(str(token)), **self._at(meta))

    def regex(self, meta, token: Token) -> ex.Node:
        text = str(token)
        ignore_case = text.endswith("i")
        body = text[1:-2] if ignore_case else text[1:-1]
        return ex.Regex(body.replace("\\/", "/"), ignore_case, **self._at(meta))

    def number(self, meta, token: Token) -> ex.Node:
        return ex.Number(_finite(token), **self._at(meta))

    def name(self, meta, token: Token) -> ex.Node:
        return ex.Name(str(token), **self._at(meta))

    def range(self, meta, low: Token, high: Token) -> ex.Node:
        return ex.Range(_finite(low), _finite(high), **self._at(meta))

    def call(self, meta, name: Token, arguments=None) -> ex.Node:
        args = tuple(arguments.children) if arguments is not None else ()
        return ex.Call(str(name), args, name_span=(name.start_pos, name.end_pos),
                       **self._at(meta))

    def union(self, meta, left, right) -> ex.Node:
        return ex.Union(left, right, **self._at(meta))

    def within(self, meta, pattern, scope) -> ex.Node:
        return ex.Within(pattern, scope, **self._at(meta))

    def arith(self, meta, left, op: Token, right) -> ex.Node:
        return ex.Arith(str(op), left, right, **self._at(meta))

    def compare(self, meta, left, op: Token, right) -> ex.Node:
        return ex.Compare(str(op), left, right, **self._at(meta))

    def not_(self, meta, operand) -> ex.Node:
        return ex.Not(operand, **self._at(meta))

    def and_(self, meta, left, right) -> ex.Node:
        return ex.And(left, right, **self._at(meta))

    def or_(self, meta, left, right) -> ex.Node:
        return ex.Or(left, right, **self._at(meta))
