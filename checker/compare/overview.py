"""`compare --drafts`: what the checked drafts give every group, side by side.

From one Report: the groups x drafts score matrix, the demands no draft meets, and for each pair
of groups the demands both see met in the same draft (common ground a chair can build on).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from checker.report.model import Report, Status


@dataclass(frozen=True)
class Common:
    """Demands of two groups met together in one draft."""

    a: str
    b: str
    draft: str
    a_met: tuple[str, ...]
    b_met: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    groups: tuple[str, ...]
    matrix: tuple[tuple[str, dict[str, float | None]], ...]  # (draft, {group: score})
    never_met: tuple[str, ...]  # GROUP/RULE
    common: tuple[Common, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"groups": list(self.groups),
                "matrix": [{"draft": d, "scores": s} for d, s in self.matrix],
                "never_met": list(self.never_met),
                "common": [{"a": c.a, "b": c.b, "draft": c.draft, "a_met": list(c.a_met),
                            "b_met": list(c.b_met)} for c in self.common]}


def overview(report: Report) -> Overview:
    """Summarise a report of several drafts for the comparison of groups."""
    groups = tuple(g for g, _ in report.groups())
    met: dict[tuple[str, str], list[str]] = {}  # (draft, group) -> rule ids met
    decided: dict[str, bool] = {}  # GROUP/RULE -> met in some draft
    for draft in report.drafts:
        for group in draft.groups:
            ids = [v.rule_id for v in group.verdicts if v.status == Status.MET]
            met[(draft.path, group.group)] = ids
            for v in group.verdicts:
                if v.status in (Status.MET, Status.UNMET):
                    key = f"{group.group}/{v.rule_id}"
                    decided[key] = decided.get(key, False) or v.status == Status.MET
    common = tuple(Common(a, b, draft.path, tuple(met[(draft.path, a)]),
                          tuple(met[(draft.path, b)]))
                   for a, b in combinations(groups, 2) for draft in report.drafts
                   if met.get((draft.path, a)) and met.get((draft.path, b)))
    return Overview(groups, tuple(report.matrix()),
                    tuple(rule for rule, ever in decided.items() if not ever), common)
