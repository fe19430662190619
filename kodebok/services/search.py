"""Full-text search over segments (FTS5, lemma-aware, fuzzy fallback) and coding every hit."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from kodebok.errors import KodebokError
from kodebok.models import Code
from kodebok.notes import Change
from kodebok.services.coding import add_coding
from kodebok.store import Project
from kodebok.store import queries as q

CONTEXT_CHARS = 60
DEFAULT_LIMIT = 1000
FUZZY_CUTOFF = 80.0

_TOKEN = re.compile(r'"[^"]*"|\S+')


@dataclass(frozen=True)
class SearchHit:
    """One matching segment with a keyword-in-context snippet.

    ``match_start``/``match_end`` are offsets of the best match inside the segment's text;
    ``left``, ``match`` and ``right`` are the snippet in three parts for highlighting.
    """

    segment_id: int
    document_id: int
    document: str
    idx: int
    speaker: str | None
    match_start: int
    match_end: int
    left: str
    match: str
    right: str
    score: float

    @property
    def snippet(self) -> str:
        """The keyword-in-context line as plain text."""
        return f"{self.left}{self.match}{self.right}"

    def as_json(self) -> dict[str, object]:
        """The hit as the CLI's JSON object."""
        return {
            "document": self.document,
            "idx": self.idx,
            "number": self.idx + 1,
            "segment": self.segment_id,
            "speaker": self.speaker,
            "snippet": self.snippet,
            "match": self.match,
            "score": round(self.score, 3),
        }


def fts_terms(query: str) -> list[str]:
    """FTS5 MATCH terms, each of which must occur; ``word*`` is a prefix, quotes a phrase.

    Every token is quoted, so FTS5 operators and punctuation typed by a researcher can never
    make the query invalid.
    """
    parts: list[str] = []
    for token in _TOKEN.findall(query):
        prefix = token.endswith("*") and not token.startswith('"')
        word = token.strip('"').rstrip("*").replace('"', '""').strip()
        if not word:
            continue
        parts.append(f'"{word}"*' if prefix else f'"{word}"')
    return parts


def fts_query(query: str) -> str:
    """The terms as one FTS5 MATCH expression (all must occur)."""
    return " ".join(fts_terms(query))


def _terms(query: str) -> list[str]:
    return [t.strip('"').rstrip("*").casefold() for t in _TOKEN.findall(query) if t.strip('"*')]


def _snippet(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str, str]:
    flat = text.replace("\n", " ")
    left = flat[max(0, start - width) : start]
    right = flat[end : end + width]
    if start - width > 0:
        left = "…" + left.split(" ", 1)[-1] if " " in left else "…" + left
    if end + width < len(flat):
        right = right.rsplit(" ", 1)[0] + "…" if " " in right else right + "…"
    return left, flat[start:end], right


def _locate(text: str, terms: list[str]) -> tuple[int, int]:
    """Where the first query term occurs in ``text`` (whole text span when none does)."""
    folded = text.casefold()
    best: tuple[int, int] | None = None
    for term in terms:
        pos = folded.find(term)
        if pos >= 0 and (best is None or pos < best[0]):
            # extend to the end of the word so a prefix search highlights the whole word
            m = re.compile(r"\w*").match(folded, pos + len(term))
            best = (pos, m.end() if m else pos + len(term))
    return best if best is not None else (0, min(len(text), 20))


def _base_sql(document_id: int | None) -> tuple[str, list[object]]:
    sql = (
        "SELECT s.id, s.document_id, d.name, s.idx, sp.label, s.text "
        "FROM segments s JOIN documents d ON d.id = s.document_id "
        "LEFT JOIN speakers sp ON sp.id = s.speaker_id"
    )
    params: list[object] = []
    if document_id is not None:
        sql += " WHERE s.document_id = ?"
        params.append(document_id)
    return sql, params


def missing_lemmas(project: Project) -> int:
    """How many segments have no lemmas while others have them: lemma search would find an
    inflected form in some segments and silently not in these. (A project without any lemmas,
    e.g. imported without the NLP layer, is searched by its words alike everywhere: 0.)"""
    conn = project.conn
    if conn.execute("SELECT 1 FROM segments WHERE lemmas IS NULL LIMIT 1").fetchone() is None:
        return 0
    if conn.execute("SELECT 1 FROM segments WHERE lemmas IS NOT NULL LIMIT 1").fetchone() is None:
        return 0
    return int(conn.execute("SELECT COUNT(*) FROM segments WHERE lemmas IS NULL").fetchone()[0])


