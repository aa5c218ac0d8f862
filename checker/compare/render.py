"""Compare and consensus as text, Markdown or JSON (the tables are in checker.formats)."""

from __future__ import annotations

from collections.abc import Iterable

from checker.compare.overview import Overview
from checker.compare.relations import Comparison, Consensus, Dropped, Pair, Relation, short_says
from checker.report.formats.json_format import dumps
from checker.report.formats.markdown import escape
from checker.report.model import format_score


def compare_json(comparison: Comparison, drafts: Overview | None = None) -> str:
    """One JSON document: the pairs, and the drafts' overview when drafts were given."""
    data = comparison.to_dict()
    return dumps(data if drafts is None else {**data, "drafts": drafts.to_dict()})


def compare_text(comparison: Comparison, drafts: Overview | None = None) -> str:
    """The pairs as plain text, then the drafts' overview when drafts were given."""
    text = _compare_text(comparison)
    return text if drafts is None else text + "\n" + _overview(drafts, md=False)


def compare_markdown(comparison: Comparison, drafts: Overview | None = None) -> str:
    """The pairs as Markdown tables, then the drafts' overview when drafts were given."""
    text = _compare_markdown(comparison)
    return text if drafts is None else text + "\n" + _overview(drafts, md=True)


def _certainty(pair: Pair) -> str:
    return "certain" if pair.certain else "rests on the abstraction: " + "; ".join(pair.rests_on)


def _compare_text(c: Comparison) -> str:
    head = (f"Compared {c.compared} demands of {len(c.groups)} groups "
            f"({', '.join(c.groups)}): {len(c.of(Relation.CONFLICT))} conflicts, "
            f"{len(c.of(Relation.AGREE))} agreements.")
    lines = [head, ""]
    for relation, title, mark in ((Relation.CONFLICT, "Conflicts (no draft can meet both)", "✗"),
                                  (Relation.AGREE, "Agreements (the same demand)", "=")):
        pairs = c.of(relation)
        lines.append(f"{title}: {len(pairs) or 'none'}")
        for p in pairs:
            lines += [f"  {mark} {p.a}  <->  {p.b}", f"      {p.why}", f"      {_certainty(p)}"]
        lines.append("")
    if c.left_out:
        lines.append("Left out (met by every draft or by none): " + ", ".join(c.left_out))
    return "\n".join(lines).rstrip() + "\n"


def _compare_markdown(c: Comparison) -> str:
    lines = ["# draftcheck compare", "",
             f"{c.compared} demands of {len(c.groups)} groups: "
             + ", ".join(f"`{g}`" for g in c.groups) + ".", ""]
    for relation, title in ((Relation.CONFLICT, "Conflicts"), (Relation.AGREE, "Agreements")):
        pairs = c.of(relation)
        lines += [f"## {title} ({len(pairs)})", ""]
        if not pairs:
            lines += ["None.", ""]
            continue
        lines += ["| a | b | certain | why |", "|---|---|---|---|"]
        lines += [f"| `{p.a}` | `{p.b}` | "
                  f"{'yes' if p.certain else 'no: ' + escape('; '.join(p.rests_on))}"
                  f" | {escape(p.why)} |" for p in pairs]
        lines.append("")
    if c.left_out:
        lines += ["Left out (met by every draft or by none): "
                  + ", ".join(f"`{r}`" for r in c.left_out), ""]
    return "\n".join(lines).rstrip() + "\n"


def consensus_json(result: Consensus) -> str:
    """The consensus as JSON: Consensus.to_dict()."""
    return dumps(result.to_dict())


def _consensus_head(result: Consensus) -> str:
    share = 100 * result.weight_kept / result.weight_total if result.weight_total else 100.0
    return (f"One draft can meet {len(result.kept)} of {len(result.kept) + len(result.dropped)} "
            f"demands: weight {result.weight_kept:g} of {result.weight_total:g} ({share:.1f}%).")


def consensus_text(result: Consensus) -> str:
    """The demands kept, then those that must give way grouped by what excludes them."""
    lines = [_consensus_head(result), "", "Kept:"]
    lines += [f"  ✓ {rid}  {short_says(result.says[rid])}" for rid in result.kept]
    lines += ["", f"Must give way: {len(result.dropped) or 'none'}"]
    for excluded_by, members in _by_conflict(result.dropped):
        cause = "can never be met" if not excluded_by else "excluded by " + " + ".join(excluded_by)
        lines.append(f"  {cause}:")
        for d in members:
            lines += [f"    ✗ {d.rule} (weight {d.weight:g})", f"        {d.why}"
                      + ("" if d.certain else "  [rests on the abstraction]")]
    return "\n".join(lines).rstrip() + "\n"


def _by_conflict(dropped: Iterable[Dropped]) -> list[tuple[tuple[str, ...], list[Dropped]]]:
    groups: dict[tuple[str, ...], list[Dropped]] = {}
    for d in dropped:
        groups.setdefault(d.excluded_by, []).append(d)
    return list(groups.items())


def consensus_markdown(result: Consensus) -> str:
    """The consensus as Markdown tables."""
    lines = ["# draftcheck consensus", "", _consensus_head(result), "", "## Kept", "",
             "| demand | says |",
             "|---|---|"]
    lines += [f"| `{rid}` | {escape(result.says[rid])} |" for rid in result.kept]
    lines += ["", "## Must give way", ""]
    if not result.dropped:
        lines.append("None.")
    else:
        lines += ["| demand | weight | excluded by | why | certain |", "|---|---:|---|---|---|"]
        for excluded_by, members in _by_conflict(result.dropped):
            for d in members:
                cause = ", ".join(f"`{k}`" for k in excluded_by) or "never met"
                lines.append(f"| `{d.rule}` | {d.weight:g} | {cause} | {escape(d.why)} | "
                             f"{'yes' if d.certain else 'no'} |")
    return "\n".join(lines).rstrip() + "\n"


def _overview(view: Overview, md: bool) -> str:
    """The drafts' overview as plain text, or as Markdown (JSON has `Overview.to_dict`)."""
    cell = escape if md else str
    lines = ["## Drafts" if md else "Drafts", ""]
    header = ["draft", *view.groups]
    lines.append("| " + " | ".join(map(cell, header)) + " |" if md else "  ".join(header))
    if md:
        lines.append("|---|" + "---:|" * len(view.groups))
    for draft, scores in view.matrix:
        cells = [cell(draft)] + [format_score(scores.get(g)) for g in view.groups]
        lines.append("| " + " | ".join(cells) + " |" if md else "  ".join(cells))
    lines += ["", "Demands no draft meets: " + (", ".join(map(cell, view.never_met)) or "none")]
    lines += ["", "Met together in one draft:"]
    for c in view.common:
        lines.append(f"- {cell(c.a)} and {cell(c.b)} in {cell(c.draft)}: "
                     f"{', '.join(map(cell, c.a_met))} | {', '.join(map(cell, c.b_met))}")
    return "\n".join(lines) + "\n"
