"""Which pipeline and word lists a project's stored lemmas came from (cheap to import)."""

from __future__ import annotations

import contextlib
from functools import lru_cache

# The project setting that says which pipeline and word lists the stored lemmas come from.
FEATURES_SETTING = "nlp.features"
# Bump when the feature code changes what it stores (the data files are hashed anyway).
FEATURES_VERSION = "2"


@lru_cache(maxsize=1)
def features_stamp() -> str:
    """What stored lemmas depend on: the pipeline, simplemma's version, kodebok's word lists
    (normalisation table, stop words) and the feature code's version."""
    import hashlib
    from importlib import metadata, resources

    from kodebok.nlp.pipeline import pipeline_choice

    digest = hashlib.sha256(f"{FEATURES_VERSION}|{pipeline_choice()}".encode())
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("simplemma").encode())
    folder = resources.files("kodebok.nlp.data")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".tsv", ".txt")):
            digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:16]
