"""The Textual coding workspace: app factory in ``kodebok.tui.app``; screens, dialogs, widgets."""
