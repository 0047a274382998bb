"""Read an inbound SMS as a command: ``TT VB-241115-0007``, ``HD KS``, ``HUY``, …

The grammar is in docs/DESIGN.md ("SMS"). Real texts are messy, so matching is tolerant:

* accents are folded before matching (RapidPro lower-cases only, and texts arrive both with
  and without marks): ``Tra cứu``, ``hướng dẫn``, ``hủy`` all match;
* any case, extra or missing spaces, punctuation around (``TT: VB-241115-0007.``), polite
  filler words before the command (``Xin chào, cho em hỏi TT …``) and after it (``… ạ``);
* the command word may be glued to a dossier code (``TTVB2411150007``, ``DK241115-0007``)
  and the code's office prefix may be left out when the caller passes ``default_prefix``;
* a dossier code alone is a status request.

Commands without an argument (``HUY``, ``DS``, ``LH``, ``EN``, ``HELP``…) match only when
nothing but filler follows, as Twilio does for opt-out words: ``Huy`` is also a first name,
and ``Huy day, ho so cua toi …`` must reach an officer, not unsubscribe the sender. Anything
that is not a command is ``unknown``; the caller sends a help text and files it for the officers.

:func:`parse` never raises on any text and takes time linear in its length: there are no
unbounded nested quantifiers in the patterns.

This module is pure Python (no Flask, no database) so it can be tested on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from app.codes import CodeMatch, fold, read_code_shape, search_code

__all__ = ["COMMAND_NAMES", "Command", "parse"]

COMMAND_NAMES = frozenset(
    {
        "status",
        "guide",
        "list",
        "contact",
        "feedback",
        "rate",
        "subscribe",
        "stop",
        "start",
        "lang_en",
        "lang_vi",
        "help",
        "portal",
        "team",
        "team_done",
        "team_back",
        "unknown",
    }
)


@dataclass(frozen=True)
class Command:
    """One parsed inbound text.

    ``code`` is the canonical dossier code (status, rate, subscribe), None when missing or
    unreadable: the reply then asks for it. ``code_read`` is, when ``code`` is None, what was
    shaped like a code but is none (``TT VB-241399-0007``: no 99th day), folded, so the reply
    can say "not found" and echo it rather than explain the command again. ``keyword`` is the
    guide keyword, upper-case ASCII (``HD khai sinh`` → ``KHAI SINH``). ``rating`` is 1-5, None when missing or out of range.
    For ``portal`` (``CONG``), ``keyword`` is ``DOWN`` (``CONG LOI``), ``UP`` (``CONG OK``) or
    None (a question), and ``portal`` is ``national`` or ``provincial`` when the text names one
    (``CONG LOI TINH``).
    ``text`` is what the citizen wrote, as written (with diacritics): for ``feedback`` the
    comment after the command word, for ``rate`` the comment after the rating, for ``unknown``
    the whole message, for other commands whatever followed the command word.
    """

    name: str
    code: str | None = None
    keyword: str | None = None
    text: str = ""
    rating: int | None = None
    code_read: str = ""
    portal: str | None = None
    #: ``XONG <n>`` / ``BAN <n>``: the help request's number (app.sms.hamlets).
    number: int | None = None


# Command words, as folded text with single spaces between words. A multi-word alias also
# matches with its spaces left out (``TRACUU``, ``GOPY``).
_ALIASES: dict[str, tuple[str, ...]] = {
    "status": ("TT", "TRA", "TRA CUU", "STATUS"),
    "guide": ("HD", "HUONG DAN", "GUIDE"),
    "list": ("DS", "LIST"),
    "contact": ("LH", "TRUC", "CONTACT", "LIEN HE"),
    "feedback": ("GY", "GOP Y", "GOP Y KIEN", "FEEDBACK"),
    "rate": ("DG", "RATE"),
    "subscribe": ("DK", "SUB", "SUBSCRIBE"),
    "stop": ("HUY", "TD", "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"),
    "start": ("BAT LAI", "START", "YES", "UNSTOP"),
    "lang_en": ("EN", "ENGLISH", "TIENG ANH"),
    "lang_vi": ("VI", "TIENG VIET"),
    "help": ("HELP", "TRO GIUP"),
    # "CONG LOI" and "CONG OK" are aliases too, so "CONGLOI" / "congok" match glued.
    "portal": ("CONG", "PORTAL", "CONG DVC", "CONG DICH VU CONG", "CONG LOI", "CONG OK"),
    # The hamlets' digital teams (issue 16): HT [hamlet] [procedure]; XONG/BAN <n> by members.
    "team": ("HT", "HO TRO", "NHO HO TRO", "HELPERS"),
    "team_done": ("XONG", "DONE"),
    "team_back": ("BAN", "BUSY"),
}

# Words a command without an argument may still be followed by (``HUY DANG KY``).
_ALLOWED_TAIL: dict[str, frozenset[str]] = {
    "list": frozenset({"THU TUC", "TTHC", "TU KHOA"}),
    "contact": frozenset({"CAN BO", "CAN BO TRUC", "SDT", "TRUC"}),
    "stop": frozenset(
        {"DANG KY", "DK", "TIN NHAN", "NHAN TIN", "SMS", "TAT CA", "ALL", "BO", "HET"}
    ),
    "start": frozenset({"NHAN TIN", "TIN NHAN", "SMS"}),
}

_TAKES_CODE = frozenset({"status", "rate", "subscribe"})
_TEAM_NUMBERED = frozenset({"team_done", "team_back"})
#: ``HT`` takes a hamlet and a procedure keyword: a few words. Longer text after "Hỗ trợ …" is
#: a question for an officer.
_TEAM_MAX_WORDS = 4
_TEAM_NUMBER_RE = re.compile(r"(?:SO ?)?#?([0-9]{1,7})(?![0-9])")
_NO_ARGUMENT = frozenset({"list", "contact", "stop", "start", "lang_en", "lang_vi", "help"})

# What may follow CONG: whether the portal is down or up again, and which portal. Anything
# else makes the text a question for an officer ("Cong an xa o dau?" is not about the portal).
_PORTAL_ACTIONS = {
    "DOWN": ("LOI", "BI LOI", "DANG LOI", "HONG", "BI HONG", "DOWN", "SAP"),
    "UP": ("OK", "UP", "HET LOI", "HOAT DONG LAI", "CHAY LAI", "DA CHAY", "BINH THUONG", "TOT"),
}
_PORTAL_NAMES = {
    "national": ("QG", "QUOC GIA", "TW", "TRUNG UONG"),
    "provincial": ("TINH", "CUA TINH"),
}

# Polite words around a command: "Xin chào, cho em hỏi …", "… ạ", "… nhé, cảm ơn".
_FILLERS = (
    "XIN CHAO",
    "CHAO",
    "XIN",
    "CHO",
    "EM",
    "TOI",
    "MINH",
    "CON",
    "CHAU",
    "HOI",
    "MUON",
    "DA",
    "A",
    "AH",
    "AD",
    "ADMIN",
    "OI",
    "NHE",
    "NHA",
    "VOI",
    "VUI LONG",
    "LAM ON",
    "CAM ON",
    "THANKS",
    "THANK YOU",
    "PLEASE",
    "HI",
    "HELLO",
)
# Before a dossier code sent without a command: "Mã hồ sơ: VB-241115-0007".
_CODE_LEADS = ("MA HO SO", "MA HS", "MA SO", "MA", "HO SO", "HS", "SO")
# Before a guide keyword: "HD thủ tục khai sinh".
_KEYWORD_LEADS = ("THU TUC", "TTHC", "VE", "CACH LAM", "LAM")


def _words_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """Match one of ``phrases`` at a position, as whole words (longest first). A space in a
    phrase matches one space or none."""
    alternatives = sorted(phrases, key=len, reverse=True)
    body = "|".join(r" ?".join(map(re.escape, p.split(" "))) for p in alternatives)
    return re.compile(rf"(?:{body})(?=$|[ ,!?:;)\]]|[.](?![0-9]))")


_FILLER_RE = _words_pattern(_FILLERS)
_CODE_LEAD_RE = _words_pattern(_CODE_LEADS)
_KEYWORD_LEAD_RE = _words_pattern(_KEYWORD_LEADS)
_PORTAL_WORDS: list[tuple[re.Pattern[str], str, str]] = [
    (_words_pattern(phrases), kind, value)
    for kind, table in (("action", _PORTAL_ACTIONS), ("portal", _PORTAL_NAMES))
    for value, phrases in table.items()
]
# Every alias, longest first, each with its own pattern: a glued alias (``TTVB…``) is only
# accepted after looking at what follows, so the next shorter alias must get its turn too.
_ALIAS_PATTERNS: list[tuple[re.Pattern[str], str, str]] = sorted(
    (
        (re.compile(r" ?".join(map(re.escape, alias.split(" ")))), alias, name)
        for name, aliases in _ALIASES.items()
        for alias in aliases
    ),
    key=lambda item: len(item[1]),
    reverse=True,
)
# A number, negative only when the minus is not glued to something ("0007-5" is 5).
_NUMBER_RE = re.compile(r"(?:(?<![^ ])-)?(?<![0-9])[0-9]+(?:[.,][0-9]+)?(?![0-9])")
_WORD_RE = re.compile(r"[A-Z0-9]+(?:[.\-][A-Z0-9]+)*")
_SEPARATORS = frozenset(":;,.-–—=>/)]}*#\"'")


class _Folded:
    """The text folded for matching (see :func:`app.codes.fold`), runs of whitespace made one
    space, with a map back to the original so the citizen's own words can be returned."""

    def __init__(self, text: str) -> None:
        chars: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            if char.isspace() or unicodedata.category(char) == "Cc":
                if chars and chars[-1] != " ":
                    chars.append(" ")
                    origin.append(index)
                continue
            for folded_char in fold(char):
                chars.append(" " if folded_char.isspace() else folded_char)
                origin.append(index)
        self.text = "".join(chars)
        self.origin = origin
        self.original = text

    def original_from(self, position: int) -> str:
        """The original text from folded ``position`` on, without the separators and spaces
        that set it off from the command word, nor trailing spaces."""
        if position >= len(self.origin):
            return ""
        rest = self.original[self.origin[position] :]
        start = 0
        while start < len(rest) and (rest[start] in _SEPARATORS or rest[start].isspace()):
            start += 1
        return rest[start:].rstrip()


