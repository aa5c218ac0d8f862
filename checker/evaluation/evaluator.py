"""Evaluate compiled expressions against one document, sharing every result between rules.

One Evaluator per document: its cache is keyed by expression structure (spans are ignored), so
a pattern used by several rules, or by several groups' rule sets, is matched once.
"""

from __future__ import annotations

import contextlib
import functools
import operator
from typing import Any

from checker.document.model import Document
from checker.evaluation.functions import RUN, within
from checker.evaluation.index import DocIndex
from checker.evaluation.matchset import merge
from checker.language import syntax as ex
from checker.language.signatures import BUILTINS, NEGATION_SUFFIX
from checker.language.syntax import Type
from checker.text import plan_phrase

_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}


class EvaluationError(Exception):
    """An expression cannot be evaluated on this document (e.g. division by zero)."""


class Evaluator:
    """Values of compiled expressions on one document; each distinct node is computed once."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.index = DocIndex(document)
        self._cache: dict[bytes, Any] = {}  # by ex.key: equal parts of rules are one entry
        self.quotes: dict[tuple[int, int], str] = {}  # evidence sentences, clipped (verdicts)
        # Why a pattern without a match came close, by id(pattern) (verdicts).
        self.misses: dict[int, tuple[ex.Node, Any]] = {}

    def check(self, node: ex.Node) -> Any:
        """Return the value of a whole check, however deeply it nests.

        `value` recurses, so a check nested deeper than Python allows could be evaluated only if
        other checks had left its inner parts in the cache: the outcome would depend on which
        rules came before it, and on how rules are shared out between processes. Such a check
        is worked out from its innermost parts up instead. (Parts that fail are not cached, and
        are met again, and reported, only where the check needs them.)
        """
        try:
            return self.value(node)
        except RecursionError:
            for part in ex.walk_up(node):
                with contextlib.suppress(EvaluationError):
                    self.value(part)
            return self.value(node)

    def value(self, node: ex.Node) -> Any:
        """Return the value of a node: Matches, a scope, a float or a bool."""
        key = ex.key(node)
        try:
            return self._cache[key]
        except KeyError:
            result = self._cache[key] = self._compute(node)
            return result

    def _compute(self, node: ex.Node) -> Any:
        match node:  # (the commonest nodes first: each case is a type test)
            case ex.Call(func=func, args=args):
                literals = _literals(func, len(args))
                return RUN[func](self.index, *[
                    self.value(arg) if kind is None else _literal(kind, arg)
                    for kind, arg in zip(literals, args)])
            case ex.Phrase(value=value, plan=plan):
                return self.index.phrase(plan or plan_phrase(value))  # type: ignore[arg-type]
            case ex.Within(pattern=pattern, scope=scope):
                return within(self.value(pattern), self.value(scope))
            case ex.Compare(op=op, left=left, right=right):
                return _COMPARE[op](self.value(left), self.value(right))
            case ex.Arith(op=op, left=left, right=right):
                a, b = self.value(left), self.value(right)
                if op == "/" and b == 0:
                    raise EvaluationError(f"division by zero in {node.text} "
                                          f"({right.text} is 0)")
                return _ARITH[op](a, b)
            case ex.And(left=left, right=right):
                return self.value(left) and self.value(right)
            case ex.Not(operand=operand):
                return not self.value(operand)
            case ex.Or(left=left, right=right):
                return self.value(left) or self.value(right)
            case ex.TermRef(body=body):
                return self.value(body)
            case ex.Regex(pattern=pattern, ignore_case=ignore_case):
                return self.index.regex(pattern, ignore_case)
            case ex.Number(value=value):
                return value
            case ex.Cues(phrases=phrases):
                found = [self.index.phrase(plan_phrase(p)) for p in phrases]
                return merge(self.index.words_ending(NEGATION_SUFFIX), *found)
        raise TypeError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover


_LITERAL = (Type.TEXT, Type.INTEGER, Type.RANGE)  # arguments passed as written, not evaluated


@functools.cache
def _literals(func: str, count: int) -> tuple[Type | None, ...]:
    """For each argument of a call, its type if it is passed as written, else None."""
    builtin = BUILTINS[func]
    return tuple(kind if kind in _LITERAL else None
                 for kind in map(builtin.param, range(count)))


def _literal(kind: Type, arg: ex.Node) -> Any:
    if kind is Type.TEXT:
        return arg.value  # type: ignore[attr-defined]
    if kind is Type.INTEGER:
        return int(arg.value)  # type: ignore[attr-defined]
    return int(arg.low), int(arg.high)  # type: ignore[attr-defined]
