"""The project file's schema as numbered migrations; each migration runs in one transaction."""

from __future__ import annotations

APPLICATION_ID = (
    0x6B6F6462  # "kodb": lets `file` and kodebok tell a project from other SQLite files
)

SCHEMA_VERSION = 7

# Views made by the migrations for reading the project with other tools (docs/design.md).
VIEWS = ("code_paths", "coded_text", "code_case_counts")

# Each entry upgrades the schema from version i to i+1. Keep old entries unchanged forever:
# projects in the field are migrated step by step.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        memo TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL DEFAULT 'intervju',
        language TEXT NOT NULL DEFAULT 'nb',
        case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
        text TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        imported_at TEXT NOT NULL,
        metadata TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX documents_sha256 ON documents(sha256);
    CREATE INDEX documents_case ON documents(case_id);
    CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE
    );
    CREATE TABLE speakers (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        interviewer INTEGER NOT NULL DEFAULT 0,
        person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
        UNIQUE (document_id, label)
    );
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        speaker_id INTEGER REFERENCES speakers(id) ON DELETE SET NULL,
        t_start REAL,
        t_end REAL,
        text TEXT NOT NULL,
        lemmas TEXT,
        UNIQUE (document_id, idx)
    );
    CREATE INDEX segments_speaker ON segments(speaker_id);
    CREATE TABLE attributes (
        id INTEGER PRIMARY KEY,
        entity_kind TEXT NOT NULL CHECK (entity_kind IN ('case', 'document', 'speaker', 'person')),
        entity_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        value TEXT,
        type TEXT NOT NULL DEFAULT 'text',
        UNIQUE (entity_kind, entity_id, name)
    );
    CREATE TABLE codes (
        id INTEGER PRIMARY KEY,
        parent_id INTEGER REFERENCES codes(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        keywords TEXT NOT NULL DEFAULT '[]',
        color TEXT,
        shortcut TEXT,
        position INTEGER NOT NULL DEFAULT 0,
        metadata TEXT NOT NULL DEFAULT '{}'
    );
    CREATE UNIQUE INDEX codes_sibling_name ON codes(COALESCE(parent_id, 0), name);
    CREATE TABLE codings (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        segment_id INTEGER REFERENCES segments(id) ON DELETE SET NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
        coder TEXT NOT NULL,
        memo TEXT NOT NULL DEFAULT '',
        origin TEXT NOT NULL DEFAULT 'manual'
            CHECK (origin IN ('manual', 'suggestion', 'autocode', 'import', 'merge')),
        status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'review', 'orphaned')),
        anchor_text TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (document_id, start, "end", code_id, coder)
    );
    CREATE INDEX codings_segment ON codings(segment_id);
    CREATE INDEX codings_code ON codings(code_id);
    CREATE TABLE memos (
        id INTEGER PRIMARY KEY,
        target_kind TEXT NOT NULL
            CHECK (target_kind IN ('project', 'document', 'case', 'code', 'coding', 'segment', 'cell')),
        target_id INTEGER,
        case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,
        code_id INTEGER REFERENCES codes(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX memos_target ON memos(target_kind, target_id);
    CREATE TABLE presence_overrides (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
        value INTEGER CHECK (value IN (0, 1)),
        note TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL,
        at TEXT NOT NULL,
        UNIQUE (case_id, code_id)
    );
    CREATE TABLE suggestion_feedback (
        id INTEGER PRIMARY KEY,
        segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
        accepted INTEGER NOT NULL,
        coder TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY,
        coder TEXT NOT NULL,
        at TEXT NOT NULL,
        op TEXT NOT NULL,
        description TEXT NOT NULL,
        changes TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'dropped'))
    );
    CREATE INDEX journal_coder ON journal(coder, state);
    CREATE VIRTUAL TABLE segments_fts USING fts5(
        text, lemmas, content='segments', content_rowid='id',
        tokenize = "unicode61 remove_diacritics 0"
    );
    CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts(rowid, text, lemmas) VALUES (new.id, new.text, new.lemmas);
    END;
    CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text, lemmas)
        VALUES ('delete', old.id, old.text, old.lemmas);
    END;
    CREATE TRIGGER segments_au AFTER UPDATE OF text, lemmas ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text, lemmas)
        VALUES ('delete', old.id, old.text, old.lemmas);
        INSERT INTO segments_fts(rowid, text, lemmas) VALUES (new.id, new.text, new.lemmas);
    END;
    """,
    # 2: the pseudonymisation map (real name → pseudonym), applied by --pseudonymise on exports
    """
    CREATE TABLE pseudonyms (
        id INTEGER PRIMARY KEY,
        real TEXT NOT NULL UNIQUE,
        pseudonym TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'other'
            CHECK (kind IN ('case', 'person', 'place', 'other')),
        created_at TEXT NOT NULL
    );
    """,
    # 3: lemmas get their own full-text index without positions (detail=none): an import
    # indexes the lemma strings at a fraction of the cost, and lemma search needs no phrases.
    # The text index keeps its positions for phrase search.
    """
    DROP TRIGGER segments_ai;
    DROP TRIGGER segments_ad;
    DROP TRIGGER segments_au;
    DROP TABLE segments_fts;
    CREATE VIRTUAL TABLE segments_fts USING fts5(
        text, content='segments', content_rowid='id',
        tokenize = "unicode61 remove_diacritics 0"
    );
    CREATE VIRTUAL TABLE lemmas_fts USING fts5(
        lemmas, content='segments', content_rowid='id', detail=none,
        tokenize = "unicode61 remove_diacritics 0"
    );
    CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
        INSERT INTO lemmas_fts(rowid, lemmas) VALUES (new.id, new.lemmas);
    END;
    CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO lemmas_fts(lemmas_fts, rowid, lemmas) VALUES ('delete', old.id, old.lemmas);
    END;
    CREATE TRIGGER segments_au_text AFTER UPDATE OF text ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER segments_au_lemmas AFTER UPDATE OF lemmas ON segments BEGIN
        INSERT INTO lemmas_fts(lemmas_fts, rowid, lemmas) VALUES ('delete', old.id, old.lemmas);
        INSERT INTO lemmas_fts(rowid, lemmas) VALUES (new.id, new.lemmas);
    END;
    INSERT INTO segments_fts(segments_fts) VALUES ('rebuild');
    INSERT INTO lemmas_fts(lemmas_fts) VALUES ('rebuild');
    """,
    # 4: read-only views for people who open the project in sqlite3, sqlite-utils or Datasette
    # (docs/design.md, "Views"); kodebok itself does not read them.
    # code_paths: every code with its path (names joined by '/') and depth (0 at the top).
    # coded_text: one row per coding with what it is about: the document, its case, the
    #   speaker of the segment, the code's path, coder, origin, status and the coded text.
    # code_case_counts: per code and case, the codings (without those a revision orphaned),
    #   the segments and the documents they are in; case_name is NULL for documents
    #   without a case.
    """
    CREATE VIEW code_paths AS
    WITH RECURSIVE tree(code_id, parent_id, path, depth) AS (
        SELECT id, parent_id, name, 0 FROM codes WHERE parent_id IS NULL
        UNION ALL
        SELECT c.id, c.parent_id, tree.path || '/' || c.name, tree.depth + 1
        FROM codes c JOIN tree ON c.parent_id = tree.code_id
    )
    SELECT code_id, parent_id, path, depth FROM tree;
    CREATE VIEW coded_text AS
    SELECT
        k.id AS coding_id,
        d.name AS document,
        c.name AS case_name,
        sp.label AS speaker,
        cp.path AS code,
        k.coder AS coder,
        k.origin AS origin,
        k.status AS status,
        s.idx + 1 AS number,
        k.start AS start,
        k."end" AS "end",
        substr(d.text, k.start + 1, k."end" - k.start) AS text,
        k.memo AS memo
    FROM codings k
    JOIN documents d ON d.id = k.document_id
    JOIN code_paths cp ON cp.code_id = k.code_id
    LEFT JOIN cases c ON c.id = d.case_id
    LEFT JOIN segments s ON s.id = k.segment_id
    LEFT JOIN speakers sp ON sp.id = s.speaker_id;
    CREATE VIEW code_case_counts AS
    SELECT
        cp.path AS code,
        c.name AS case_name,
        COUNT(*) AS codings,
        COUNT(DISTINCT k.segment_id) AS segments,
        COUNT(DISTINCT k.document_id) AS documents
    FROM codings k
    JOIN documents d ON d.id = k.document_id
    JOIN code_paths cp ON cp.code_id = k.code_id
    LEFT JOIN cases c ON c.id = d.case_id
    WHERE k.status != 'orphaned'
    GROUP BY k.code_id, d.case_id;
    """,
    # 5: REFI-QDA identity. The GUID a source, code, coding, case or memo had in the .qdpx it
    # came from, or was first exported with, so that NVivo -> kodebok -> NVivo updates instead
    # of duplicating; a coding also keeps the GUID of the selection it was part of. Coders
    # (users) and foreign Sets (document attributes) are names, so theirs are in refi_ids.
    """
    ALTER TABLE documents ADD COLUMN guid TEXT;
    ALTER TABLE codes ADD COLUMN guid TEXT;
    ALTER TABLE codings ADD COLUMN guid TEXT;
    ALTER TABLE codings ADD COLUMN selection_guid TEXT;
    ALTER TABLE cases ADD COLUMN guid TEXT;
    ALTER TABLE memos ADD COLUMN guid TEXT;
    CREATE TABLE refi_ids (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'set')),
        name TEXT NOT NULL,
        guid TEXT NOT NULL,
        UNIQUE (kind, name)
    );
    """,
    # 6: the journal names an operation by a message code and its parameters (JSON, e.g.
    # {"op": "code_segment", "doc": "nordvik_rektor", "number": 4, "code": "Ledelse/Fremmer"}),
    # so the CLI and TUI say it in their language; rows from before keep their description.
    """
    ALTER TABLE journal ADD COLUMN params TEXT;
    """,
    # 7: the deep NLP pass (``kodebok nlp deep``): named entities, POS tags and lemmas of each
    # segment from the trained pipeline, stored once and reused by privacy-check and themes.
    # Derived data like segments.lemmas: not journaled, recomputed when the pipeline changes.
    """
    CREATE TABLE segment_nlp (
        segment_id INTEGER PRIMARY KEY REFERENCES segments(id) ON DELETE CASCADE,
        pipeline TEXT NOT NULL,
        entities TEXT NOT NULL DEFAULT '[]',
        pos TEXT NOT NULL DEFAULT '',
        lemmas TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX segment_nlp_pipeline ON segment_nlp(pipeline);
    """,
]
