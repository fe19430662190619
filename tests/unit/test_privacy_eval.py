"""The NorNE measurement: sentences rebuilt from CoNLL-U with entity spans; recall and the
share of findings on an entity computed from them (on a tiny file written here)."""

from __future__ import annotations

from pathlib import Path

from kodebok.analysis.privacy_eval import Sentence, evaluate, main, read_conllu

CONLLU = """# sent_id = 1
# text = Kari Nordmann bor i Molde.
1\tKari\tKari\tPROPN\t_\t_\t3\tnsubj\t_\tname=B-PER
2\tNordmann\tNordmann\tPROPN\t_\t_\t1\tflat\t_\tname=I-PER
3\tbor\tbo\tVERB\t_\t_\t0\troot\t_\tname=O
4\ti\ti\tADP\t_\t_\t5\tcase\t_\tname=O
5\tMolde\tMolde\tPROPN\t_\t_\t3\tobl\t_\tSpaceAfter=No|name=B-GPE_LOC
6\t.\t$.\tPUNCT\t_\t_\t3\tpunct\t_\tname=O

# sent_id = 2
# text = Det regner i dag.
1\tDet\tdet\tPRON\t_\t_\t2\texpl\t_\tname=O
2\tregner\tregne\tVERB\t_\t_\t0\troot\t_\tname=O
3\ti\ti\tADP\t_\t_\t4\tcase\t_\tname=O
4\tdag\tdag\tNOUN\t_\t_\t2\tobl\t_\tSpaceAfter=No|name=O
5\t.\t$.\tPUNCT\t_\t_\t2\tpunct\t_\tname=O

"""


def test_sentences_are_rebuilt_with_their_entities(tmp_path: Path) -> None:
    path = tmp_path / "x-ud-test.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    sentences = list(read_conllu(path))
    assert [s.text for s in sentences] == ["Kari Nordmann bor i Molde.", "Det regner i dag."]
    first = sentences[0]
    assert [(first.text[s:e], label) for s, e, label in first.entities] == [
        ("Kari Nordmann", "PER"),
        ("Molde", "GPE_LOC"),
    ]


def test_recall_and_findings_on_entities() -> None:
    sentences = [
        Sentence("Kari Nordmann bor i Molde.", [(0, 13, "PER"), (20, 25, "GPE_LOC")]),
        Sentence("Vi ringte 912 34 567 i går.", []),  # a finding on no entity
        Sentence("Det var Bjørnstjerne som kom.", [(8, 20, "PER")]),
    ]
    report = evaluate(sentences)
    recall = report["recall"]
    assert isinstance(recall, dict)
    assert recall["person"] == 1.0
    assert recall["place"] == 1.0
    assert report["findings"] == 4
    assert report["findings_on_an_entity"] == 0.75


def test_main_reads_a_norne_layout(tmp_path: Path, capsys: object) -> None:
    (tmp_path / "ud" / "nob").mkdir(parents=True)
    (tmp_path / "ud" / "nob" / "no_bokmaal-ud-test.conllu").write_text(CONLLU, encoding="utf-8")
    assert main(["--norne", str(tmp_path), "--model", ""]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "person        recall 1.000  of 1 entities" in out