def ensure_lemmas(project: Project) -> int:
    """Compute the lemmas of segments that have none; returns how many still have none.

    Segments stored without lemmas beside segments with them (an NLP layer that failed, or an
    older kodebok killed between storing a revised document and computing its features) would
    make lemma search miss them silently. When they cannot be computed (no NLP layer, a
    read-only file) the count says so, for the caller to warn.
    """
    if not missing_lemmas(project):
        return 0
    try:
        from kodebok.services import nlp as nlp_service  # type: ignore[attr-defined,unused-ignore]

        nlp_service.compute_features(project)
    except (ImportError, KodebokError):
        pass
    return missing_lemmas(project)


def search(
    project: Project,
    query: str,
    *,
    fuzzy: bool = False,
    document: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[SearchHit]:
    """Segments matching ``query``, in document order.

    Full-text search matches words in the text and in the segment's lemmas (so an inflected
    form finds its lemma once NLP features are computed). With ``fuzzy``, or when full-text
    search finds nothing, segments are ranked by approximate matching (spelling variants,
    dialect forms, parts of compounds, words of the same lemma or stem: ``brøyting`` finds
    ``brøyte``). A query starting with ``~`` is fuzzy, as in the TUI's search field.
    """
    query = query.strip()
    if query.startswith("~"):
        fuzzy = True
        query = query.lstrip("~").strip()
    if not query:
        return []
    doc_id = q.document(project, document).id if document else None
    if not fuzzy:
        ensure_lemmas(project)
    hits: list[SearchHit] = [] if fuzzy else _fts(project, query, doc_id, limit)
    if not hits:
        hits = _fuzzy(project, query, doc_id, limit)
    return hits


def _fts(project: Project, query: str, doc_id: int | None, limit: int) -> list[SearchHit]:
    terms = fts_terms(query)
    if not terms:
        return []
    sql, params = _base_sql(doc_id)
    # each term in the text, or (a single word) among the lemmas: "indikator" finds
    # "målindikatorene"; the lemma index has no positions, so phrases are matched in the text
    conditions: list[str] = []
    for term in terms:
        in_text = "s.id IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?)"
        params.append(term)
        if not re.fullmatch(r"[^\W_]+", term.strip('"*').replace('""', '"')):
            conditions.append(in_text)  # several tokens: a phrase
        else:
            conditions.append(
                f"({in_text} OR s.id IN (SELECT rowid FROM lemmas_fts WHERE lemmas_fts MATCH ?))"
            )
            params.append(term)
    sql += (" AND " if doc_id is not None else " WHERE ") + " AND ".join(conditions)
    sql += " ORDER BY d.name, s.idx LIMIT ?"
    try:
        rows = project.conn.execute(sql, [*params, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        raise KodebokError(
            f"cannot search for '{query}' ({exc})", code="search.search", query=query, exc=str(exc)
        ) from exc
    terms = _terms(query)
    out: list[SearchHit] = []
    for r in rows:
        start, end = _locate(r[5], terms)
        left, match, right = _snippet(r[5], start, end)
        out.append(SearchHit(r[0], r[1], r[2], r[3], r[4], start, end, left, match, right, 100.0))
    return out


# Endings stripped to compare words by stem in fuzzy search (longest first): brøyting,
# brøytinga, brøyte and brøyter share the stem brøyt.
_ENDINGS = tuple(
    sorted(
        {"ingane", "ingene", "ingen", "ingar", "inga", "ing", "ene", "ane", "ar", "er", "en"}
        | {"et", "a", "e"},
        key=len,
        reverse=True,
    )
)
MIN_STEM = 4
_WORD = re.compile(r"[^\W\d_]+")


def stem(word: str) -> str:
    """A word without one inflection or derivation ending, when at least four letters remain."""
    word = word.casefold()
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def _related_lemmas(query: str, vocabulary: set[str]) -> set[str]:
    """Lemmas (and compound parts) of the corpus that a one-word fuzzy query stands for.

    A lemma is related when it is the query's lemma, shares its stem, or is close to it by
    rapidfuzz similarity (spelling and dialect variants).
    """
    from rapidfuzz import fuzz, process

    from kodebok.nlp.lexicon import shared_lexicon

    words = _WORD.findall(query.casefold())
    if len(words) != 1:
        return set()
    word = words[0]
    lemma = shared_lexicon().lemma(word)
    stems = {stem(word), stem(lemma)}
    related = {word, lemma} | {v for v in vocabulary if stem(v) in stems}
    for target in {word, lemma}:
        for match, _score, _ in process.extract_iter(
            target, vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF + 5
        ):
            related.add(match)
    return {v for v in related if len(v) >= MIN_STEM}


def _locate_lemma(text: str, related: set[str]) -> tuple[int, int] | None:
    """The first word of ``text`` whose lemma or stem is among the related lemmas."""
    from kodebok.nlp.lexicon import shared_lexicon

    lexicon = shared_lexicon()
    stems = {stem(v) for v in related}
    for m in _WORD.finditer(text):
        word = m.group().casefold()
        if word in related or stem(word) in stems or lexicon.lemma(word) in related:
            return m.start(), m.end()
    return None


def _fuzzy(project: Project, query: str, doc_id: int | None, limit: int) -> list[SearchHit]:
    from rapidfuzz import fuzz

    sql, params = _base_sql(doc_id)
    sql = sql.replace("s.text FROM", "s.text, s.lemmas FROM")
    sql += " ORDER BY d.name, s.idx"
    rows = project.conn.execute(sql, params).fetchall()
    vocabulary = {w.lstrip("+") for r in rows for w in (r[6] or "").split()}
    related = _related_lemmas(query, vocabulary)
    stems = {stem(v) for v in related}
    needle = query.strip('"').casefold()
    out: list[SearchHit] = []
    for r in rows:
        text: str = r[5]
        span: tuple[int, int] | None = None
        score = 0.0
        lemmas = {w.lstrip("+") for w in (r[6] or "").split()}
        # a related lemma among the segment's features, or (features not computed yet, or a
        # form the features left out) a word of the text with a related stem
        folded = text.casefold()
        if related and (not related.isdisjoint(lemmas) or any(s_ in folded for s_ in stems if s_)):
            span = _locate_lemma(text, related)
            score = 90.0
        if span is None:
            alignment = fuzz.partial_ratio_alignment(
                needle, text.casefold(), score_cutoff=FUZZY_CUTOFF
            )
            if alignment is None:
                continue
            span, score = (alignment.dest_start, alignment.dest_end), alignment.score
        start, end = span
        left, match, right = _snippet(text, start, end)
        out.append(SearchHit(r[0], r[1], r[2], r[3], r[4], start, end, left, match, right, score))
        if len(out) >= limit:
            break
    return out


@dataclass(frozen=True)
class CodeAllResult:
    """What coding every hit did: new codings and hits that had the code already."""

    code: Code
    added: int
    existing: int


def code_segments(
    project: Project,
    segment_ids: list[int],
    code: str,
    *,
    coder: str,
    description: Change | None = None,
) -> CodeAllResult:
    """Code whole segments with one code in ONE journaled operation (one undo removes all)."""
    the_code = q.code(project, code)
    added = existing = 0
    text = description or Change("code_hits", n=len(segment_ids), code=the_code.path)
    with project.operation(coder, "code-hits", text) as op:
        for chunk_start in range(0, len(segment_ids), 500):
            chunk = segment_ids[chunk_start : chunk_start + 500]
            marks = ",".join("?" for _ in chunk)
            rows = op.conn.execute(
                f'SELECT id, document_id, start, "end" FROM segments WHERE id IN ({marks})', chunk
            ).fetchall()
            for r in rows:
                _, created = add_coding(
                    op,
                    document_id=r[1],
                    segment_id=r[0],
                    start=r[2],
                    end=r[3],
                    code_id=the_code.id,
                    coder=coder,
                    origin="autocode",
                )
                added += created
                existing += not created
    return CodeAllResult(the_code, added, existing)


def code_all_hits(
    project: Project,
    query: str,
    code: str,
    *,
    coder: str,
    fuzzy: bool = False,
    document: str | None = None,
) -> tuple[list[SearchHit], CodeAllResult]:
    """Search, then code every hit's segment with ``code`` in one journaled operation."""
    hits = search(project, query, fuzzy=fuzzy, document=document, limit=1_000_000)
    ids = list(dict.fromkeys(h.segment_id for h in hits))
    what = Change("code_all_hits", query=query, code=q.code(project, code).path)
    result = code_segments(project, ids, code, coder=coder, description=what)
    return hits, result
