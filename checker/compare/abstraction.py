"""The abstract model: compiled checks read the way a delegate compares demands.

The alternatives of an any() or a term form a *concept*, said when one of its alternatives is;
affirmed(), unbracketed() and scopes only restrict where a pattern counts and are dropped
(negated() and bracketed() stay apart); near(), followed_by(), same_sentence() and
same_paragraph() mean "said together"; a named term and another group's concept that list the
same alternative are one concept; `count(A) > count(B)`, where B keeps only some matches of A,
means "A is there"; and, when comparing groups, a subject guard such as
`count(ICT) >= 3 or same_paragraph(X, ICT)` is taken to hold. A verdict found only here rests on
this reading; each rule keeps notes of the parts of it that were read so. The formulas, the
exact model and what both share are in checker.compare.formulas.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator

from checker.compare.formulas import (
    COOCCUR,
    FLIP,
    GREATER,
    MARKED,
    RESTRICT,
    TRUE,
    Formula,
    Item,
    Keys,
    Model,
    Var,
    conditions_patterns,
    disj,
    iff,
    implies,
    item_entails,
    item_text,
    label,
    neg,
    operands,
    sub_patterns,
    unwrap,
)
from checker.language import syntax as ex
from checker.language.compiler import CompiledRuleSet

Concept = frozenset  # of Items: the alternatives of one any() or term, or one leaf
RawAlt = tuple  # (frozenset[Concept], frozenset[str] markers): concepts said together
Alt = tuple  # (frozenset[int] concept ids, frozenset[str] markers)

MAX_ALTERNATIVES = 4096
NOTE_FILTER = "affirmed(), unbracketed() and scopes read as plain mentions"
NOTE_TOGETHER = ("near(), followed_by(), same_sentence() and same_paragraph() read as "
                 "'said together'")
NOTE_IDIOM = "count(A) > count(B), where B keeps only some matches of A, read as 'A is there'"
NOTE_OPAQUE = "a pattern with too many alternatives is compared as a whole"


class Concepts:
    """Concepts (sets of alternatives), merged across groups when they list the same alternative
    and one of them is a named term: a term is its author's name for a concept, so what lists
    one of its alternatives stands for it too. (Two bare lists such as any("a", "b") and "a"
    that share a phrase are not merged: "b" alone meets `not "a"`.)"""

    def __init__(self, groups_of: dict[Concept, set[str]], named: set[Concept]) -> None:
        order = sorted(groups_of, key=lambda c: sorted(map(repr, c)))
        parent = {c: c for c in order}

        def find(c: Concept) -> Concept:
            while parent[c] != c:
                parent[c] = parent[parent[c]]
                c = parent[c]
            return c

        by_item: dict[Item, list[Concept]] = defaultdict(list)
        for c in order:
            for item in sorted(c, key=repr):
                by_item[item].append(c)
        for members in by_item.values():
            for c1, c2 in itertools.combinations(members, 2):
                if len(groups_of[c1] | groups_of[c2]) > 1 and (c1 in named or c2 in named):
                    parent[find(c2)] = find(c1)
        roots = list(dict.fromkeys(find(c) for c in order))
        index = {root: i for i, root in enumerate(roots)}
        self.id = {c: index[find(c)] for c in order}
        self.items: list[frozenset[Item]] = [frozenset() for _ in roots]
        for c in order:
            self.items[self.id[c]] |= c
        self._entails: dict[tuple[int, int], bool] = {}

    def of(self, concept: Concept) -> int:
        """Return the id of a concept (a new one for a concept not seen when merging)."""
        if concept not in self.id:
            self.id[concept] = len(self.items)
            self.items.append(concept)
        return self.id[concept]

    def entails(self, d: int, c: int) -> bool:
        """True if every alternative of concept d contains an alternative of concept c."""
        if d == c:
            return True
        if (d, c) not in self._entails:
            self._entails[d, c] = all(any(item_entails(x, y) for y in self.items[c])
                                      for x in self.items[d])
        return self._entails[d, c]


class AbstractModel(Model):
    """Patterns read as a delegate compares demands (see the module docstring)."""

    def __init__(self, rulesets: list[CompiledRuleSet], assume_subjects: bool = False) -> None:
        super().__init__()
        self._raw: dict[Hashable, tuple[frozenset[RawAlt], frozenset[str]]] = {}
        # concept -> its alternatives as first written, in order (the order of first sight
        # ranks concepts when naming what links two rules: a term's first words come first)
        self.written: dict[Concept, dict[Item, str]] = {}
        self._leaves: dict[Hashable, Concept] = {}  # pattern key -> its own list of leaves
        self.named: set[Concept] = set()  # concepts that are (the leaves of) a named term
        groups_of: dict[Concept, set[str]] = defaultdict(set)
        subjects: list[ex.Node] = []
        for compiled in rulesets:
            for rule in compiled.rules:
                if rule.check is None:
                    continue
                for pattern in conditions_patterns(rule.check):
                    for alts in self.raw_alts(pattern)[0]:
                        for concept in alts[0]:
                            groups_of[concept].add(compiled.ruleset.group)
                if assume_subjects:
                    subjects.extend(subject_patterns(rule.check, self.keys))
        self.concepts = Concepts(groups_of, self.named)
        self.subjects: dict[int, str] = {}
        for pattern in subjects:
            alts = self.raw_alts(pattern)[0]
            if len(alts) == 1 and len(next(iter(alts))[0]) == 1 and not next(iter(alts))[1]:
                concept = next(iter(next(iter(alts))[0]))
                self.subjects.setdefault(self.concepts.of(concept),
                                         f"assumes the draft is about {label(pattern)}")
        self._alts: dict[Hashable, tuple[frozenset[Alt], frozenset[str]]] = {}
        self._registered: dict[Alt, None] = {}
        self.used: dict[str, dict[Concept, None]] = {}  # rule -> concepts it tests, no subjects
        self._rid = ""
        self._translate(rulesets)
        self._facts.extend(self._entailments())

    def _begin(self, rid: str) -> None:
        self._rid = rid
        self.used[rid] = {}

    # -- alternatives -------------------------------------------------------------------------

    def raw_alts(self, pattern: ex.Node) -> tuple[frozenset[RawAlt], frozenset[str]]:
        """Return a pattern's alternatives, each a set of concepts said together, and notes."""
        key = self.keys.pattern(pattern)
        if key not in self._raw:
            self._raw[key] = self._raw_alts(unwrap(pattern), key)
        if isinstance(pattern, ex.TermRef) and key in self._leaves:
            self.named.add(self._leaves[key])
        return self._raw[key]

    def _raw_alts(self, node: ex.Node, key: Hashable) -> tuple[frozenset[RawAlt], frozenset[str]]:
        none: frozenset[str] = frozenset()
        if isinstance(node, ex.Call) and node.func == "any":
            leaves, alts, notes = {}, set(), set()
            for member_key, member in self.keys.members(node).items():
                if operands(member):
                    sub, sub_notes = self.raw_alts(member)
                    alts |= sub
                    notes |= sub_notes
                else:
                    leaves[member_key] = member
            if leaves:
                self._leaves[key] = self._concept(leaves)
                alts.add((frozenset([self._leaves[key]]), none))
            return frozenset(alts), frozenset(notes)
        children = operands(node)
        if not children:
            self._leaves[key] = self._concept({key: node})
            return frozenset([(frozenset([self._leaves[key]]), none)]), none
        parts = [self.raw_alts(c) for c in {self.keys.pattern(c): c for c in children}.values()]
        notes = frozenset().union(*(p[1] for p in parts))
        if isinstance(node, ex.Call) and node.func in COOCCUR:
            if math.prod(len(p[0]) for p in parts) > MAX_ALTERNATIVES:
                return frozenset([(frozenset([frozenset([("opaque", key)])]), none)]), \
                    notes | {NOTE_OPAQUE}
            alts = frozenset((frozenset().union(*(a[0] for a in combo)),
                              frozenset().union(*(a[1] for a in combo)))
                             for combo in itertools.product(*(p[0] for p in parts)))
            return alts, notes | ({NOTE_TOGETHER} if len(parts) > 1 else set())
        alts = parts[0][0]
        if isinstance(node, ex.Call) and node.func in MARKED:
            return frozenset((a[0], a[1] | {node.func}) for a in alts), notes
        return alts, notes | {NOTE_FILTER}

    def _concept(self, leaves: dict[Item, ex.Node]) -> Concept:
        """Return the concept of these alternatives; remember how they were first written."""
        concept = frozenset(leaves)
        if concept not in self.written:
            self.written[concept] = {item: _as_written(item, node) for item, node in leaves.items()}
        return concept

    def alts(self, pattern: ex.Node) -> tuple[frozenset[Alt], frozenset[str]]:
        """Return the alternatives over merged concept ids, subject concepts left out."""
        key = self.keys.pattern(pattern)
        if key not in self._alts:
            raw, notes = self.raw_alts(pattern)
            out, extra = set(), set(notes)
            for concepts, markers in raw:
                ids = {self.concepts.of(c) for c in concepts}
                extra |= {self.subjects[i] for i in ids if i in self.subjects}
                out.add((frozenset(i for i in ids if i not in self.subjects), markers))
            self._alts[key] = frozenset(out), frozenset(extra)
        return self._alts[key]

    def present(self, pattern: ex.Node) -> Formula:
        alts, notes = self.alts(pattern)
        self._notes |= notes
        rank = list(self.written)
        for concepts, _ in self.raw_alts(pattern)[0]:
            for c in sorted(concepts, key=rank.index):
                if self.concepts.of(c) not in self.subjects:
                    self.used[self._rid].setdefault(c)
        if any(not ids and not markers for ids, markers in alts):
            return TRUE
        ordered = sorted(alts, key=lambda a: (sorted(a[0]), sorted(a[1])))
        self._registered.update(dict.fromkeys(ordered))
        return disj(*(Var(("said", a)) for a in ordered))

    def ladder_key(self, pattern: ex.Node) -> Hashable:
        return ("alts", self.alts(pattern)[0])

    def read_as(self, op: str, left: ex.Node, right: ex.Node) -> Formula | None:
        """`count(A) > count(B)`, B keeping only some matches of A, reads "A is there"."""
        if op not in GREATER:
            return None
        big, small, positive = GREATER[op](left, right)
        a, b = unwrap(big), unwrap(small)
        if isinstance(a, ex.Call) and a.func == "count" and isinstance(b, ex.Call) \
                and b.func == "count":
            counted = self._collapse(a.args[0])
            if restricts(b.args[0], self.keys.pattern(counted), self.keys):
                self._notes.add(NOTE_IDIOM)
                there = self.present(counted)
                return there if positive else neg(there)
        return None

    def _collapse(self, pattern: ex.Node) -> ex.Node:
        """same_paragraph(P, P) is P, as far as presence goes."""
        node = unwrap(pattern)
        if isinstance(node, ex.Call) and node.func in ("same_sentence", "same_paragraph"):
            distinct = {self.keys.pattern(a): a for a in node.args}
            if len(distinct) == 1:
                return self._collapse(next(iter(distinct.values())))
        return pattern

    def _entailments(self) -> list[Formula]:
        """Facts linking what is said: a concept is said when one of its alternatives is; what
        is said together is said; and alternative p implies q when each concept of q is
        entailed by one of p (the same markers on both)."""
        out: list[Formula] = []
        alts = list(self._registered)
        singles = {i for ids, markers in alts if not markers for i in ids}
        for i in sorted(singles):
            here = Var(("said", (frozenset([i]), frozenset())))
            out.append(iff(here, disj(*(Var(("item", x))
                                        for x in sorted(self.concepts.items[i], key=repr)))))
        for ids, markers in alts:
            if not markers and len(ids) > 1:
                out += [implies(Var(("said", (ids, markers))),
                                Var(("said", (frozenset([i]), frozenset())))) for i in ids]
        items = sorted({x for i in singles for x in self.concepts.items[i]}, key=repr)
        out += [implies(Var(("item", x)), Var(("item", y)))
                for x, y in itertools.permutations(items, 2) if item_entails(x, y)]
        for p, q in itertools.permutations(alts, 2):
            if p[1] == q[1] and all(any(self.concepts.entails(d, c) for d in p[0]) for c in q[0]):
                out.append(implies(Var(("said", p)), Var(("said", q))))
        return out

    # -- explaining ---------------------------------------------------------------------------

    def ids(self, rid: str) -> set[int]:
        return {self.concepts.of(c) for c in self.used.get(rid, ())}

    def related(self, a: str, b: str) -> bool:
        """True if the two rules test a common concept, or one that entails the other's."""
        ids_b = self.ids(b)
        return any(self.concepts.entails(x, y) or self.concepts.entails(y, x)
                   for x in self.ids(a) for y in ids_b)

    def shared_terms(self, a: str, b: str) -> list[str]:
        """Name what links rule a's concepts to rule b's: one alternative per linked concept of
        a, as a wrote it, in the order a's check uses them."""
        rank = list(self.written)
        found: dict[str, None] = {}
        for ca in sorted(self.used.get(a, ()), key=rank.index):
            for cb in sorted(self.used.get(b, ()), key=rank.index):
                term = self._link(ca, cb)
                if term is not None:
                    found.setdefault(term)
                    break
        return list(found)

    def _link(self, ca: Concept, cb: Concept) -> str | None:
        """Return the alternative that links two concepts, or None."""
        x, y = self.concepts.of(ca), self.concepts.of(cb)
        if x == y:
            common = [text for item, text in self.written[ca].items() if item in cb]
            if common:
                return common[0]
        if x == y or self.concepts.entails(x, y) or self.concepts.entails(y, x):
            for big, small in ((ca, cb), (cb, ca)):
                for i in self.written[big]:
                    for j in self.written[small]:
                        words = item_entails(i, j)
                        if words:
                            return words
            return next(iter(self.written[ca].values()))
        return None

    def merge_notes(self, a: str, b: str) -> list[str]:
        """Explain the concepts of the two rules that are one only because they were merged."""
        notes = []
        for ca in sorted(self.used.get(a, ()), key=lambda c: sorted(map(repr, c))):
            for cb in sorted(self.used.get(b, ()), key=lambda c: sorted(map(repr, c))):
                if ca != cb and self.concepts.of(ca) == self.concepts.of(cb):
                    only_a, only_b = _sample(ca - cb), _sample(cb - ca)
                    if only_a or only_b:
                        notes.append(f"reads {only_a or _sample(ca)} and {only_b or _sample(cb)} "
                                     "as one term: both list "
                                     f"{_sample(ca & cb) or 'an alternative of a common term'}")
        return notes


