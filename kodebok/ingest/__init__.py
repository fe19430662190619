"""Readers and segmentation: files of every supported format into text, turns and metadata."""

from kodebok.ingest.document import SUPPORTED_EXTENSIONS, iter_supported_files, read_document
from kodebok.ingest.model import ParsedDocument, Turn
from kodebok.ingest.pdf import repair_pdf_text
from kodebok.ingest.segment import segment_paragraphs, segment_transcript
from kodebok.ingest.text import decode_bytes, normalise_text

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ParsedDocument",
    "Turn",
    "decode_bytes",
    "iter_supported_files",
    "normalise_text",
    "read_document",
    "repair_pdf_text",
    "segment_paragraphs",
    "segment_transcript",
]
