"""Compare groups' demands: which agree, which conflict, and the most one text can meet.

Every check is read as a propositional formula (checker.compare.formulas) and a SAT solver decides:
two demands of different groups *conflict* when no draft meets both, and *agree* when every
draft meets both or neither. Each question is asked first of the exact model (a verdict found
there holds for every draft: `certain`), then of the abstract model, which reads patterns as a
delegate compares them; a verdict found only there says what it rests on. `consensus` finds,
with weighted MaxSAT (RC2), the largest weight of demands one draft could meet together.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Self

from pysat.examples.rc2 import RC2
from pysat.formula import WCNF
from pysat.solvers import Solver

from checker.compare.abstraction import AbstractModel
from checker.compare.formulas import Encoder, ExactModel, Model
from checker.language.compiler import CompiledRuleSet

SOLVER = "g4"  # Glucose 4: deterministic, fast on these small instances
WEIGHT_SCALE = 100  # rule weights are decimals; MaxSAT weights are integers


class Relation(str, Enum):
    """How two demands of different groups relate, as `compare` decides it."""

    CONFLICT = "conflict"
    AGREE = "agree"


@dataclass(frozen=True)
class Pair:
    """Two demands of different groups that conflict or agree."""

    a: str  # "group/rule"
    b: str
    relation: Relation
    certain: bool  # True: holds for every draft; False: rests on the abstraction
    why: str
    shared: tuple[str, ...]  # the alternatives that link the two checks
    rests_on: tuple[str, ...]  # what the abstraction assumed (empty when certain)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "relation": self.relation.value,
                "certain": self.certain, "why": self.why, "shared": list(self.shared),
                "rests_on": list(self.rests_on)}


@dataclass(frozen=True)
class Comparison:
    """Every pair `compare` decided, for rendering (checker.compare.render) and JSON."""

    groups: tuple[str, ...]
    compared: int  # demands with a check (manual ones cannot be compared)
    pairs: tuple[Pair, ...]
    left_out: tuple[str, ...]  # demands met by every draft, or by none, on the abstraction

    def of(self, relation: Relation) -> tuple[Pair, ...]:
        return tuple(p for p in self.pairs if p.relation == relation)

    def to_dict(self) -> dict:
        return {"groups": list(self.groups), "compared": self.compared,
                "pairs": [p.to_dict() for p in self.pairs], "left_out": list(self.left_out)}


@dataclass(frozen=True)
class Vacuity:
    """A check that no draft can meet, or that every draft meets (for `validate`)."""

    path: str
    line: int  # where the check stands in the rule file
    column: int
    rule: str
    never: bool  # True: can never be met; False: is always met
    certain: bool
    rests_on: tuple[str, ...]

    @property
    def message(self) -> str:
        what = "can never be met" if self.never else "is always met"
        how = "" if self.certain else f" (under the abstraction: {'; '.join(self.rests_on)})"
        return (f"{self.path}:{self.line}:{self.column}: warning: rule '{self.rule}': "
                f"its check {what}{how}")


@dataclass(frozen=True)
class Dropped:
    """A demand that must give way, and the kept demands that exclude it."""

    rule: str
    says: str
    weight: float
    excluded_by: tuple[str, ...]
    why: str
    certain: bool

    def to_dict(self) -> dict:
        return {"rule": self.rule, "says": self.says, "weight": self.weight,
                "excluded_by": list(self.excluded_by), "why": self.why, "certain": self.certain}


@dataclass(frozen=True)
class Consensus:
    """What `consensus` found: the demands one text can meet together, and those that must
    give way; rendered by checker.compare.render."""

    kept: tuple[str, ...]
    dropped: tuple[Dropped, ...]
    weight_kept: float
    weight_total: float
    says: dict[str, str]

    def to_dict(self) -> dict:
        return {"kept": list(self.kept), "dropped": [d.to_dict() for d in self.dropped],
                "weight_kept": self.weight_kept, "weight_total": self.weight_total}


# -- solving ----------------------------------------------------------------------------------


class _Oracle:
    """One SAT solver over a model's facts and every rule's formula; questions as assumptions."""

    def __init__(self, model: Model) -> None:
        encoder = Encoder()
        for fact in model.facts():
            encoder.require(fact)
        self.model = model
        self.lit = {rid: encoder.lit(f) for rid, f in model.formulas.items()}
        self.clauses = encoder.clauses
        self._solver = Solver(name=SOLVER, bootstrap_with=encoder.clauses)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._solver.delete()

    def sat(self, *lits: int) -> bool:
        return bool(self._solver.solve(assumptions=list(lits)))

    def vacuous(self, rid: str) -> bool | None:
        """True: never met; False: always met; None: neither."""
        if not self.sat(self.lit[rid]):
            return True
        if not self.sat(-self.lit[rid]):
            return False
        return None

    def relation(self, a: str, b: str) -> Relation | None:
        la, lb = self.lit[a], self.lit[b]
        if not self.sat(la, lb):
            return Relation.CONFLICT
        if not self.sat(la, -lb) and not self.sat(-la, lb):
            return Relation.AGREE
        return None


def _group(rid: str) -> str:
    return rid.split("/", 1)[0]


def compare(rulesets: list[CompiledRuleSet]) -> Comparison:
    """Find every pair of demands of different groups that conflict or agree."""
    exact, abstract = ExactModel(rulesets), AbstractModel(rulesets, assume_subjects=True)
    rids = list(abstract.formulas)
    pairs: list[Pair] = []
    with _Oracle(exact) as sure, _Oracle(abstract) as likely:
        left_out = [r for r in rids if sure.vacuous(r) is not None
                    or likely.vacuous(r) is not None]
        live = [r for r in rids if r not in left_out]
        for i, a in enumerate(live):
            for b in live[i + 1:]:
                if _group(a) == _group(b) or not abstract.related(a, b):
                    continue
                relation, certain = sure.relation(a, b), True
                if relation is None:
                    relation, certain = likely.relation(a, b), False
                if relation is not None:
                    pairs.append(_pair(abstract, a, b, relation, certain))
    pairs.sort(key=lambda p: (p.relation != Relation.CONFLICT, rids.index(p.a), rids.index(p.b)))
    groups = tuple(rs.ruleset.group for rs in rulesets)
    return Comparison(groups, len(rids), tuple(pairs), tuple(left_out))


def _pair(abstract: AbstractModel, a: str, b: str, relation: Relation, certain: bool) -> Pair:
    shared = tuple(abstract.shared_terms(a, b))
    verb = "conflicts with" if relation == Relation.CONFLICT else "agrees with"
    why = f'{a} ("{short_says(abstract.says[a])}") {verb} {b} ("{short_says(abstract.says[b])}")' \
        f"{_shared_phrase(shared)}"
    rests_on = () if certain else tuple(dict.fromkeys(
        sorted(set(abstract.notes[a]) | set(abstract.notes[b])) + abstract.merge_notes(a, b)))
    return Pair(a, b, relation, certain, why, shared, rests_on)


def _shared_phrase(shared: tuple[str, ...]) -> str:
    if not shared:
        return ""
    if len(shared) == 1:
        return f': shared term "{shared[0]}"'
    more = f" (+{len(shared) - 2} more)" if len(shared) > 2 else ""
    return ": shared terms " + ", ".join(f'"{t}"' for t in shared[:2]) + more


def short_says(says: str, head: int = 44, tail: int = 36) -> str:
    """Shorten a demand's words for a one-line explanation, keeping its start and end."""
    text = " ".join(says.split())
    if len(text) <= head + tail + 5:
        return text
    start = text[:head].rsplit(" ", 1)[0]
    end = text[-tail:].split(" ", 1)[-1]
    return f"{start} ... {end}"