def _as_written(item: Item, node: ex.Node) -> str:
    node = unwrap(node)
    return node.value if isinstance(node, ex.Phrase) else item_text(item)


def _sample(items: Iterable[Item]) -> str:
    texts = sorted(item_text(i) for i in items)
    if not texts:
        return ""
    shown = ", ".join(f'"{t}"' for t in texts[:2])
    return shown + (f" (+{len(texts) - 2})" if len(texts) > 2 else "")


def restricts(pattern: ex.Node, key: Hashable, keys: Keys) -> bool:
    """True if the pattern keeps only some matches of the pattern with this key (or their
    paragraphs, sentences or neighbours): same_paragraph(A, X), affirmed(A), ..."""
    node = unwrap(pattern)
    if not (isinstance(node, ex.Within) or (isinstance(node, ex.Call)
                                            and node.func in COOCCUR + RESTRICT)):
        return False
    return any(keys.pattern(child) == key or restricts(child, key, keys)
               for child in operands(node))


def subject_patterns(check: ex.Node, keys: Keys) -> Iterator[ex.Node]:
    """Yield P for each guard `count(P) >= k (k >= 2) or ...same_paragraph(..., P)...`: the
    demand applies to a draft about P, or to the part of it next to P."""
    for node in ex.walk(check):
        if not isinstance(node, ex.Or):
            continue
        parts = list(_disjuncts(node))
        for i, part in enumerate(parts):
            pattern = _threshold(part)
            if pattern is None:
                continue
            key = keys.pattern(pattern)
            if any(_colocated(other, key, keys) for j, other in enumerate(parts) if j != i):
                yield pattern


def _disjuncts(node: ex.Node) -> Iterator[ex.Node]:
    if isinstance(node, ex.Or):
        yield from _disjuncts(node.left)
        yield from _disjuncts(node.right)
    else:
        yield node


def _threshold(node: ex.Node) -> ex.Node | None:
    """Return P if the condition is `count(P) >= k` (or `> k - 1`) with k >= 2."""
    if not isinstance(node, ex.Compare):
        return None
    op, left, right = node.op, node.left, node.right
    if isinstance(left, ex.Number):
        op, left, right = FLIP[op], right, left
    if not (isinstance(left, ex.Call) and left.func == "count" and isinstance(right, ex.Number)):
        return None
    least = {">=": right.value, ">": math.floor(right.value) + 1}.get(op)
    return left.args[0] if least is not None and least >= 2 else None


def _colocated(condition: ex.Node, key: Hashable, keys: Keys) -> bool:
    for pattern in conditions_patterns(condition):
        for sub in sub_patterns(pattern):
            node = unwrap(sub)
            if isinstance(node, ex.Call) and node.func in ("same_sentence", "same_paragraph") \
                    and any(keys.pattern(a) == key for a in node.args):
                return True
    return False
