"""The import command: files and folders in, each file read by its format and stored.

A ``.qdpx`` goes to REFI-QDA (:mod:`kodebok.services.refi`), every other file to
:func:`kodebok.services.documents.store_parsed`; afterwards the NLP pass computes lemmas.
This module sits above both, so that neither imports the other's caller.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kodebok.errors import KodebokError
from kodebok.services.document_store import ImportOptions, ImportResult, SegmentLemmas
from kodebok.services.documents import expand_paths, read_any, store_parsed
from kodebok.store import Project


def import_paths(
    project: Project,
    paths: Sequence[Path],
    options: ImportOptions | None = None,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    nlp: bool = True,
) -> list[ImportResult]:
    """Import files and folders; each file in its own transaction, one bad file never stops others."""
    files = expand_paths(paths)
    results: list[ImportResult] = []
    features = _segment_features() if nlp else None
    for i, path in enumerate(files):
        if progress is not None:
            progress(i, len(files), path.name)
        try:
            results.append(import_file(project, path, options, features=features))
        except KodebokError as exc:
            results.append(
                ImportResult(
                    str(path), "failed", message=exc.message, code=exc.code, params=exc.params
                )
            )
    if progress is not None:
        progress(len(files), len(files), "")
    if nlp:
        names = [r.name for r in results if r.status in ("imported", "updated")]
        if names:
            nlp_pass(project, names, results)
    return results


def _segment_features() -> SegmentLemmas:
    """What computes segment lemmas during an import (spaCy loads on its first use)."""
    from kodebok.nlp.corpus import SegmentFeatures

    return SegmentFeatures()


def nlp_pass(project: Project, names: list[str], results: list[ImportResult]) -> None:
    """Compute NLP features (lemmas) for newly imported documents.

    A failure here never undoes an import: the lemmas stay empty and a warning is recorded on
    the first result, to be computed later (``kodebok suggest`` recomputes what is missing).
    """
    from kodebok.services import nlp as nlp_service

    ids = [
        r[0]
        for r in project.conn.execute(
            f"SELECT id FROM documents WHERE name IN ({','.join('?' for _ in names)})", names
        )
    ]
    try:
        nlp_service.compute_features(project, document_ids=ids)
    except KodebokError as exc:
        results[0].details["nlp_warning"] = exc.message
    except Exception as exc:  # the import is committed already; lemmas can be computed later
        results[0].details["nlp_warning"] = f"lemmas not computed ({type(exc).__name__}: {exc})"


def import_file(
    project: Project,
    path: Path,
    options: ImportOptions | None = None,
    *,
    features: SegmentLemmas | None = None,
) -> ImportResult:
    """Import one file completely in one transaction, or not at all, as ``options`` say.

    ``features`` computes the segments' lemmas before they are stored (see store_parsed).
    """
    if path.suffix.lower() == ".qdpx":
        from kodebok.services.refi import import_qdpx

        report = import_qdpx(project, path, coder=(options or ImportOptions()).coder or "import")
        return ImportResult(
            str(path),
            "imported",
            path.stem,
            message=(
                f"REFI-QDA: {len(report.documents)} documents ({len(report.unchanged)} "
                f"unchanged), {report.codes} new codes, {report.codings} codings, "
                f"{report.cases} cases, {report.memos} memos"
                + "".join(f"; {w}" for w in report.warnings[:5])
            ),
            details={"documents": report.documents},
        )
    parsed = read_any(path)
    return store_parsed(project, parsed, options, features=features)
