"""Deterministic synthetic drafts and rule sets for the benchmark, in the style of samples/drafts.

Drafts: the sentences of the sample drafts feed an order-2 word Markov chain; a draft is a title
block followed by parts ("I. Session report 1") of sections A.-G. (headings taken from the
samples), continuously numbered paragraphs of 2-5 sentences, sub-items "(a) ...;", about 2 %
bracketed sentences, injected negations, "Recommended next steps" lines, text wrapped at 90
characters with occasional line-end hyphenation. Parts keep paragraph numbers within the 1-4
digits the reader accepts, so a 10 MB draft has the same structure per byte as a 1 MB one.

Rule sets: N rules cycling through templates that use every language form, each rule drawing new
phrases (frequent bigrams and trigrams of the samples, so they match), plus terms. Next to each
rule set a `.naive.json` file lists, per rule, one regex covering all its phrases (terms
expanded): the input of the naive baseline in run.py.

Everything depends only on the seed and the sample drafts: same checkout, same bytes.

    python bench/generate.py OUT_DIR [--sizes 100KB 1MB] [--rules 30 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "drafts"
SEED = 7
WIDTH = 90  # line wrapping, as in the samples
PART_BYTES = 500_000  # a new roman-numbered part (numbering restarts) every ~500 KB
SECTIONS = "ABCDEFG"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[\"])")
_NUMBERED = re.compile(r"^(\d{1,4})\.\s+")
_SUB_ITEM = re.compile(r"^\s*\(([a-z]{1,4}|\d{1,2})\)\s+")
_HEADING = re.compile(r"^([A-G])\. ([A-Z].*)$")
_STRIP = str.maketrans("", "", "()[]\"\u201c\u201d")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_SYMBOL = re.compile(r"\b(\d{2,3}/\d{1,3})\b")
_STOP = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "been", "by", "for", "from", "has", "have", "in",
    "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "them", "these",
    "this", "those", "to", "was", "were", "which", "with", "within"))
_NEGATABLE = frozenset(("will", "should", "would", "could", "may", "can", "is", "are", "was",
                        "were", "did", "does"))
_BOS, _EOS = "\0", "\1"


# -- the corpus harvested from the samples ---------------------------------------------------

@dataclass
class Corpus:
    """What the generators learn from the sample drafts."""

    title_block: str
    headings: dict[str, list[str]]
    sentences: list[list[str]]
    symbols: list[str]
    chain: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for words in self.sentences:
            state = (_BOS, _BOS)
            for word in [*words, _EOS]:
                self.chain.setdefault(state, []).append(word)
                state = (state[1], word)


def harvest(folder: Path = SAMPLES) -> Corpus:
    """Read the sample drafts: title block, headings by letter, sentences as word lists."""
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise SystemExit(f"no sample drafts in {folder}")
    headings: dict[str, list[str]] = {letter: [] for letter in SECTIONS}
    sentences: list[list[str]] = []
    symbols: Counter[str] = Counter()
    title_block = ""
    for file in files:
        text = file.read_text(encoding="utf-8")
        lines = text.splitlines()
        first = next(i for i, line in enumerate(lines) if _HEADING.match(line))
        title_block = title_block or "\n".join(lines[:first]).rstrip() + "\n"
        for m in filter(None, map(_HEADING.match, lines)):
            if m[2] not in headings[m[1]]:
                headings[m[1]].append(m[2])
        symbols.update(_SYMBOL.findall(text))
        for block in re.split(r"\n\s*\n", "\n".join(lines[first:])):
            if not _NUMBERED.match(block):
                continue
            items = [_SUB_ITEM.sub("", part) for part in re.split(r"\n(?=\s*\([a-z]+\)\s)", block)]
            for item in items:
                flat = re.sub(r"-\n\s*", "-", _NUMBERED.sub("", item.strip()))
                flat = re.sub(r"\s+", " ", flat).strip().rstrip(";").rstrip(":")
                for sentence in _SENTENCE_END.split(flat):
                    words = [w.translate(_STRIP) for w in sentence.split()]
                    words = [w for w in words if w]
                    if len(words) >= 5:
                        if words[-1][-1] not in ".!?":
                            words[-1] += "."
                        sentences.append(words)
    ranked = [s for s, _ in sorted(symbols.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Corpus(title_block, headings, sentences, ranked or ["75/240"])


# -- drafts ----------------------------------------------------------------------------------

class DraftWriter:
    """Writes one synthetic draft, sentence by sentence, from the corpus's Markov chain."""

    def __init__(self, corpus: Corpus, rng: random.Random) -> None:
        self.corpus = corpus
        self.rng = rng

    def sentence(self) -> str:
        """Return one sentence, sometimes negated, sometimes in square brackets."""
        rng, chain = self.rng, self.corpus.chain
        for _ in range(20):
            state, words = (_BOS, _BOS), []
            while len(words) < 60:
                word = rng.choice(chain[state])
                if word == _EOS:
                    break
                words.append(word)
                state = (state[1], word)
            if len(words) >= 6:
                break
        words[-1] = words[-1].rstrip(",;:")
        if words[-1][-1] not in ".!?":
            words[-1] += "."
        words[0] = words[0][0].upper() + words[0][1:]
        if rng.random() < 0.08:
            self._negate(words)
        text = " ".join(words)
        return f"[{text}]" if rng.random() < 0.02 else text

    def _negate(self, words: list[str]) -> None:
        for i, word in enumerate(words[:-1]):
            if word in _NEGATABLE:
                words.insert(i + 1, "not")
                return
        words[0] = words[0][0].lower() + words[0][1:]
        words[:0] = self.rng.choice([["The", "Group", "did", "not", "agree", "that"],
                                     ["States", "did", "not", "agree", "that"],
                                     ["It", "was", "not", "agreed", "that"]])

    def paragraph(self, number: int) -> str:
        """Return a numbered paragraph of 2-5 sentences, sometimes ending in sub-items."""
        rng = self.rng
        sentences = [self.sentence() for _ in range(rng.randint(2, 5))]
        body = self.wrap(f"{number}. " + " ".join(sentences))
        if rng.random() < 0.12:
            lead = self.sentence().rstrip("].").lstrip("[") + ":"
            body = self.wrap(f"{number}. " + " ".join([*sentences[:-1], lead]))
            count = rng.randint(2, 4)
            for k in range(count):
                item = self.sentence().strip("[]").rstrip(".") + (";" if k < count - 1 else ".")
                body += "\n" + self.wrap(f"({'abcd'[k]}) {item}", indent="     ", hang="         ")
        return body

    def wrap(self, text: str, indent: str = "", hang: str = "") -> str:
        """Wrap at WIDTH characters, splitting a long word with a line-end hyphen now and then."""
        rng, lines = self.rng, []
        line = indent
        for word in text.split(" "):
            if len(line) + 1 + len(word) > WIDTH and line.strip():
                if len(word) >= 8 and word.isalpha() and rng.random() < 0.03:
                    cut = rng.randint(3, len(word) - 3)
                    if len(line) + cut + 2 <= WIDTH:
                        lines.append(f"{line} {word[:cut]}-")
                        line, word = hang, word[cut:]
                        line += word
                        continue
                lines.append(line)
                line = hang + word
            else:
                line = f"{line} {word}" if line.strip() else line + word
        lines.append(line)
        return "\n".join(lines)

    def draft(self, size: int) -> str:
        """Return a draft of at least `size` bytes (UTF-8), ending at a paragraph."""
        rng, out = self.rng, [self.corpus.title_block]
        total = len(out[0].encode())
        part = 0
        while total < size:
            part += 1
            budget = min(PART_BYTES, size - total)
            weights = [rng.uniform(0.6, 1.4) for _ in SECTIONS]
            chunks = [f"\n{_roman(part)}. Session report {part}\n"]
            number, written = 0, 0
            for letter, weight in zip(SECTIONS, weights, strict=True):
                heading = rng.choice(self.corpus.headings[letter] or ["Overview"])
                chunks.append(f"\n{letter}. {heading}\n")
                target = written + budget * weight / sum(weights)
                first = True
                while first or written < target:
                    first = False
                    if rng.random() < 0.05:
                        chunks.append("\nRecommended next steps\n")
                    number += 1
                    paragraph = "\n" + self.paragraph(number) + "\n"
                    chunks.append(paragraph)
                    written += len(paragraph.encode())
            block = "".join(chunks)
            out.append(block)
            total += len(block.encode())
        return "".join(out)


