"""compare, consensus and the validate warnings: demands read as formulas, decided by SAT."""

from __future__ import annotations

import itertools
import json
import operator
import random
from pathlib import Path

import pytest
from conftest import (
    ROOT,  # noqa: E402  (one definition of the checkout root)
    rule_yaml,
)

from checker import formats
from checker.api import load_rules
from checker.compare.relations import (
    Relation,
    always_or_never,
    compare,
    consensus,
)
from checker.document.segment import parse_document
from checker.evaluation.evaluator import Evaluator
from checker.language import syntax as ex


def write_rules(folder: Path, group: str, rules: dict[str, str], *,
                terms: dict[str, str] | None = None, weights: dict[str, float] | None = None,
                says: dict[str, str] | None = None) -> str:
    """Write a rule set (one rule per check) and return its path."""
    lines = [f"group: {group}", f"title: {group} demands"]
    if terms:
        lines.append("terms:")
        lines += [f"  {name}: {json.dumps(value)}" for name, value in terms.items()]
    lines.append("rules:")
    for rule_id, check in rules.items():
        lines += [f"  - id: {rule_id}",
                  f"    says: {json.dumps((says or {}).get(rule_id, f'Demand {rule_id}.'))}",
                  f"    check: {json.dumps(check)}"]
        if weights and rule_id in weights:
            lines.append(f"    weight: {weights[rule_id]}")
    path = folder / f"{group}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def pairs_of(tmp_path: Path, a: dict[str, str], b: dict[str, str], **kw) -> list:
    files = [write_rules(tmp_path, "ga", a, **kw), write_rules(tmp_path, "gb", b, **kw)]
    return list(compare(load_rules(files)).pairs)


def only_pair(tmp_path: Path, a: str, b: str, **kw):
    pairs = pairs_of(tmp_path, {"r": a}, {"r": b}, **kw)
    assert len(pairs) == 1, pairs
    return pairs[0]


# -- conflicts and agreements -----------------------------------------------------------------


def test_same_phrase_required_and_forbidden_is_a_certain_conflict(tmp_path):
    pair = only_pair(tmp_path, '"repository of threats"', 'not "repository of threats"')
    assert (pair.a, pair.b, pair.relation, pair.certain) == ("ga/r", "gb/r", Relation.CONFLICT,
                                                             True)
    assert pair.rests_on == ()
    assert 'shared term "repository of threats"' in pair.why
    assert pair.why.startswith('ga/r ("Demand r.") conflicts with gb/r ("Demand r.")')


def test_modifiers_and_proximity_give_a_conflict_resting_on_the_abstraction(tmp_path):
    pair = only_pair(tmp_path, 'mentions(affirmed("repository of threats"))',
                     'not unbracketed(affirmed(near("repositor*", "threat*", 6)))')
    assert pair.relation == Relation.CONFLICT and not pair.certain
    assert any("affirmed()" in note for note in pair.rests_on)
    assert any("said together" in note for note in pair.rests_on)
    assert "repository" in pair.shared


def test_a_term_sharing_an_alternative_with_a_phrase(tmp_path):
    pair = only_pair(tmp_path, "not mentions(PoA)", '"programme of action"',
                     terms={"PoA": 'any("Programme of Action", "PoA")'})
    # Every match of the phrase is a match of the term: certain.
    assert pair.relation == Relation.CONFLICT and pair.certain
    assert 'shared term "Programme of Action"' in pair.why


def test_two_terms_sharing_an_alternative_are_read_as_one(tmp_path):
    files = [write_rules(tmp_path, "ga", {"r": "mentions(PoA)"},
                         terms={"PoA": 'any("Programme of Action", "PoA")'}),
             write_rules(tmp_path, "gb", {"r": "not mentions(Programme)"},
                         terms={"Programme": 'any("programme of action", "action programme")'})]
    (pair,) = compare(load_rules(files)).pairs
    assert pair.relation == Relation.CONFLICT and not pair.certain  # "PoA" alone meets both
    assert 'shared term "Programme of Action"' in pair.why
    assert any("as one term" in note and "programme of action" in note for note in pair.rests_on)


