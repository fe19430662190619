"""NorNE as training data: CoNLL reading, the NDT train split and the NDT -> UD tag mapping.

NorNE (ltgoslo/norne) annotates the Norwegian Dependency Treebank (NDT) with named entities. The
UD versions of its dev and test splits are in ``ud/nob`` and ``ud/nno``; the UD train files may be
missing, but the whole treebank with the same entity labels is in ``ndt/nob/*.conll`` and
``ndt/nno/*.conll``. The train split is the NDT sentences that are in neither UD dev nor UD test
(matched by their token sequence), and their UD part of speech and features come from a mapping
learned on the dev sentences, which are in both formats.

Nothing here imports spaCy; :mod:`kodebok.nlp.train` turns the sentences into ``DocBin`` files.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from kodebok.errors import KodebokError

LANGS = ("nob", "nno")
UD_FILES = {
    "nob": "ud/nob/no_bokmaal-ud-{split}.conllu",
    "nno": "ud/nno/no_nynorsk-ud-{split}.conllu",
}
# Tokens that take no space before / after them when NDT text (which has no SpaceAfter) is
# written out as running text.
_NO_SPACE_BEFORE = frozenset(",.:;!?)]}»…%")
_NO_SPACE_AFTER = frozenset("([{«")


@dataclass(frozen=True)
class Token:
    form: str
    lemma: str
    tag: str  # UPOS for UD files, the NDT part of speech for NDT files
    feats: str  # "_" when there are none
    ent: str  # IOB: "O", "B-PER", "I-PER" ...
    space_after: bool = True
    ctx: str = ""  # NDT only: syntactic context that decides the UD tag (see _ndt_context)


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[Token, ...]
    source: str = ""  # file name and line, for messages and grouping
    lang: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(t.form for t in self.tokens)


def _misc_value(misc: str, name: str) -> str | None:
    for item in misc.split("|"):
        if item.startswith(name + "="):
            return item[len(name) + 1 :]
    return None


def parse_conll(
    text: str, source: str = "", lang: str = "", *, ndt: bool = False
) -> list[Sentence]:
    """Sentences of a CoNLL(-U) text with NorNE's ``name=`` entity labels in the last column.

    ``ndt`` marks NDT files (no SpaceAfter; spaces are guessed from punctuation). Multiword and
    empty-node lines (``1-2``, ``1.1``) are skipped. A malformed line raises ``KodebokError``
    naming the source and line.
    """
    sentences: list[Sentence] = []
    tokens: list[Token] = []
    rows: list[list[str]] = []
    start = 1

    def finish() -> None:
        nonlocal tokens, rows
        if tokens and ndt:
            tokens = _ndt_tokens(tokens, rows)
        rows = []
        if tokens:
            if ndt:
                tokens = _guess_spaces(tokens)
            sentences.append(Sentence(tuple(tokens), f"{source}:{start}", lang))
        tokens = []

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            finish()
            start = number + 1
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise KodebokError(
                f"{source}, line {number}: expected 10 tab-separated columns, found {len(cols)}"
            )
        if "-" in cols[0] or "." in cols[0]:
            continue
        if not tokens:
            start = number
        ent = _misc_value(cols[9], "name") or "O"
        if ent != "O" and not (ent[:2] in ("B-", "I-") and len(ent) > 2):
            raise KodebokError(f"{source}, line {number}: unknown entity label {ent!r}")
        space_after = _misc_value(cols[9], "SpaceAfter") != "No"
        tokens.append(Token(cols[1], cols[2], cols[3], cols[5] or "_", ent, space_after))
        rows.append(cols)
    finish()
    return sentences


def _ndt_tokens(tokens: list[Token], rows: list[list[str]]) -> list[Token]:
    """NDT tokens with their syntactic context, without the ``|`` headline marks UD drops.

    The context is what separates UD tags that NDT's part of speech does not: an auxiliary has a
    verb dependent (INFV), a preposition heading a clause or an infinitive is SCONJ in UD.
    """
    children: dict[str, list[list[str]]] = {}
    for cols in rows:
        children.setdefault(cols[6], []).append(cols)
    out = []
    for tok, cols in zip(tokens, rows, strict=True):
        if tok.lemma == "$|":
            continue
        kids = children.get(cols[0], [])
        kid_rels = sorted(
            {k[7] for k in kids if k[7] in ("INFV", "PUTFYLL", "SUBJ", "DOBJ", "FOPPOBJ")}
        )
        putfyll = next((k[3] for k in kids if k[7] == "PUTFYLL"), "")
        out.append(replace(tok, ctx=f"{cols[7]}|{','.join(kid_rels)}|{putfyll}"))
    return out


def _guess_spaces(tokens: list[Token]) -> list[Token]:
    out = []
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1].form if i + 1 < len(tokens) else ""
        space = not (tok.form in _NO_SPACE_AFTER or nxt in _NO_SPACE_BEFORE or i + 1 == len(tokens))
        out.append(replace(tok, space_after=space))
    return out


def read_conll(path: Path, lang: str = "", *, ndt: bool = False) -> list[Sentence]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise KodebokError(f"{path}: cannot read ({exc})") from exc
    return parse_conll(text, path.name, lang, ndt=ndt)


def _norne_path(norne: Path, rel: str) -> Path:
    path = norne / rel
    if not path.exists():
        raise KodebokError(f"{path}: not found; --norne must be a checkout of ltgoslo/norne")
    return path


def read_ud(norne: Path, lang: str, split: str) -> list[Sentence]:
    return read_conll(_norne_path(norne, UD_FILES[lang].format(split=split)), lang)


def read_ndt(norne: Path, lang: str) -> list[list[Sentence]]:
    """NDT sentences per file, files in name order."""
    folder = _norne_path(norne, f"ndt/{lang}")
    files = sorted(folder.glob("*.conll"))
    if not files:
        raise KodebokError(f"{folder}: no .conll files")
    return [read_conll(path, lang, ndt=True) for path in files]


@dataclass
class Split:
    """One language's train (NDT, mapped to UD tags), dev and test (UD) sentences."""

    lang: str
    train: list[list[Sentence]]  # per NDT file, in order
    dev: list[Sentence]
    test: list[Sentence]
    dev_ndt: list[tuple[Sentence, Sentence]] = field(default_factory=list)  # (NDT, UD) pairs
    unmatched: int = 0  # UD dev/test sentences not found in NDT


