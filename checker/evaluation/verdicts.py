"""Turn evaluated checks into verdicts: status, a readable `why`, evidence and explanations.

The `why` comes from the deciding part of the condition: the first false conjunct of a failed
`and`, the first true disjunct of a passed `or`, every part otherwise; `not` flips a demand from
"required" to "forbidden". Near misses are named: a mention that was negated, only in brackets,
or outside the scope asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from checker.evaluation.evaluator import EvaluationError, Evaluator
from checker.evaluation.functions import negations
from checker.evaluation.matchset import Matches
from checker.language import syntax as ex
from checker.language.compiler import CompiledRule
from checker.language.signatures import BUILTINS
from checker.language.syntax import Type
from checker.report.model import Evidence, Status, Verdict, cite
from checker.text import shorten

MAX_EVIDENCE = 5
MAX_CITES = 3
MAX_QUOTE = 400  # characters of a sentence quoted as evidence


def judge_all(rules: Iterable[CompiledRule], evaluator: Evaluator,
              explain: bool = False) -> tuple[Verdict, ...]:
    """Evaluate every rule's check, then judge each rule (two passes: docs/decisions.md says
    why). A check that cannot be evaluated is left to `judge`, which says why."""
    rules = tuple(rules)
    for rule in rules:
        if rule.check is not None:
            with contextlib.suppress(EvaluationError, RecursionError):
                evaluator.check(rule.check)
    return tuple(judge(rule, evaluator, explain) for rule in rules)


def judge(rule: CompiledRule, evaluator: Evaluator, explain: bool = False) -> Verdict:
    """Evaluate one compiled rule on a document and explain the outcome."""
    r = rule.written
    base = dict(rule_id=r.id, says=r.says, severity=r.severity, weight=r.weight, demand=r.demand)
    if rule.check is None:
        return Verdict(**base, status=Status.REVIEW,
                       why="manual check: a reader must decide whether the draft meets it")
    try:
        met = bool(evaluator.check(rule.check))
        leaves = _informative(evaluator, _deciding(evaluator, rule.check, negated=False))
        why = _why(evaluator, leaves)
        evidence = _evidence(evaluator, leaves)
    except EvaluationError as error:
        return Verdict(**base, status=Status.ERROR, why=f"cannot evaluate: {error}")
    except RecursionError:
        return Verdict(**base, status=Status.ERROR, why="cannot evaluate: nested too deeply")
    # Explaining evaluates parts the verdict never needed (`and` stops at a false part): their
    # failures are explained, never allowed to change the verdict.
    lines = tuple(_explain(evaluator, rule.check)) if explain else ()
    return Verdict(**base, status=Status.MET if met else Status.UNMET, why=why,
                   evidence=evidence, explanation=lines, notes=_notes(evaluator, rule.scopes))


# -- the deciding part ------------------------------------------------------------------------


def _deciding(ev: Evaluator, node: ex.Node, negated: bool) -> list[tuple[ex.Node, bool]]:
    """Return the leaves (mentions or comparisons) that decide a condition, with polarity."""
    match node:
        case ex.Not(operand=operand):
            return _deciding(ev, operand, not negated)
        case ex.And(left=left, right=right) | ex.Or(left=left, right=right):
            deciding_value = isinstance(node, ex.Or)  # a true `or` part, a false `and` part
            for part in (left, right):
                if bool(ev.value(part)) == deciding_value:
                    return _deciding(ev, part, negated)
            return _deciding(ev, left, negated) + _deciding(ev, right, negated)
    return [(node, negated)]


def _informative(ev: Evaluator, leaves: list[tuple[ex.Node, bool]]) -> list[tuple[ex.Node, bool]]:
    """Drop satisfied preconditions ("count(ICT) >= 3" that holds) when other parts decide too:
    the parts that point into the draft say more, in `why` and in the evidence."""
    pointing = [leaf for leaf in leaves
                if not (_against_constant(leaf[0]) and ev.value(leaf[0]))]
    return pointing or leaves


def _why(ev: Evaluator, leaves: list[tuple[ex.Node, bool]]) -> str:
    parts = [_describe(ev, node, negated) for node, negated in leaves[:MAX_CITES]]
    if len(leaves) > MAX_CITES:
        parts.append(f"and {len(leaves) - MAX_CITES} more conditions")
    return "; ".join(parts)


def _is_count(node: ex.Node) -> bool:
    return isinstance(node, ex.Call) and node.func == "count"


def _against_constant(node: ex.Node) -> bool:
    return isinstance(node, ex.Compare) and isinstance(node.right, ex.Number)


def _describe(ev: Evaluator, node: ex.Node, negated: bool) -> str:
    kind = "forbidden" if negated else "required"
    if isinstance(node, ex.Compare):
        counted = node.left.args[0] if _is_count(node.left) else None
        if counted is not None and node.op in (">", ">=", "!=") and not ev.value(counted):
            # "count(X) > ..." with no X at all reads best as "X: no match".
            miss = _near_miss(ev, counted)
            return (f"{kind} {short_text(counted)}: no match in the draft"
                    + (f" ({miss[0]})" if miss else ""))
        left, right = ev.value(node.left), ev.value(node.right)
        right_text = "" if isinstance(node.right, ex.Number) else f"{short_text(node.right)} = "
        holds = "holds" if ev.value(node) else "does not hold"
        found = _counted_sites(ev, node)
        return (f"{kind} {short_text(node.left)} = {left:g} {node.op} {right_text}{right:g}: "
                f"{holds}" + (f"; {found}" if found else ""))
    pattern = node.args[0] if isinstance(node, ex.Call) and node.func == "mentions" else node
    matches = ev.value(pattern)
    label = short_text(node)
    if matches:
        return f"{kind} {label} found in {_cites(ev, matches)}: {_quote(ev, matches[0])}"
    miss = _near_miss(ev, pattern)
    return f"{kind} {label}: no match in the draft" + (f" ({miss[0]})" if miss else "")


def short_text(node: ex.Node, width: int = 72) -> str:
    """Return the expression as written, or, if long, with long lists and deep calls elided."""
    if len(node.text) <= width:
        return node.text
    for depth in (3, 2, 1):
        text = _render(node, depth, alternatives=2)
        if len(text) <= width:
            return text
    return _render(node, 0, alternatives=1)


def _render(node: ex.Node, depth: int, alternatives: int) -> str:
    """Render a node, eliding calls nested deeper than `depth` and long argument lists."""
    if not isinstance(node, (ex.Call, ex.Within, ex.Not)) or len(node.text) <= 24:
        return node.text
    if isinstance(node, ex.Not):
        return "not " + _render(node.operand, depth, alternatives)
    if isinstance(node, ex.Within):
        return f"{_render(node.pattern, depth, alternatives)} in {node.scope.text}"
    if node.func == "mentions" and not node.text.startswith("mentions"):
        return _render(node.args[0], depth, alternatives)  # an implicit mentions()
    if depth <= 0:
        return f"{node.func}(…)"
    args = [a for a in node.args if not isinstance(a, ex.Cues)]
    shown = [_render(a, depth - 1, alternatives) for a in args]
    if node.func == "any" and len(shown) > alternatives:
        shown = shown[:alternatives] + ["…"]
    return f"{node.func}({', '.join(shown)})"


def _counted_sites(ev: Evaluator, node: ex.Compare) -> str:
    """Say where the first counted pattern with matches was found: "PoA in ¶33: "...""."""
    for counted in ex.walk(node):
        if isinstance(counted, ex.Call) and counted.func == "count":
            matches = ev.value(counted.args[0])
            if matches:
                return (f"{short_text(counted.args[0])} in {_cites(ev, matches)}: "
                        f"{_quote(ev, matches[0])}")
    return ""


def _near_miss(ev: Evaluator, pattern: ex.Node,
               seen: set[int] | None = None) -> tuple[str, Matches] | None:
    """Say why a pattern with no match came close: negated, bracketed or outside its scope.

    Only a part that itself has no match is explained, down to the innermost such part.
    """
    while isinstance(pattern, ex.TermRef):
        pattern = pattern.body
    if seen is None:  # (asked twice of a leaf: for `why` and for the evidence)
        # By identity, not structure: the message quotes the rule's own text.
        return ex.once(ev.misses, pattern, lambda p: _near_miss(ev, p, set()))
    if id(pattern) in seen or ev.value(pattern):
        return None
    seen.add(id(pattern))
    for child in _operands(pattern):
        if _type_of(child) == Type.PATTERN:
            miss = _near_miss(ev, child, seen)
            if miss:
                return miss
    if isinstance(pattern, ex.Within):
        inner = ev.value(pattern.pattern)
        if inner:
            return f"found only outside {pattern.scope.text}: {_cites(ev, inner)}", inner
    if isinstance(pattern, ex.Call) and pattern.func == "affirmed":
        inner, cues = ev.value(pattern.args[0]), ev.value(pattern.args[1])
        if inner:
            negating = negations(ev.index, inner, cues)
            cue = cues[int(negating[negating >= 0][0])]
            said = ev.document.text[cue[0]:cue[1]]
            return f"only negated, e.g. by '{said}' in {_cites(ev, inner)}", inner
    if isinstance(pattern, ex.Call) and pattern.func == "unbracketed":
        inner = ev.value(pattern.args[0])
        if inner:
            return f"only in square brackets: {_cites(ev, inner)}", inner
    return None


def _type_of(node: ex.Node) -> Type:
    match node:
        case ex.Call(func=func):
            return BUILTINS[func].returns
        case ex.Phrase() | ex.Regex() | ex.TermRef() | ex.Within():
            return Type.PATTERN
        case ex.Number() | ex.Arith():
            return Type.NUMBER
        case ex.Cues():
            return Type.CUES
        case ex.Range():
            return Type.RANGE
    return Type.BOOL


def _operands(node: ex.Node) -> tuple[ex.Node, ...]:
    """Return the sub-expressions worth explaining: no literal texts, numbers or cue lists."""
    if isinstance(node, ex.Call):
        builtin = BUILTINS[node.func]
        return tuple(arg for i, arg in enumerate(node.args)
                     if builtin.param(i) in (Type.PATTERN, Type.SCOPE, Type.NUMBER, Type.BOOL))
    return ex.children(node)


# -- evidence ---------------------------------------------------------------------------------


def _evidence(ev: Evaluator, leaves: list[tuple[ex.Node, bool]]) -> tuple[Evidence, ...]:
    # Matches are in text order: the first few of each leaf hold the first few of them all.
    spans = {span for node, _ in leaves for matches in _leaf_matches(ev, node)
             for span in matches.head(MAX_EVIDENCE)}
    return tuple(evidence_at(ev, span) for span in sorted(spans)[:MAX_EVIDENCE])


def _leaf_matches(ev: Evaluator, node: ex.Node) -> list[Matches]:
    if isinstance(node, ex.Compare):
        return [ev.value(n.args[0]) for n in ex.walk(node)
                if isinstance(n, ex.Call) and n.func == "count"]
    pattern = node.args[0] if isinstance(node, ex.Call) and node.func == "mentions" else node
    matches = ev.value(pattern)
    if matches:
        return [matches]
    miss = _near_miss(ev, pattern)
    return [miss[1]] if miss else []


def evidence_at(ev: Evaluator, span: tuple[int, int]) -> Evidence:
    """Build the evidence for a matched span: its place, sentence and words."""
    doc = ev.document
    sentence = doc.sentences[ev.index.sentence_of(span[0])] if doc.sentences else None
    quote_start, quote_end = (sentence.start, sentence.end) if sentence else span
    quote_start, quote_end = min(quote_start, span[0]), max(quote_end, span[1])
    paragraph = doc.paragraph_at(span[0])
    section = doc.section_at(span[0])
    where = doc.location(span[0])
    heading = doc.sections[section] if section is not None else None
    return Evidence(
        section=(heading.label or heading.heading) if heading else None,
        heading=heading.title if heading else None,
        paragraph=doc.paragraphs[paragraph].number if paragraph is not None else None,
        line=where.line, column=where.column, page=where.page,
        text=_quote_of(ev, quote_start, quote_end), match=_clip(doc.text[span[0]:span[1]]),
        start=span[0], end=span[1])


def _quote_of(ev: Evaluator, start: int, end: int) -> str:
    """The clipped text of a sentence, made once per draft (many rules quote one sentence)."""
    quote = ev.quotes.get((start, end))
    if quote is None:
        quote = ev.quotes[start, end] = _clip(ev.document.text[start:end])
    return quote


def _clip(text: str) -> str:
    # runs of whitespace as one space (as \s+, without a regex)
    return shorten(" ".join(text.split()), MAX_QUOTE)


def _cites(ev: Evaluator, matches: Matches) -> str:
    """Cite the first places matched ("¶12, ¶31, ¶40 and 17 more matches")."""
    cites: list[str] = []
    shown = 0
    for shown, match in enumerate(matches, 1):  # stop early: a pattern may match 500,000 times
        cite = _short_cite(ev, match[0])
        if cite not in cites:
            if len(cites) == MAX_CITES:
                shown -= 1
                break
            cites.append(cite)
    rest = len(matches) - shown
    return ", ".join(cites) + (f" and {rest} more match{'es' * (rest > 1)}" if rest else "")


def _short_cite(ev: Evaluator, offset: int) -> str:
    doc = ev.document
    paragraph = doc.paragraph_at(offset)
    section = doc.section_at(offset)
    number = doc.paragraphs[paragraph].number if paragraph is not None else None
    heading = doc.sections[section].title if section is not None else None
    # The line is looked up only where it is what is cited: it costs most, and is seldom needed.
    line = doc.location(offset).line if number is None and heading is None else None
    return cite(number, line, heading, short=True)


def _quote(ev: Evaluator, span: tuple[int, int], limit: int = 120) -> str:
    text = _clip(ev.document.text[span[0]:span[1]])
    return '"' + shorten(text, limit) + '"'


# -- notes and explanations -------------------------------------------------------------------


def _notes(ev: Evaluator, scopes: tuple[ex.Call, ...]) -> tuple[str, ...]:
    notes = [f"{node.text} names no part of this draft" for node in scopes if not ev.value(node)]
    return tuple(dict.fromkeys(notes))


def _explain(ev: Evaluator, node: ex.Node, depth: int = 0):
    """Yield one plain line per sub-condition: its truth value and where it holds."""
    if isinstance(node, ex.Number):
        return
    pad = "  " * depth
    try:
        value = ev.value(node)
    except (EvaluationError, RecursionError) as error:
        yield f"{pad}{short_text(node)}: cannot evaluate: {error}"
        return
    kind = _type_of(node)
    if isinstance(node, ex.Call) and node.func == "mentions":
        # "mentions PoA: yes, ¶12" says it all; explain the pattern's own parts below it.
        label = short_text(node)
        label = label if node.text.startswith("mentions") else f"mentions {label}"
        yield f"{pad}{label}: " + _found(ev, node.args[0])
        for child in _operands(node.args[0]) if not isinstance(node.args[0], ex.TermRef) else ():
            yield from _explain(ev, child, depth + 1)
        return
    label = short_text(node)
    if kind == Type.BOOL:
        yield f"{pad}{label}: {'yes' if value else 'no'}"
    elif kind == Type.NUMBER:
        yield f"{pad}{label} = {value:g}"
    elif kind == Type.SCOPE:
        yield f"{pad}{label}: {'found' if value else 'not in this draft'}"
    else:
        yield f"{pad}{label}: " + _found(ev, node)
    if isinstance(node, ex.TermRef) or _alternatives(node):
        return  # one line says it: a term is vocabulary, a list of words quotes the one found
    for child in _operands(node):
        yield from _explain(ev, child, depth + 1)


def _alternatives(node: ex.Node) -> bool:
    """Return True for any(...) of plain phrases and regexes: a list of words, not logic."""
    return isinstance(node, ex.Call) and node.func == "any" and all(
        isinstance(arg, (ex.Phrase, ex.Regex)) for arg in node.args)


def _found(ev: Evaluator, pattern: ex.Node) -> str:
    matches = ev.value(pattern)
    if matches:
        return f"yes, {_cites(ev, matches)}: {_quote(ev, matches[0])}"
    miss = _near_miss(ev, pattern)
    return "no" + (f" — {miss[0]}" if miss else "")
