"""Modal dialogs that return a value with ``dismiss``: pickers, memo, confirm, text input."""
