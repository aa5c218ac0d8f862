"""Run the examples embedded in rules: every `met:` text must meet its rule, every `unmet:` not."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from checker.language.compiler import CompiledRule, CompiledRuleSet
from checker.report.model import Status
from checker.ruleset.model import RuleSet


@dataclass(frozen=True)
class ExampleResult:
    """One example run against its rule: built by `checker.api.run_examples`, read by the CLI."""

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


def examples(rulesets: list[CompiledRuleSet]
             ) -> Iterator[tuple[RuleSet, CompiledRule, Status, str]]:
    """Yield every example of every rule decided by its check, with the status it expects."""
    for compiled in rulesets:
        for rule in compiled.rules:
            if rule.check is None:
                continue  # a manual rule is decided by a reader, not by its examples
            for text in rule.written.examples_met:
                yield compiled.ruleset, rule, Status.MET, text
            for text in rule.written.examples_unmet:
                yield compiled.ruleset, rule, Status.UNMET, text
