"""The NorNE converter behind ``python -m kodebok.nlp.train``, on small hand-written CoNLL."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from kodebok.errors import KodebokError
from kodebok.nlp.train_data import (
    Sentence,
    TagMapper,
    case_copy,
    counts,
    fix_iob,
    group,
    parse_conll,
    split_language,
    train_groups,
)

# NDT columns: id, form, lemma, NDT tag, NDT tag, features, head, deprel, _, NorNE label
NDT = """\
1\tKari\tKari\tsubst\tsubst\tprop\t2\tSUBJ\t_\tname=B-PER
2\thar\tha\tverb\tverb\tpres\t0\tFINV\t_\tname=O
3\tflyttet\tflytte\tverb\tverb\tperf-part\t2\tINFV\t_\tname=O
4\ttil\ttil\tprep\tprep\t_\t3\tADV\t_\tname=O
5\tNordvik\tNordvik\tsubst\tsubst\tprop\t4\tPUTFYLL\t_\tname=B-GPE_LOC
6\t(\t$(\t<parentes-beg>\t<parentes-beg>\t_\t5\tIP\t_\tname=O
7\tNordland\tNordland\tsubst\tsubst\tprop\t5\tAPP\t_\tname=B-GPE_LOC
8\t)\t$)\t<parentes-slutt>\t<parentes-slutt>\t_\t5\tIP\t_\tname=O
9\t.\t$.\tclb\tclb\t<punkt>\t2\tIP\t_\tname=O

1\tRådmann\trådmann\tsubst\tsubst\tappell|mask|ub|ent\t0\tFRAG\t_\tname=O
2\t|\t$|\tclb\tclb\t<overskrift>\t1\tIP\t_\tname=O

1\tOle\tOle\tsubst\tsubst\tprop\t2\tSUBJ\t_\tname=B-PER
2\tHansen\tHansen\tsubst\tsubst\tprop\t1\tFLAT\t_\tname=I-PER
3\tkom\tkomme\tverb\tverb\tpret\t0\tFINV\t_\tname=O
4\t.\t$.\tclb\tclb\t<punkt>\t3\tIP\t_\tname=O
"""

# the UD version of the first NDT sentence (the auxiliary is AUX, the place names PROPN)
UD = """\
# sent_id = 1
# text = Kari har flyttet til Nordvik (Nordland).
1\tKari\tKari\tPROPN\t_\t_\t3\tnsubj\t_\tname=B-PER
2\thar\tha\tAUX\t_\tMood=Ind|Tense=Pres|VerbForm=Fin\t3\taux\t_\tname=O
3\tflyttet\tflytte\tVERB\t_\tVerbForm=Part\t0\troot\t_\tname=O
4\ttil\ttil\tADP\t_\t_\t5\tcase\t_\tname=O
5\tNordvik\tNordvik\tPROPN\t_\t_\t3\tobl\t_\tname=B-GPE_LOC
6\t(\t$(\tPUNCT\t_\t_\t7\tpunct\t_\tSpaceAfter=No|name=O
7\tNordland\tNordland\tPROPN\t_\t_\t5\tappos\t_\tSpaceAfter=No|name=B-GPE_LOC
8\t)\t$)\tPUNCT\t_\t_\t7\tpunct\t_\tSpaceAfter=No|name=O
9\t.\t$.\tPUNCT\t_\t_\t3\tpunct\t_\tname=O

