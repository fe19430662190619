"""NLP for a project: segment features, code suggestions, feedback, themes and evaluation.

spaCy is imported only inside ``kodebok.nlp`` and only when a function here needs it, so
importing this module stays cheap. Features are derived data: they are written without the
journal (undo has nothing to undo) and recomputed whenever they are missing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kodebok.errors import KodebokError
from kodebok.nlp.stamp import FEATURES_SETTING, features_stamp
from kodebok.notes import Change
from kodebok.store import Project, now_iso
from kodebok.store import queries as q

if TYPE_CHECKING:
    from kodebok.nlp.corpus import SegmentData
    from kodebok.nlp.evaluate import EvalSegment, Ranker
    from kodebok.nlp.suggest import Suggestion


# -- features ------------------------------------------------------------------------------


def compute_features(
    project: Project,
    document_ids: Sequence[int] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    *,
    recompute: bool = False,
) -> int:
    """Store lemmas for segments that have none (or all, with ``recompute``); returns how many.

    Lemmas stored by another pipeline or an older kodebok (a different ``features_stamp``)
    are recomputed for the whole project, once.
    """
    from kodebok.nlp.corpus import store_features

    stamp = features_stamp()
    stored = project.get_setting(FEATURES_SETTING)
    if stored != stamp and not recompute:
        stale = project.conn.execute(
            "SELECT 1 FROM segments WHERE lemmas IS NOT NULL LIMIT 1"
        ).fetchone()
        if stale is not None:
            recompute, document_ids = True, None
    done = store_features(project, document_ids, progress, recompute=recompute)
    if stored != stamp and (document_ids is None or done):
        project.set_setting(FEATURES_SETTING, stamp)
    return done


# -- suggestions ---------------------------------------------------------------------------


def suggest(
    project: Project,
    document: str | None = None,
    segment_id: int | None = None,
    top: int = 3,
    uncoded: bool = False,
    *,
    include_interviewer: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """Suggestions per segment as spec/cli.md objects, in document order, best code first."""
    from kodebok.nlp import corpus

    if top < 1:
        raise KodebokError("--top must be at least 1", code="nlp.top_least")
    compute_features(project, progress=progress)
    doc_id = q.document(project, document).id if document is not None else None
    if segment_id is not None:
        target = q.segment_by_id(project, segment_id)
        if doc_id is not None and target.document_id != doc_id:
            raise KodebokError(
                f"segment {segment_id} is not in document '{document}'",
                code="nlp.segment_document",
                segment_id=segment_id,
                document=document,
            )
    if not q.codes(project):
        raise KodebokError(
            "the project has no codes to suggest; import a codebook first "
            "(kodebok codebook import FILE)",
            code="nlp.project_has_codes_suggest",
        )
    from kodebok.nlp.engine import suggest_segments

    targets = corpus.segments(project, document_id=doc_id, segment_id=segment_id)
    asked = [
        seg
        for seg in targets
        if not (uncoded and seg.codes) and (include_interviewer or not seg.interviewer)
    ]
    if segment_id is not None and targets and targets[0].interviewer and not include_interviewer:
        if not (uncoded and targets[0].codes):  # an interviewer turn asked for by id: no codes
            yield _suggestions_row(targets[0], [])
        return
    whole = doc_id is None and segment_id is None
    # the engine reads every segment only when its cache is stale: hand it these when they are all
    for seg, found in suggest_segments(
        project, asked, top=top, every_segment=targets if whole else None
    ):
        yield _suggestions_row(seg, found)


def _suggestions_row(seg: SegmentData, found: Sequence[Suggestion]) -> dict[str, Any]:
    return {
        "segment": seg.id,
        "document": seg.document,
        "idx": seg.idx,
        "number": seg.idx + 1,
        "suggestions": [s.as_json() for s in found],
    }


def record_feedback(
    project: Project, segment_id: int, code_id: int, accepted: bool, coder: str
) -> int:
    """Record that a coder accepted or rejected a suggestion (the learner reads it); returns id."""
    q.segment_by_id(project, segment_id)
    if project.conn.execute("SELECT 1 FROM codes WHERE id = ?", (code_id,)).fetchone() is None:
        raise KodebokError(f"no code with id {code_id}", code="nlp.code_id", code_id=code_id)
    what = Change("accept_feedback" if accepted else "reject_feedback", coder=coder)
    with project.operation(coder, "suggestion-feedback", what) as op:
        return op.insert(
            "suggestion_feedback",
            {
                "segment_id": segment_id,
                "code_id": code_id,
                "accepted": int(accepted),
                "coder": coder,
                "at": now_iso(),
            },
        )


def accept_suggestion(project: Project, segment_id: int, code: str, coder: str) -> int:
    """Code a segment with a suggested code and record the acceptance, as one undoable step."""
    from kodebok.services.coding import code_whole_segment, segment_change

    seg = q.segment_by_id(project, segment_id)
    the_code = q.code(project, code)
    what = segment_change(project, "accept_suggestion", seg, code=the_code.path)
    with project.operation(coder, "accept-suggestion", what) as op:
        coding_id, _ = code_whole_segment(op, seg, the_code.id, coder=coder, origin="suggestion")
        record_feedback(project, seg.id, the_code.id, True, coder)
    return coding_id


def model_info(project: Project) -> dict[str, Any]:
    """What the stored learned model knows: how many codes and terms."""
    from kodebok.nlp.engine import MODEL_SETTING

    stored = project.get_setting(MODEL_SETTING)
    data = json.loads(stored) if stored else {}
    return {"codes": len(data.get("codes", [])), "terms": len(data.get("terms", []))}


# -- themes --------------------------------------------------------------------------------


# What may end a sentence before a capital that then marks no name.
_SENTENCE_END = frozenset('.!?:…«"(-–\n')


def proper_names(project: Project) -> set[str]:
    """Lower-case words that name the project's kommuner and people, for leaving out of themes.

    The case names, the words of speaker labels and of the project's pseudonym table, and the
    shipped gazetteers of first names, surnames and kommuner, except words that are also
    ordinary Norwegian words ("liv", "strand", "vik" stay) and are written as such: a name
    that is also a dictionary word ("geir", "per", "odd") counts as a name when the project's
    texts have it with a capital but never in lower case.
    """
    import re

    from kodebok.analysis.privacy import load_gazetteers
    from kodebok.nlp.lexicon import dictionary

    words = dictionary("nb")

    def split(text: str) -> list[str]:
        return [w.casefold() for w in re.findall(r"\w+", text) if not w.isdigit()]

    names = {w for c in q.cases(project) for w in split(c.name)}
    found: set[str] = set()
    gaz = load_gazetteers()
    for name in (*gaz.first_names, *gaz.surnames, *gaz.places):
        found.update(split(name))
    for (label,) in project.conn.execute("SELECT DISTINCT label FROM speakers"):
        found.update(split(str(label)))
    try:
        for (real,) in project.conn.execute("SELECT real FROM pseudonyms"):
            found.update(split(str(real)))
    except sqlite3.OperationalError:  # an older schema without the table
        pass
    ambiguous = {w for w in found if w in words}
    return names | (found - ambiguous) | _only_capitalised(project, ambiguous)


def names(project: Project) -> set[str]:
    """Words to keep out of themes: ``proper_names`` and the words of the people and places
    the deep pass's named-entity recogniser found (``kodebok nlp deep``), when it has run."""
    from kodebok.services.deep import entity_words

    return proper_names(project) | entity_words(project)