def _is_alnum(char: str) -> bool:
    return "A" <= char <= "Z" or "0" <= char <= "9"


def _skip(folded: str, position: int, pattern: re.Pattern[str] | None = _FILLER_RE) -> int:
    """Move past punctuation, spaces and words matched by ``pattern`` (filler by default)."""
    while True:
        while position < len(folded) and not _is_alnum(folded[position]):
            position += 1
        match = pattern.match(folded, position) if pattern else None
        if not match:
            return position
        position = match.end()


def _trim_end(folded: str) -> str:
    """Keep only the words (``[A-Z0-9]`` runs, ``.``/``-`` inside them kept), single-spaced,
    without filler words at the end."""
    words = _WORD_RE.findall(folded)
    while words:
        if _FILLER_RE.fullmatch(words[-1]):
            words.pop()
        elif len(words) > 1 and _FILLER_RE.fullmatch(" ".join(words[-2:])):
            del words[-2:]
        else:
            break
    return " ".join(words)


def _match_alias(folded: str, position: int) -> tuple[str, str, int] | None:
    """Return the command name, the alias and the end of the command word at ``position``."""
    for pattern, alias, name in _ALIAS_PATTERNS:
        match = pattern.match(folded, position)
        if match is None:
            continue
        end = match.end()
        if end == len(folded) or not _is_alnum(folded[end]):
            return name, alias, end
        # Glued to what follows: "TTVB2411150007", "TT241115-0007", "HDKS".
        if name in _TAKES_CODE and (
            "0" <= folded[end] <= "9" or _code_at_start(folded[end:]) is not None
        ):
            return name, alias, end
        # "TTVB2413990007": glued to something shaped like a code that is none (13th month).
        if name == "status" and alias == "TT":
            shape = read_code_shape(folded[end:])
            if shape is not None and shape.start == 0:
                return name, alias, end
        if alias == "HD":
            return name, alias, end
        if name in _TEAM_NUMBERED and "0" <= folded[end] <= "9":  # "XONG12"
            return name, alias, end
    return None


