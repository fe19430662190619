"""Word lists for the NLP layer: dialect and nynorsk forms, extra stop words (plain text data)."""
