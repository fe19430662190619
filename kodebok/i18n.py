"""UI text in Norwegian bokmål and English: ``t(key, **values)`` with the active language."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"

# Keys are dotted "area.what". A key missing in one language falls back to English, then to
# the key itself, so a forgotten translation shows up as readable text instead of a crash.
CATALOGUES: dict[str, dict[str, str]] = {
    "nb": {
        "app.title": "kodebok",
        "app.locked": "Prosjektet er låst av et annet program som skriver til det. Prøver igjen …",
        "app.locked_gave_up": "Prosjektet er fortsatt låst; endringen ble ikke lagret. Prøv igjen.",
        "app.unlocked": "Prosjektet er ledig igjen; endringen er lagret.",
        "app.open_locked": "Prosjektet {path} er låst av et annet program. Prøver igjen hvert sekund …",
        "app.open_failed": "Kan ikke åpne prosjektet: {error}",
        "app.undone": "Angret: {what}",
        "app.redone": "Gjort om igjen: {what}",
        "app.nothing_undo": "Ingenting å angre",
        "app.nothing_redo": "Ingenting å gjøre om igjen",
        "app.language": "Språk: {lang} (gjelder skjermer som åpnes fra nå)",
        "palette.screen": "Gå til {name}",
        "palette.language": "Bytt språk til {lang}",
        "palette.undo": "Angre siste endring",
        "palette.redo": "Gjør om igjen",
        "palette.help": "Vis hurtigtaster",
        "palette.import": "Importer dokumenter",
        "key.quit": "Avslutt",
        "key.help": "Hjelp",
        "key.back": "Tilbake",
        "key.open": "Åpne",
        "key.import": "Importer",
        "key.filter": "Filtrer",
        "key.codebook": "Kodebok",
        "key.cases": "Caser",
        "key.search": "Søk",
        "key.code": "Kode",
        "key.uncode": "Fjern kode",
        "key.memo": "Notat",
        "key.span": "Velg ord",
        "key.undo": "Angre",
        "key.redo": "Gjør om",
        "key.next_uncoded": "Neste ukodet",
        "key.prev_uncoded": "Forrige ukodet",
        "key.others": "Andre kodere",
        "key.panel": "Panel",
        "key.new": "Ny",
        "key.new_top": "Ny øverst",
        "key.rename": "Gi nytt navn",
        "key.cut": "Klipp ut",
        "key.paste": "Lim inn",
        "key.merge": "Slå sammen",
        "key.delete": "Slett",
        "key.describe": "Beskrivelse",
        "key.keywords": "Nøkkelord",
        "key.colour": "Farge",
        "key.shortcut": "Hurtigtast",
        "key.attribute": "Attributt",
        "key.assign": "Knytt til case",
        "key.speaker": "Taler",
        "key.code_all": "Kod alle treff",
        "key.first": "Første",
        "key.yes": "Ja",
        "key.palette": "Kommandopalett: alle handlinger og koder",
        "key.code_digit": "Kod med koden som har hurtigtasten",
        "key.focus_panel": "Bytt mellom transkripsjon og kodepanel",
        "key.down": "Neste segment",
        "key.up": "Forrige segment",
        "key.page_down": "En side ned",
        "key.page_up": "En side opp",
        "key.span_grow": "Ordvalg: utvid slutten",
        "key.span_shrink": "Ordvalg: krymp slutten",
        "key.span_start_right": "Ordvalg: flytt starten til høyre",
        "key.span_start_left": "Ordvalg: flytt starten til venstre",
        "key.no": "Nei",
        "key.cancel": "Avbryt",
        "key.save": "Lagre",
        "key.last": "Siste",
        "library.title": "Bibliotek",
        "library.filter": "Filtrer dokumenter (navn, case, type, attributt) …",
        "library.case": "Case",
        "library.document": "Dokument",
        "library.kind": "Type",
        "library.speakers": "Talere",
        "library.progress": "Kodet",
        "library.attributes": "Attributter",
        "library.no_case": "(uten case)",
        "library.empty": (
            "Prosjektet er tomt.\n\n"
            "Importer intervjuer fra kommandolinjen:\n"
            "    kodebok import MAPPE_ELLER_FIL\n"
            "og en kodebok:\n"
            "    kodebok codebook import codebooks/malstyring_intervjuguide.yaml\n\n"
            "eller trykk  i  for å importere herfra."
        ),
        "library.import_prompt": "Fil eller mappe å importere",
        "library.importing": "Importerer {name} ({done}/{total}) …",
        "library.imported": "Importert: {ok} nye, {same} uendret, {failed} feilet",
        "library.confirm_update": (
            "{n} dokument(er) finnes fra før med annen tekst ({names}). Importere den nye "
            "versjonen? Kodingene flyttes til den nye teksten; de som ikke finnes igjen, "
            "beholdes og merkes."
        ),
        "library.none_match": "Ingen dokumenter passer til filteret.",
        "coding.title": "Koding",
        "coding.no_code_for_key": "Ingen kode har hurtigtasten {key}",
        "coding.coded": "Kodet med {code}",
        "coding.already": "Allerede kodet med {code}",
        "coding.removed": "Fjernet {code}",
        "coding.nothing_to_remove": "Du har ingen koder på dette segmentet",
        "coding.memo_saved": "Notat lagret",
        "coding.memo_removed": "Notat fjernet",
        "coding.no_uncoded": "Ingen flere ukodede segmenter i den retningen",
        "coding.others_hidden": "Andre koderes kodinger skjult",
        "coding.others_shown": "Andre koderes kodinger vises",
        "coding.span_help": "Velg ord: ←/→ eller h/l endrer slutten, shift+←/→ starten, Enter koder, Esc avbryter",
        "coding.empty_document": "Dokumentet har ingen segmenter.",
        "coding.side_title": "Koder",
        "coding.created_and_coded": "Ny kode {code}, og segmentet er kodet",
        "status.segment": "segment {n}/{total}",
        "status.coder": "koder: {coder}",
        "status.language": "språk: {lang}",
        "status.others_hidden": "andre skjult",
        "status.span": "ordvalg",
        "picker.title": "Velg kode",
        "picker.placeholder": "Skriv for å søke i koder …",
        "picker.create": "+ Lag ny kode «{name}»",
        "picker.remove_title": "Hvilken kode skal fjernes?",
        "memo.title": "Notat til segment {n}",
        "memo.help": "ctrl+s lagrer, Esc avbryter (tomt notat sletter det)",
        "confirm.yes": "Ja",
        "confirm.no": "Nei",
        "input.ok": "OK",
        "input.cancel": "Avbryt",
        "codebook.title": "Kodebok",
        "codebook.root": "Koder",
        "codebook.new_prompt": "Navn på ny kode under {parent}",
        "codebook.new_top_prompt": "Navn på ny kode (øverste nivå)",
        "codebook.rename_prompt": "Nytt navn på {code}",
        "codebook.describe_prompt": "Beskrivelse av {code}",
        "codebook.keywords_prompt": "Nøkkelord for {code} (skilt med komma)",
        "codebook.colour_prompt": "Farge for {code} (#rrggbb, tomt fjerner)",
        "codebook.shortcut_prompt": "Hurtigtast for {code} (1–9, tomt fjerner)",
        "codebook.cut": "Klippet ut {code}; velg ny forelder og trykk p (P: øverste nivå)",
        "codebook.moved": "Flyttet {code}",
        "codebook.nothing_cut": "Ingenting er klippet ut (x klipper ut)",
        "codebook.merge_title": "Slå {code} sammen med …",
        "codebook.merge_confirm": "Slå {src} sammen med {dst}? Kodingene følger med.",
        "codebook.merged": "Slått sammen; {n} kodinger flyttet",
        "codebook.delete_confirm": "Slette {code}? {n} kodinger slettes med den (u angrer).",
        "codebook.deleted": "Slettet {code} og {n} kodinger",
        "codebook.no_code": "Velg en kode først",
        "codebook.details": "Beskrivelse: {description}\nNøkkelord: {keywords}\nFarge: {color}   Hurtigtast: {shortcut}\nKodinger: {codings} (med underkoder {total}) i {documents} dokumenter",
        "codebook.empty": "Ingen koder ennå. Trykk N for å lage en, eller: kodebok codebook import FIL",
        "cases.title": "Caser og attributter",
        "cases.case": "Case",
        "cases.documents": "Dokumenter",
        "cases.attributes": "Attributter",
        "cases.speaker": "Taler",
        "cases.role": "Rolle",
        "cases.level": "Nivå",
        "cases.new_prompt": "Navn på ny case",
        "cases.attr_prompt": "Attributt for {case} som NØKKEL=VERDI (tom verdi fjerner)",
        "cases.assign_title": "Knytt {document} til case",
        "cases.speaker_prompt": "Attributter for {speaker} i {document} (f.eks. role=rektor, level=tjenesteleder)",
        "cases.saved": "Lagret",
        "cases.no_cases": "Ingen caser ennå (n lager en)",
        "search.title": "Søk",
        "search.placeholder": "Søk i alle segmenter (ord*, «frase»); ~ først for uskarpt søk",
        "search.count": "{n} treff",
        "search.none": "Ingen treff",
        "search.code_all_confirm": "Kode alle {n} treff med {code}? (Én angring fjerner alle.)",
        "search.coded_all": "Kodet {added} treff med {code} ({existing} var allerede kodet)",
        "search.no_hits": "Ingen treff å kode",
        "help.title": "Hurtigtaster",
        "help.close": "Esc eller ? lukker",
        "palette.code": "Kod segmentet med {code}",
        "palette.open_document": "Åpne dokument {name}",
        # analysis screens: matrix, presence, QCA, agreement
        "key.matrix": "Matrise",
        "key.presence": "Til stede",
        "key.qca": "QCA",
        "key.agreement": "Enighet",
        "key.privacy": "Personvern",
        "key.pseudonym": "Til pseudonymlisten",
        "key.deep_pass": "Dyp analyse",
        "key.refresh": "Oppdater",
        "privacy.title": "Personvern: mulige personopplysninger",
        "privacy.documents": "Dokumenter",
        "privacy.findings": "Funn",
        "privacy.count": "Funn",
        "privacy.line": "Linje",
        "privacy.kind": "Type",
        "privacy.match": "Tekst",
        "privacy.source": "Kilde",
        "privacy.searching": "Leter etter personopplysninger …",
        "privacy.summary": "{n} funn i {documents} dokumenter (✓ = i pseudonymlisten)",
        "privacy.none": "Ingen funn i dette dokumentet.",
        "privacy.nothing": "Ingen funn er valgt",
        "privacy.added": "{real} → {pseudonym} i pseudonymlisten",
        "privacy.deep_running": "Dyp analyse av alle segmenter …",
        "privacy.deep_done": "Dyp analyse: {segments} segmenter, {words} ord, {entities} navn ({pipeline})",
        "key.grouping": "Grupper etter",
        "key.unit": "Enhet",
        "key.percent": "Prosent",
        "key.rollup": "Samle underkoder",
        "key.export": "Eksporter",
        "key.present": "Sett til stede (✓)",
        "key.absent": "Sett fraværende (–)",
        "key.not_reported": "Sett ikke rapportert (?)",
        "key.clear_override": "Fjern manuell verdi",
        "key.threshold_up": "Terskel opp",
        "key.threshold_down": "Terskel ned",
        "key.outcome": "Utfall",
        "key.add_condition": "Ny betingelse",
        "key.coders": "Kodere",
        "key.coders_long": "Velg kodere",
        "key.keep": "Behold",
        "key.keep_long": "Behold koden for begge",
        "key.drop": "Fjern",
        "key.drop_long": "Fjern koden",
        "analysis.loading": "Beregner …",
        "analysis.no_codes": "Prosjektet har ingen koder ennå (b åpner kodeboken).",
        "analysis.no_codings": "Ingen kodinger ennå: kod noen segmenter først, så vises tabellen her.",
        "analysis.yes": "ja",
        "analysis.no": "nei",
        "analysis.nothing_to_export": "Ingenting å eksportere",
        "analysis.bad_format": "{path}: bruk .xlsx, .csv, .md eller .html",
        "analysis.exported": "Skrevet til {path}",
        "matrix.title": "Matrise",
        "matrix.settings": "Grupper: {by} (g) · enhet: {unit} (e) · prosent: {percent} (p) · samle underkoder: {rollup} (r) · Enter: sitater",
        "matrix.code": "Kode",
        "matrix.n": "N ({unit})",
        "matrix.by_case": "Case",
        "matrix.by_document": "Dokument",
        "matrix.by_speaker": "Taler",
        "matrix.unit_codings": "kodinger",
        "matrix.unit_segments": "segmenter",
        "matrix.unit_documents": "dokumenter",
        "matrix.unit_cases": "caser",
        "matrix.unit_speakers": "talere",
        "matrix.unit_words": "ord",
        "matrix.percent_none": "ingen",
        "matrix.percent_row": "av raden",
        "matrix.percent_column": "av kolonnen",
        "matrix.grouping_title": "Kolonner: grupper etter",
        "matrix.quotes_title": "Sitater: {code} i {group}",
        "matrix.export_prompt": "Eksporter matrisen til fil (.xlsx, .csv, .md eller .html)",
        "quotes.help": "Enter åpner sitatet i kodeskjermen · Esc lukker",
        "quotes.none": "Ingen sitater i denne cellen.",
        "presence.title": "Til stede per case",
        "presence.rule": "Regel: {rule} (+/- endrer) · * = manuell verdi · 1/0/n setter, c fjerner",
        "presence.no_cases": "Prosjektet har ingen caser ennå (c i biblioteket åpner caser).",
        "presence.pick_cell": "Velg en celle (en case under en kode).",
        "presence.no_override": "Cellen har ingen manuell verdi",
        "presence.note_prompt": "Notat for {case} × {code} ({value})",
        "presence.source_rule": "regel {rule}: {codings} kodinger, {speakers} informanter, {segments} segmenter ({share})",
        "presence.source_override": "manuell verdi: «{note}» av {author}, {at}",
        "presence.source_no_documents": "casen har ingen dokumenter",
        "qca.title": "QCA",
        "qca.settings": "Utfall: {outcome} (o) · {n} betingelser (mellomrom) · til stede: {rule} (+/-) · incl.cut {incl} ([/])",
        "qca.help": "Velg betingelser med mellomrom og utfallet med o; tabellene beregnes da.",
        "qca.no_material": "QCA trenger caser og koder (eller case-attributter).",
        "qca.data_table": "Datatabell",
        "qca.truth_table": "Sannhetstabell",
        "qca.cases": "Caser",
        "qca.complex": "Kompleks løsning",
        "qca.parsimonious": "Sparsommelig løsning",
        "qca.contradictions": "{n} motsigelsesfulle rader (rødt): casene er uenige om utfallet",
        "qca.add_prompt": "Betingelse fra case-attributt, f.eks. innbyggere>=8000",
        "qca.export_prompt": "Eksporter datatabellen som CSV til fil",
        "agreement.title": "Enighet mellom kodere",
        "agreement.summary": "{coders}: {documents} felles dokumenter · {percent} enige · kappa {kappa} · alfa {alpha} · {n} uenigheter",
        "agreement.disagreements": "Uenigheter (k beholder koden for begge, d fjerner den)",
        "agreement.positives": "Kodet av",
        "agreement.with": "Kodet av",
        "agreement.without": "Ikke kodet av",
        "agreement.need_two": "Enighet trenger kodinger fra minst to kodere.",
        "agreement.none": "Ingen uenigheter igjen.",
        "agreement.segment": "{document} #{idx} · {code} · kodet av {coders}\n{text}",
        "agreement.choose_coders": "Sammenlign kodere",
        "agreement.resolved": "{code}: {verdict}",
        "analysis.help_quotes": "Sitatene bak cellen (Enter på et sitat åpner det)",
        "analysis.help_condition": "Ta med eller ta bort som betingelse",
        "analysis.help_tab": "Bytt mellom tabellene",
        "key.palette_short": "palett",
        "palette.placeholder": "Søk etter kommandoer, skjermer, dokumenter og koder …",
        "palette.theme": "Fargetema",
        "palette.theme_help": "Bytt fargetema",
        "palette.quit": "Avslutt",
        "palette.quit_help": "Avslutt kodebok",
        "palette.screenshot": "Skjermbilde",
        "palette.screenshot_help": "Lagre et SVG-bilde av skjermen",
        "key.incl_up": "incl.cut opp",
        "key.incl_down": "incl.cut ned",
        # journal: what an operation did (kodebok.notes.Change), for undo, redo and history
        "journal.code_segment": "Kode {doc} #{number} med {code}",
        "journal.uncode_segment": "Fjern {code} fra {doc} #{number}",
        "journal.memo_coding": "Notat på {code} i {doc} {where}",
        "journal.memo_segment": "Notat på {doc} #{number}",
        "journal.memo_document": "Notat på {doc}",
        "journal.memo_other": "Notat ({kind})",
        "journal.import_codings": "Importer kodinger fra {file}",
        "journal.import_document": "Importer {name}",
        "journal.import_update": "Ny versjon av {name}",
        "journal.import_qdpx": "Importer {file}",
        "journal.set_pseudonym": "Pseudonym for {real}",
        "journal.remove_pseudonym": "Fjern pseudonym for {real}",
        "journal.add_pseudonyms": "{n} nye pseudonymer fra en eksport",
        "journal.code_hits": "Kod {n} søketreff med {code}",
        "journal.code_all_hits": "Kod alle treff på «{query}» med {code}",
        "journal.accept_feedback": "{coder} godtok et forslag",
        "journal.reject_feedback": "{coder} avviste et forslag",
        "journal.accept_suggestion": "Godta forslaget {code} på {doc} #{number}",
        "journal.demo_codings": "Demo-kodinger",
        "journal.merge_project": "Slå sammen med {file}",
        "journal.resolve": "Avgjør {code} på {doc} #{number}",
        "journal.set_case_attributes": "Sett attributter for {case}",
        "journal.assign_case": "Knytt {doc} til {case}",
        "journal.unassign_case": "Ta {doc} ut av casen",
        "journal.import_cases": "Importer caser fra {file}",
        "journal.import_speakers": "Importer talere fra {file}",
        "journal.set_speaker_attributes": "Sett attributter for {speaker} i {doc}",
        "journal.import_document_table": "Importer dokumenttabell {file}",
        "journal.set_presence": "Sett til stede for {case} × {code}",
        "journal.clear_presence": "Fjern manuell til stede-verdi for {case} × {code}",
        "journal.create_code": "Ny kode {code}",
        "journal.create_code_and_code": "Ny kode {code} på {doc} #{number}",
        "journal.update_code": "Endre kode {code}",
        "journal.rename_code": "Gi nytt navn {code} → {name}",
        "journal.move_code": "Flytt {code}",
        "journal.merge_codes": "Slå sammen {code} → {into}",
        "journal.delete_code": "Slett kode {code}",
        "journal.import_codebook": "Importer kodebok {source}",
        "count.documents.one": "{n} dokument",
        "count.documents.many": "{n} dokumenter",
        "count.cases.one": "{n} case",
        "count.cases.many": "{n} caser",
        "count.codes.one": "{n} kode",
        "count.codes.many": "{n} koder",
        "count.codings.one": "{n} koding",
        "count.codings.many": "{n} kodinger",
        "count.memos.one": "{n} notat",
        "count.memos.many": "{n} notater",
        "cli.undid": "Angret: {what}",
        "cli.redid": "Gjort om igjen: {what}",
        "cli.nothing_undo": "Ingenting å angre for {coder}",
        "cli.nothing_redo": "Ingenting å gjøre om igjen for {coder}",
        # a refused undo or redo (store.project: KodebokError code journal.refused)
        "item.document": "dokumentet «{name}» (id {id})",
        "item.code": "koden «{name}» (id {id})",
        "item.case": "casen «{name}» (id {id})",
        "item.person": "personen «{name}» (id {id})",
        "item.speaker": "taleren «{name}» (id {id})",
        "item.attribute": "attributtet «{name}» (id {id})",
        "item.coding": "en koding av {coder}",
        "item.with_code": " med «{code}»",
        "item.in_doc": " i «{doc}»",
        "item.id": " (id {id})",
        "item.segment": "segment #{number}",
        "item.memo": "et notat av {author}",
        "item.presence": "en manuell til stede-verdi av {author}",
        "item.row": "rad {id} i {table}",
        "refused.added": "{item} er lagt til siden",
        "refused.removed": "{item} er fjernet siden",
        "refused.changed": "{item} er endret siden ({columns})",
        "refused.depends": "{item} avhenger av {other}",
        "refused.revised": "«{doc}» er revidert siden ({item} peker inn i den gamle teksten)",
        "refused.not_allowed": "prosjektet tillater det ikke lenger ({detail})",
        "refused.undo": "Kan ikke angre «{what}»: {why}; ingenting ble endret (angre de senere endringene først{backup})",
        "refused.redo": "Kan ikke gjøre om igjen «{what}»: {why}; ingenting ble endret (det går ikke lenger å gjøre om igjen)",
        "refused.backup": ", eller gå tilbake til sikkerhetskopien fra før: kodebok restore {backup}",
        "msg.qca.fuzzy_data": "{source} har medlemskap mellom 0 og 1 og leses derfor som fuzzy-mengdedata",
        "msg.qca.half_membership": "Casen «{case}» har medlemskap 0,5 i {names} og hører ikke til noen rad i sannhetstabellen (fuzzy-betingelser bør unngå 0,5)",
        "msg.qca.constant": "Betingelsen «{name}» har samme verdi i alle caser og kan ikke forklare utfallet",
        "msg.qca.left_out": "Casen «{case}» er utelatt: ikke rapportert for {names}",
        "msg.qca.counted_absent": "Casen «{case}»: ikke rapportert for {names}, regnet som fraværende (0)",
        "msg.qca.no_complete_case": "Ingen case har rapporterte verdier for alle betingelsene og utfallet",
        "msg.qca.contradictory": "Rad {row} ({configuration}) er motsigelsesfull: {positive} med utfallet, {negative} uten; OUT = {out}",
        "msg.qca.same_names": "Kolonnenavnene må være ulike: {names} (gi kodene ulike navn, eller bruk --names på kommandolinjen)",
        "msg.qca.no_cases": "Prosjektet har ingen caser; legg dem til på case-skjermen (c i biblioteket) eller med «kodebok cases import»",
        "msg.qca.no_attribute": "Ingen case-attributt heter «{name}»; attributtene er: {known}",
        "msg.qca.not_a_number": "«{condition}»: «{value}» er ikke et tall",
        "msg.qca.bad_condition": "Kan ikke lese betingelsen «{condition}»; skriv f.eks. innbyggere>=8000 eller organisering=tonivå",
        "msg.qca.too_many_models": "{n} like minimale modeller (flere enn {limit}); dataene gir ingen lesbar løsning (bruk færre betingelser eller flere caser)",
        "msg.qca.too_many_conditions": "Sparsommelig minimering tar opptil {limit} betingelser, ikke {n}",
        "msg.qca.no_cover": "De positive radene kan ikke dekkes av primimplikantene",
        "agreement.kappa": "kappa",
        "agreement.alpha": "alfa",
        "lang.nb": "bokmål",
        "lang.nn": "nynorsk",
        "lang.no": "norsk",
        "lang.en": "engelsk",
        "lang.sv": "svensk",
        "lang.da": "dansk",
        "key.hits": "Til treffene",
    },
    "en": {
        "app.title": "kodebok",
        "app.locked": "The project is locked by another program writing to it. Retrying …",
        "app.locked_gave_up": "The project is still locked; the change was not saved. Try again.",
        "app.unlocked": "The project is free again; the change is saved.",
        "app.open_locked": "The project {path} is locked by another program. Retrying every second …",
        "app.open_failed": "Cannot open the project: {error}",
        "app.undone": "Undone: {what}",
        "app.redone": "Redone: {what}",
        "app.nothing_undo": "Nothing to undo",
        "app.nothing_redo": "Nothing to redo",
        "app.language": "Language: {lang} (for screens opened from now on)",
        "palette.screen": "Go to {name}",
        "palette.language": "Switch language to {lang}",
        "palette.undo": "Undo the last change",
        "palette.redo": "Redo",
        "palette.help": "Show the keys",
        "palette.import": "Import documents",
        "key.quit": "Quit",
        "key.help": "Help",
        "key.back": "Back",
        "key.open": "Open",
        "key.import": "Import",
        "key.filter": "Filter",
        "key.codebook": "Codebook",
        "key.cases": "Cases",
        "key.search": "Search",
        "key.code": "Code",
        "key.uncode": "Remove code",
        "key.memo": "Memo",
        "key.span": "Select words",
        "key.undo": "Undo",
        "key.redo": "Redo",
        "key.next_uncoded": "Next uncoded",
        "key.prev_uncoded": "Previous uncoded",
        "key.others": "Other coders",
        "key.panel": "Panel",
        "key.new": "New",
        "key.new_top": "New top",
        "key.rename": "Rename",
        "key.cut": "Cut",
        "key.paste": "Paste",
        "key.merge": "Merge",
        "key.delete": "Delete",
        "key.describe": "Description",
        "key.keywords": "Keywords",
        "key.colour": "Colour",
        "key.shortcut": "Shortcut",
        "key.attribute": "Attribute",
        "key.assign": "Assign case",
        "key.speaker": "Speaker",
        "key.code_all": "Code all hits",
        "key.first": "First",
        "key.yes": "Yes",
        "key.palette": "Command palette: every action and code",
        "key.code_digit": "Code with the code that has this shortcut",
        "key.focus_panel": "Switch between transcript and code panel",
        "key.down": "Next segment",
        "key.up": "Previous segment",
        "key.page_down": "Page down",
        "key.page_up": "Page up",
        "key.span_grow": "Selection: grow the end",
        "key.span_shrink": "Selection: shrink the end",
        "key.span_start_right": "Selection: move the start right",
        "key.span_start_left": "Selection: move the start left",
        "key.no": "No",
        "key.cancel": "Cancel",
        "key.save": "Save",
        "key.last": "Last",
        "library.title": "Library",
        "library.filter": "Filter documents (name, case, kind, attribute) …",
        "library.case": "Case",
        "library.document": "Document",
        "library.kind": "Kind",
        "library.speakers": "Speakers",
        "library.progress": "Coded",
        "library.attributes": "Attributes",
        "library.no_case": "(no case)",
        "library.empty": (
            "The project is empty.\n\n"
            "Import interviews from the command line:\n"
            "    kodebok import FILE_OR_FOLDER\n"
            "and a codebook:\n"
            "    kodebok codebook import codebooks/malstyring_intervjuguide.yaml\n\n"
            "or press  i  to import from here."
        ),
        "library.import_prompt": "File or folder to import",
        "library.importing": "Importing {name} ({done}/{total}) …",
        "library.imported": "Imported: {ok} new, {same} unchanged, {failed} failed",
        "library.confirm_update": (
            "{n} document(s) exist already with other text ({names}). Import the new "
            "version? Codings move to the new text; those that cannot be found are kept "
            "and marked."
        ),
        "library.none_match": "No documents match the filter.",
        "coding.title": "Coding",
        "coding.no_code_for_key": "No code has the shortcut {key}",
        "coding.coded": "Coded with {code}",
        "coding.already": "Already coded with {code}",
        "coding.removed": "Removed {code}",
        "coding.nothing_to_remove": "You have no codes on this segment",
        "coding.memo_saved": "Memo saved",
        "coding.memo_removed": "Memo removed",
        "coding.no_uncoded": "No more uncoded segments that way",
        "coding.others_hidden": "Other coders' codings hidden",
        "coding.others_shown": "Other coders' codings shown",
        "coding.span_help": "Select words: ←/→ or h/l move the end, shift+←/→ the start, Enter codes, Esc cancels",
        "coding.empty_document": "The document has no segments.",
        "coding.side_title": "Codes",
        "coding.created_and_coded": "New code {code}, and the segment is coded",
        "status.segment": "segment {n}/{total}",
        "status.coder": "coder: {coder}",
        "status.language": "language: {lang}",
        "status.others_hidden": "others hidden",
        "status.span": "word selection",
        "picker.title": "Choose a code",
        "picker.placeholder": "Type to search codes …",
        "picker.create": "+ Create code “{name}”",
        "picker.remove_title": "Which code should be removed?",
        "memo.title": "Memo on segment {n}",
        "memo.help": "ctrl+s saves, Esc cancels (an empty memo deletes it)",
        "confirm.yes": "Yes",
        "confirm.no": "No",
        "input.ok": "OK",
        "input.cancel": "Cancel",
        "codebook.title": "Codebook",
        "codebook.root": "Codes",
        "codebook.new_prompt": "Name of the new code under {parent}",
        "codebook.new_top_prompt": "Name of the new code (top level)",
        "codebook.rename_prompt": "New name for {code}",
        "codebook.describe_prompt": "Description of {code}",
        "codebook.keywords_prompt": "Keywords for {code} (comma separated)",
        "codebook.colour_prompt": "Colour for {code} (#rrggbb, empty removes it)",
        "codebook.shortcut_prompt": "Shortcut for {code} (1–9, empty removes it)",
        "codebook.cut": "Cut {code}; choose the new parent and press p (P: top level)",
        "codebook.moved": "Moved {code}",
        "codebook.nothing_cut": "Nothing is cut (x cuts)",
        "codebook.merge_title": "Merge {code} into …",
        "codebook.merge_confirm": "Merge {src} into {dst}? Its codings follow.",
        "codebook.merged": "Merged; {n} codings moved",
        "codebook.delete_confirm": "Delete {code}? {n} codings go with it (u undoes).",
        "codebook.deleted": "Deleted {code} and {n} codings",
        "codebook.no_code": "Choose a code first",
        "codebook.details": "Description: {description}\nKeywords: {keywords}\nColour: {color}   Shortcut: {shortcut}\nCodings: {codings} (with children {total}) in {documents} documents",
        "codebook.empty": "No codes yet. Press N to create one, or: kodebok codebook import FILE",
        "cases.title": "Cases and attributes",
        "cases.case": "Case",
        "cases.documents": "Documents",
        "cases.attributes": "Attributes",
        "cases.speaker": "Speaker",
        "cases.role": "Role",
        "cases.level": "Level",
        "cases.new_prompt": "Name of the new case",
        "cases.attr_prompt": "Attribute of {case} as KEY=VALUE (empty value removes it)",
        "cases.assign_title": "Assign {document} to a case",
        "cases.speaker_prompt": "Attributes of {speaker} in {document} (e.g. role=rektor, level=tjenesteleder)",
        "cases.saved": "Saved",
        "cases.no_cases": "No cases yet (n creates one)",
        "search.title": "Search",
        "search.placeholder": "Search all segments (word*, “phrase”); start with ~ for fuzzy",
        "search.count": "{n} hits",
        "search.none": "No hits",
        "search.code_all_confirm": "Code all {n} hits with {code}? (One undo removes them all.)",
        "search.coded_all": "Coded {added} hits with {code} ({existing} were coded already)",
        "search.no_hits": "No hits to code",
        "help.title": "Keys",
        "help.close": "Esc or ? closes",
        "palette.code": "Code the segment with {code}",
        "palette.open_document": "Open document {name}",
        # analysis screens: matrix, presence, QCA, agreement
        "key.matrix": "Matrix",
        "key.presence": "Presence",
        "key.qca": "QCA",
        "key.agreement": "Agreement",
        "key.privacy": "Privacy",
        "key.pseudonym": "To pseudonym map",
        "key.deep_pass": "Deep pass",
        "key.refresh": "Refresh",
        "privacy.title": "Privacy: likely personal data",
        "privacy.documents": "Documents",
        "privacy.findings": "Findings",
        "privacy.count": "Findings",
        "privacy.line": "Line",
        "privacy.kind": "Kind",
        "privacy.match": "Text",
        "privacy.source": "Source",
        "privacy.searching": "Looking for personal data …",
        "privacy.summary": "{n} findings in {documents} documents (✓ = in the pseudonym map)",
        "privacy.none": "Nothing found in this document.",
        "privacy.nothing": "No finding is highlighted",
        "privacy.added": "{real} → {pseudonym} in the pseudonym map",
        "privacy.deep_running": "Deep pass over every segment …",
        "privacy.deep_done": "Deep pass: {segments} segments, {words} words, {entities} names ({pipeline})",
        "key.grouping": "Group by",
        "key.unit": "Unit",
        "key.percent": "Percent",
        "key.rollup": "Roll up subcodes",
        "key.export": "Export",
        "key.present": "Set present (✓)",
        "key.absent": "Set absent (–)",
        "key.not_reported": "Set not reported (?)",
        "key.clear_override": "Clear manual value",
        "key.threshold_up": "Threshold up",
        "key.threshold_down": "Threshold down",
        "key.outcome": "Outcome",
        "key.add_condition": "New condition",
        "key.coders": "Coders",
        "key.coders_long": "Choose coders",
        "key.keep": "Keep",
        "key.keep_long": "Keep the code for both",
        "key.drop": "Drop",
        "key.drop_long": "Drop the code",
        "analysis.loading": "Computing …",
        "analysis.no_codes": "The project has no codes yet (b opens the codebook).",
        "analysis.no_codings": "No codings yet: code some segments first, then the table shows here.",
        "analysis.yes": "yes",
        "analysis.no": "no",
        "analysis.nothing_to_export": "Nothing to export",
        "analysis.bad_format": "{path}: use .xlsx, .csv, .md or .html",
        "analysis.exported": "Written to {path}",
        "matrix.title": "Matrix",
        "matrix.settings": "Group: {by} (g) · unit: {unit} (e) · percent: {percent} (p) · roll up: {rollup} (r) · Enter: quotes",
        "matrix.code": "Code",
        "matrix.n": "N ({unit})",
        "matrix.by_case": "Case",
        "matrix.by_document": "Document",
        "matrix.by_speaker": "Speaker",
        "matrix.unit_codings": "codings",
        "matrix.unit_segments": "segments",
        "matrix.unit_documents": "documents",
        "matrix.unit_cases": "cases",
        "matrix.unit_speakers": "speakers",
        "matrix.unit_words": "words",
        "matrix.percent_none": "none",
        "matrix.percent_row": "of the row",
        "matrix.percent_column": "of the column",
        "matrix.grouping_title": "Columns: group by",
        "matrix.quotes_title": "Quotes: {code} in {group}",
        "matrix.export_prompt": "Export the matrix to a file (.xlsx, .csv, .md or .html)",
        "quotes.help": "Enter opens the quote on the coding screen · Esc closes",
        "quotes.none": "No quotes in this cell.",
        "presence.title": "Presence per case",
        "presence.rule": "Rule: {rule} (+/- changes) · * = manual value · 1/0/n set, c clears",
        "presence.no_cases": "The project has no cases yet (c in the library opens cases).",
        "presence.pick_cell": "Choose a cell (a case under a code).",
        "presence.no_override": "The cell has no manual value",
        "presence.note_prompt": "Note for {case} × {code} ({value})",
        "presence.source_rule": "rule {rule}: {codings} codings, {speakers} informants, {segments} segments ({share})",
        "presence.source_override": "manual value: “{note}” by {author}, {at}",
        "presence.source_no_documents": "the case has no documents",
        "qca.title": "QCA",
        "qca.settings": "Outcome: {outcome} (o) · {n} conditions (space) · present: {rule} (+/-) · incl.cut {incl} ([/])",
        "qca.help": "Choose conditions with space and the outcome with o; the tables follow.",
        "qca.no_material": "QCA needs cases and codes (or case attributes).",
        "qca.data_table": "Data table",
        "qca.truth_table": "Truth table",
        "qca.cases": "Cases",
        "qca.complex": "Complex solution",
        "qca.parsimonious": "Parsimonious solution",
        "qca.contradictions": "{n} contradictory rows (red): their cases disagree on the outcome",
        "qca.add_prompt": "Condition from a case attribute, e.g. innbyggere>=8000",
        "qca.export_prompt": "Export the data table as CSV to a file",
        "agreement.title": "Agreement between coders",
        "agreement.summary": "{coders}: {documents} shared documents · {percent} agree · kappa {kappa} · alpha {alpha} · {n} disagreements",
        "agreement.disagreements": "Disagreements (k keeps the code for both, d drops it)",
        "agreement.positives": "Coded by",
        "agreement.with": "Coded by",
        "agreement.without": "Not coded by",
        "agreement.need_two": "Agreement needs codings from at least two coders.",
        "agreement.none": "No disagreements left.",
        "agreement.segment": "{document} #{idx} · {code} · coded by {coders}\n{text}",
        "agreement.choose_coders": "Compare coders",
        "agreement.resolved": "{code}: {verdict}",
        "analysis.help_quotes": "The quotes behind the cell (Enter on a quote opens it)",
        "analysis.help_condition": "Include or drop as a condition",
        "analysis.help_tab": "Switch between the tables",
        "key.palette_short": "palette",
        "palette.placeholder": "Search for commands, screens, documents and codes …",
        "palette.theme": "Theme",
        "palette.theme_help": "Change the colour theme",
        "palette.quit": "Quit",
        "palette.quit_help": "Quit kodebok",
        "palette.screenshot": "Screenshot",
        "palette.screenshot_help": "Save an SVG picture of the screen",
        "key.incl_up": "incl.cut up",
        "key.incl_down": "incl.cut down",
        # journal: what an operation did (kodebok.notes.Change), for undo, redo and history
        "journal.code_segment": "Code {doc} #{number} with {code}",
        "journal.uncode_segment": "Remove {code} from {doc} #{number}",
        "journal.memo_coding": "Memo on {code} in {doc} {where}",
        "journal.memo_segment": "Memo on {doc} #{number}",
        "journal.memo_document": "Memo on {doc}",
        "journal.memo_other": "Memo ({kind})",
        "journal.import_codings": "Import codings from {file}",
        "journal.import_document": "Import {name}",
        "journal.import_update": "New version of {name}",
        "journal.import_qdpx": "Import {file}",
        "journal.set_pseudonym": "Pseudonym for {real}",
        "journal.remove_pseudonym": "Remove the pseudonym for {real}",
        "journal.add_pseudonyms": "{n} new pseudonyms from an export",
        "journal.code_hits": "Code {n} search hits with {code}",
        "journal.code_all_hits": "Code all hits for “{query}” with {code}",
        "journal.accept_feedback": "{coder} accepted a suggestion",
        "journal.reject_feedback": "{coder} rejected a suggestion",
        "journal.accept_suggestion": "Accept the suggestion {code} on {doc} #{number}",
        "journal.demo_codings": "Demo codings",
        "journal.merge_project": "Merge with {file}",
        "journal.resolve": "Resolve {code} on {doc} #{number}",
        "journal.set_case_attributes": "Set attributes of {case}",
        "journal.assign_case": "Assign {doc} to {case}",
        "journal.unassign_case": "Take {doc} out of its case",
        "journal.import_cases": "Import cases from {file}",
        "journal.import_speakers": "Import speakers from {file}",
        "journal.set_speaker_attributes": "Set attributes of {speaker} in {doc}",
        "journal.import_document_table": "Import the document table {file}",
        "journal.set_presence": "Set presence for {case} × {code}",
        "journal.clear_presence": "Clear the manual presence value for {case} × {code}",
        "journal.create_code": "New code {code}",
        "journal.create_code_and_code": "New code {code} on {doc} #{number}",
        "journal.update_code": "Change code {code}",
        "journal.rename_code": "Rename {code} → {name}",
        "journal.move_code": "Move {code}",
        "journal.merge_codes": "Merge {code} → {into}",
        "journal.delete_code": "Delete code {code}",
        "journal.import_codebook": "Import codebook {source}",
        "count.documents.one": "{n} document",
        "count.documents.many": "{n} documents",
        "count.cases.one": "{n} case",
        "count.cases.many": "{n} cases",
        "count.codes.one": "{n} code",
        "count.codes.many": "{n} codes",
        "count.codings.one": "{n} coding",
        "count.codings.many": "{n} codings",
        "count.memos.one": "{n} memo",
        "count.memos.many": "{n} memos",
        "cli.undid": "Undid: {what}",
        "cli.redid": "Redid: {what}",
        "cli.nothing_undo": "Nothing to undo for {coder}",
        "cli.nothing_redo": "Nothing to redo for {coder}",
        # a refused undo or redo (store.project: KodebokError code journal.refused)
        "item.document": "document '{name}' (id {id})",
        "item.code": "code '{name}' (id {id})",
        "item.case": "case '{name}' (id {id})",
        "item.person": "person '{name}' (id {id})",
        "item.speaker": "speaker '{name}' (id {id})",
        "item.attribute": "attribute '{name}' (id {id})",
        "item.coding": "a coding by {coder}",
        "item.with_code": " with '{code}'",
        "item.in_doc": " in '{doc}'",
        "item.id": " (id {id})",
        "item.segment": "segment #{number}",
        "item.memo": "a memo by {author}",
        "item.presence": "a presence override by {author}",
        "item.row": "{table} row {id}",
        "refused.added": "{item} was added since",
        "refused.removed": "{item} was removed since",
        "refused.changed": "{item} was changed since ({columns})",
        "refused.depends": "{item} depends on {other}",
        "refused.revised": "'{doc}' was revised since ({item} points into its old text)",
        "refused.not_allowed": "the project does not allow it any more ({detail})",
        "refused.undo": "cannot undo '{what}': {why}; nothing was changed (undo the later changes first{backup})",
        "refused.redo": "cannot redo '{what}': {why}; nothing was changed (the redo is no longer possible)",
        "refused.backup": ", or go back to the backup taken before it: kodebok restore {backup}",
        "msg.qca.fuzzy_data": "{source} has memberships between 0 and 1, so it is read as fuzzy-set data",
        "msg.qca.half_membership": "Case “{case}” has membership 0.5 in {names} and belongs to no truth-table row (fuzzy conditions should avoid 0.5)",
        "msg.qca.constant": "Condition “{name}” has the same value in every case and cannot explain the outcome",
        "msg.qca.left_out": "Case “{case}” left out: not reported for {names}",
        "msg.qca.counted_absent": "Case “{case}”: not reported for {names}, counted as absent (0)",
        "msg.qca.no_complete_case": "No case has reported values for every condition and the outcome",
        "msg.qca.contradictory": "Row {row} ({configuration}) is contradictory: {positive} with the outcome, {negative} without; OUT = {out}",
        "msg.qca.same_names": "Column names must differ: {names} (give the codes different names, or use --names on the command line)",
        "msg.qca.no_cases": "The project has no cases; add them on the cases screen (c in the library) or with “kodebok cases import”",
        "msg.qca.no_attribute": "No case attribute is called “{name}”; the attributes are: {known}",
        "msg.qca.not_a_number": "“{condition}”: “{value}” is not a number",
        "msg.qca.bad_condition": "Cannot read the condition “{condition}”; write e.g. innbyggere>=8000 or organisering=tonivå",
        "msg.qca.too_many_models": "{n} equally minimal models (more than {limit}); the data do not support a readable solution (use fewer conditions or more cases)",
        "msg.qca.too_many_conditions": "Parsimonious minimisation supports up to {limit} conditions, not {n}",
        "msg.qca.no_cover": "The positive rows cannot be covered by the prime implicants",
        "agreement.kappa": "kappa",
        "agreement.alpha": "alpha",
        "lang.nb": "Bokmål",
        "lang.nn": "Nynorsk",
        "lang.no": "Norwegian",
        "lang.en": "English",
        "lang.sv": "Swedish",
        "lang.da": "Danish",
        "key.hits": "To the hits",
    },
}

_active = DEFAULT_LANGUAGE


def resolve_language(explicit: str | None = None, project_setting: str | None = None) -> str:
    """The language to use: explicit choice, else ``$KODEBOK_LANG``, else the project's, else nb."""
    for candidate in (explicit, os.environ.get("KODEBOK_LANG"), project_setting):
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in ("nb", "no", "nn"):
                return "nb"
            if code == "en":
                return "en"
    return DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    """Make ``language`` (nb or en) the active one for ``t``."""
    global _active
    _active = resolve_language(language)


