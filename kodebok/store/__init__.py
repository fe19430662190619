"""The project file: SQLite via sqlite-utils, migrations, journal, queries returning models."""

from kodebok.store.project import JournalEntry, Operation, Project, now_iso

__all__ = ["JournalEntry", "Operation", "Project", "now_iso"]
