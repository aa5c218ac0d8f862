"""Read compiled checks as propositional formulas, so that a SAT solver can compare demands.

A check is a condition over patterns and counts. Here it becomes a formula over *atoms*, each a
statement about a draft ("this pattern has a match", "it has at least 3 matches"), together with
*facts* that link atoms ("a match of "repository of threats" is a match of "repositor*"").
Counts compared with numbers are exact (a ladder of "at least k matches" atoms); counts compared
with each other are enumerated up to a bound well above the rules' own numbers.
Two models are built from the same checks:

- `ExactModel`: an atom is a pattern as written (terms inlined, phrases normalised, so "PoA" and
  "poa", or resolution("75/240") and resolution("A/RES/75/240"), are one atom), and every fact
  holds of every draft. What it proves (no draft meets both; every draft meets both or neither)
  is true of every draft: the verdict is certain.
- `AbstractModel` (in checker.compare.abstraction): patterns read the way a delegate compares
  demands (the alternatives of an any() or a term form one concept, restrictions such as
  affirmed() are dropped, near() means "said together", ...). A verdict found only there rests
  on that reading, and each rule keeps notes of the parts of it that were read so.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pysat.formula import IDPool

from checker.language import syntax as ex
from checker.language.compiler import CompiledRuleSet
from checker.language.signatures import RESOLUTION_SYMBOL
from checker.text import plan_phrase

# -- formulas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    key: Hashable


@dataclass(frozen=True)
class Neg:
    part: Formula


@dataclass(frozen=True)
class All:
    parts: tuple[Formula, ...]


@dataclass(frozen=True)
class Some:
    parts: tuple[Formula, ...]


@dataclass(frozen=True)
class Const:
    value: bool


Formula = Var | Neg | All | Some | Const
TRUE, FALSE = Const(True), Const(False)


def neg(f: Formula) -> Formula:
    """Return the negation of a formula, simplified."""
    if isinstance(f, Const):
        return Const(not f.value)
    return f.part if isinstance(f, Neg) else Neg(f)


def _join(kind: type, unit: Const, parts: Iterable[Formula]) -> Formula:
    out: dict[Formula, None] = {}
    for part in parts:
        if part == Const(not unit.value):
            return part
        if part != unit:
            out.update(dict.fromkeys(part.parts if isinstance(part, kind) else (part,)))
    if not out:
        return unit
    return next(iter(out)) if len(out) == 1 else kind(tuple(out))


def conj(*parts: Formula) -> Formula:
    """Return the conjunction of formulas, flattened and simplified."""
    return _join(All, TRUE, parts)


def disj(*parts: Formula) -> Formula:
    """Return the disjunction of formulas, flattened and simplified."""
    return _join(Some, FALSE, parts)


def implies(a: Formula, b: Formula) -> Formula:
    return disj(neg(a), b)


def iff(a: Formula, b: Formula) -> Formula:
    return conj(implies(a, b), implies(b, a))


class Encoder:
    """Tseitin-encode formulas into CNF clauses over one pysat IDPool."""

    def __init__(self) -> None:
        self.pool = IDPool()
        self.clauses: list[list[int]] = []
        self._true = self.pool.id(("const", True))
        self.clauses.append([self._true])
        self._defined: dict[Formula, int] = {}

    def lit(self, f: Formula) -> int:
        """Return a literal equivalent to the formula (defining new variables as needed)."""
        if isinstance(f, Const):
            return self._true if f.value else -self._true
        if isinstance(f, Var):
            return self.pool.id(("atom", f.key))
        if isinstance(f, Neg):
            return -self.lit(f.part)
        if f in self._defined:
            return self._defined[f]
        parts = [self.lit(p) for p in f.parts]
        t = self.pool.id(("def", len(self._defined)))
        sign = 1 if isinstance(f, All) else -1  # And: t -> each part; Or: each part -> t
        self.clauses.extend([-sign * t, sign * p] for p in parts)
        self.clauses.append([sign * t] + [-sign * p for p in parts])
        self._defined[f] = t
        return t

    def require(self, f: Formula) -> None:
        """Add the formula as a hard constraint."""
        if isinstance(f, All):
            for part in f.parts:
                self.require(part)
        elif isinstance(f, Some) and all(isinstance(p, Var | Neg | Const) for p in f.parts):
            self.clauses.append([self.lit(p) for p in f.parts])
        else:
            self.clauses.append([self.lit(f)])


# -- normalised leaves ------------------------------------------------------------------------

Item = tuple  # ("words", words, gaps, lead, trail) | ("resolution", n, m) | ("regex", p, i)


def phrase_item(value: str) -> Item:
    plan = plan_phrase(value)
    return ("words", plan.words, plan.gaps, plan.lead, plan.trail)


def resolution_item(symbol: str) -> Item:
    session, number = RESOLUTION_SYMBOL.fullmatch(symbol.strip()).groups()
    return ("resolution", int(session), int(number))


def item_text(item: Item) -> str:
    """Show a leaf as a rule author would recognise it."""
    if item[0] == "words":
        return " ".join(w + ("*" if prefix else "") for w, prefix in item[1])
    if item[0] == "resolution":
        return f"resolution {item[1]}/{item[2]}"
    if item[0] == "regex":
        return f"/{item[1]}/" + ("i" if item[2] else "")
    return "a complex pattern"


def _word_entails(x: tuple[str, bool], y: tuple[str, bool]) -> bool:
    (wx, px), (wy, py) = x, y
    return wx.startswith(wy) if py else (not px and wx == wy)


@lru_cache(maxsize=1 << 16)
def item_entails(x: Item, y: Item) -> str | None:
    """If every match of leaf x contains a match of leaf y, return the words of x that match y."""
    if x == y:
        return item_text(x)
    if x[0] != "words" or y[0] != "words":
        return None
    (_, xw, xgaps, xlead, xtrail), (_, yw, ygaps, ylead, ytrail) = x, y
    for start in range(len(xw) - len(yw) + 1):
        end = start + len(yw)
        if (all(_word_entails(a, b) for a, b in zip(xw[start:end], yw))
                and xgaps[start:end - 1] == ygaps
                and (not ylead or (start == 0 and xlead == ylead))
                and (not ytrail or (end == len(xw) and xtrail == ytrail))):
            return " ".join(w for w, _ in xw[start:end])
    return None


# -- pattern structure ------------------------------------------------------------------------

COOCCUR = ("near", "followed_by", "same_sentence", "same_paragraph")
RESTRICT = ("affirmed", "unbracketed", "negated", "bracketed")
MARKED = ("negated", "bracketed")  # kept apart from plain mentions in the abstract model


def unwrap(node: ex.Node) -> ex.Node:
    while isinstance(node, ex.TermRef):
        node = node.body
    return node


def operands(node: ex.Node) -> tuple[ex.Node, ...]:
    """Return the pattern operands of a pattern node (no counts, cues or scopes)."""
    node = unwrap(node)
    if isinstance(node, ex.Within):
        return (node.pattern,)
    if isinstance(node, ex.Call) and node.func != "resolution":
        return tuple(a for a in node.args if not isinstance(a, ex.Number | ex.Cues))
    return ()


def label(node: ex.Node) -> str:
    """Name a pattern for messages: a term's name, else its source text."""
    return node.name if isinstance(node, ex.TermRef) else (node.text or "a pattern")


