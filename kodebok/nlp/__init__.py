"""Norwegian NLP: pipeline, features, code suggestions and themes (the only place spaCy is imported)."""
