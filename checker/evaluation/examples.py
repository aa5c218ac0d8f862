"""Run the examples embedded in rules: every `met:` text must meet its rule, every `unmet:` not."""

from __future__ import annotations

from dataclasses import dataclass

from checker.language.compiler import CompiledRuleSet
from checker.evaluation.evaluator import Evaluator
from checker.report.model import Status
from checker.document.segment import parse_document
from checker.evaluation.verdicts import judge


@dataclass(frozen=True)
class ExampleResult:
    rules_path: str
    group: str
    rule_id: str
    expected: Status
    got: Status
    text: str
    why: str

    @property
    def passed(self) -> bool:
        """Return True when the rule gave the status the example expects."""
        return self.got == self.expected


def run_examples(rulesets: list[CompiledRuleSet]) -> list[ExampleResult]:
    """Check each rule against each of its examples, as a one-paragraph draft of its own."""
    results = []
    for compiled in rulesets:
        ruleset = compiled.ruleset
        for rule in compiled.rules:
            if rule.check is None:
                continue  # a manual rule is decided by a reader, not by its examples
            cases = [(Status.MET, text) for text in rule.rule.examples_met]
            cases += [(Status.UNMET, text) for text in rule.rule.examples_unmet]
            for expected, text in cases:
                document = parse_document(text, path=f"{ruleset.path}#{rule.rule.id}")
                verdict = judge(rule, Evaluator(document))
                results.append(ExampleResult(ruleset.path, ruleset.group, rule.rule.id,
                                             expected, verdict.status, text, verdict.why))
    return results
