"""The rule language's syntax tree: small frozen dataclasses that carry their source span.

Equality, hashing and `key` ignore `span` and `text`, so two structurally equal expressions (in
two rules, or two groups' rule sets) are one entry in the evaluator's cache (keyed by `key`):
each distinct pattern is matched once per document.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from enum import Enum
from typing import TypeVar

# Character offsets [start, end) into the expression's source text. A plain tuple, not a named
# one: compiled rule sets are cached, and every node has a span; loading a named tuple is a
# Python call (a sixth of loading 3000 cached rules).
Span = tuple[int, int]
T = TypeVar("T")


class Type(Enum):
    """The static types of the language (TEXT, INTEGER and RANGE are literal-only parameters)."""

    PATTERN = "pattern"
    NUMBER = "number"
    BOOL = "condition"
    SCOPE = "scope"
    TEXT = "text in quotes"
    INTEGER = "whole number"
    RANGE = "range such as 12..20"
    CUES = "negation cues"


class ExprError(Exception):
    """A problem in one expression, at a span of its source text."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


@dataclass(frozen=True, kw_only=True)
class Node:
    """Base of every expression node; `text` is the source slice, used in messages and `why`."""

    span: Span = field(default=(0, 0), compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)


@dataclass(frozen=True)
class Phrase(Node):
    value: str
    # Its words and gaps (a checker.text.PhrasePlan), set by the compiler: a cached rule set
    # loads them faster than they are worked out again.
    plan: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Regex(Node):
    pattern: str
    ignore_case: bool


@dataclass(frozen=True)
class Number(Node):
    value: float


@dataclass(frozen=True)
class Range(Node):
    low: float
    high: float


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]
    name_span: Span = field(default=(0, 0), compare=False, repr=False)


@dataclass(frozen=True)
class Union(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Within(Node):
    pattern: Node
    scope: Node


@dataclass(frozen=True)
class Arith(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Compare(Node):
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True)
class And(Node):
    left: Node
    right: Node


@dataclass(frozen=True)
class Or(Node):
    left: Node
    right: Node


# Nodes that only the compiler produces.


@dataclass(frozen=True)
class TermRef(Node):
    """A use of a named term, resolved to its compiled body (the name is kept for messages)."""

    name: str = field(compare=False)
    body: Node


@dataclass(frozen=True)
class Cues(Node):
    """The negation cues in force for negated()/affirmed(): the built-in list plus the rule set's."""

    phrases: tuple[str, ...]


def key(node: Node) -> bytes:
    """Return a digest of the node's structure (what equality compares, so spans and texts are
    left out): structurally equal nodes, from two rule sets or two runs, have one key.

    The evaluator caches values by key, and a node's hash is its key's: the dataclasses' own
    hash is recomputed in every process (string hashes are salted) by a recursive walk, and
    looking up a node that is equal but not identical compares whole trees. A key is worked out
    once, and kept with a cached rule set.
    """
    found = node.__dict__.get("_key")
    if found is not None:
        return found
    # Children first, without recursion: terms built on terms nest deeper than Python's
    # recursion limit allows. Parts that have their key already are not walked again.
    for part in walk_up(node, skip=_keyed):
        parts = [type(part).__name__,
                 *(_encoded(getattr(part, name)) for name in _compared_fields(type(part)))]
        object.__setattr__(part, "_key", hashlib.blake2b(
            "\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest())
    return node.__dict__["_key"]


def once(table: dict[int, tuple[Node, T]], node: Node, compute: Callable[[Node], T]) -> T:
    """Return compute(node), worked out once per node (by identity, not structure) in `table`."""
    hit = table.get(id(node))
    if hit is None or hit[0] is not node:
        hit = table[id(node)] = (node, compute(node))
    return hit[1]


def _keyed(node: Node) -> bool:
    return "_key" in node.__dict__


@functools.cache
def _compared_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.compare)


def _encoded(value: object) -> str:
    if isinstance(value, Node):
        return key(value).hex()  # (known: children are done first)
    if isinstance(value, tuple):
        return "(" + ",".join(map(_encoded, value)) + ")"
    if type(value) in (int, float):  # as equality has it: 2 == 2.0 and 0.0 == -0.0
        return repr(float(value) + 0.0)
    return repr(value)  # (texts are quoted, so never taken for a key or a tuple)


def _hash(node: Node) -> int:
    return hash(key(node))


for _node in (Phrase, Regex, Number, Range, Name, Call, Union, Within, Arith, Compare, Not, And,
              Or, TermRef, Cues):
    _node.__hash__ = _hash  # type: ignore[method-assign]


def children(node: Node) -> tuple[Node, ...]:
    """Return the direct sub-expressions of a node, in source order."""
    match node:
        case Call(args=args):
            return args
        case Union(left=a, right=b) | Arith(left=a, right=b) | Compare(left=a, right=b) \
                | And(left=a, right=b) | Or(left=a, right=b):
            return (a, b)
        case Within(pattern=p, scope=s):
            return (p, s)
        case Not(operand=o):
            return (o,)
        case TermRef(body=b):
            return (b,)
    return ()


def walk_up(node: Node, skip: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """Yield each distinct node once, after all of its sub-expressions (without recursion);
    a sub-expression for which `skip` is true is left out, with everything below it."""
    done: set[int] = set()
    stack = [(node, iter(children(node)))]
    while stack:
        top, rest = stack[-1]
        for child in rest:
            # (never an ancestor: expressions have no cycles)
            if id(child) not in done and not (skip and skip(child)):
                stack.append((child, iter(children(child))))
                break
        else:
            stack.pop()
            done.add(id(top))
            yield top


def walk(node: Node) -> Iterator[Node]:
    """Yield each distinct node once, parents first: terms make a check a graph, which unrolled
    can be exponentially large (a term used twice in a term used twice ...)."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            yield node
            stack.extend(reversed(children(node)))