class Keys:
    """Canonical keys of patterns and numbers: equal keys, same matches on every draft."""

    def __init__(self) -> None:
        # By node: a term used twice in a term used twice ... is one node met many times, and
        # working it out afresh each time doubled the work at every level.
        self._patterns: dict[int, tuple[ex.Node, Hashable]] = {}
        self._members: dict[int, tuple[ex.Node, dict[Hashable, ex.Node]]] = {}

    def pattern(self, node: ex.Node) -> Hashable:
        return ex.once(self._patterns, node, lambda n: self._pattern(unwrap(n)))

    def _pattern(self, node: ex.Node) -> Hashable:
        match node:
            case ex.Phrase(value=value):
                return phrase_item(value)
            case ex.Regex(pattern=pattern, ignore_case=ignore_case):
                return ("regex", pattern, ignore_case)
            case ex.Call(func="resolution", args=(ex.Phrase(value=symbol),)):
                return resolution_item(symbol)
            case ex.Call(func="any"):
                keys = frozenset(self.members(node))
                return next(iter(keys)) if len(keys) == 1 else ("any", keys)
            case ex.Call(func="near" | "followed_by", args=(p, q, n)):
                return (node.func, self.pattern(p), self.pattern(q), int(n.value))
            case ex.Call(func="same_sentence" | "same_paragraph", args=args):
                return (node.func, frozenset(self.pattern(a) for a in args))
            case ex.Call(func="affirmed" | "negated", args=(p, cues)):
                return (node.func, self.pattern(p), cues.phrases)
            case ex.Call(func="bracketed" | "unbracketed", args=(p,)):
                return (node.func, self.pattern(p))
            case ex.Within(pattern=p, scope=scope):
                return ("in", self.pattern(p), scope)
        raise ValueError(f"not a pattern: {node!r}")  # pragma: no cover

    def members(self, node: ex.Node) -> dict[Hashable, ex.Node]:
        """Return the alternatives of an any() (nested any() and terms flattened), by key."""
        return ex.once(self._members, node, self._members_of)

    def _members_of(self, node: ex.Node) -> dict[Hashable, ex.Node]:
        out: dict[Hashable, ex.Node] = {}
        for arg in node.args:
            inner = unwrap(arg)
            if isinstance(inner, ex.Call) and inner.func == "any":
                out.update(self.members(inner))
            else:
                out.setdefault(self.pattern(inner), inner)
        return out

    def number(self, node: ex.Node) -> Hashable:
        match node:
            case ex.Number(value=value):
                return ("number", value)
            case ex.Call(func="count", args=(p,)):
                return ("count", self.pattern(p))
            case ex.Arith(op=op, left=left, right=right):
                return (op, self.number(left), self.number(right))
        raise ValueError(f"not a number: {node!r}")  # pragma: no cover


