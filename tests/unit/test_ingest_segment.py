"""Speaker labels and segmentation into turns and paragraphs."""

from __future__ import annotations

import pytest

from kodebok.ingest import segment_paragraphs, segment_transcript
from kodebok.ingest.model import Turn


def spoken(text: str, turns: list[Turn]) -> list[tuple[str | None, str]]:
    return [(t.speaker, text[t.start : t.end]) for t in turns]


@pytest.mark.parametrize(
    ("line", "label", "t_start"),
    [
        ("Kari: Vi har et årshjul.", "Kari", None),
        ("KARI: Vi har et årshjul.", "KARI", None),
        ("I: Vi har et årshjul.", "I", None),
        ("IP: Vi har et årshjul.", "IP", None),
        ("R: Vi har et årshjul.", "R", None),
        ("Leder 2: Vi har et årshjul.", "Leder 2", None),
        ("Informant 3: Vi har et årshjul.", "Informant 3", None),
        ("SPEAKER_00: Vi har et årshjul.", "SPEAKER_00", None),
        ("[Rektor] Vi har et årshjul.", "Rektor", None),
        ("**Ordfører:** Vi har et årshjul.", "Ordfører", None),
        ("**Ordfører**: Vi har et årshjul.", "Ordfører", None),
        ("00:12:03 Rådmann: Vi har et årshjul.", "Rådmann", 723.0),
        ("[00:12:03] Rådmann: Vi har et årshjul.", "Rådmann", 723.0),
        ("Rådmann (00:12:03): Vi har et årshjul.", "Rådmann", 723.0),
        ("12:03 Rådmann: Vi har et årshjul.", "Rådmann", 723.0),
        ("[12:03] Rådmann: Vi har et årshjul.", "Rådmann", 723.0),
        ("Rådmann [12:03]: Vi har et årshjul.", "Rådmann", 723.0),
        ("Kommunalsjef Hansen: Vi har et årshjul.", "Kommunalsjef Hansen", None),
    ],
)
def test_every_label_form_in_the_domain_notes_starts_a_turn(
    line: str, label: str, t_start: float | None
) -> None:
    text = f"Intervju, Nordvik\n\n{line}\nI: Takk."
    turns, _ = segment_transcript(text)
    assert spoken(text, turns)[1] == (label, "Vi har et årshjul.")
    assert turns[1].t_start == t_start


def test_label_alone_on_its_line_takes_the_text_that_follows() -> None:
    text = "Rektor:\nVi har et årshjul.\nI: Takk."
    turns, _ = segment_transcript(text)
    assert spoken(text, turns)[0] == ("Rektor", "Vi har et årshjul.")


@pytest.mark.parametrize(
    "line",
    [
        "Det er sånn: vi må ha mål.",
        "Merk: dette gjelder også barnehagene.",
        "Ja: det stemmer.",
        "Han sa: nå må vi skjerpe oss.",
        "Kl. 10:30 møttes vi i rådhuset.",
        "Mål: bedre læringsresultater.",
    ],
)
def test_colon_inside_a_sentence_is_not_a_label(line: str) -> None:
    text = f"I: Hvordan startet det?\nIP: Vi begynte i 2019.\n{line}\nI: Takk."
    turns, _ = segment_transcript(text)
    assert [t.speaker for t in turns] == ["I", "IP", "I"]
    assert text[turns[1].start : turns[1].end].endswith(line)


def test_document_without_labels_falls_back_to_paragraphs() -> None:
    text = "Handlingsplan\n\nMål: Alle elever skal mestre.\nMerk: gjelder alle.\n\nTiltak: Kurs."
    turns, interviewers = segment_transcript(text)
    assert spoken(text, turns) == [
        (None, "Handlingsplan"),
        (None, "Mål: Alle elever skal mestre.\nMerk: gjelder alle."),
        (None, "Tiltak: Kurs."),
    ]
    assert interviewers == frozenset()


def test_header_lines_before_the_first_label_stay_a_paragraph() -> None:
    text = "Intervju med rektor\nDato: 12. oktober 2023\nSted: Rådhuset\n\nI: Velkommen.\nIP: Takk."
    turns, _ = segment_transcript(text)
    assert spoken(text, turns) == [
        (None, "Intervju med rektor\nDato: 12. oktober 2023\nSted: Rådhuset"),
        ("I", "Velkommen."),
        ("IP", "Takk."),
    ]


def test_focus_group_labels_become_speakers() -> None:
    text = (
        "Moderator: Hva tenker dere om lederavtalene?\n"
        "Leder 1: De er for lange. (latter)\n"
        "Leder 2: Enig.\n"
        "(uhmm sier de andre)\n"
        "Informant 3: Den gir oss en retning.\n"
        "Kari: Og den brukes i medarbeidersamtalen.\n"
    )
    turns, interviewers = segment_transcript(text)
    assert spoken(text, turns) == [
        ("Moderator", "Hva tenker dere om lederavtalene?"),
        ("Leder 1", "De er for lange. (latter)"),
        ("Leder 2", "Enig.\n(uhmm sier de andre)"),
        ("Informant 3", "Den gir oss en retning."),
        ("Kari", "Og den brukes i medarbeidersamtalen."),
    ]
    assert interviewers == frozenset({"Moderator"})