def split_language(
    ndt_files: list[list[Sentence]], dev: list[Sentence], test: list[Sentence], lang: str
) -> Split:
    """Train = NDT sentences whose token sequence is in neither dev nor test."""
    held_out = {s.key for s in dev} | {s.key for s in test}
    dev_by_key = {s.key: s for s in dev}
    train: list[list[Sentence]] = []
    pairs: list[tuple[Sentence, Sentence]] = []
    found: set[tuple[str, ...]] = set()
    for sentences in ndt_files:
        kept = []
        for sent in sentences:
            if sent.key in held_out:
                found.add(sent.key)
                if sent.key in dev_by_key:
                    pairs.append((sent, dev_by_key[sent.key]))
            else:
                kept.append(sent)
        if kept:
            train.append(kept)
    return Split(lang, train, dev, test, pairs, len(held_out - found))


class TagMapper:
    """NDT part of speech + features -> UD UPOS + features, learned from aligned sentences.

    The most specific key seen wins: (NDT tag, NDT features, lower-cased form), then (tag,
    features), then the tag alone; each answers with its most frequent UD pair.
    """

    def __init__(self) -> None:
        self._tables: list[dict[tuple[str, ...], Counter[tuple[str, str]]]] = [
            defaultdict(Counter) for _ in range(5)
        ]
        self._best: list[dict[tuple[str, ...], tuple[str, str]]] | None = None

    @staticmethod
    def _keys(tok: Token) -> list[tuple[str, ...]]:
        form = tok.form.lower()
        return [
            (tok.tag, tok.feats, form, tok.ctx),
            (tok.tag, tok.feats, tok.ctx),
            (tok.tag, tok.feats, form),
            (tok.tag, tok.feats),
            (tok.tag,),
        ]

    def learn(self, pairs: Iterable[tuple[Sentence, Sentence]]) -> TagMapper:
        for ndt, ud in pairs:
            for a, b in zip(ndt.tokens, ud.tokens, strict=True):
                for table, key in zip(self._tables, self._keys(a), strict=True):
                    table[key][(b.tag, b.feats)] += 1
        self._best = [{k: c.most_common(1)[0][0] for k, c in t.items()} for t in self._tables]
        return self

    def map(self, tok: Token) -> tuple[str, str]:
        if self._best is None:
            raise ValueError("TagMapper.map before learn")
        for table, key in zip(self._best, self._keys(tok), strict=True):
            if key in table:
                return table[key]
        return ("X", "_")

    def convert(self, sent: Sentence) -> Sentence:
        tokens = []
        for tok in sent.tokens:
            upos, feats = self.map(tok)
            tokens.append(replace(tok, tag=upos, feats=feats))
        return replace(sent, tokens=tuple(tokens))