def current_language() -> str:
    """The active language code."""
    return _active


def decimal_mark() -> str:
    """The decimal separator of the active language: a comma in Norwegian, a point in English."""
    return "," if _active == "nb" else "."


def number(value: float | None, places: int = 3) -> str:
    """A number with ``places`` decimals and the language's decimal mark; ``–`` for none (NA).

    The one formatter of decimals in the UI: matrix percentages, QCA fit, agreement.
    """
    if value is None:
        return "–"
    return f"{value:.{places}f}".replace(".", decimal_mark())


def percent(value: float | None, places: int = 1) -> str:
    """A share (0–1) as ``12,5 %`` (nb) or ``12.5 %`` (en); ``–`` for none."""
    return "–" if value is None else f"{number(100 * value, places)} %"


def language_name(code: str) -> str:
    """A document language (nb, nn, en, ...) named in the active UI language."""
    key = f"lang.{code.strip().lower()}"
    name = t(key)
    return code if name == key else name


def render(message: object) -> str:
    """A service message (a :class:`kodebok.notes.Note` or a KodebokError) in the UI language.

    Messages with a ``code`` the catalogue knows (``msg.<code>``) are rendered from it with
    their parameters; others keep their own text.
    """
    code = getattr(message, "code", "")
    params = getattr(message, "params", None) or {}
    if code == "journal.refused":
        return refusal_text(params)
    if code and f"msg.{code}" in CATALOGUES[_active]:
        return t(f"msg.{code}", **{k: _param(v) for k, v in params.items()})
    text = getattr(message, "message", None)
    return text if isinstance(text, str) else str(message)