def test_prefix_overlap_is_one_way(tmp_path):
    pair = only_pair(tmp_path, 'not "repositor*"', '"repository of threats"')
    assert pair.relation == Relation.CONFLICT and pair.certain
    assert 'shared term "repository"' in pair.why
    # "a repository of good practices" meets both: no conflict the other way round.
    assert pairs_of(tmp_path, {"r": 'not "repository of threats"'}, {"r": '"repositor*"'}) == []


def test_resolution_symbols_agree(tmp_path):
    pair = only_pair(tmp_path, 'resolution("75/240")', 'mentions(resolution("A/RES/75/240"))')
    assert (pair.relation, pair.certain) == (Relation.AGREE, True)
    assert 'agrees with gb/r' in pair.why and 'shared term "resolution 75/240"' in pair.why
    pair = only_pair(tmp_path, 'mentions(affirmed(resolution("75/240")))',
                     'resolution("A/RES/75 / 240")')
    assert (pair.relation, pair.certain) == (Relation.AGREE, False)


def test_unrelated_demands_make_no_pair(tmp_path):
    assert pairs_of(tmp_path, {"r": '"points of contact"', "s": 'not "convention"'},
                    {"r": 'not "gender"', "s": 'count("norm*") >= 2'}) == []


def test_related_but_compatible_demands_make_no_pair(tmp_path):
    assert pairs_of(tmp_path, {"r": 'not affirmed("repository")'},
                    {"r": 'mentions(negated("repository"))'}) == []  # "no repository" meets both
    assert pairs_of(tmp_path, {"r": '"repository" and "threats"'},
                    {"r": '"repository"'}) == []  # one demands more: no agreement either


def test_counts_against_numbers_are_exact(tmp_path):
    pair = only_pair(tmp_path, 'count("norm*") >= 3', 'count("norm*") <= 2')
    assert (pair.relation, pair.certain) == (Relation.CONFLICT, True)
    assert pairs_of(tmp_path, {"r": 'count("norm*") >= 2'}, {"r": 'count("norm*") <= 2'}) == []
    pair = only_pair(tmp_path, 'count("norm*") == 2', 'count("norm*") > 1 and 3 > count("norm*")')
    assert (pair.relation, pair.certain) == (Relation.AGREE, True)
    pair = only_pair(tmp_path, '2 * count("norm*") + 1 > 6', 'count("norm*") < 3')
    assert (pair.relation, pair.certain) == (Relation.CONFLICT, True)


def test_count_idiom_reads_as_presence(tmp_path):
    pair = only_pair(tmp_path,
                     'not count("repository") > count(same_paragraph("repository", "rejected"))',
                     'mentions(affirmed("repository"))')
    assert pair.relation == Relation.CONFLICT and not pair.certain
    assert any("count(A) > count(B)" in note for note in pair.rests_on)


def test_subject_guard_is_assumed_to_hold(tmp_path):
    guard = 'not ("repository" and (count(ICT) >= 3 or same_paragraph("repository", ICT)))'
    pair = only_pair(tmp_path, guard, '"repository"', terms={"ICT": 'any("ICT", "cyber*")'})
    assert pair.relation == Relation.CONFLICT and not pair.certain  # a draft off ICT meets both
    assert "assumes the draft is about ICT" in pair.rests_on


def test_pairs_are_only_between_groups_and_in_a_stable_order(tmp_path):
    files = [write_rules(tmp_path, "ga", {"x": '"alpha"', "y": 'not "alpha"'}),
             write_rules(tmp_path, "gb", {"x": '"alpha"', "y": 'not "beta"'}),
             write_rules(tmp_path, "gc", {"x": '"beta"'})]
    result = compare(load_rules(files))
    found = [(p.a, p.b, p.relation.value) for p in result.pairs]
    assert found == [("ga/y", "gb/x", "conflict"), ("gb/y", "gc/x", "conflict"),
                     ("ga/x", "gb/x", "agree")]
    assert compare(load_rules(files)).to_dict() == result.to_dict()