@dataclass(frozen=True)
class _Sum:
    """A number expression as `sum of coef * count(pattern)` plus a constant."""

    terms: dict[Hashable, tuple[ex.Node, float]]  # pattern key -> (pattern, coef), in order
    const: float

    def plus(self, other: _Sum, sign: float = 1.0) -> _Sum:
        terms = dict(self.terms)
        for key, (pattern, coef) in other.terms.items():
            terms[key] = (pattern, terms.get(key, (pattern, 0.0))[1] + sign * coef)
        return _Sum({k: v for k, v in terms.items() if v[1] != 0}, self.const + sign * other.const)

    def times(self, factor: float) -> _Sum:
        return _Sum({k: (p, c * factor) for k, (p, c) in self.terms.items() if c * factor != 0},
                    self.const * factor)


def _sum(node: ex.Node, keys: Keys) -> _Sum | None:
    """Return the expression as a linear sum of counts, or None (a product of two counts ...)."""
    match node:
        case ex.Number(value=value):
            return _Sum({}, value)
        case ex.Call(func="count", args=(p,)):
            return _Sum({keys.pattern(p): (p, 1.0)}, 0.0)
        case ex.Arith(op=op, left=left, right=right):
            a, b = _sum(left, keys), _sum(right, keys)
            if a is None or b is None:
                return None
            if op in "+-":
                return a.plus(b, 1.0 if op == "+" else -1.0)
            if op == "*" and not (a.terms and b.terms):
                return a.times(b.const) if not b.terms else b.times(a.const)
            if op == "/" and not b.terms and b.const != 0:
                return a.times(1 / b.const)
    return None


def count_bound(rulesets: list[CompiledRuleSet]) -> int:
    """Return the largest count a pattern may have when its count is compared with another's.

    Counts compared with each other are enumerated up to this bound (a draft with more matches
    is not considered). It is well above the rules' own numbers: a conflict that only a draft
    with more matches would escape needs chains such as `count(A) > 3 * count(B)`,
    `count(B) > 3 * count(C)`, which rule sets do not write."""
    numbers = [abs(n.value) for rs in rulesets for r in rs.rules if r.check is not None
               for n in _numbers(r.check)]
    largest = max(numbers, default=1.0)
    return int(min(MAX_COUNT, max(MIN_COUNT, 2 * math.ceil(largest) + 4)))


def _numbers(node: ex.Node) -> Iterator[ex.Number]:
    """Yield the numbers of a condition's comparisons and arithmetic (not near()'s distance)."""
    if isinstance(node, ex.Number):
        yield node
    elif not isinstance(node, ex.Call):
        for child in ex.children(node):
            yield from _numbers(child)


MIN_COUNT, MAX_COUNT = 8, 64
MAX_CASES = 4096  # value combinations enumerated for one comparison of several counts