def _roman(number: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out, number = out + numeral, number - value
    return out


def make_draft(size: int, seed: int = SEED, corpus: Corpus | None = None) -> str:
    """Return the synthetic draft of `size` bytes for this seed."""
    return DraftWriter(corpus or harvest(), random.Random(f"draft-{seed}-{size}")).draft(size)


# -- rule sets -------------------------------------------------------------------------------

class Phrases:
    """Pools of phrases that occur in the samples, handed out in a shuffled, cycling order."""

    def __init__(self, corpus: Corpus, rng: random.Random) -> None:
        grams: dict[int, Counter[tuple[str, ...]]] = {1: Counter(), 2: Counter(), 3: Counter()}
        for words in corpus.sentences:
            clean = [w.rstrip(".,;:") for w in words]
            for i in range(len(words)):
                for n in (1, 2, 3):
                    gram = clean[i:i + n]
                    # a comma inside the n-gram would break a phrase match: only the last may carry one
                    if (len(gram) == n and all(_WORD.fullmatch(w) for w in gram)
                            and all(w == raw for w, raw in zip(gram[:-1], words[i:i + n - 1]))
                            and not all(w.lower() in _STOP for w in gram)):
                        grams[n][tuple(w.lower() for w in gram)] += 1
        self.rng = rng
        self.pools = {n: self._ranked(grams[n]) for n in grams}
        self.pools[1] = [w for w in self.pools[1] if len(w[0]) >= 4]
        self.cursor = {n: 0 for n in self.pools}

    def _ranked(self, counts: Counter[tuple[str, ...]]) -> list[tuple[str, ...]]:
        ranked = sorted(counts, key=lambda g: (-counts[g], g))
        self.rng.shuffle(ranked)
        return ranked

    def take(self, n: int) -> tuple[str, ...]:
        pool = self.pools[n]
        gram = pool[self.cursor[n] % len(pool)]
        self.cursor[n] += 1
        return gram

    def word(self) -> str:
        return self.take(1)[0]

    def stem(self) -> str:
        word = self.take(1)[0]
        while len(word) < 6:
            word = self.take(1)[0]
        return word[:max(4, len(word) - 3)] + "*"

    def bigram(self) -> str:
        return " ".join(self.take(2))

    def trigram(self) -> str:
        return " ".join(self.take(3))

    def wildcard(self) -> str:
        """A bigram whose first word is a prefix, like "develop* norms"."""
        first, second = self.take(2)
        while len(first) < 6:  # "the*" would be a word list, not a stem
            first, second = self.take(2)
        return f"{first[:max(4, len(first) - 3)]}* {second}"


# One template per language form; rules cycle through them (the regex one only every 33rd rule).
# Each placeholder draws a fresh value: {bi} a bigram, {tri} a trigram, {word} a word, {stem} a
# prefix word ("norm*"), {wild} a bigram with a prefix ("develop* norms"), {term} a term of the
# rule set, {n} a word distance, {section} a label or part of a heading, {range} a paragraph
# range, {number} a paragraph number, {symbol} a resolution symbol, {regex} a /regex/i.
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("phrase", "mentions({tri})"),
    ("wildcard", "{wild}"),
    ("near", "near({bi}, {stem}, {n})"),
    ("followed-by", "followed_by({word}, {bi}, {n})"),
    ("count-arith", "count({word}) > 2 * count({bi}) + 1"),
    ("section", "{bi} in section({section})"),
    ("paragraphs", "count({stem} in paragraphs({range})) >= 1"),
    ("affirmed", "affirmed({tri})"),
    ("negated", "not negated({bi}) and {word}"),
    ("same-sentence", "same_sentence({word}, {bi})"),
    ("unbracketed", "unbracketed(affirmed(near({word}, {word}, {n})))"),
    ("terms", "count({term}) >= 2 and not affirmed(followed_by({term}, {word}, {n}))"),
    ("same-paragraph", "same_paragraph({term}, {bi})"),
    ("any-in", "any({bi}, {bi}) | {stem} in section({section})"),
    ("bracketed", "bracketed({bi}) or (count({word}) + count({stem})) * 2 >= count({tri})"),
    ("paragraph", "{word} in paragraph({number}) or {wild}"),
    ("resolution", "mentions(affirmed(resolution({symbol}))) and {bi}"),
    ("regex", "{regex} and not {bi}"),
)
REGEX_EVERY = 33
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass
class RuleBuilder:
    """Fills one template, remembering every phrase it uses (for the naive baseline)."""

    phrases: Phrases
    corpus: Corpus
    rng: random.Random
    terms: dict[str, list[str]]
    used: list[str] = field(default_factory=list)
    regexes: list[str] = field(default_factory=list)

    def fill(self, template: str) -> str:
        return _PLACEHOLDER.sub(lambda m: self.value(m[1]), template)

    def value(self, kind: str) -> str:
        """Return a fresh value for one placeholder."""
        rng, phrases = self.rng, self.phrases
        if kind in ("bi", "tri", "word", "stem", "wild"):
            take = {"bi": phrases.bigram, "tri": phrases.trigram, "word": phrases.word,
                    "stem": phrases.stem, "wild": phrases.wildcard}[kind]
            phrase = take()
            self.used.append(phrase)
            return f'"{phrase}"'
        if kind == "term":
            name = rng.choice(sorted(self.terms))
            self.used.extend(self.terms[name])
            return name
        if kind == "regex":
            word = phrases.word()
            self.regexes.append(rf"\b{re.escape(word)}s?\b")
            return rf"/\b{word}s?\b/i"
        if kind == "section":
            return f'"{_section(rng, self.corpus)}"'
        if kind == "symbol":
            return f'"{rng.choice(self.corpus.symbols)}"'
        if kind == "range":
            low = rng.randint(1, 60)
            return f"{low}..{low + rng.randint(5, 40)}"
        numbers = {"n": (2, 8), "number": (1, 80)}
        return str(rng.randint(*numbers[kind]))