def test_recurring_pseudonyms_are_labels_even_as_first_line() -> None:
    text = "Siri: Vi har et årshjul.\nPer: Ja.\nSiri: Og et styringskort.\nPer: Nettopp."
    turns, _ = segment_transcript(text)
    assert [t.speaker for t in turns] == ["Siri", "Per", "Siri", "Per"]


def test_one_off_name_mid_paragraph_is_not_a_label() -> None:
    text = "I: Hvem bestemte?\nIP: Det var jo slik at\nKommunen: den bestemte alt.\nI: Takk."
    turns, _ = segment_transcript(text)
    assert [t.speaker for t in turns] == ["I", "IP", "I"]


@pytest.mark.parametrize(
    "label", ["I", "Int", "Intervjuer", "Interviewer", "Moderator", "Ordstyrer", "INTERVJUER"]
)
def test_interviewer_labels_are_recognised(label: str) -> None:
    text = f"{label}: Hvordan startet det?\nIP: Med en ståstedsanalyse."
    _, interviewers = segment_transcript(text)
    assert interviewers == frozenset({label})


def test_informant_labels_are_not_interviewers() -> None:
    _, interviewers = segment_transcript("IP: Ja.\nR: Nei.\nInformant 2: Kanskje.")
    assert interviewers == frozenset()


def test_known_labels_from_front_matter_are_accepted() -> None:
    text = "Ola: Velkommen.\nRådgiveren: Takk for det."
    turns, _ = segment_transcript(text, known_labels=["Ola", "Rådgiveren"])
    assert [t.speaker for t in turns] == ["Ola", "Rådgiveren"]


def test_turn_span_excludes_label_and_timestamp_and_is_trimmed() -> None:
    text = "[00:00:05]  Rådmann:   Vi er glade.  \n\n"
    turns, _ = segment_transcript(text)
    assert text[turns[0].start : turns[0].end] == "Vi er glade."


def test_timestamps_give_start_and_next_turn_start_as_end() -> None:
    text = "[00:01] I: Velkommen.\n[00:05] IP: Takk.\n[01:00:00.5] I: Ferdig."
    turns, _ = segment_transcript(text)
    assert [(t.t_start, t.t_end) for t in turns] == [(1.0, 5.0), (5.0, 3600.5), (3600.5, None)]


def test_continuation_paragraphs_belong_to_the_current_turn() -> None:
    text = "IP: Første avsnitt.\n\nAndre avsnitt av samme svar.\nI: Takk."
    turns, _ = segment_transcript(text)
    assert spoken(text, turns)[0] == ("IP", "Første avsnitt.\n\nAndre avsnitt av samme svar.")


def test_markdown_heading_between_turns_is_its_own_paragraph() -> None:
    text = "I: Velkommen.\nIP: Takk.\n\n## Tema 2: Styring\n\nI: Hvem styrer?\nIP: Rådmannen."
    turns, _ = segment_transcript(text)
    assert spoken(text, turns)[2] == (None, "## Tema 2: Styring")
    assert [t.speaker for t in turns] == ["I", "IP", None, "I", "IP"]


def test_label_without_words_gives_no_empty_turn() -> None:
    turns, _ = segment_transcript("I:\nIP: Ja.\nI: Takk.")
    assert [t.speaker for t in turns] == ["IP", "I"]


def test_segment_paragraphs_splits_on_blank_lines_and_trims() -> None:
    text = "  Første avsnitt\nsom fortsetter.\n \n\nAndre.\n\n\n"
    assert spoken(text, segment_paragraphs(text)) == [
        (None, "Første avsnitt\nsom fortsetter."),
        (None, "Andre."),
    ]


def test_every_turn_indexes_the_text_in_order() -> None:
    text = "Tittel\n\nI: a\nIP: b\n\nc\nLeder 1: d"
    turns, _ = segment_transcript(text)
    ends = [0] + [t.end for t in turns]
    assert all(t.start >= prev for t, prev in zip(turns, ends, strict=False))
    assert all(text[t.start : t.end].strip() == text[t.start : t.end] for t in turns)


@pytest.mark.parametrize("note", ["[latter]", "[Latter]", "[Pause]", "[uhørbart]"])
def test_bracketed_non_verbal_notes_are_not_speakers(note: str) -> None:
    text = f"I: Hvordan gikk det?\n{note} Det gikk fint.\nIP: Ja.\n{note}\nI: Takk."
    turns, _ = segment_transcript(text)
    assert [t.speaker for t in turns] == ["I", "IP", "I"]


def test_field_names_in_a_header_block_are_not_speakers() -> None:
    text = "Kommune: Nordvik\nInformant: rektor\nSted: Rådhuset\n\nI: Velkommen.\nIP: Takk."
    turns, _ = segment_transcript(text)
    assert turns[0].speaker is None
    assert [t.speaker for t in turns[1:]] == ["I", "IP"]


def test_timestamp_on_its_own_line_dates_the_next_label_and_is_not_spoken() -> None:
    text = "00:00:05\nI: Velkommen.\n\n[00:00:09]\nIP: Takk.\nOg så videre.\n00:01:30\nMer fra IP."
    turns, _ = segment_transcript(text)
    assert [(t.speaker, text[t.start : t.end], t.t_start, t.t_end) for t in turns] == [
        ("I", "Velkommen.", 5.0, 9.0),
        ("IP", "Takk.\nOg så videre.", 9.0, 90.0),
        ("IP", "Mer fra IP.", 90.0, None),
    ]