def _code_at_start(folded: str) -> CodeMatch | None:
    """The code that ``folded`` starts with, with or without an office prefix."""
    found = search_code(folded)
    if found is None:
        # Without a default prefix a prefix-less code is not found; any office will do here.
        found = search_code(folded, "X")
    return found if found is not None and found.start == 0 else None


def _rating(rest: str, code: CodeMatch | None) -> tuple[int | None, int | None]:
    """Find the rating number in ``rest`` (folded, after the command word): the first number
    after the code, else the first one anywhere that is not part of the code. Returns the
    rating (None unless a whole number 1-5) and where the number ends."""
    numbers = [
        m
        for m in _NUMBER_RE.finditer(rest)
        if (code is None or m.end() <= code.start or m.start() >= code.end)
        and len(m.group()) <= 3  # longer runs are parts of a code, a phone number...
    ]
    if not numbers:
        return None, None
    after = [m for m in numbers if code is not None and m.start() >= code.end]
    number = (after or numbers)[0]
    value = number.group()
    rating = int(value) if value.isdigit() and 1 <= int(value) <= 5 else None
    return rating, number.end()


def _portal(alias: str, rest: str, after: str) -> Command | None:
    """``CONG [LOI|OK] [QG|TINH]`` (either order); None when other words follow."""
    found: dict[str, str] = {}
    if alias in ("CONG LOI", "CONG OK"):
        found["action"] = "DOWN" if alias == "CONG LOI" else "UP"
    words = _trim_end(rest[_skip(rest, 0) :])
    position = 0
    while position < len(words):
        hit = next(
            ((m, kind, value) for pattern, kind, value in _PORTAL_WORDS
             if (m := pattern.match(words, position)) is not None),
            None,
        )
        if hit is None:
            return None
        match, kind, value = hit
        if kind in found:
            return None  # "CONG LOI OK", "CONG TINH QG": unclear, an officer reads it
        found[kind] = value
        position = match.end()
        while position < len(words) and words[position] == " ":
            position += 1
    return Command("portal", keyword=found.get("action"), portal=found.get("portal"), text=after)