def _lower(node: ex.Node) -> float | None:
    """Return a lower bound of a number expression on every draft, if one is easy to see."""
    match node:
        case ex.Number(value=value):
            return value
        case ex.Call(func="count"):
            return 0.0
        case ex.Arith(op="+", left=left, right=right):
            a, b = _lower(left), _lower(right)
            return None if a is None or b is None else a + b
        case ex.Arith(op="*", left=left, right=right):
            a, b = _lower(left), _lower(right)
            return None if a is None or b is None or a < 0 or b < 0 else a * b
    return None


GREATER = {">": lambda a, b: (a, b, True), "<": lambda a, b: (b, a, True),
            "<=": lambda a, b: (a, b, False), ">=": lambda a, b: (b, a, False)}
_OPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}
FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def conditions_patterns(node: ex.Node) -> Iterator[ex.Node]:
    """Yield the patterns a condition tests (the arguments of mentions() and count())."""
    if isinstance(node, ex.Call) and node.func in ("mentions", "count"):
        yield node.args[0]
        return
    for child in ex.children(node):
        yield from conditions_patterns(child)


def sub_patterns(node: ex.Node) -> Iterator[ex.Node]:
    """Yield a pattern and every pattern inside it."""
    yield node
    for child in operands(node):
        yield from sub_patterns(child)


# -- the two models ---------------------------------------------------------------------------


class Model:
    """Translate conditions and numbers; subclasses say what a pattern's presence is."""

    def __init__(self) -> None:
        self.keys = Keys()
        self.formulas: dict[str, Formula] = {}
        self.notes: dict[str, tuple[str, ...]] = {}
        self.says: dict[str, str] = {}
        self._facts: list[Formula] = []
        self._ladders: dict[Hashable, tuple[Formula, set[int]]] = {}
        self._notes: set[str] = set()
        self.bound = MIN_COUNT

    def _translate(self, rulesets: list[CompiledRuleSet]) -> None:
        self.bound = count_bound(rulesets)
        for compiled in rulesets:
            for rule in compiled.rules:
                if rule.check is None:
                    continue
                rid = f"{compiled.ruleset.group}/{rule.written.id}"
                self._notes = set()
                self._begin(rid)
                self.formulas[rid] = self.condition(rule.check)
                self.notes[rid] = tuple(sorted(self._notes))
                self.says[rid] = rule.written.says

    def _begin(self, rid: str) -> None:
        """Hook: a new rule is being translated."""

    def facts(self) -> list[Formula]:
        """Return the constraints every draft (of this model) satisfies."""
        out = list(self._facts)
        for key, (present, ks) in self._ladders.items():
            previous = present
            for k in sorted(ks):  # at least k matches implies at least k-1
                here = Var(("at least", key, k))
                out.append(implies(here, previous))
                previous = here
        return out

    def present(self, pattern: ex.Node) -> Formula:  # pragma: no cover - abstract
        raise NotImplementedError

    def ladder_key(self, pattern: ex.Node) -> Hashable:  # pragma: no cover - abstract
        raise NotImplementedError

    def condition(self, node: ex.Node) -> Formula:
        match node:
            case ex.Call(func="mentions", args=(p,)):
                return self.present(p)
            case ex.Not(operand=operand):
                return neg(self.condition(operand))
            case ex.And(left=left, right=right):
                return conj(self.condition(left), self.condition(right))
            case ex.Or(left=left, right=right):
                return disj(self.condition(left), self.condition(right))
            case ex.Compare(op=op, left=left, right=right):
                return self.compare(op, left, right)
        raise ValueError(f"not a condition: {node!r}")  # pragma: no cover

    def compare(self, op: str, left: ex.Node, right: ex.Node) -> Formula:
        read = self.read_as(op, left, right)
        if read is not None:
            return read
        a, b = _sum(left, self.keys), _sum(right, self.keys)
        if a is None or b is None:
            return self.relation(op, left, right)
        diff = a.plus(b, -1.0)  # diff op 0
        if not diff.terms:
            return Const(_OPS[op](diff.const, 0.0))
        *others, (pattern, coef) = diff.terms.values()
        if (self.bound + 1) ** len(others) > MAX_CASES or \
                any(isinstance(self.present(p), Const) for p, _ in others):
            return self.relation(op, left, right)
        cases = []
        for values in itertools.product(range(self.bound + 1), repeat=len(others)):
            rest = diff.const + sum(c * v for (_, c), v in zip(others, values))
            case = conj(*(self.count_is(p, "==", v) for (p, _), v in zip(others, values)))
            cases.append(implies(case, self.count_is(pattern, op if coef > 0 else FLIP[op],
                                                     -rest / coef)))
        for p, _ in others:  # each value of the others is a case: counts stop at the bound
            self._facts.append(neg(self.at_least(p, self.bound + 1)))
        return conj(*cases)

    def read_as(self, op: str, left: ex.Node, right: ex.Node) -> Formula | None:
        """Hook: a comparison the model reads in its own way, or None."""
        return None

    def count_is(self, pattern: ex.Node, op: str, c: float) -> Formula:
        """Return `count(pattern) op c` on the ladder of "at least k matches" atoms."""
        def at_least(k: float) -> Formula:
            return self.at_least(pattern, int(k))
        if op in (">", "<="):
            f = at_least(math.floor(c) + 1)
            return f if op == ">" else neg(f)
        if op in (">=", "<"):
            f = at_least(math.ceil(c))
            return f if op == ">=" else neg(f)
        equal = FALSE if c < 0 or c != int(c) else conj(at_least(c), neg(at_least(c + 1)))
        return equal if op == "==" else neg(equal)

    def at_least(self, pattern: ex.Node, k: int) -> Formula:
        if k <= 0:
            return TRUE
        present = self.present(pattern)
        if k == 1 or isinstance(present, Const):
            return present
        key = self.ladder_key(pattern)
        self._ladders.setdefault(key, (present, set()))[1].add(k)
        return Var(("at least", key, k))

    def relation(self, op: str, left: ex.Node, right: ex.Node) -> Formula:
        """A comparison too complex to enumerate (a product of counts, many counts): a free
        atom, with what must hold when it is true."""
        if op in ("==", "!="):
            f = Var(("compare", "==", self.keys.number(left), self.keys.number(right)))
            return f if op == "==" else neg(f)
        if op in ("<", ">="):
            left, right = right, left
        f = self.greater(left, right)
        return f if op in (">", "<") else neg(f)

    def greater(self, left: ex.Node, right: ex.Node) -> Formula:
        f = Var(("compare", ">", self.keys.number(left), self.keys.number(right)))
        a, low = _sum(left, self.keys), _lower(right)
        if a is not None and len(a.terms) == 1 and low is not None and low - a.const >= 0:
            ((pattern, coef),) = a.terms.values()
            if coef > 0:  # coef * count(A) + b > right >= low >= b means count(A) > 0
                self._facts.append(implies(f, self.present(pattern)))
        return f


