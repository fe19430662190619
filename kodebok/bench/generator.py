"""A deterministic synthetic Norwegian corpus, built from the sample transcripts' sentences."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from kodebok.fileio import atomic_write
from kodebok.services.demo import material_dir


@dataclass(frozen=True)
class Scale:
    """Corpus size of one benchmark scale."""

    name: str
    documents: int
    words: int
    cases: int
    codes: int


SCALES = {
    "small": Scale("small", 20, 60_000, 10, 50),
    "medium": Scale("medium", 200, 1_200_000, 50, 150),
    "large": Scale("large", 1_000, 6_000_000, 200, 400),
}

# Used only when the sample corpus is missing from an installation.
_FALLBACK = [
    "Vi innførte styringskort for alle enhetene i kommunen.",
    "Tillitsvalgte ble involvert tidlig gjennom partssamarbeidet.",
    "Rapporteringen skjer hvert tertial til formannskapet.",
    "Lederavtalene gjør ansvaret tydeligere for enhetslederne.",
    "Brukerundersøkelsene gir oss et godt bilde av tjenestene.",
    "Det er krevende å finne tid til analyse i en liten kommune.",
    "Oppslutningen om systemet varierer mellom sektorene.",
    "Kommunedirektøren har vært en tydelig pådriver for arbeidet.",
]

_SENTENCE = re.compile(r"[^.!?\n]{25,300}[.!?]")
_LABEL = re.compile(r"^\s*[\[\(]?[\w ÆØÅæøå0-9:_]{1,30}[\]\)]?\s*:\s*", re.MULTILINE)


def corpus_sentences() -> list[str]:
    """Informant-style sentences from the sample transcripts (labels and timestamps removed)."""
    sentences: list[str] = []
    try:
        folder = material_dir("transcripts")
    except Exception:  # any missing material falls back to built-in sentences
        return list(_FALLBACK)
    for path in sorted(folder.glob("*.txt")) + sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            text = text[end + 4 :] if end > 0 else text
        text = _LABEL.sub("", text)
        sentences.extend(m.group(0).strip() for m in _SENTENCE.finditer(text))
    return sentences or list(_FALLBACK)


def code_paths(n: int) -> list[str]:
    """``n`` code paths: the shipped codebooks' codes first, then numbered sub-themes."""
    from kodebok.codebook import read_codebook

    paths: list[str] = []
    try:
        folder = material_dir("codebooks")
        for book in sorted(folder.glob("*.yaml")):
            paths.extend(p for p, _ in read_codebook(book).walk())
    except Exception:  # fall back to generated names only
        paths = []
    paths = list(dict.fromkeys(paths))[:n]
    i = 1
    while len(paths) < n:
        paths.append(f"Tema {1 + (i - 1) // 10}/Undertema {i}")
        i += 1
    return paths


def write_corpus(scale: Scale, folder: Path, seed: int = 2026) -> list[Path]:
    """Write ``scale.documents`` transcripts with I:/IP: turns into ``folder``; returns paths."""
    rng = random.Random(seed)
    sentences = corpus_sentences()
    questions = [s for s in sentences if s.endswith("?")] or ["Kan du si litt mer om det?"]
    answers = [s for s in sentences if not s.endswith("?")] or sentences
    per_doc = scale.words // scale.documents
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for d in range(scale.documents):
        case = f"Kommune {1 + d % scale.cases:03d}"
        role = rng.choice(["rådmann", "kommunalsjef", "rektor", "utvalgsleder", "tillitsvalgt"])
        level = {
            "rådmann": "administrativ",
            "kommunalsjef": "administrativ",
            "rektor": "tjenesteleder",
            "utvalgsleder": "politisk",
            "tillitsvalgt": "tillitsvalgt",
        }[role]
        lines = [
            "---",
            f"case: {case}",
            "kind: intervju",
            f"date: 2023-{1 + d % 12:02d}-15",
            "speakers:",
            f"  IP: {{role: {role}, level: {level}}}",
            "  I: {role: intervjuer, interviewer: true}",
            "---",
        ]
        words = 0
        while words < per_doc:
            q = rng.choice(questions)
            lines.append(f"I: {q}")
            answer = " ".join(rng.choice(answers) for _ in range(rng.randint(2, 7)))
            lines.append(f"IP: {answer}")
            words += len(q.split()) + len(answer.split())
        path = folder / f"bench_{d:04d}.txt"
        atomic_write(path, "\n".join(lines) + "\n")
        paths.append(path)
    return paths