"""


def ndt() -> list[Sentence]:
    return parse_conll(NDT, "a.conll", "nob", ndt=True)


def ud() -> list[Sentence]:
    return parse_conll(UD, "dev.conllu", "nob")


def test_ndt_sentences_lose_headline_marks_and_get_spaces_from_punctuation() -> None:
    sents = ndt()
    assert [len(s.tokens) for s in sents] == [9, 1, 4]
    assert sents[1].key == ("Rådmann",)  # the "|" headline mark is not a token in UD
    first = sents[0].tokens
    text = "".join(t.form + (" " if t.space_after else "") for t in first)
    assert text == "Kari har flyttet til Nordvik (Nordland)."
    assert first[4].ent == "B-GPE_LOC"
    assert first[0].ent == "B-PER"
    assert sents[0].source == "a.conll:1"
    assert sents[2].source == "a.conll:14"


def test_ud_sentences_keep_space_after_and_features() -> None:
    (sent,) = ud()
    assert sent.tokens[1].tag == "AUX"
    assert sent.tokens[1].feats == "Mood=Ind|Tense=Pres|VerbForm=Fin"
    assert [t.space_after for t in sent.tokens][5:] == [False, False, False, True]


def test_malformed_line_names_file_and_line() -> None:
    with pytest.raises(KodebokError, match=r"x\.conll, line 2: expected 10"):
        parse_conll("1\ta\ta\tX\t_\t_\t0\troot\t_\tname=O\n2\tb\tb\n", "x.conll")
    with pytest.raises(KodebokError, match=r"line 1: unknown entity label 'PER'"):
        parse_conll("1\ta\ta\tX\t_\t_\t0\troot\t_\tname=PER\n", "x.conll")


def test_train_split_is_the_ndt_sentences_not_in_dev_or_test() -> None:
    split = split_language([ndt()], ud(), [], "nob")
    assert [s.key[0] for f in split.train for s in f] == ["Rådmann", "Ole"]
    assert len(split.dev_ndt) == 1
    assert split.unmatched == 0
    missing = parse_conll("1\tIngen\tingen\tDET\t_\t_\t0\troot\t_\tname=O\n", "t.conllu")
    assert split_language([ndt()], ud(), missing, "nob").unmatched == 1


def test_tag_mapper_uses_syntax_for_aux_and_falls_back_to_the_tag() -> None:
    split = split_language([ndt()], ud(), [], "nob")
    mapper = TagMapper().learn(split.dev_ndt)
    mapped = mapper.convert(split.dev_ndt[0][0])
    assert [t.tag for t in mapped.tokens] == [t.tag for t in ud()[0].tokens]
    ole = mapper.convert(split.train[0][1])
    # "Ole", "Hansen": unseen forms, same NDT tag and features as Kari -> PROPN
    # ".": a clb seen before -> PUNCT through its (tag, features, form) key
    tags = [t.tag for t in ole.tokens]
    assert tags[:2] == ["PROPN", "PROPN"]
    assert tags[3] == "PUNCT"
    assert mapper.map(replace(ole.tokens[0], tag="interj", feats="_")) == ("X", "_")  # unknown
    with pytest.raises(ValueError, match="before learn"):
        TagMapper().map(ole.tokens[0])


def test_fix_iob_starts_entities_that_begin_with_i() -> None:
    assert fix_iob(["I-PER", "I-PER", "O", "I-LOC", "B-ORG", "I-LOC"]) == [
        "B-PER",
        "I-PER",
        "O",
        "B-LOC",
        "B-ORG",
        "B-LOC",
    ]


def test_case_copies_and_groups() -> None:
    sents = ndt()
    lower = case_copy(sents[2], upper=False)
    upper = case_copy(sents[2], upper=True)
    assert lower.key == ("ole", "hansen", "kom", ".")
    assert lower.tokens[0].ent == "B-PER"
    assert upper.key == ("OLE", "HANSEN", "KOM", ".")
    assert upper.tokens[2].lemma == "KOMME"
    assert [len(g) for g in group(sents, 2)] == [2, 1]
    with pytest.raises(ValueError, match="at least 1"):
        group(sents, 0)
    plain = train_groups([sents], per_doc=2, case_share=0.0, seed=1)
    assert [len(g) for g in plain] == [2, 1]
    doubled = train_groups([sents], per_doc=10, case_share=0.5, seed=1)
    copies = [s for g in doubled[1:] for s in g]
    assert len(copies) == 3  # every sentence drew lower (< 0.5) or upper (< 1.0)
    assert all(s.source.endswith((":lower", ":upper")) for s in copies)
    assert counts(sents) == {"sentences": 3, "tokens": 14, "entities": 4}


def test_docs_carry_tags_lemmas_entities_and_sentence_starts() -> None:
    import spacy

    from kodebok.nlp.train import sentences_to_doc

    nlp = spacy.blank("nb")
    split = split_language([ndt()], ud(), [], "nob")
    mapper = TagMapper().learn(split.dev_ndt)
    doc = sentences_to_doc(nlp.vocab, [mapper.convert(s) for s in ndt()])
    assert doc.text.startswith("Kari har flyttet til Nordvik (Nordland). Rådmann Ole Hansen kom.")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Kari", "PER"),
        ("Nordvik", "GPE_LOC"),
        ("Nordland", "GPE_LOC"),
        ("Ole Hansen", "PER"),
    ]
    assert [s.text for s in doc.sents][1] == "Rådmann"
    assert doc[1].pos_ == "AUX"
    assert str(doc[1].morph) == "Mood=Ind|Tense=Pres|VerbForm=Fin"
    assert doc[12].lemma_ == "komme"


def write_norne(root: Path) -> Path:
    """A NorNE-shaped folder: NDT files for both languages and UD dev/test."""
    for lang, stem in (("nob", "no_bokmaal"), ("nno", "no_nynorsk")):
        (root / "ndt" / lang).mkdir(parents=True)
        (root / "ud" / lang).mkdir(parents=True)
        (root / "ndt" / lang / "a.conll").write_text(NDT, encoding="utf-8")
        (root / "ud" / lang / f"{stem}-ud-dev.conllu").write_text(UD, encoding="utf-8")
        test = "1\tOle\tOle\tPROPN\t_\t_\t2\tnsubj\t_\tname=B-PER\n2\tkom\tkomme\tVERB\t_\t_\t0\troot\t_\tname=O\n"
        (root / "ud" / lang / f"{stem}-ud-test.conllu").write_text(test, encoding="utf-8")
    return root


def test_prepare_writes_docbins_stats_and_config(tmp_path: Path) -> None:
    from spacy.tokens import DocBin
    from thinc.api import Config

    from kodebok.nlp.train import main

    norne = write_norne(tmp_path / "norne")
    out = tmp_path / "out"
    assert main(["--norne", str(norne), "--out", str(out), "--prepare-only", "--per-doc", "1"]) == 0
    stats = json.loads((out / "stats.json").read_text(encoding="utf-8"))
    # the test sentence "Ole kom" is not "Ole Hansen kom ." so NDT keeps it for training
    assert stats["nob"]["train"] == {"sentences": 2, "tokens": 5, "entities": 1}
    assert stats["nno"]["dev"] == {"sentences": 1, "tokens": 9, "entities": 3}
    assert stats["nob"]["ud_sentences_not_found_in_ndt"] == 1
    import spacy

    nlp = spacy.blank("nb")
    train = list(DocBin().from_disk(out / "corpus" / "train.spacy").get_docs(nlp.vocab))
    assert len(train) == 4
    assert train[1].ents[0].text == "Ole Hansen"
    config = Config().from_disk(out / "config.cfg")
    assert config["nlp"]["pipeline"] == ["tok2vec", "morphologizer", "trainable_lemmatizer", "ner"]
    assert config["training"]["score_weights"]["ents_f"] == 0.6
    assert config["paths"]["dev"] == str(out / "corpus" / "dev.spacy")


def test_missing_norne_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kodebok.nlp.train import main

    assert main(["--norne", str(tmp_path), "--out", str(tmp_path / "o"), "--prepare-only"]) == 2
    assert "ud/nob/no_bokmaal-ud-dev.conllu: not found" in capsys.readouterr().err


def test_evaluate_model_scores_each_language_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kodebok.nlp.evaluate_model import main
    from kodebok.nlp.pipeline import SHIPPED_PIPELINE

    norne = write_norne(tmp_path / "norne")
    out = tmp_path / "scores.json"
    assert main(["--norne", str(norne), "--model", str(SHIPPED_PIPELINE), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "bokmål (nob): 1 sentences, 2 tokens, 1 entities" in printed
    assert "nynorsk (nno)" in printed
    assert "targets:" in printed
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert set(scores) == {"nob", "nno"}
    for res in scores.values():
        assert res["data"] == {"sentences": 1, "tokens": 2, "entities": 1}
        assert 0.0 <= res["pos_acc"] <= 1.0
        assert 0.0 <= res["lemma_acc"] <= 1.0
        assert res["words_per_second"] > 0
    assert main(["--norne", str(norne), "--model", str(SHIPPED_PIPELINE), "--case", "upper"]) == 0
    assert "NorNE test, upper-cased" in capsys.readouterr().out


def test_evaluate_report_names_missed_targets() -> None:
    from kodebok.nlp.evaluate_model import format_report

    res = {
        "language": "bokmål",
        "data": {"sentences": 2, "tokens": 20, "entities": 3},
        "words_per_second": 1000,
        "ents_p": 0.8,
        "ents_r": 0.7,
        "ents_f": 0.7467,
        "per_label": {"PER": {"p": 0.9, "r": 0.9, "f": 0.9}},
        "pos_acc": 0.97,
        "morph_acc": 0.95,
        "lemma_acc": 0.95,
    }
    report = format_report({"nob": res})
    assert "NER        P  80.0  R  70.0  F  74.7" in report
    assert "missed: ents_f 74.7 < 75, lemma_acc 95.0 < 96" in report
    good = {**res, "ents_f": 0.76, "lemma_acc": 0.97}
    assert "targets: all met" in format_report({"nob": good})


def test_evaluate_model_unloadable_model_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kodebok.nlp.evaluate_model import main

    norne = write_norne(tmp_path / "norne")
    assert main(["--norne", str(norne), "--model", str(tmp_path / "nope")]) == 2
    assert "nope: cannot load this spaCy pipeline" in capsys.readouterr().err


def test_finetune_config_sources_every_component_with_a_lower_learning_rate(tmp_path: Path) -> None:
    from thinc.api import Config

    from kodebok.nlp.pipeline import SHIPPED_PIPELINE
    from kodebok.nlp.train import PIPELINE, main

    norne = write_norne(tmp_path / "norne")
    out = tmp_path / "ft"
    args = ["--norne", str(norne), "--out", str(out), "--prepare-only", "--finetune"]
    assert main([*args, str(SHIPPED_PIPELINE), "--learn-rate", "0.0001"]) == 0
    config = Config().from_disk(out / "config.cfg", interpolate=False)
    for name in PIPELINE:
        assert config["components"][name] == {"source": str(SHIPPED_PIPELINE)}
    assert config["training"]["optimizer"]["learn_rate"] == 0.0001
    assert config["corpora"]["dev"]["path"] == str(out / "corpus" / "dev.spacy")
    size = config["training"]["batcher"]["size"]
    assert size["start"] == size["stop"]


def test_relink_restores_the_lemmatizer_label_table_lost_on_load(tmp_path: Path) -> None:
    import spacy
    from spacy.training import Example

    from kodebok.nlp.train import relink_lemmatizer_labels

    nlp = spacy.blank("nb")
    nlp.add_pipe("trainable_lemmatizer", config={"min_tree_freq": 1})
    words = ["husene", "bilene", "gikk", "kom"]
    lemmas = ["hus", "bil", "gå", "komme"]
    examples = [
        Example.from_dict(nlp.make_doc(" ".join(words)), {"words": words, "lemmas": lemmas})
    ]
    nlp.initialize(lambda: examples)
    table = dict(nlp.get_pipe("trainable_lemmatizer").tree2label)
    assert table
    nlp.to_disk(tmp_path / "m")
    loaded = spacy.load(tmp_path / "m")
    lemmatizer = loaded.get_pipe("trainable_lemmatizer")
    lemmatizer.tree2label.clear()  # what spaCy 3.8 leaves after from_disk
    relink_lemmatizer_labels(loaded, {"step": 0})
    assert lemmatizer.tree2label == table