class ExactModel(Model):
    """Atoms are patterns as written; every fact holds of every draft."""

    def __init__(self, rulesets: list[CompiledRuleSet]) -> None:
        super().__init__()
        self._seen: set[Hashable] = set()
        self._leaves: list[Hashable] = []
        self._translate(rulesets)
        for x, y in itertools.permutations(self._leaves, 2):
            if item_entails(x, y):
                self._facts.append(implies(Var(("has", x)), Var(("has", y))))

    def ladder_key(self, pattern: ex.Node) -> Hashable:
        return self.keys.pattern(pattern)

    def present(self, pattern: ex.Node) -> Formula:
        key = self.keys.pattern(pattern)
        if key not in self._seen:
            self._seen.add(key)
            self._structure(unwrap(pattern), key)
        return Var(("has", key))

    def _structure(self, node: ex.Node, key: Hashable) -> None:
        here = Var(("has", key))
        if isinstance(node, ex.Call) and node.func == "any":
            members = list(self.keys.members(node).values())
            if len(members) == 1:
                return self._structure(unwrap(members[0]), key)
            self._facts.append(iff(here, disj(*(self.present(m) for m in members))))
            return None
        children = operands(node)
        if not children:
            self._leaves.append(key)
        for child in children:  # a match of near(P, Q), affirmed(P), P in S ... needs P
            self._facts.append(implies(here, self.present(child)))
        if isinstance(key, tuple) and key[0] in RESTRICT:  # every match is one or the other
            other = {"affirmed": "negated", "negated": "affirmed", "bracketed": "unbracketed",
                     "unbracketed": "bracketed"}[key[0]]
            twin = (other,) + key[1:]
            if twin in self._seen:
                self._facts.append(implies(Var(("has", key[1])),
                                           disj(here, Var(("has", twin)))))
        return None
