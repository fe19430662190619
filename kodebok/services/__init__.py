"""One function per user operation, shared by the command line and the TUI.

Importing this package must stay cheap: it must not import textual or spacy.
"""