def test_manual_and_vacuous_rules_are_not_compared(tmp_path):
    path = tmp_path / "ga.yaml"
    path.write_text("group: ga\ntitle: t\nrules:\n  - id: m\n    says: A person decides.\n"
                    "    check: manual\n  - id: v\n    says: Anything.\n"
                    "    check: '\"a\" or not \"a\"'\n", encoding="utf-8")
    other = write_rules(tmp_path, "gb", {"r": '"a"'})
    result = compare(load_rules([str(path), other]))
    assert result.pairs == () and result.left_out == ("ga/v",) and result.compared == 2


# -- renderers --------------------------------------------------------------------------------


def test_compare_renders_text_json_and_markdown(tmp_path):
    files = [write_rules(tmp_path, "ga", {"r": '"alpha"', "s": 'resolution("75/240")'}),
             write_rules(tmp_path, "gb", {"r": 'not "alpha"', "s": 'resolution("75/240")'})]
    result = compare(load_rules(files))
    data = json.loads(formats.COMPARE["json"].render(result))
    assert [{k: p[k] for k in ("a", "b", "relation", "certain")} for p in data["pairs"]] == [
        {"a": "ga/r", "b": "gb/r", "relation": "conflict", "certain": True},
        {"a": "ga/s", "b": "gb/s", "relation": "agree", "certain": True}]
    assert all(isinstance(p["why"], str) and p["why"] for p in data["pairs"])
    text = formats.COMPARE["text"].render(result)
    assert text.index("Conflicts") < text.index("Agreements") and "ga/r  <->  gb/r" in text
    markdown = formats.COMPARE["markdown"].render(result)
    assert "## Conflicts (1)" in markdown and "| a | b | certain | why |" in markdown


def test_consensus_renders_text_json_and_markdown(tmp_path):
    files = [write_rules(tmp_path, "ga", {"r": '"alpha"'}, weights={"r": 2}),
             write_rules(tmp_path, "gb", {"r": 'not "alpha"', "s": '"beta"'})]
    result = consensus(load_rules(files))
    data = json.loads(formats.CONSENSUS["json"].render(result))
    assert data == {"kept": ["ga/r", "gb/s"],
                    "dropped": [{"rule": "gb/r", "says": "Demand r.", "weight": 1,
                                 "excluded_by": ["ga/r"], "certain": True,
                                 "why": data["dropped"][0]["why"]}],
                    "weight_kept": 3, "weight_total": 4}
    assert 'gb/r ("Demand r.") conflicts with ga/r ("Demand r."): shared term "alpha"' == \
        data["dropped"][0]["why"]
    assert "excluded by ga/r" in formats.CONSENSUS["text"].render(result)
    assert "| `gb/r` | 1 | `ga/r` |" in formats.CONSENSUS["markdown"].render(result)


# -- validate ---------------------------------------------------------------------------------


def test_always_and_never_met_checks(tmp_path):
    path = write_rules(tmp_path, "ga", {"never": '"a" and not "a"', "always": '"a" or not "a"',
                                        "counted": 'count("a") >= 0', "fine": '"a"',
                                        "ladder": 'count("a") >= 3 and count("a") < 2',
                                        "loose": 'mentions("a") and not affirmed("a")'})
    (ruleset,) = load_rules([path])
    found = {(v.rule, v.never, v.certain) for v in always_or_never(ruleset)}
    assert found == {("never", True, True), ("always", False, True), ("counted", False, True),
                     ("ladder", True, True)}
    messages = [v.message for v in always_or_never(ruleset)]
    assert messages[0] == f"{path}:6:12: warning: rule 'never': its check can never be met"
    # Only "a" negated meets `loose`; the abstraction cannot tell, and says so when asked.
    (loose,) = [v for v in always_or_never(ruleset, abstract=True) if v.rule == "loose"]
    assert loose.never and not loose.certain and "(under the abstraction: " in loose.message


def test_shipped_rule_sets_have_no_vacuous_checks():
    for ruleset in load_rules([str(ROOT / "rules")]):
        assert always_or_never(ruleset) == [], ruleset.ruleset.path