def always_or_never(ruleset: CompiledRuleSet, abstract: bool = False) -> list[Vacuity]:
    """Return the rules whose check no draft can meet, or every draft meets (for validate).

    Only what holds of every draft, unless `abstract`: then also what the abstraction finds,
    marked as such. (Alone, a rule set rarely gains from that reading, and it can be wrong about
    a check such as `"x" and not affirmed("x")`, which only a negated "x" meets.)
    """
    found = []
    for compiled in ruleset.rules:
        if compiled.check is None:
            continue
        # One rule at a time: a model of the whole set relates every pair of its phrases,
        # which for thousands of rules is quadratic and says nothing about one rule alone.
        alone = replace(ruleset, rules=(compiled,))
        exact, reading = ExactModel([alone]), AbstractModel([alone])
        rid = f"{ruleset.ruleset.group}/{compiled.written.id}"
        with _Oracle(exact) as sure:
            never, certain = sure.vacuous(rid), True
        if never is None and abstract:
            with _Oracle(reading) as likely:
                never, certain = likely.vacuous(rid), False
        if never is not None:
            rule = compiled.written
            line, column = rule.check.origin.positions[0] if rule.check else (rule.line, 1)
            found.append(Vacuity(ruleset.ruleset.path, line, column, rule.id, never, certain,
                                 () if certain else reading.notes[rid]))
    return found


