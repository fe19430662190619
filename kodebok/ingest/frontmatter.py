"""YAML front matter at the top of a text transcript: metadata for the document and speakers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from kodebok.errors import DocumentReadError
from kodebok.safe_yaml import YamlRefused, load_yaml

_OPEN = re.compile(r"---[ \t]*\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str]:
    """Split normalised ``text`` into its front-matter metadata and the text after the block.

    Without a ``---`` line at the very top the metadata is empty and the text unchanged.
    Malformed YAML raises DocumentReadError naming the file and the line in the file; so do
    aliases (``*name``: alias bombs and recursive aliases) and very deep nesting, refused by
    the same loader as codebooks before anything is expanded.
    Values are made JSON-safe (dates become ISO strings, speaker labels strings).
    """
    opening = _OPEN.match(text)
    if opening is None:
        return {}, text
    closing = _CLOSE.search(text, opening.end())
    if closing is None:
        raise DocumentReadError(
            f"{source}: the front matter that starts on line 1 is never closed with '---'",
            code="ingest.front_matter_starts_line",
            source=source,
        )
    block = text[opening.end() : closing.start()]
    try:
        data = load_yaml(block)
    except YamlRefused as exc:
        # The block starts on line 2 of the file.
        raise DocumentReadError(
            f"{source}, line {exc.line + 1}: front matter refused ({exc.problem})",
            code="ingest.line_front_matter_refused",
            source=source,
            value=exc.line + 1,
            problem=exc.problem,
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # The block starts on line 2 of the file; PyYAML counts from 0 within the block.
        where = f"line {mark.line + 2}" if mark is not None else "the front matter"
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise DocumentReadError(
            f"{source}, {where}: malformed front matter ({problem})",
            code="ingest.malformed_front_matter",
            source=source,
            where=where,
            problem=problem,
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DocumentReadError(
            f"{source}, line 2: the front matter must be 'key: value' lines, "
            f"not a {type(data).__name__}",
            code="ingest.line_front_matter_key",
            source=source,
            error_type=type(data).__name__,
        )
    metadata = {str(k): _json_safe(v) for k, v in data.items()}
    if "speakers" in metadata:
        metadata["speakers"] = _checked_speakers(metadata["speakers"], source)
    rest = text[closing.end() :]
    return metadata, rest.lstrip("\n")


def interviewer_labels(metadata: dict[str, Any]) -> frozenset[str]:
    """Labels marked ``interviewer: true`` under ``speakers`` in the front matter."""
    speakers = metadata.get("speakers") or {}
    return frozenset(
        label
        for label, attrs in speakers.items()
        if isinstance(attrs, dict) and attrs.get("interviewer") is True
    )


def normalise_language(value: object) -> str:
    """ "nb" for bokmål spellings, "nn" for nynorsk, otherwise the value as written."""
    text = str(value).strip()
    folded = text.casefold()
    if folded in {"nb", "no", "nob", "bokmål", "bokmal", "norsk", "norwegian"}:
        return "nb"
    if folded in {"nn", "nno", "nynorsk"}:
        return "nn"
    return text


def _checked_speakers(speakers: Any, source: str) -> dict[str, dict[str, Any]]:
    """The ``speakers`` mapping with every label's attributes as a dict (``IP:`` alone is {})."""
    if speakers is None:
        return {}
    if not isinstance(speakers, dict):
        raise DocumentReadError(
            f"{source}: 'speakers' in the front matter must map each label to its attributes",
            code="ingest.speakers_front_matter_map",
            source=source,
        )
    for label, attrs in speakers.items():
        if attrs is not None and not isinstance(attrs, dict):
            raise DocumentReadError(
                f"{source}: speaker '{label}' in the front matter needs attributes like "
                "{role: rektor}",
                code="ingest.speaker_front_matter_needs",
                source=source,
                label=label,
            )
    return {label: attrs or {} for label, attrs in speakers.items()}


def _json_safe(value: Any) -> Any:
    """Values the store can write as JSON: dates as ISO strings, keys as strings."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