def _team_numbered(name: str, rest: str, after: str, default_prefix: str | None) -> Command | None:
    """``XONG <n> [code]`` / ``BAN <n>``; without a number, the command with ``number`` None
    (the reply explains) only when nothing else follows."""
    start = _skip(rest, 0)
    match = _TEAM_NUMBER_RE.match(rest, start)
    if match is None:
        # "Bạn ơi, cho hỏi": BAN is also "bạn" (you); only XONG alone gets the usage.
        if name == "team_back" or _trim_end(rest[start:]):
            return None
        return Command(name, text=after)
    tail = rest[match.end():]
    code = search_code(tail, default_prefix) if name == "team_done" else None
    if code is None and _trim_end(tail[_skip(tail, 0):]):
        if name == "team_back":
            return None
        return Command(name, number=int(match[1]), text=after)
    return Command(name, number=int(match[1]), code=code.code if code else None, text=after)


def _command(
    name: str, alias: str, folded: _Folded, rest_at: int, default_prefix: str | None
) -> Command | None:
    """Build the command whose word ends at ``rest_at``; None when the rest does not fit it."""
    rest = folded.text[rest_at:]
    after = folded.original_from(rest_at)
    if name in _NO_ARGUMENT:
        tail = _trim_end(rest[_skip(rest, 0) :])
        if tail and tail not in _ALLOWED_TAIL.get(name, ()):
            return None
        return Command(name, text=after)
    if name == "feedback":
        return Command(name, text=after)
    if name == "portal":
        return _portal(alias, rest, after)
    if name == "team":
        words = _trim_end(rest[_skip(rest, 0) :])
        if len(words.split()) > _TEAM_MAX_WORDS:
            return None
        return Command(name, keyword=words or None, text=after)
    if name in _TEAM_NUMBERED:
        return _team_numbered(name, rest, after, default_prefix)
    if name == "guide":
        keyword = _trim_end(rest[_skip(rest, _skip(rest, 0), _KEYWORD_LEAD_RE) :])
        return Command(name, keyword=keyword or None, text=after)
    code = search_code(rest, default_prefix)
    # "Trả" is also everyday Vietnamese ("trả lời", "trả kết quả"): alone or with a code it
    # is a lookup, with other words it is a question for an officer.
    if alias == "TRA" and code is None and _trim_end(rest[_skip(rest, 0) :]):
        return None
    if name == "rate":
        rating, rating_end = _rating(rest, code)
        comment_from = max(rating_end or 0, code.end if code else 0)
        return Command(
            name,
            code=code.code if code else None,
            rating=rating,
            text=folded.original_from(rest_at + comment_from),
        )
    shape = read_code_shape(rest) if code is None and name == "status" else None
    return Command(name, code=code.code if code else None, text=after,
                   code_read=shape.code if shape else "")