# -- consensus --------------------------------------------------------------------------------

PHRASES = ("alpha", "beta", "gamma", "delta")


def random_check(rng: random.Random, phrases: tuple[str, ...], depth: int = 2) -> str:
    if depth == 0 or rng.random() < 0.3:
        phrase, other = rng.sample(phrases, 2)
        return rng.choice([f'"{phrase}"', f'count("{phrase}") >= 2', f'count("{phrase}") == 0',
                           f'count("{phrase}") <= 1', f'"{phrase}" | "{other}"'])
    kind = rng.choice(["not", "and", "or"])
    if kind == "not":
        return f"not ({random_check(rng, phrases, depth - 1)})"
    return (f"({random_check(rng, phrases, depth - 1)}) {kind} "
            f"({random_check(rng, phrases, depth - 1)})")


def met_sets(rulesets, phrases) -> list[frozenset[str]]:
    """Every set of rules one draft meets, over drafts with each phrase 0, 1 or 2 times."""
    out = []
    for counts in itertools.product(range(3), repeat=len(phrases)):
        text = " ".join(f"{p.capitalize()}." for p, n in zip(phrases, counts) for _ in range(n))
        evaluator = Evaluator(parse_document(text or "Nothing."))
        out.append(frozenset(f"{rs.ruleset.group}/{r.written.id}" for rs in rulesets
                             for r in rs.rules if evaluator.value(r.check)))
    return out


@pytest.mark.parametrize("seed", range(20))
def test_consensus_is_optimal_against_brute_force(tmp_path, seed):
    rng = random.Random(seed)
    phrases = PHRASES[:rng.choice([3, 4])]
    files = []
    for g in range(3):
        rules = {f"r{i}": random_check(rng, phrases) for i in range(rng.randint(2, 4))}
        weights = {rid: rng.choice([0.5, 1, 1.5, 2, 3]) for rid in rules}
        files.append(write_rules(tmp_path, f"g{g}", rules, weights=weights))
    rulesets = load_rules(files)
    weight = {f"{rs.ruleset.group}/{r.written.id}": r.written.weight for rs in rulesets
              for r in rs.rules}
    possible = met_sets(rulesets, phrases)
    best = max(sum(weight[r] for r in met) for met in possible)

    result = consensus(rulesets)
    assert result.weight_kept == pytest.approx(best)
    assert result.weight_total == pytest.approx(sum(weight.values()))
    assert any(set(result.kept) <= met for met in possible)  # one draft meets them all
    for dropped in result.dropped:
        together = set(dropped.excluded_by) | {dropped.rule}
        assert not any(together <= met for met in possible), dropped  # they do exclude it
        assert set(dropped.excluded_by) <= set(result.kept)
    assert consensus(load_rules(files)).to_dict() == result.to_dict()  # deterministic


RELATIONS = ('count("{x}") > count("{y}")', 'count("{x}") <= count("{y}") + 1',
             'count("{x}") == count("{y}")', '2 * count("{x}") >= count("{y}") + count("{z}")',
             'count("{x}") >= 2', 'count("{x}") == 0', '"{x}"')


def random_relation(rng: random.Random, depth: int = 2) -> str:
    if depth == 0 or rng.random() < 0.4:
        x, y, z = rng.sample(PHRASES[:3], 3)
        return rng.choice(RELATIONS).format(x=x, y=y, z=z)
    kind = rng.choice(["not", "and", "or"])
    if kind == "not":
        return f"not ({random_relation(rng, depth - 1)})"
    return f"({random_relation(rng, depth - 1)}) {kind} ({random_relation(rng, depth - 1)})"


