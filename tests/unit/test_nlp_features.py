"""Norwegian features: lemmas, compounds, dialect and nynorsk forms, stop words, the pipeline."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kodebok.nlp.features import _CONTENT, _SENTENCE_START, FeatureExtractor, parse_features
from kodebok.nlp.lexicon import shared_lexicon, transcript_notes
from kodebok.store import Project

DATA = Path(__file__).resolve().parent.parent / "data" / "nlp"


@pytest.fixture(scope="module")
def extractor() -> FeatureExtractor:
    return FeatureExtractor()


def features(extractor: FeatureExtractor, text: str, lang: str = "nb") -> list[str]:
    return extractor.features([(text, lang)])[0].split()


@pytest.mark.parametrize(
    ("word", "lemma", "parts"),
    [
        ("målindikatorer", "målindikator", ("mål", "indikator")),
        ("resultatstyring", "resultatstyring", ("resultat", "styring")),
        ("kompetanseutvikling", "kompetanseutvikling", ("kompetanse", "utvikling")),
        ("virksomhetsplan", "virksomhetsplan", ("virksomhet", "plan")),  # linking -s-
        ("oppvekstsektoren", "oppvekstsektor", ("oppvekst", "sektor")),
        ("styringskortet", "styringskort", ("styring", "kort")),
        ("tertialrapporten", "tertialrapport", ("tertial", "rapport")),
    ],
)
def test_compounds_split_into_lexicon_words(word: str, lemma: str, parts: tuple[str, ...]) -> None:
    analysis = shared_lexicon().analyse(word)
    assert analysis.lemma == lemma
    assert analysis.parts == parts


@pytest.mark.parametrize("word", ["foreldre", "informasjon", "rapporten", "formannskapet"])
def test_words_are_not_split_into_non_words(word: str) -> None:
    assert shared_lexicon().analyse(word).parts == ()


def test_nynorsk_word_is_not_split_when_its_lemma_is_no_compound() -> None:
    assert shared_lexicon().analyse("politikarar", "nn").parts == ()


@pytest.mark.parametrize(
    ("form", "lemma", "lang"),
    [
        ("ikkje", "ikke", "nb"),
        ("eg", "jeg", "nb"),
        ("kva", "hva", "nb"),
        ("ka", "hva", "nb"),
        ("me", "vi", "nb"),
        ("kveranna", "hverandre", "nb"),
        ("skule", "skole", "nn"),
        ("skulen", "skole", "nn"),
        ("tilsette", "ansatt", "nn"),
        ("lert", "lære", "nb"),
        ("innbyggjarar", "innbygger", "nn"),
        ("kommunar", "kommune", "nn"),
    ],
)
def test_dialect_and_nynorsk_forms_get_bokmal_lemmas(form: str, lemma: str, lang: str) -> None:
    assert shared_lexicon().lemma(form, lang) == lemma


def test_stop_words_punctuation_and_numbers_are_dropped(extractor: FeatureExtractor) -> None:
    found = features(extractor, "Vi har 12 målindikatorer, og de er i 2023 ikke bra!")
    assert found[:3] == ["målindikator", "+mål", "+indikator"]
    assert "vi" not in found
    assert "12" not in found
    assert "2023" not in found
    assert "," not in found


def test_dialect_turn_keeps_only_content_words(extractor: FeatureExtractor) -> None:
    found = features(
        extractor, "Eg veit ikkje kva me gjer med skulen, men vi har lert av kveranna."
    )
    assert found == ["skole", "lære"]


def test_domain_words_in_spacys_stop_list_are_kept(extractor: FeatureExtractor) -> None:
    assert "mål" in features(extractor, "Målene er viktige for lederen.")


def test_nynorsk_document_is_lemmatised_with_the_nynorsk_dictionary(
    extractor: FeatureExtractor,
) -> None:
    found = features(extractor, "Einingsleiarane rapporterer til dei tilsette.", "nn")
    assert "enhetsleder" in found
    assert "ansatt" in found


def test_name_inside_a_sentence_is_kept_whole(extractor: FeatureExtractor) -> None:
    found = features(extractor, "Vi samarbeider med Nordvik om styringskortet.")
    assert "nordvik" in found
    assert "+vik" not in found


def test_hyphenated_words_become_their_pieces(extractor: FeatureExtractor) -> None:
    found = features(extractor, "Mål- og resultatstyring bruker KOSTRA-tall.")
    assert found[:2] == ["mål", "resultatstyring"]
    assert "kostra" in found
    assert "tall" in found


@pytest.mark.parametrize("text", ["", "   ", "...!?", "12 34,5 2023", "(latter)", "– – –"])
def test_empty_punctuation_and_number_texts_give_no_features(
    extractor: FeatureExtractor, text: str
) -> None:
    assert extractor.features([(text, "nb")]) == [""]


def test_texts_keep_their_order_around_empty_ones(extractor: FeatureExtractor) -> None:
    out = extractor.features(
        [("", "nb"), ("skolen", "nb"), ("", "nb"), ("Barnehagen", "nb"), ("", "nb")]
    )
    assert out[0] == ""
    assert out[1] == "skole"
    assert out[2] == ""
    assert out[4] == ""
    assert out[3].startswith("barnehage")


def test_very_long_segment_is_analysed_in_chunks(extractor: FeatureExtractor) -> None:
    sentence = "Tertialrapporten viser avvik i budsjettet. "
    text = sentence * (250_000 // len(sentence))  # longer than one spaCy chunk
    found = features(extractor, text)
    assert found.count("tertialrapport") == text.count("Tertialrapporten")


def test_stored_features_read_back_with_parts_and_bigrams() -> None:
    f = parse_features("kommune målindikator +mål +indikator rapportering")
    assert f.lemmas == ("kommune", "målindikator", "rapportering")
    assert f.parts == ("mål", "indikator")
    assert f.bigrams == ("kommune_målindikator", "målindikator_rapportering")
    assert parse_features(None).terms() == []


def test_blank_pipeline_has_the_lemmatizer_and_a_sentencizer() -> None:
    from kodebok.nlp.pipeline import describe_pipeline, load_pipeline

    nlp = load_pipeline()
    assert "kodebok_lemmatizer" in nlp.pipe_names
    assert "sentencizer" in nlp.pipe_names
    doc = nlp.make_doc("Skulen har mange tilsette.")
    doc.user_data["lang"] = "nn"
    doc = nlp(doc)
    assert [t.lemma_ for t in doc][:1] == ["skole"]
    assert "tilsett" not in {t.lemma_ for t in doc}
    assert "no vectors" in describe_pipeline()


@pytest.fixture
def fresh_pipeline() -> Iterator[None]:
    from kodebok.nlp.pipeline import load_pipeline

    load_pipeline.cache_clear()
    yield
    load_pipeline.cache_clear()


def build_tiny_pipeline(path: Path) -> None:
    """A Norwegian pipeline with a trained text classifier and a few word vectors."""
    import numpy as np
    import spacy
    from spacy.training import Example

    nlp = spacy.blank("nb")
    textcat = nlp.add_pipe("textcat")
    textcat.add_label("STYRING")
    textcat.add_label("ANNET")
    train = [
        ("Tertialrapporten går til kommunestyret.", "STYRING"),
        ("Styringskortet har mange indikatorer.", "STYRING"),
        ("Vi hadde kaffe i pausen.", "ANNET"),
        ("Været var fint i går.", "ANNET"),
    ]
    examples = [
        Example.from_dict(
            nlp.make_doc(text),
            {"cats": {"STYRING": float(label == "STYRING"), "ANNET": float(label == "ANNET")}},
        )
        for text, label in train
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(3):
        nlp.update(examples, sgd=optimizer)
    rng = np.random.default_rng(1)
    for word in ("tertialrapport", "styringskort", "rapportering", "kaffe", "pause", "vær"):
        nlp.vocab.set_vector(word, rng.normal(size=8).astype("float32"))
    nlp.to_disk(path)


def test_installed_pipeline_is_loaded_from_kodebok_spacy_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    from kodebok.nlp.pipeline import describe_pipeline, has_vectors, load_pipeline

    build_tiny_pipeline(tmp_path / "nb_tiny")
    monkeypatch.setenv("KODEBOK_SPACY_MODEL", str(tmp_path / "nb_tiny"))
    nlp = load_pipeline()
    assert "textcat" in nlp.pipe_names
    assert "kodebok_lemmatizer" in nlp.pipe_names  # added: the pipeline has no lemmatizer
    assert has_vectors(nlp)
    assert "vectors for 6 words, 8 dimensions" in describe_pipeline()
    found = FeatureExtractor(nlp).features([("Tertialrapportene går til kommunestyret.", "nb")])
    assert found[0].startswith("tertialrapport")


def test_unloadable_pipeline_name_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, fresh_pipeline: None
) -> None:
    from kodebok.errors import KodebokError
    from kodebok.nlp.pipeline import describe_pipeline, load_pipeline

    monkeypatch.setenv("KODEBOK_SPACY_MODEL", "nb_no_such_pipeline")
    with pytest.raises(KodebokError, match="KODEBOK_SPACY_MODEL"):
        load_pipeline()
    assert "cannot load" in describe_pipeline()


def test_importing_services_and_cli_does_not_import_spacy() -> None:
    code = (
        "import sys, kodebok, kodebok.services, kodebok.services.nlp, kodebok.cli.nlp_cmds, "
        "kodebok.nlp.pipeline; print('spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_stored_lemmas_equal_the_features_and_are_searchable(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kodebok.nlp import corpus
    from kodebok.services.importing import import_paths

    import_paths(project, [DATA / "nordvik_radmann.txt"], nlp=False)
    rows = project.conn.execute("SELECT text FROM segments ORDER BY id").fetchall()
    expected = FeatureExtractor().features([(r[0], "nb") for r in rows])
    monkeypatch.setattr(corpus, "WRITE_BATCH", 3)  # several writes
    assert corpus.store_features(project) == len(rows)
    stored = [r[0] for r in project.conn.execute("SELECT lemmas FROM segments ORDER BY id")]
    assert stored == expected
    assert corpus.store_features(project) == 0  # nothing left without lemmas
    assert corpus.store_features(project, recompute=True) == len(rows)
    for index in ("segments_fts", "lemmas_fts"):
        project.conn.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
    # "målindikatorene" in the text, its lemma only in the stored features
    found = project.conn.execute(
        "SELECT count(*) FROM lemmas_fts WHERE lemmas_fts MATCH 'målindikator'"
    ).fetchone()[0]
    assert found >= 1


def reference_features(extractor: FeatureExtractor, text: str, lang: str) -> str:
    """The features of one text the slow way: spaCy tokenises the whole text as one Doc and
    each token is read in turn (the extractor reads distinct chunks once instead)."""
    out: list[str] = []
    inside = False  # the token before is inside a sentence (not a sentence start)
    doc = extractor.nlp.make_doc(text)
    for i, token in enumerate(doc):
        if token.text.isspace():
            inside = inside and "\n" not in token.text  # other whitespace is skipped
            continue
        kind, found, name = extractor._entry(token.text, lang)
        note = (  # "(pause)": a one-word note in brackets, without spaces
            0 < i < len(doc) - 1
            and doc[i - 1].text in "(["
            and doc[i + 1].text in ")]"
            and not (doc[i - 1].whitespace_ or token.whitespace_)
            and token.lower_ in transcript_notes()
        )
        if kind == _CONTENT and (found or name) and not note:
            out.append(name if inside and name else found)
        inside = kind != _SENTENCE_START
    return " ".join(out)


EDGE_TEXTS = [
    "  Hei Oslo og Bergen kommune",
    "slutt på styringskortet.  ",
    "\n\nKommune Nordvik har målindikatorer\n",
    " ",
    "",
    "f.eks. Bergen kommune",
    "Mål- og resultatstyring i Bodø.\t",
    "\xa0Tromsø har KOSTRA-tall",
    "Hei.\n\n\nOslo er fin, sa Storsjø",
    "(f.eks. KOSTRA-tall) Storsjø",
    "Vi snakka med rådmannen.\r\nNordvik er stor. «Storsjø» og (Elvestad) Vik-Nes",
    "ca. 3,5 mill. kr. i Nordvik\u2028Storsjø\x0bFjellbygd",
    "tertialrapporten",
    "... Nordvik ... Storsjø ! Elvestad",
    "IP: Ja, eg meiner Fjellbygd kommune har halde på det.",
]


def test_batched_texts_give_the_features_of_each_text_read_whole(
    extractor: FeatureExtractor,
) -> None:
    # a batch is read chunk by chunk with one table of chunks: leading and trailing
    # whitespace, line breaks, names at a text's or a line's start, special cases (f.eks.),
    # tabs and other whitespace give what the whole Doc of each text gives
    for lang in ("nb", "nn"):
        expected = [reference_features(extractor, t, lang) for t in EDGE_TEXTS]
        assert extractor.features([(t, lang) for t in EDGE_TEXTS]) == expected
        assert [extractor.features([(t, lang)])[0] for t in EDGE_TEXTS] == expected
    found = extractor.features([(t, "nb") for t in EDGE_TEXTS])
    assert found[0] == "hei oslo bergen kommune"  # names inside a sentence kept whole
    assert found[2].startswith("kommune nordvik")


_WORDS = st.sampled_from(
    [
        "Nordvik",
        "nordvik",
        "Storsjø",
        "kommune",
        "Kommunen",
        "målindikatorer",
        "f.eks.",
        "KOSTRA-tall",
        "Mål-",
        "og",
        "i",
        "eg",
        "ikkje",
        "3,5",
        "2023",
        ".",
        ",",
        "!",
        "?",
        ":",
        "«",
        "»",
        "(",
        ")",
        "-",
        "–",
        "…",
        "Hei.",
        "(latter)",
        "rådmannen,",
        "Oslo.",
        "(pause)",
        "[uklart]",
        "pause",
        "(pause",
        "pause)",
        "(Pause).",
    ]
)
_SPACES = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", "\t", "\xa0", "\r\n", " \n "])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.tuples(_WORDS, _SPACES), max_size=12).map(
            lambda pairs: "".join(w + s for w, s in pairs)
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["nb", "nn"]),
)
def test_features_equal_reading_each_whole_doc(texts: list[str], lang: str) -> None:
    extractor = FeatureExtractor()
    expected = [reference_features(extractor, t, lang) for t in texts]
    assert extractor.features([(t, lang) for t in texts]) == expected
    assert extractor.features([(t, lang) for t in texts]) == expected  # chunks known now


def test_chunks_tokenise_as_the_whole_text_does(extractor: FeatureExtractor) -> None:
    # the chunk reading rests on spaCy tokenising each whitespace-free run on its own:
    # checked on every sample transcript and codebook read as one text
    root = Path(__file__).resolve().parents[2]
    tokenizer = extractor.nlp.tokenizer
    files = sorted((root / "transcripts").rglob("*.*")) + sorted((root / "codebooks").glob("*"))
    checked = 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, IsADirectoryError):
            continue
        whole = [t.text for t in tokenizer(text) if not t.is_space]
        assert whole == [t.text for chunk in text.split() for t in tokenizer(chunk)], path
        checked += 1
    assert checked >= 10


def test_a_full_chunk_table_starts_again_with_the_same_features(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kodebok.nlp import features as features_module

    monkeypatch.setattr(features_module, "MAX_CHUNKS", 3)
    extractor = FeatureExtractor()
    expected = [reference_features(extractor, t, "nb") for t in EDGE_TEXTS]
    for _ in range(2):
        assert [extractor.features([(t, "nb")])[0] for t in EDGE_TEXTS] == expected
    assert len(extractor._chunk_tables["nb"].index) <= 3 + max(len(t.split()) for t in EDGE_TEXTS)


def test_runs_of_letters_longer_than_any_word_give_no_features(
    extractor: FeatureExtractor,
) -> None:
    # pasted junk without spaces: no 250,000-letter "lemma" in the index, and compound
    # splitting (which tries every split point) never sees it
    assert features(extractor, "Styringskortet" * 18_000 + " i kommunen") == ["kommune"]
    assert features(extractor, "a" * 300_000) == []
    longest = "menneskerettighetsorganisasjonenes"  # a real compound is still split
    assert features(extractor, longest)[1:] == ["+menneskerettighet", "+organisasjon"]


def test_function_words_numbers_and_transcript_notes_are_no_features(
    extractor: FeatureExtractor,
) -> None:
    # Snowball's Norwegian list (hvis, fordi, min, meir) with spaCy's, and kodebok's own
    text = "Hvis du spør meg, så er det fordi min leder alltid sier to ting (pause) om budsjettet."
    assert features(extractor, text) == ["spørre", "leder", "ting", "budsjett"]
    nynorsk = "Eg trur det er meir slik, berre ikkje heile tida."
    assert features(extractor, nynorsk, "nn") == ["tid"]  # "tro" is a filler of its own


@pytest.mark.parametrize(("form", "lemma"), [("sit", "sitte"), ("følgjer", "følge")])
def test_nynorsk_je_verbs_map_to_bokmal(form: str, lemma: str) -> None:
    assert shared_lexicon().analyse(form, "nn").lemma == lemma


def test_nynorsk_words_in_a_bokmal_transcript_get_bokmal_lemmas(
    extractor: FeatureExtractor,
) -> None:
    # a focus group marked bokmål where some speak nynorsk: whole words fall back to the
    # nynorsk dictionary, compound parts stay bokmål
    found = features(extractor, "Politikarane og leiaren snakkar om barnehagen.")
    assert found[:3] == ["politiker", "leder", "snakke"]
    assert found[3:] == ["barnehage", "+barn", "+hage"]


def test_long_chunks_are_read_as_their_words_without_spacy(extractor: FeatureExtractor) -> None:
    # no whitespace for over 200 characters: pasted junk, read as runs of letters (spaCy's
    # affix search takes seconds on thousands of commas)
    assert features(extractor, "kommunen," * 11_112) == ["kommune"] * 11_112
    assert features(extractor, "," * 20_000 + " skolen") == ["skole"]
    url = "https://kommune.example.no/" + "styringskort/" * 20 + "rapport.pdf"
    assert set(features(extractor, url)) >= {"styringskort", "rapport"}


def test_chunk_reading_differs_from_whole_docs_only_where_emoticons_span_whitespace(
    extractor: FeatureExtractor,
) -> None:
    # spaCy matches ": (" across the space in the whole text, so its ":" after "(" ends a
    # sentence there and "Kommunen" is lemmatised; read alone, "(:" is one emoticon token
    text = "vi sa: (:Kommunen"
    assert reference_features(extractor, text, "nb") == "kommune"
    assert extractor.features([(text, "nb")]) == ["kommunen"]


def test_bracketed_transcriber_notes_are_no_content_but_the_same_words_in_talk_are(
    extractor: FeatureExtractor,
) -> None:
    assert features(extractor, "Ja. (pause) Det var budsjettet. [uklart] (Pause).") == ["budsjett"]
    assert features(extractor, "Vi tok en pause i møtet, og pausen ble lang.") == [
        "pause",
        "møte",
        "pause",
        "lang",
    ]