# -- consensus --------------------------------------------------------------------------------


def consensus(rulesets: list[CompiledRuleSet]) -> Consensus:
    """Find the largest weight of demands, across all groups, that one draft could meet."""
    exact, abstract = ExactModel(rulesets), AbstractModel(rulesets, assume_subjects=True)
    rules = {f"{rs.ruleset.group}/{r.written.id}": r.written for rs in rulesets for r in rs.rules}
    rids = list(abstract.formulas)
    with _Oracle(abstract) as likely, _Oracle(exact) as sure:
        kept = _maxsat(likely, rids, {rid: rules[rid].weight for rid in rids})
        dropped = [_dropped(likely, sure, rid, kept, rules[rid]) for rid in rids
                   if rid not in kept]
    order = {rid: i for i, rid in enumerate(rids)}
    dropped.sort(key=lambda d: ([order[k] for k in d.excluded_by], order[d.rule]))
    total = sum(rules[r].weight for r in rids)
    return Consensus(tuple(kept), tuple(dropped), sum(rules[r].weight for r in kept), total,
                     {rid: rules[rid].says for rid in rids})


def _maxsat(oracle: _Oracle, rids: list[str], weights: dict[str, float]) -> list[str]:
    """Return the rules kept by an optimal weighted MaxSAT solution.

    Ties in weight go to the solution keeping more demands: each soft clause weighs
    weight * (n + 1) + 1, so n extra units never outweigh one unit of real weight.
    """
    wcnf = WCNF()
    wcnf.extend(oracle.clauses)
    scale = len(rids) + 1
    for rid in rids:
        units = max(1, round(weights[rid] * WEIGHT_SCALE))
        wcnf.append([oracle.lit[rid]], weight=units * scale + 1)
    with RC2(wcnf) as solver:
        model = set(solver.compute() or ())
    return [rid for rid in rids if oracle.lit[rid] in model]


def _dropped(likely: _Oracle, sure: _Oracle, rid: str, kept: list[str], rule) -> Dropped:
    abstract: AbstractModel = likely.model  # type: ignore[assignment]
    says = f'{rid} ("{short_says(rule.says)}")'
    if not likely.sat(likely.lit[rid]):
        return Dropped(rid, rule.says, rule.weight, (), f"{says} can never be met",
                       not sure.sat(sure.lit[rid]))
    pairwise = tuple(k for k in kept if not likely.sat(likely.lit[rid], likely.lit[k]))
    if pairwise:
        first = f'{pairwise[0]} ("{short_says(abstract.says[pairwise[0]])}")'
        why = f"{says} conflicts with {', '.join([first, *pairwise[1:]])}" \
              f"{_shared_phrase(tuple(abstract.shared_terms(rid, pairwise[0])))}"
        excluded = pairwise
    else:
        excluded = _smallest_core(likely, rid, kept)
        why = f"{says} cannot be met together with the combination of {' + '.join(excluded)}"
    if pairwise:
        certain = all(not sure.sat(sure.lit[rid], sure.lit[k]) for k in pairwise)
    else:
        certain = not sure.sat(sure.lit[rid], *(sure.lit[k] for k in excluded))
    return Dropped(rid, rule.says, rule.weight, excluded, why, certain)


def _smallest_core(oracle: _Oracle, rid: str, kept: list[str]) -> tuple[str, ...]:
    """Return a minimal set of kept rules that, together, exclude the rule (deletion-based)."""
    core = list(kept)
    for k in list(core):
        trial = [c for c in core if c != k]
        if not oracle.sat(oracle.lit[rid], *(oracle.lit[c] for c in trial)):
            core = trial
    return tuple(core)