def _param(value: object, language: str | None = None) -> object:
    """Lists in messages are joined with commas; numbers get the language's decimal mark."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        text = f"{value:.2f}"
        return text.replace(".", ",") if (language or _active) == "nb" else text
    return value


def t(key: str, /, **values: object) -> str:
    """The text for ``key`` in the active language, with ``{name}`` fields filled in."""
    return tr(_active, key, **values)


def tr(language: str, key: str, /, **values: object) -> str:
    """The text for ``key`` in ``language`` (nb or en), with ``{name}`` fields filled in.

    For callers that choose the language per call (the CLI) instead of setting it globally.
    """
    text = CATALOGUES.get(language, {}).get(key) or CATALOGUES["en"].get(key) or key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def change_text(params: Mapping[str, object], language: str | None = None) -> str:
    """A journaled operation (``{"op": code, **params}``, see kodebok.notes.Change) as text.

    In ``language`` (default: the active one). An operation code the catalogue does not know
    (written by a newer kodebok) is shown as its code with its parameters.
    """
    lang = language or _active
    code = str(params.get("op", ""))
    values = {k: _param(v, lang) for k, v in params.items() if k != "op"}
    key = f"journal.{code}"
    if key not in CATALOGUES.get(lang, CATALOGUES["en"]) and key not in CATALOGUES["en"]:
        shown = ", ".join(f"{k}={v}" for k, v in values.items())
        return f"{code} ({shown})" if shown else code
    return tr(lang, key, **values)


def count_text(counts: Mapping[str, int], language: str | None = None) -> str:
    """How many rows an operation changed, per kind: "17 dokumenter, 724 kodinger"."""
    lang = language or _active
    return ", ".join(
        tr(lang, f"count.{kind}.{'one' if n == 1 else 'many'}", n=n)
        for kind, n in counts.items()
        if n
    )


def journal_text(entry: object, language: str | None = None) -> str:
    """A journal entry (kodebok.store.project.JournalEntry) as the undo, redo or history text.

    Entries with a message code are rendered in ``language`` (default: the active one), with
    how much an undo or redo changed when it was more than one row; entries written before the
    journal stored codes (schema 3 and older) show their stored description.
    """
    params = getattr(entry, "params", None)
    text = change_text(params, language) if params else str(getattr(entry, "description", ""))
    amount = count_text(getattr(entry, "counts", None) or {}, language)
    return f"{text} ({amount})" if amount else text


def item_text(item: Mapping[str, Any], language: str | None = None) -> str:
    """A row named in a message (store.project._item: a coding, a segment, a case …)."""
    lang = language or _active
    kind = str(item.get("kind", "row"))
    if kind == "coding":
        text = tr(lang, "item.coding", coder=item.get("coder"))
        if item.get("code"):
            text += tr(lang, "item.with_code", code=item["code"])
        if item.get("doc"):
            text += tr(lang, "item.in_doc", doc=item["doc"])
        return text + tr(lang, "item.id", id=item.get("id"))
    if kind == "segment":
        text = tr(lang, "item.segment", number=item.get("number"))
        return text + (tr(lang, "item.in_doc", doc=item["doc"]) if item.get("doc") else "")
    if kind in ("memo", "presence"):
        return tr(lang, f"item.{kind}", author=item.get("author")) + tr(
            lang, "item.id", id=item.get("id")
        )
    if f"item.{kind}" in CATALOGUES["en"] and kind != "row":
        return tr(lang, f"item.{kind}", name=item.get("name"), id=item.get("id"))
    return tr(lang, "item.row", table=item.get("table", kind), id=item.get("id"))


def refusal_text(params: Mapping[str, Any], language: str | None = None) -> str:
    """Why an undo or redo was refused (KodebokError code ``journal.refused``), in a language."""
    lang = language or _active
    what = params.get("what")
    name = change_text(what, lang) if what else str(params.get("description", ""))
    values: dict[str, object] = {
        "item": item_text(params.get("item") or {}, lang),
        "other": item_text(params.get("other") or {}, lang),
        "columns": ", ".join(map(str, params.get("columns") or ())),
        "doc": params.get("doc", ""),
        "detail": params.get("detail", ""),
    }
    why = tr(lang, f"refused.{params.get('reason', 'not_allowed')}", **values)
    if params.get("undo"):
        backup = params.get("backup")
        extra = tr(lang, "refused.backup", backup=backup) if backup else ""
        return tr(lang, "refused.undo", what=name, why=why, backup=extra)
    return tr(lang, "refused.redo", what=name, why=why)
