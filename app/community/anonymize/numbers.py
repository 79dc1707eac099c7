"""Numbers that identify a person or an account: payment cards, IBANs and phone numbers.

Skills are full of digits (versions, ports, sizes, dates), so a digit run only counts when
its checksum holds (Luhn for cards, mod 97 for IBANs) or, for phones, when its shape or a
nearby word ("tel", "mobile", "電話") says it is one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from app.community.anonymize.redaction import CARD, IBAN, PHONE, Redaction, hit

_CARD = re.compile(r"(?<![0-9A-Za-z\-.])\d(?:[ \-]?\d){12,18}(?![0-9A-Za-z])")
# How cards are printed: unbroken, in fours (the last group shorter), or Amex's 4-6-5.
_CARD_GROUPS = re.compile(
    r"\d{13,19}|\d{4}([ \-])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{4}([ \-])\d{6}\2\d{4,5}"
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,32}")
_IBAN_LENGTHS = dict(
    (code, int(length))
    for code, length in re.findall(
        r"([A-Z]{2})(\d{2})",
        "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BR29CH21CR22CY28CZ24DE22DK18DO28EE20EG29ES24FI18"
        "FO18FR27GB22GE22GI23GL18GR27GT28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21"
        "LT20LU20LV21MC27MD24ME22MK19MR27MT31MU30NL18NO15PK24PL28PS29PT25QA29RO24RS22SA24SC31"
        "SE24SI19SK24SM27ST25SV28TL23TN24TR26UA29VA22VG24XK20",
    )
)
_PHONE = re.compile(
    r"(?<![A-Za-z0-9+_.\-/])(?:\+|\(\+?)?\d[\d \-.()]{5,24}\d"
    r"(?:[ \t]?(?:x|ext\.?|#)[ \t]?\d{1,6})?(?![A-Za-z0-9])"
)
_PHONE_CUE = re.compile(
    r"(?i)(?:phone|tel|mobile|mobil|cell|call|dial|fax|sms|whatsapp|hotline|helpline|landline|téléphone|portable|teléfono"
    r"|telefone|celular|móvil|handy|rufnummer|電話|携帯|連絡先)"
)
_FLOAT = re.compile(r"(?<!\d)\d\.\d|\d\.\d(?!\d)")  # "0.5 1.0": numbers, not a phone
_DATE = re.compile(r"\d{4}([\-./])\d{1,2}\1\d{1,2}|\d{1,2}([\-./])\d{1,2}\2\d{4}")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    rotated = candidate[4:] + candidate[:4]
    return int("".join(str(int(c, 36)) for c in rotated)) % 97 == 1


def number_spans(text: str) -> Iterator[Redaction]:
    """Checksum-valid card numbers and IBANs, and phone numbers."""
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if (
            _CARD_GROUPS.fullmatch(match.group())
            and digits[0] in "123456"
            and len(set(digits)) > 1
            and _luhn_ok(digits)
        ):
            yield hit(text, match.start(), match.end(), CARD)
    for match in _IBAN.finditer(text):
        yield from _iban(text, match)
    for match in _PHONE.finditer(text):
        if _is_phone(text, match):
            # "(+86 138 0013 8000)": a parenthesis opened before the number and closed after it
            # wraps the number; it is not part of it like the "(555)" of "+1 (555) 201-3344".
            value = match.group()
            wrapped = value.startswith("(") and value.count("(") > value.count(")")
            yield hit(text, match.start() + wrapped, match.end(), PHONE)


def _iban(text: str, match: re.Match[str]) -> Iterator[Redaction]:
    """Yield the longest checksum-valid IBAN at the start of ``match`` (trailing words cut)."""
    raw = match.group()
    compact_positions = [i for i, c in enumerate(raw) if c != " "]
    expected = _IBAN_LENGTHS.get(raw[:2])
    lengths = [expected] if expected else range(min(34, len(compact_positions)), 14, -1)
    for length in lengths:
        if length > len(compact_positions):
            continue
        compact = "".join(raw[i] for i in compact_positions[:length])
        if _iban_ok(compact):
            yield hit(text, match.start(), match.start() + compact_positions[length - 1] + 1, IBAN)
            return


def _is_phone(text: str, match: re.Match[str]) -> bool:
    """Accept digit runs shaped like telephone numbers; dates, versions and IPs are not."""
    value = match.group()
    main = re.split(r"[ \t]?(?:x|ext\.?|#)", value)[0]
    digits = sum(c.isdigit() for c in main)
    if not 7 <= digits <= 15 or "  " in main or _DATE.search(main) or _FLOAT.search(main):
        return False
    groups = [g for g in re.split(r"[ \-.()]+", main) if g]
    if main[0] in "+(" or main.startswith("00"):
        return digits >= 8
    if main[0] == "0" and digits >= 9:
        return True
    if len(groups) >= 3 and digits >= 9 and all(2 <= len(g) <= 5 for g in groups[1:]):
        return True
    before = text[max(0, match.start() - 30) : match.start()]
    return bool(_PHONE_CUE.search(before))