def reference(node: ex.Node, counts: dict[str, int]):
    """The meaning of a check over one-word phrases, given how often each occurs."""
    match node:
        case ex.Call(func="mentions", args=(ex.Phrase(value=word),)):
            return counts[word] > 0
        case ex.Call(func="count", args=(ex.Phrase(value=word),)):
            return counts[word]
        case ex.Number(value=value):
            return value
        case ex.Arith(op=op, left=left, right=right):
            return {"+": operator.add, "-": operator.sub, "*": operator.mul}[op](
                reference(left, counts), reference(right, counts))
        case ex.Compare(op=op, left=left, right=right):
            return {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
                    ">": operator.gt, ">=": operator.ge}[op](reference(left, counts),
                                                            reference(right, counts))
        case ex.Not(operand=operand):
            return not reference(operand, counts)
        case ex.And(left=left, right=right):
            return reference(left, counts) and reference(right, counts)
        case ex.Or(left=left, right=right):
            return reference(left, counts) or reference(right, counts)
    raise AssertionError(node)


@pytest.mark.parametrize("seed", range(20))
def test_consensus_with_counts_compared_is_optimal_against_brute_force(tmp_path, seed):
    rng = random.Random(1000 + seed)
    files = []
    for g in range(3):
        rules = {f"r{i}": random_relation(rng) for i in range(rng.randint(2, 4))}
        weights = {rid: rng.choice([0.5, 1, 2, 3]) for rid in rules}
        files.append(write_rules(tmp_path, f"g{g}", rules, weights=weights))
    rulesets = load_rules(files)
    rules = {f"{rs.ruleset.group}/{r.written.id}": r for rs in rulesets for r in rs.rules}
    possible = [frozenset(rid for rid, r in rules.items()
                          if reference(r.check, dict(zip(PHRASES[:3], counts))))
                for counts in itertools.product(range(9), repeat=3)]
    best = max(sum(rules[rid].written.weight for rid in met) for met in possible)
    result = consensus(rulesets)
    assert result.weight_kept == pytest.approx(best)
    assert any(set(result.kept) <= met for met in possible)
    for dropped in result.dropped:
        assert not any(set(dropped.excluded_by) | {dropped.rule} <= met for met in possible)


def test_counts_compared_with_each_other(tmp_path):
    pair = only_pair(tmp_path, 'count("alpha") > count("beta")', 'count("beta") > count("alpha")')
    assert (pair.relation, pair.certain) == (Relation.CONFLICT, True)
    pair = only_pair(tmp_path, 'count("alpha") >= count("beta")',
                     'not (count("beta") > count("alpha"))')
    assert (pair.relation, pair.certain) == (Relation.AGREE, True)
    assert pairs_of(tmp_path, {"r": 'count("alpha") >= count("beta")'},
                    {"r": 'count("alpha") <= 3 * count("beta")'}) == []


def test_consensus_names_a_combination_when_no_single_demand_excludes(tmp_path):
    files = [write_rules(tmp_path, "ga", {"r": '"alpha"'}, weights={"r": 2}),
             write_rules(tmp_path, "gb", {"r": '"beta"'}, weights={"r": 2}),
             write_rules(tmp_path, "gc", {"r": 'not ("alpha" and "beta")', "s": '"gamma"'})]
    result = consensus(load_rules(files))
    assert result.kept == ("ga/r", "gb/r", "gc/s")
    (dropped,) = result.dropped
    assert dropped.excluded_by == ("ga/r", "gb/r") and dropped.certain
    assert "the combination of ga/r + gb/r" in dropped.why


def test_consensus_drops_a_demand_no_draft_can_meet(tmp_path):
    files = [write_rules(tmp_path, "ga", {"r": '"alpha" and not "alpha"', "s": '"beta"'})]
    result = consensus(load_rules(files))
    assert result.kept == ("ga/s",)
    assert result.dropped[0].excluded_by == () and "can never be met" in result.dropped[0].why


# -- the shipped rule sets --------------------------------------------------------------------

EXPECTED_CONFLICTS = {
    ("joint-statement/no-poa-bias", "poa-group/poa-single-mechanism"),
    ("joint-statement/no-threat-repository", "poa-group/threat-repository"),
    ("joint-statement/no-gfce-singled-out", "poa-group/gfce-platform"),
    ("joint-statement/private-sector-role", "poa-group/multistakeholder-role"),
}


def shipped(*names: str) -> list[str]:
    paths = [ROOT / "rules" / name for name in names]
    if not all(p.is_file() for p in paths):
        pytest.skip("rule set not present")
    return [str(p) for p in paths]