def mapping_accuracy(
    pairs: Sequence[tuple[Sentence, Sentence]], seed: int = 0
) -> tuple[float, float]:
    """UPOS and UPOS+features accuracy of a mapping learned on one half, scored on the other."""
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    half = len(shuffled) // 2
    mapper = TagMapper().learn(shuffled[:half])
    total = upos_ok = all_ok = 0
    for ndt, ud in shuffled[half:]:
        for a, b in zip(ndt.tokens, ud.tokens, strict=True):
            upos, feats = mapper.map(a)
            total += 1
            upos_ok += upos == b.tag
            all_ok += upos == b.tag and feats == b.feats
    return (upos_ok / total if total else 0.0, all_ok / total if total else 0.0)


def fix_iob(tags: Sequence[str]) -> list[str]:
    """An ``I-X`` that does not continue an ``X`` entity starts one (``B-X``)."""
    out: list[str] = []
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and (i == 0 or out[i - 1][2:] != tag[2:] or out[i - 1] == "O"):
            tag = "B-" + tag[2:]
        out.append(tag)
    return out


def case_copy(sent: Sentence, upper: bool) -> Sentence:
    """The sentence in lower or upper case (forms and lemmas), labels unchanged."""

    def change(s: str) -> str:
        return s.upper() if upper else s.lower()

    tokens = tuple(replace(t, form=change(t.form), lemma=change(t.lemma)) for t in sent.tokens)
    return replace(sent, tokens=tokens, source=sent.source + (":upper" if upper else ":lower"))


def group(sentences: Sequence[Sentence], per_doc: int) -> list[list[Sentence]]:
    """Consecutive runs of ``per_doc`` sentences (the last may be shorter)."""
    if per_doc < 1:
        raise ValueError("per_doc must be at least 1")
    return [list(sentences[i : i + per_doc]) for i in range(0, len(sentences), per_doc)]


def train_groups(
    files: Sequence[Sequence[Sentence]], per_doc: int, case_share: float, seed: int
) -> list[list[Sentence]]:
    """Train documents: ``per_doc`` consecutive sentences of one file, plus case copies.

    A share ``case_share`` of the sentences is also added lower-cased, and the same share
    upper-cased (each as its own group of ``per_doc``), so that names typed without capitals or in
    capitals are seen in training.
    """
    rng = random.Random(seed)
    groups: list[list[Sentence]] = []
    lower: list[Sentence] = []
    upper: list[Sentence] = []
    for sentences in files:
        groups.extend(group(sentences, per_doc))
        for sent in sentences:
            draw = rng.random()
            if draw < case_share:
                lower.append(case_copy(sent, upper=False))
            elif draw < 2 * case_share:
                upper.append(case_copy(sent, upper=True))
    groups.extend(group(lower, per_doc))
    groups.extend(group(upper, per_doc))
    return groups


def counts(sentences: Iterable[Sentence]) -> dict[str, int]:
    """Sentences, tokens and entities."""
    n_sent = n_tok = n_ent = 0
    for sent in sentences:
        n_sent += 1
        n_tok += len(sent.tokens)
        n_ent += sum(tag.startswith("B-") for tag in fix_iob([t.ent for t in sent.tokens]))
    return {"sentences": n_sent, "tokens": n_tok, "entities": n_ent}