def _whole_code(folded: str, start: int, default_prefix: str | None) -> CodeMatch | None:
    """The dossier code when it is all the text says ("Mã hồ sơ: vb 241115 0007 ạ")."""
    candidate = _trim_end(folded[_skip(folded, start, _CODE_LEAD_RE) :])
    code = search_code(candidate, default_prefix)
    if code is not None and code.start == 0 and code.end == len(candidate):
        return code
    return None


def parse(text: str, default_prefix: str | None = None) -> Command:
    """Read one inbound SMS.

    ``default_prefix`` is the office prefix of the number the text was sent to; it completes
    codes written without one (``TT 241115-0007``). Raises ``ValueError`` only when
    ``default_prefix`` itself is not 1-5 letters (a configuration error), never because of
    ``text``.

    >>> parse("Tra cứu: vb2411150007.").code
    'VB-241115-0007'
    >>> parse("hủy").name
    'stop'
    """
    # Validates the prefix up front, so a bad configuration fails on every text, not just some.
    search_code("", default_prefix)
    folded = _Folded(text)
    start = _skip(folded.text, 0)

    if start == len(folded.text) and "?" in folded.text:
        return Command("help")

    # A code alone is a status request, even when its office prefix starts like a command word
    # ("DG-241115-0007" texted to office DG), unless it can be read as a command and the prefix
    # is not this office's: "DK2411150007" is DK + a code, "TTVB2411150007" is TT + a code.
    code = _whole_code(folded.text, start, default_prefix)
    alias = _match_alias(folded.text, start)
    if code is not None and (
        alias is None
        or (default_prefix is not None and code.code.startswith(fold(default_prefix) + "-"))
    ):
        return Command("status", code=code.code, text=text.strip())

    if alias is not None:
        command = _command(alias[0], alias[1], folded, alias[2], default_prefix)
        if command is not None:
            return command

    if code is not None:
        return Command("status", code=code.code, text=text.strip())
    return Command("unknown", text=text.strip())
