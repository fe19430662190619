"""Key binding descriptions written as i18n keys ("key.undo") and translated per instance."""

from __future__ import annotations

from dataclasses import replace

from textual.dom import DOMNode

from kodebok.i18n import t


def translate_bindings(node: DOMNode) -> None:
    """Replace ``key.*`` descriptions (and tooltips: the help screen's longer words) in this
    node's bindings with the active language's text.

    Descriptions are translated when a screen is created, not when its module is imported,
    so the language can be chosen per app (and per test).
    """
    mapping = node._bindings.key_to_bindings
    for key, bindings in list(mapping.items()):
        mapping[key] = [
            replace(
                b,
                description=t(b.description) if b.description.startswith("key.") else b.description,
                tooltip=t(b.tooltip) if b.tooltip.startswith("key.") else b.tooltip,
            )
            for b in bindings
        ]