def test_joint_statement_against_the_poa_group():
    result = compare(load_rules(shipped("joint_statement.yaml", "poa_group.yaml")))
    conflicts = {tuple(sorted((p.a, p.b))) for p in result.of(Relation.CONFLICT)}
    assert conflicts == EXPECTED_CONFLICTS
    agreements = {tuple(sorted((p.a, p.b))) for p in result.of(Relation.AGREE)}
    assert agreements == {("joint-statement/mandate-75-240", "poa-group/mandate-75-240")}
    shared = {p.b.split("/")[1]: p.shared for p in result.of(Relation.CONFLICT)}
    for rule, term in {"poa-single-mechanism": "Programme of Action",
                       "threat-repository": "repositor*", "gfce-platform": "GFCE",
                       "multistakeholder-role": "private sector"}.items():
        assert term in shared[rule], (rule, shared[rule])


def test_all_shipped_rule_sets():
    files = shipped("joint_statement.yaml", "poa_group.yaml", "development_group.yaml")
    result = compare(load_rules(files))
    conflicts = {tuple(sorted((p.a, p.b))) for p in result.of(Relation.CONFLICT)}
    assert conflicts == EXPECTED_CONFLICTS
    agreements = {tuple(sorted((p.a, p.b))) for p in result.of(Relation.AGREE)}
    assert agreements == {tuple(sorted(pair)) for pair in itertools.combinations(
        ["joint-statement/mandate-75-240", "poa-group/mandate-75-240",
         "development-group/mandate-75-240"], 2)}
    best = consensus(load_rules(files))
    assert len(best.dropped) == 4 and all(len(d.excluded_by) == 1 for d in best.dropped)
    assert best.weight_total - best.weight_kept == pytest.approx(3 + 2 + 2 + 1)


# -- the command line ---------------------------------------------------------------------------


def test_compare_command_lists_the_known_clashes_and_agreements(cli) -> None:
    run = cli("compare", ROOT / "rules", "--format", "json")
    assert run.code == 0, run.err
    pairs = {(p["a"], p["b"]): p["relation"] for p in run.json()["pairs"]}
    assert pairs[("joint-statement/no-poa-bias", "poa-group/poa-single-mechanism")] == "conflict"
    assert pairs[("joint-statement/no-threat-repository", "poa-group/threat-repository")] == \
        "conflict"
    assert pairs[("joint-statement/mandate-75-240", "poa-group/mandate-75-240")] == "agree"
    assert sorted(pairs.values()).count("conflict") == 4


def test_compare_with_drafts_adds_the_score_matrix_and_common_ground(cli) -> None:
    drafts = [ROOT / "samples" / "drafts" / n for n in ("balanced.txt", "lean_poa.txt")]
    run = cli("compare", ROOT / "rules", "--drafts", *drafts, "--format", "json")
    assert run.code == 0, run.err
    view = run.json()["drafts"]
    scores = {Path(row["draft"]).name: row["scores"] for row in view["matrix"]}
    assert scores["balanced.txt"]["joint-statement"] == 100
    assert scores["lean_poa.txt"]["joint-statement"] == 0
    assert any(c["a"] == "development-group" and c["b"] == "poa-group" for c in view["common"])
    text = cli("compare", ROOT / "rules", "--drafts", *drafts).out
    assert "Demands no draft meets:" in text and "Met together in one draft:" in text


def test_consensus_command_drops_the_clashing_demands(cli) -> None:
    run = cli("consensus", ROOT / "rules", "--format", "json")
    assert run.code == 0, run.err
    result = run.json()
    dropped = {d["rule"] for d in result["dropped"]}
    assert len(dropped) == 4
    assert result["weight_kept"] < result["weight_total"]
    assert not dropped & set(result["kept"])


def test_validate_warns_about_a_check_that_can_never_be_met(cli, tmp_path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(rule_yaml('"a" and not "a"'), "utf-8")
    run = cli("validate", rules)
    assert run.code == 0
    assert "can never be met" in run.err
    assert "r.yaml:8:7" in run.err