def _only_capitalised(project: Project, candidates: set[str]) -> set[str]:
    """The candidate words (lower case) that the segments write as names only: with a capital
    inside a sentence ("sa Geir"), never in lower case. A capital at a sentence start and a
    word in capitals say nothing either way.

    The full-text index (case-blind) finds the segments with each word; reading stops at the
    first one that has it in lower case, so a common word costs a segment or two.
    """
    import re

    out: set[str] = set()
    for word in sorted(candidates):
        form = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
        named = False
        rows = project.conn.execute(
            "SELECT text FROM segments_fts WHERE segments_fts MATCH ?", (f'"{word}"',)
        )
        for (text,) in rows:
            for found in form.finditer(text):
                written = found.group(0)
                if written == word:
                    named = False
                    break
                before = text[max(0, found.start() - 40) : found.start()].rstrip(" \t")
                if written.istitle() and before and before[-1] not in _SENTENCE_END:
                    named = True
            else:
                continue
            break
        if named:
            out.add(word)
    return out


def themes(
    project: Project,
    by: str = "case",
    top: int = 15,
    *,
    include_interviewer: bool = False,
    keep_names: bool = False,
) -> dict[str, Any]:
    """Distinctive terms per group (weighted log-odds, informative Dirichlet prior).

    Names of the kommuner and people are left out unless ``keep_names``: each group's own
    names would top its list and say nothing about what sets it apart.
    """
    from collections import Counter

    from kodebok.nlp import corpus
    from kodebok.nlp.themes import distinctive_terms

    if top < 1:
        raise KodebokError("--top must be at least 1", code="nlp.top_least")
    compute_features(project)
    label, group_of = corpus.group_of_segments(project, by)
    counts: dict[str, Counter[str]] = {}
    sizes: Counter[str] = Counter()
    for seg in corpus.segments(project):
        group = group_of.get(seg.id)
        if group is None or (seg.interviewer and not include_interviewer):
            continue
        # lemmas and bigrams, not compound parts: "kort" next to "styringskort" says nothing new
        counts.setdefault(group, Counter()).update((*seg.features.lemmas, *seg.features.bigrams))
        sizes[group] += 1
    if len(counts) < 2:
        raise KodebokError(
            f"themes need at least two groups with text; grouping by {label} gives "
            f"{len(counts)} (try --by document or another attribute)",
            code="nlp.themes_need_least_two",
            label=label,
            n_counts=len(counts),
        )
    found = distinctive_terms(counts, sizes, top=top, exclude=() if keep_names else names(project))
    return {
        "by": label,
        "groups": [
            {
                "group": g.group,
                "segments": g.segments,
                "tokens": g.tokens,
                "terms": [
                    {
                        "term": t.term,
                        "count": t.count,
                        "count_rest": t.count_rest,
                        "log_odds": round(t.log_odds, 3),
                        "z": round(t.z, 2),
                    }
                    for t in g.terms
                ],
            }
            for g in sorted(found, key=lambda g: g.group)
        ],
    }