def _section(rng: random.Random, corpus: Corpus) -> str:
    """A section label ("C") or one or two words of a heading ("norms and")."""
    letter = rng.choice(SECTIONS)
    if rng.random() < 0.25:
        return letter
    words = rng.choice(corpus.headings[letter] or ["Overview"]).split()
    start = rng.randrange(len(words))
    return " ".join(words[start:start + rng.randint(1, 2)]).strip(",")


def _phrase_regex(phrase: str) -> str:
    """The regex a naive checker would write for a phrase: words, spaces or hyphens between."""
    words = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "")
             for w in re.split(r"[\s\-]+", phrase)]
    return r"\b" + r"[\s\-]+".join(words) + r"\b"


def make_ruleset(count: int, seed: int = SEED, corpus: Corpus | None = None
                 ) -> tuple[str, dict[str, object]]:
    """Return (rule-set YAML, naive-baseline spec) for `count` rules."""
    corpus = corpus or harvest()
    rng = random.Random(f"rules-{seed}-{count}")
    phrases = Phrases(corpus, rng)
    terms: dict[str, list[str]] = {}
    term_lines: list[str] = []
    for j in range(max(4, count // 10)):
        builder = RuleBuilder(phrases, corpus, rng, terms)
        # every fifth term is built on an earlier term
        body = builder.fill("near({term}, {word}, 5)" if j >= 4 and j % 5 == 0 else
                            "any({bi}, {tri}, {stem})")
        name = f"T{j:03d}"
        terms[name] = builder.used
        term_lines.append(f"  {name}: {_yaml(body)}")
    forms = TEMPLATES[:-1]
    rules_yaml, naive = [], []
    for i in range(count):
        kind, template = TEMPLATES[-1] if i % REGEX_EVERY == 17 else forms[i % len(forms)]
        builder = RuleBuilder(phrases, corpus, rng, terms)
        check = builder.fill(template)
        rule_id = f"r{i:04d}-{kind}"
        rules_yaml.append(f"  - id: {rule_id}\n    says: Synthetic demand {i} ({kind}).\n"
                          f"    check: {_yaml(check)}\n"
                          f"    severity: {('critical', 'major', 'minor')[i % 3]}")
        parts = [_phrase_regex(p) for p in dict.fromkeys(builder.used)] + builder.regexes
        if "resolution(" in check:
            parts.append(r"\b\d+\s*/\s*\d+\b")
        naive.append({"id": rule_id, "regex": "|".join(f"(?:{p})" for p in parts)})
    yaml = (f"# Synthetic rule set for the benchmark: {count} rules, seed {seed}.\n"
            f"group: bench-{count}\ntitle: Benchmark rule set ({count} rules)\n"
            "negation_cues: [declined, \"fail* to\"]\n"
            "terms:\n" + "\n".join(term_lines) + "\nrules:\n" + "\n".join(rules_yaml) + "\n")
    return yaml, {"rules": naive}


def _yaml(value: str) -> str:
    """A YAML single-quoted scalar (backslashes stay as they are)."""
    return "'" + value.replace("'", "''") + "'"


# -- files -----------------------------------------------------------------------------------

SIZE_UNITS = {"KB": 1000, "MB": 1000_000}


def parse_size(text: str) -> int:
    """'100KB' -> 100000 (decimal units)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(KB|MB)?", text.strip(), re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 100KB, 1MB)")
    return int(float(m[1]) * SIZE_UNITS.get((m[2] or "").upper(), 1))


def size_label(size: int) -> str:
    if size >= 1000_000 and size % 1000_000 == 0:
        return f"{size // 1000_000}MB"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}KB"
    return f"{size}B"


def write_draft(folder: Path, size: int, seed: int = SEED, corpus: Corpus | None = None) -> Path:
    path = folder / f"draft_{size_label(size)}.txt"
    path.write_text(make_draft(size, seed, corpus), encoding="utf-8")
    return path


def write_ruleset(folder: Path, count: int, seed: int = SEED,
                  corpus: Corpus | None = None) -> tuple[Path, Path]:
    yaml, naive = make_ruleset(count, seed, corpus)
    path = folder / f"rules_{count}.yaml"
    path.write_text(yaml, encoding="utf-8")
    spec = folder / f"rules_{count}.naive.json"
    spec.write_text(json.dumps(naive), encoding="utf-8")
    return path, spec


def batch_drafts(folder: Path, count: int, size: int, seed: int = SEED,
                 corpus: Corpus | None = None) -> Iterator[Path]:
    """Write `count` different drafts of about `size` bytes (for the -j batch)."""
    corpus = corpus or harvest()
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(count):
        path = folder / f"batch_{k:03d}.txt"
        path.write_text(DraftWriter(corpus, random.Random(f"batch-{seed}-{k}")).draft(size),
                        encoding="utf-8")
        yield path


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the benchmark's synthetic inputs.")
    parser.add_argument("out", type=Path, help="folder to write into")
    parser.add_argument("--sizes", nargs="+", type=parse_size,
                        default=[100_000, 1000_000, 10_000_000])
    parser.add_argument("--rules", nargs="+", type=int, default=[30, 300, 3000])
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = harvest()
    for size in args.sizes:
        print(write_draft(args.out, size, args.seed, corpus))
    for count in args.rules:
        print(write_ruleset(args.out, count, args.seed, corpus)[0])


if __name__ == "__main__":
    main()
