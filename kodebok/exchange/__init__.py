"""Exchange: writers for tables and documents, and REFI-QDA in and out (formatting only)."""
