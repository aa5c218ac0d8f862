"""Evaluate compiled expressions against one document, sharing every result between rules.

One Evaluator per document: its cache is keyed by expression structure (spans are ignored), so
a pattern used by several rules, or by several groups' rule sets, is matched once.
"""

from __future__ import annotations

import operator
from typing import Any

from checker import expr as ex
from checker.builtins import BUILTINS, NEGATION_SUFFIX, within
from checker.document import Document
from checker.expr import Type
from checker.matches import merge
from checker.matching import DocIndex, plan_phrase

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
        self._cache: dict[ex.Node, Any] = {}
        self.quotes: dict[tuple[int, int], str] = {}  # evidence sentences, clipped (verdicts)
        self.misses: dict[ex.Node, Any] = {}  # why a pattern without a match came close (verdicts)

    def value(self, node: ex.Node) -> Any:
        """Return the value of a node: Matches, a scope, a float or a bool."""
        try:
            return self._cache[node]
        except KeyError:
            result = self._cache[node] = self._compute(node)
            return result

    def _compute(self, node: ex.Node) -> Any:
        match node:
            case ex.Phrase(value=value):
                return self.index.phrase(plan_phrase(value))
            case ex.Regex(pattern=pattern, ignore_case=ignore_case):
                return self.index.regex(pattern, ignore_case)
            case ex.Number(value=value):
                return value
            case ex.TermRef(body=body):
                return self.value(body)
            case ex.Cues(phrases=phrases):
                found = [self.index.phrase(plan_phrase(p)) for p in phrases]
                return merge(self.index.words_ending(NEGATION_SUFFIX), *found)
            case ex.Within(pattern=pattern, scope=scope):
                return within(self.value(pattern), self.value(scope))
            case ex.Call(func=func, args=args):
                builtin = BUILTINS[func]
                values = [self._argument(builtin.param(i), arg) for i, arg in enumerate(args)]
                return builtin.run(self.index, *values)
            case ex.Arith(op=op, left=left, right=right):
                a, b = self.value(left), self.value(right)
                if op == "/" and b == 0:
                    raise EvaluationError(f"division by zero in {node.text} "
                                          f"({right.text} is 0)")
                return _ARITH[op](a, b)
            case ex.Compare(op=op, left=left, right=right):
                return _COMPARE[op](self.value(left), self.value(right))
            case ex.Not(operand=operand):
                return not self.value(operand)
            case ex.And(left=left, right=right):
                return self.value(left) and self.value(right)
            case ex.Or(left=left, right=right):
                return self.value(left) or self.value(right)
        raise TypeError(f"cannot evaluate {type(node).__name__}")  # pragma: no cover

    def _argument(self, param: Type, arg: ex.Node) -> Any:
        if param == Type.TEXT:
            return arg.value  # type: ignore[attr-defined]
        if param == Type.INTEGER:
            return int(arg.value)  # type: ignore[attr-defined]
        if param == Type.RANGE:
            return int(arg.low), int(arg.high)  # type: ignore[attr-defined]
        return self.value(arg)
