"""Check rule-language expressions statically and compile them for evaluation.

Before any draft is read: names, functions and arity, types, regexes (RE2), literal arguments and
term cycles are checked, every problem pointing at its file, line and column. Compiling resolves
terms into their bodies, makes implicit `mentions(P)` explicit and hands negated()/affirmed() the
rule set's negation cues, so the evaluator only ever sees well-typed trees.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from checker.errors import Problem, RuleError
from checker.language import syntax as ex
from checker.language.regex import RegexError, compile_regex
from checker.language.signatures import BUILTINS, NEGATION_CUES
from checker.language.syntax import ExprError, Type
from checker.ruleset.model import Expression, Rule, RuleSet
from checker.text import plan_phrase

_WHAT = {Type.PATTERN: "a pattern", Type.NUMBER: "a number", Type.BOOL: "a condition",
         Type.SCOPE: "a scope"}


@dataclass(frozen=True)
class CompiledRule:
    """A rule as written in its file (`written`) with its check compiled: built by the compiler,
    read by the evaluator, the verdicts and compare."""

    written: Rule
    check: ex.Node | None  # a condition; None for `check: manual`
    scopes: tuple[ex.Call, ...] = ()  # its section()/paragraphs() calls, named when empty


def _compiled_rule(rule: Rule, check: ex.Node | None) -> CompiledRule:
    if check is None:
        return CompiledRule(rule, None)
    ex.key(check)  # worked out now, it is kept with the cached rule set
    scopes = tuple(node for node in ex.walk(check)
                   if isinstance(node, ex.Call) and BUILTINS[node.func].returns == Type.SCOPE)
    return CompiledRule(rule, check, scopes)


@dataclass(frozen=True)
class CompiledRuleSet:
    """A rule set with every check compiled: built by `compile_ruleset` (or the cache), read by
    `checker.api` (its rules go to the evaluator), compare and revisions."""

    ruleset: RuleSet
    rules: tuple[CompiledRule, ...]


class _Failed(Exception):
    """An expression uses a term that has its own, already reported, problem."""


def compile_ruleset(ruleset: RuleSet) -> CompiledRuleSet:
    """Check and compile every term and rule; raise RuleError listing every problem."""
    compiler = _Compiler(ruleset)
    for name in ruleset.terms:
        compiler.term(name)
    rules = tuple(_compiled_rule(rule, compiler.rule_check(rule)) for rule in ruleset.rules)
    if compiler.problems:
        raise RuleError(sorted(compiler.problems, key=lambda p: (p.path, p.line, p.column)))
    return CompiledRuleSet(ruleset, rules)


def _parse(source: str) -> ex.Node:
    # lark is imported only when something is parsed: a rule set reused from the cache is not.
    from checker.language.parser import parse

    return parse(source)


class _Compiler:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self.cues = ex.Cues(tuple(dict.fromkeys(NEGATION_CUES + ruleset.negation_cues)))
        self.compiled: dict[str, ex.Node | None] = {}  # None: the term has a problem
        self.visiting: list[str] = []
        self.problems: list[Problem] = []

    def rule_check(self, rule: Rule) -> ex.Node | None:
        if rule.check is None:
            return None
        return self._compile(rule.check, Type.BOOL)

    def term(self, name: str) -> ex.Node | None:
        """Compile a term once (on first use or in definition order)."""
        if name not in self.compiled:
            self.visiting.append(name)
            self.compiled[name] = self._compile(self.ruleset.terms[name], Type.PATTERN)
            self.visiting.pop()
        return self.compiled[name]

    def _compile(self, source: Expression, want: Type) -> ex.Node | None:
        try:
            node = _parse(source.text)
            if want == Type.PATTERN:  # a term: no implicit conversion
                compiled, got = self.infer(node)
                if got != Type.PATTERN:
                    raise ExprError(f"a term must be a pattern; this is {_WHAT[got]}", node.span)
                return compiled
            return self.expect(node, want)
        except ExprError as error:
            self.problems.append(source.origin.problem(error.message, error.span[0]))
        except RecursionError:  # terms using terms using terms ...: each shallow, deep together
            self.problems.append(source.origin.problem("terms are nested too deeply", 0))
        except _Failed:
            pass
        return None

    # -- types ----------------------------------------------------------------------------------

    def expect(self, node: ex.Node, want: Type) -> ex.Node:
        """Compile a node where a value of type `want` is needed."""
        if want in (Type.TEXT, Type.INTEGER, Type.RANGE):
            return self._literal(node, want)
        compiled, got = self.infer(node)
        if got == want:
            return compiled
        if got == Type.PATTERN and want == Type.BOOL:
            return ex.Call("mentions", (compiled,), span=node.span, text=node.text)
        raise ExprError(f"expected {_WHAT[want]}, got {_WHAT[got]}{_hint(got, want)}", node.span)

    def infer(self, node: ex.Node) -> tuple[ex.Node, Type]:
        """Compile a node and return it with its type."""
        match node:
            case ex.Phrase(value=value):
                try:
                    plan = plan_phrase(value)
                except ValueError as error:
                    raise ExprError(str(error), node.span) from None
                return ex.Phrase(value, plan=plan, span=node.span, text=node.text), Type.PATTERN
            case ex.Regex(pattern=pattern, ignore_case=ignore_case):
                try:
                    compile_regex(pattern, ignore_case)
                except RegexError as error:
                    raise ExprError(f"invalid regex: {error}", node.span) from None
                return node, Type.PATTERN
            case ex.Number():
                return node, Type.NUMBER
            case ex.Range():
                raise ExprError("a range such as 12..20 only goes in paragraphs(...)", node.span)
            case ex.Name(name=name):
                return self._name(node, name), Type.PATTERN
            case ex.Call():
                return self._call(node)
            case ex.Union(left=left, right=right):
                items = (self.expect(left, Type.PATTERN), self.expect(right, Type.PATTERN))
                return ex.Call("any", items, span=node.span, text=node.text), Type.PATTERN
            case ex.Within(pattern=pattern, scope=scope):
                compiled = ex.Within(self.expect(pattern, Type.PATTERN),
                                     self._scope(scope), span=node.span, text=node.text)
                return compiled, Type.PATTERN
            case ex.Arith(op=op, left=left, right=right):
                return ex.Arith(op, self.expect(left, Type.NUMBER), self.expect(right, Type.NUMBER),
                                span=node.span, text=node.text), Type.NUMBER
            case ex.Compare(op=op, left=left, right=right):
                return ex.Compare(op, self.expect(left, Type.NUMBER),
                                  self.expect(right, Type.NUMBER),
                                  span=node.span, text=node.text), Type.BOOL
            case ex.Not(operand=operand):
                return ex.Not(self.expect(operand, Type.BOOL), span=node.span,
                              text=node.text), Type.BOOL
            case ex.And(left=left, right=right) | ex.Or(left=left, right=right):
                return type(node)(self.expect(left, Type.BOOL), self.expect(right, Type.BOOL),
                                  span=node.span, text=node.text), Type.BOOL
        raise ExprError("unsupported expression", node.span)  # pragma: no cover

    def _name(self, node: ex.Node, name: str) -> ex.Node:
        if name in self.ruleset.terms:
            if name in self.visiting:
                cycle = " -> ".join(self.visiting[self.visiting.index(name):] + [name])
                raise ExprError(f"terms refer to each other in a cycle: {cycle}", node.span)
            body = self.term(name)
            if body is None:
                raise _Failed
            return ex.TermRef(name=name, body=body, span=node.span, text=node.text)
        if name in BUILTINS:
            raise ExprError(f"'{name}' is a function: call it as {name}(...)", node.span)
        raise ExprError(f"unknown name '{name}'{_did_you_mean(name, self.ruleset.terms)}; "
                        "a phrase goes in quotes", node.span)

    def _call(self, node: ex.Call) -> tuple[ex.Node, Type]:
        builtin = BUILTINS.get(node.func)
        if builtin is None:
            where = node.name_span
            if node.func in self.ruleset.terms:
                raise ExprError(f"'{node.func}' is a term, not a function: write it without "
                                "parentheses", where)
            raise ExprError(f"unknown function '{node.func}'"
                            f"{_did_you_mean(node.func, BUILTINS)}", where)
        params = list(builtin.params)
        count = len(node.args)
        if count < len(params) or (count > len(params) and not builtin.variadic):
            expected = f"at least {len(params)}" if builtin.variadic else str(len(params))
            plural = "" if len(params) == 1 else "s"
            raise ExprError(f"{node.func}() takes {expected} argument{plural} "
                            f"({builtin.signature()}), got {count}", node.span)
        params += [params[-1]] * (count - len(params))
        args = []
        for position, (arg, param) in enumerate(zip(node.args, params), 1):
            try:
                args.append(self.expect(arg, param))
            except ExprError as error:
                if error.span == arg.span and "expected" in error.message:
                    raise ExprError(f"{node.func}() argument {position}: {error.message}",
                                    error.span) from None
                raise
        if builtin.check_literal is not None:
            for arg in args:
                if isinstance(arg, ex.Phrase):
                    try:
                        builtin.check_literal(arg.value)
                    except ValueError as error:
                        raise ExprError(str(error), arg.span) from None
        if builtin.takes_cues:
            args.append(self.cues)
        return ex.Call(node.func, tuple(args), name_span=node.name_span, span=node.span,
                       text=node.text), builtin.returns

    def _scope(self, node: ex.Node) -> ex.Node:
        if isinstance(node, ex.Call) and node.func in BUILTINS and \
                BUILTINS[node.func].returns == Type.SCOPE:
            compiled, _ = self._call(node)
            return compiled
        raise ExprError("after 'in' comes a scope: section(\"...\"), paragraph(N) or "
                        "paragraphs(N..M)", node.span)

    def _literal(self, node: ex.Node, want: Type) -> ex.Node:
        if want == Type.TEXT:
            if not isinstance(node, ex.Phrase) or not node.value.strip():
                raise ExprError("expected a text in quotes", node.span)
            return node
        if want == Type.INTEGER:
            if not isinstance(node, ex.Number) or node.value != int(node.value):
                raise ExprError("expected a whole number", node.span)
            return node
        if not isinstance(node, ex.Range):
            raise ExprError("expected a range such as 12..20", node.span)
        if node.low != int(node.low) or node.high != int(node.high):
            raise ExprError("a range is made of whole numbers", node.span)
        if node.low > node.high:
            raise ExprError(f"the range {node.text} is backwards", node.span)
        return node


def _hint(got: Type, want: Type) -> str:
    if got == Type.NUMBER and want == Type.BOOL:
        return " (compare it, e.g. count(...) > 0)"
    if got == Type.PATTERN and want == Type.NUMBER:
        return " (did you mean count(...)?)"
    if got == Type.SCOPE:
        return " (a scope goes after 'in': \"phrase\" in section(\"...\"))"
    return ""


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known) + list(BUILTINS), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
