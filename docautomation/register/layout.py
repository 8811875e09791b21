"""The register as the board sees it: sheets, columns, help texts, dropdowns that warn, formats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.worksheet.datavalidation import DataValidation

from ..models import MeetingType, Role, WishStatus
from .values import swedish_list

# Excel's own formats, which Swedish Excel shows as ÅÅÅÅ-MM-DD and tt.mm. The time's period is
# escaped: a bare "." is the decimal sign, which Swedish Excel would show as a comma.
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = r"hh\.mm"
CATEGORY_RANGE = "=Prioritering!$B$2:$B$20"  # the Kategori dropdown: Prioritering's names

_YES_NO = ("Ja", "Nej")
_LEVELS = ("Låg", "Medel", "Hög")


@dataclass(frozen=True, slots=True)
class Column:
    """One column the board sees: header, width, optional dropdown, and its Swedish help text.

    The help is on the Instruktioner sheet; a dropdown column, and one marked `hint`, also shows
    it in Excel when a cell of the column is selected.
    """

    header: str
    width: int
    help: str
    choices: tuple[str, ...] | str = ()  # a list, or CATEGORY_RANGE
    number_format: str | None = None
    hint: bool = False


def _c(header: str, width: int, help: str, **kw: Any) -> Column:
    return Column(header, width, help, **kw)


SHEETS: dict[str, tuple[Column, ...]] = {
    "Förening": (
        _c("Fält", 34, "Vilken uppgift raden gäller (ändra inte texterna i den här kolumnen)."),
        _c("Värde", 90, "Uppgiften. Flera rader i en cell: Alt+Enter."),
    ),
    "Prioritering": (
        _c("Nr", 6, "Kategorins nummer, 1, 2, 3 … utan luckor."),
        _c("Kategori", 55, "Kategorins namn, t.ex. Lagstiftning."),
        _c("Beskrivning", 70, "Vad kategorin betyder (valfritt)."),
    ),
    "Kontakter": (
        _c("Namn", 26, "För- och efternamn."),
        _c("Roll", 22, "Roll i föreningen.", choices=tuple(r.value for r in Role)),
        _c("Kommun", 26, "Medlemskommun eller kommunförbund."),
        _c("E-post", 34, "E-postadress (valfritt)."),
    ),
    "Aktiviteter": (
        _c("Verksamhetsområde", 24, "Området. Lämna tomt för att fortsätta området ovanför."),
        _c("Aktivitet/åtgärd", 60, "Vad som ska göras."),
        _c(
            "Ansvarig",
            20,
            "En roll (t.ex. Ordförande), ett namn ur Kontakter, Styrelsen eller leverantören; "
            "flera med komma.",
            hint=True,
        ),
        _c(
            "Klart",
            18,
            "När: t.ex. April 2021, Höst 2021, Q2 2021, Kontinuerligt, Vid behov.",
            hint=True,
        ),
        _c("Kommentar", 50, "Fri text. Rader som börjar med - blir punktlista."),
        _c(
            "Status",
            12,
            "Planerad, Pågår, Klar eller Inställd (valfritt).",
            choices=("Planerad", "Pågår", "Klar", "Inställd"),
        ),
        _c(
            "Uppföljning",
            50,
            "Vad som gjordes (till verksamhetsberättelsen). Rader som börjar med - blir "
            "punktlista.",
        ),
    ),
    "Önskemål": (
        _c("ID", 10, "Unikt id, t.ex. ÖNS-001."),
        _c("Rubrik", 45, "Kort rubrik."),
        _c("Beskrivning", 60, "Vad önskemålet gäller och varför."),
        _c("Inlämnat av", 24, "Kommun som lämnade önskemålet."),
        _c("Inlämnat", 12, "Datum, t.ex. 2021-03-15.", number_format=DATE_FORMAT, hint=True),
        _c(
            "Kategori",
            30,
            "Styrelsens kategori (nummer eller namn). Tomt: föreslås av reglerna.",
            choices=CATEGORY_RANGE,
        ),
        _c("Lagkrav", 10, "Ja om en lag eller föreskrift kräver ändringen.", choices=_YES_NO),
        _c(
            "Myndighetsrapportering",
            14,
            "Ja om det behövs för rapportering till en myndighet.",
            choices=_YES_NO,
        ),
        _c("Antal kommuner", 10, "Antal kommuner som stöder önskemålet (heltal)."),
        _c("Insats", 10, "Låg, Medel eller Hög.", choices=_LEVELS),
        _c("Effekt", 10, "Låg, Medel eller Hög.", choices=_LEVELS),
        _c(
            "Status",
            16,
            "Ny, Skickad, Accepterad, Pågår, Levererad eller Avvisad. Tomt = Ny.",
            choices=tuple(s.value for s in WishStatus),
        ),
        _c("Leverantörens ärende", 16, "Leverantörens ärendenummer."),
        _c("Återkoppling", 50, "Leverantörens svar."),
        _c("Pilot", 8, "Ja för årets pilotönskemål (högst ett).", choices=_YES_NO),
    ),
    "Möten": (
        _c("Datum", 12, "Mötesdag, t.ex. 2021-02-09.", number_format=DATE_FORMAT, hint=True),
        _c(
            "Start",
            8,
            "Starttid, t.ex. 13.00.",
            number_format=TIME_FORMAT,
            hint=True,
        ),
        _c(
            "Slut",
            8,
            "Sluttid (valfritt), efter starttiden, t.ex. 15.30.",
            number_format=TIME_FORMAT,
            hint=True,
        ),
        _c("Mötestyp", 26, "Typ av möte.", choices=tuple(t.value for t in MeetingType)),
        _c("Plats", 28, "Lokal och ort. Plats eller distanslänk måste finnas."),
        _c("Distanslänk", 34, "Länk till mötet, måste börja med https://."),
        _c("Dagordning", 50, "En punkt per rad (Alt+Enter). Tomt: standarddagordningen."),
        _c(
            "Kallelsedatum",
            13,
            "När kallelsen skickas, t.ex. 2021-01-26. Tomt: sista tillåtna dag.",
            number_format=DATE_FORMAT,
            hint=True,
        ),
        _c(
            "Mottagare",
            16,
            "Styrelsen, Medlemmarna eller fri text. Tomt: efter mötestyp.",
            hint=True,
        ),
        _c("ID", 12, "Valfritt id för mötet i kalendern (behåll det om datumet flyttas)."),
    ),
}

FORENING_FIELDS = (
    ("Föreningens namn", "Föreningens namn (krävs)."),
    ("Verksamhetsår", "Året planen gäller, t.ex. 2021 (krävs)."),
    ("Vision", "Föreningens vision."),
    ("Syfte", "Föreningens syfte."),
    ("Verksamhet enligt stadgarna", "En uppgift per rad (Alt+Enter)."),
    ("Leverantör", "Systemets leverantör. Tomt: Prosona."),
    (
        "Gräns för högt prioriterat",
        "Antal kommuner som gör ett önskemål till kategori 3. Tomt: 15.",
    ),
    (
        "Kallelse årsmöte tidigast",
        "Veckor före årsmötet som kallelsen tidigast får skickas. Tomt: 6.",
    ),
    ("Kallelse årsmöte senast", "Veckor före årsmötet som kallelsen senast ska skickas. Tomt: 2."),
    ("Kallelse styrelsemöte senast", "Dagar före övriga möten som kallelsen bör skickas. Tomt: 7."),
    ("Ort", 'Orten i "<Ort> den ____" ovanför underskrifterna. Tomt: en tom linje.'),
    (
        "Löpande paragrafnumrering",
        (
            "Ja: protokollens §-nummer löper vidare genom årets styrelsemöten. "
            "Nej eller tomt: varje protokoll börjar på § 1."
        ),
    ),
)
# Förening's Värde cells that take one of a few values get the same dropdown as a column.
FORENING_CHOICES = {"Löpande paragrafnumrering": _YES_NO}


def dropdown(header: str, choices: tuple[str, ...] | str, help: str, cells: str) -> DataValidation:
    """A list whose other values Excel questions but accepts (a warning, not a stop).

    The board may mean something the list lacks (a category's number, a typo it wants to keep
    for now); the build's own check then says what is wrong, in the Valideringsrapport.

    Args:
        header: the column's header, named in the messages.
        choices: the values, or CATEGORY_RANGE.
        help: the column's help, shown when a cell is selected.
        cells: the range it covers, e.g. "B2:B500".
    """
    if isinstance(choices, str):
        formula, expected = choices, "en kategori ur bladet Prioritering, med namn eller nummer"
    else:
        formula, expected = '"' + ",".join(choices) + '"', swedish_list(choices)
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle="warning")
    dv.showErrorMessage = True
    dv.errorTitle = "Värdet finns inte i listan"
    # Excel adds "Vill du fortsätta?" with Ja, Nej and Avbryt after the message.
    dv.error = (
        f"{header} väntas vara {expected}. Det du skrev står inte i listan, men du kan behålla det."
    )
    return hint(header, help, cells, dv)


def hint(header: str, help: str, cells: str, dv: DataValidation | None = None) -> DataValidation:
    """The column's help, shown by Excel beside a selected cell (any value is accepted)."""
    dv = dv or DataValidation()
    dv.promptTitle = header
    dv.prompt = help
    dv.showInputMessage = True
    dv.add(cells)
    return dv