def clusters(project: Project, k: int | None = None, top: int = 6) -> dict[str, Any]:
    """Clusters of uncoded informant segments as candidate new codes, labelled by top terms."""
    from kodebok.nlp import corpus
    from kodebok.nlp.themes import cluster_segments

    compute_features(project)
    pool = [
        s
        for s in corpus.segments(project)
        if not s.codes and not s.interviewer and len(s.features.lemmas) >= 5
    ]
    if len(pool) < 4:
        raise KodebokError(
            f"too few uncoded informant segments to cluster ({len(pool)}; at least 4 with "
            "five or more content words are needed)",
            code="nlp.too_few_uncoded_informant",
            n_pool=len(pool),
        )
    texts = dict(
        project.conn.execute(
            f"SELECT id, text FROM segments WHERE id IN ({','.join(str(s.id) for s in pool)})"
        ).fetchall()
    )
    found = cluster_segments([s.features.terms() for s in pool], k=k, top=top)
    return {
        "segments": len(pool),
        "clusters": [
            {
                "label": c.label,
                "size": c.size,
                "terms": list(c.terms),
                "examples": [
                    {
                        "segment": pool[i].id,
                        "document": pool[i].document,
                        "idx": pool[i].idx,
                        "number": pool[i].idx + 1,
                        "text": _snippet(texts.get(pool[i].id, "")),
                    }
                    for i in c.members[:3]
                ],
            }
            for c in found
        ],
    }


def _snippet(text: str, width: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rsplit(" ", 1)[0] + "…"


# -- evaluation ----------------------------------------------------------------------------


def evaluate(project: Project, folds: int = 5, top: int = 3) -> dict[str, Any]:
    """Cross-validated top-1, top-3 and recall@3 (by document) next to a majority baseline."""
    from kodebok.nlp import corpus
    from kodebok.nlp.engine import build_engine
    from kodebok.nlp.evaluate import evaluate as run

    compute_features(project)
    segments = corpus.segments(project)
    coded_docs = {s.document_id for s in segments if s.codes}
    if len(coded_docs) < 2:
        raise KodebokError(
            "evaluation needs codings in at least two documents (it trains on some documents "
            f"and tests on the others); this project has codings in {len(coded_docs)}",
            code="nlp.evaluation_needs_codings_least",
            n_coded_docs=len(coded_docs),
        )

    def rankers(train: Sequence[EvalSegment]) -> dict[str, Ranker]:
        engine = build_engine(
            project, segments, train_on=[s for s in segments if s in set(train)], cache=False
        )

        def ranker(sources: list[str] | None) -> Ranker:
            def rank(seg: EvalSegment) -> list[int]:
                found = engine.suggest(seg.features, top=top, sources=sources, min_score=0.0)
                return [s.code_id for s in found]

            return rank

        out = {"combined": ranker(None), "codebook": ranker(["codebook"])}
        if engine.learned is not None and engine.learned.code_ids:
            out["learned"] = ranker(["learned"])
        return out

    report = run(segments, rankers, folds=folds)
    paths = {c.id: c.path for c in q.codes(project)}
    for result in report["results"].values():
        result["recall_at_3"] = {
            paths.get(c, str(c)): v for c, v in sorted(result["recall_at_3"].items())
        }
    report["support"] = {paths.get(c, str(c)): n for c, n in report["support"].items()}
    return report


def named_entities(text: str) -> list[tuple[int, int, str]]:
    """Person and place names found by the pipeline's NER, when it has one (else none)."""
    from kodebok.nlp.pipeline import pipeline_choice

    if pipeline_choice().startswith("blank"):
        return []  # the built-in pipeline has no entity recogniser: skip loading spaCy
    from kodebok.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    if "ner" not in nlp.pipe_names:
        return []
    doc = nlp(text)
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]
