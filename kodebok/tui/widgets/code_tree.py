"""The codebook as a tree with colour swatches, shortcuts and coding counts."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from kodebok.services.codes import MAX_CODE_DEPTH, CodeCount


class CodeTree(Tree[int]):
    """Codes as a tree; each node's data is the code id. Counts include child codes."""

    DEFAULT_CSS = """
    CodeTree { background: $surface; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("codes", id=id)
        self.show_root = False
        self.guide_depth = 2
        self._code_nodes: dict[int, TreeNode[int]] = {}
        self._counts: dict[int, CodeCount] = {}
        self._colors: dict[int, str] = {}

    def show(self, tree: list[CodeCount], colors: dict[int, str], keep: int | None = None) -> None:
        """Rebuild from a code tree, keeping the cursor on code ``keep`` when given."""
        if keep is None and self.cursor_node is not None:
            keep = self.cursor_node.data
        self.clear()
        self._code_nodes = {}
        self._colors = colors
        self._counts = {c.code.id: c for c in tree}
        children: set[int] = {c.code.parent_id for c in tree if c.code.parent_id is not None}
        depth: dict[int, int] = {}
        for item in tree:
            parent = self._code_nodes.get(item.code.parent_id or -1, self.root)
            level = depth.get(item.code.parent_id or -1, 0) + 1
            if level > MAX_CODE_DEPTH and parent.parent is not None:
                # Textual builds its lines recursively: a code tree made deeper than kodebok
                # allows (an old project, another program) is shown flat below that depth.
                parent, level = parent.parent, level - 1
            depth[item.code.id] = level
            label = self._label(item)
            if item.code.id in children and level < MAX_CODE_DEPTH:
                node = parent.add(label, data=item.code.id, expand=True)
            else:
                node = parent.add_leaf(label, data=item.code.id)
            self._code_nodes[item.code.id] = node
        if keep is not None and keep in self._code_nodes:
            self.select_code(keep)
        elif tree:
            self.cursor_line = 0

    def update_counts(self, tree: list[CodeCount]) -> None:
        """Relabel only the nodes whose counts changed (cheap after each coding)."""
        for item in tree:
            old = self._counts.get(item.code.id)
            node = self._code_nodes.get(item.code.id)
            if node is None:
                continue
            if old is None or old.total_codings != item.total_codings or old.code != item.code:
                self._counts[item.code.id] = item
                node.set_label(self._label(item))

    def _label(self, item: CodeCount, room: int | None = None) -> Text:
        """Swatch, name, shortcut and count; in ``room`` cells the name gives way, never the count."""
        color = self._colors.get(item.code.id, "#888888")
        name = item.code.name
        shortcut = f" [{item.code.shortcut}]" if item.code.shortcut else ""
        count = f" {item.total_codings}"
        if room is not None:
            if 2 + len(name) + len(shortcut) + len(count) > room:
                shortcut = ""  # the shortcut is in the help and the picker too
            space = room - 2 - len(shortcut) - len(count)
            if len(name) > space:
                name = name[: max(1, space - 1)] + "…"
        label = Text()
        label.append("■ ", style=color)
        label.append(name)
        if shortcut:
            label.append(shortcut, style="bold")
        label.append(count, style="dim")
        return label

    def render_label(self, node: TreeNode[int], base_style: Style, style: Style) -> Text:
        """The node's label cut to the width left beside its guides: the count stays visible."""
        item = self._counts.get(node.data) if node.data is not None else None
        # room for a vertical scrollbar is kept always: it comes and goes without a Resize
        width = self.size.width - self.styles.scrollbar_size_vertical
        if item is None or width <= 0:
            return super().render_label(node, base_style, style)
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        full = super().render_label(node, base_style, style)
        toggle = full[: len(full) - len(node.label)]  # the ▼ / ▶ of a parent, as Tree draws it
        label = self._label(item, max(8, width - depth * self.guide_depth - toggle.cell_len))
        label.stylize(style)
        return Text.assemble(toggle, label)

    def on_resize(self, event: events.Resize) -> None:
        """Labels are cut to the width: build them again at the new one."""
        self._invalidate()

    @property
    def selected_code(self) -> int | None:
        """The id of the code under the cursor."""
        node = self.cursor_node
        return node.data if node is not None and node is not self.root else None

    def select_code(self, code_id: int) -> None:
        """Move the cursor to a code."""
        node = self._code_nodes.get(code_id)
        if node is not None:
            # Tree numbers its lines lazily; build them now so the node knows its line.
            _ = self._tree_lines
            self.move_cursor(node)
