"""The one YAML loader for files a researcher hands kodebok (codebooks, transcript front matter).

PyYAML's ``safe_load`` builds no Python objects from tags, but it still expands aliases: nine
anchors of nine aliases each (a "billion laughs") become 9⁹ strings and take minutes and
gigabytes, and an anchor that refers to itself (``a: &a [*a]``) builds a cyclic structure that
turns into a RecursionError further on. Codebooks and front matter never need anchors, so this
loader refuses every alias while composing, before anything is built, and also
limits nesting depth and the number of nodes. The result is plain data in linear time.

Callers turn :class:`YamlRefused` and ``yaml.YAMLError`` into their own error naming the file.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import Node

MAX_DEPTH = 64  # lists and mappings inside each other; real files use fewer than ten
MAX_NODES = 200_000  # scalars, lists and mappings; a large codebook has a few thousand


class YamlRefused(ValueError):
    """The YAML is well-formed but uses something kodebok refuses (aliases, deep nesting).

    ``line`` is 1-based within the text given to the loader.
    """

    def __init__(self, problem: str, line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and bounds depth and size while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        line = int(mark.line) + 1 if mark is not None else 1
        if isinstance(event, AliasEvent):
            raise YamlRefused("anchors and aliases (& and *) are not supported here", line)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise YamlRefused(f"too many values (more than {MAX_NODES})", line)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlRefused(f"lists or mappings nested more than {MAX_DEPTH} deep", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose_yaml(text: str) -> Node | None:
    """The node tree of the single YAML document in ``text`` (None when it is empty).

    Raises YamlRefused for aliases, deep nesting or too many values, and
    ``yaml.YAMLError`` for text that is not valid YAML.
    """
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load_yaml(text: str) -> Any:
    """Plain Python data (dicts, lists, strings, numbers, dates) from the YAML in ``text``.

    Same protections and exceptions as :func:`compose_yaml`.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
