"""Vietnamese phone numbers, normalised to E.164 with ``phonenumbers``."""

from __future__ import annotations

import phonenumbers


def normalise_phone(raw: str, region: str = "VN") -> str | None:
    """``0912 345 678``, ``+84912345678``, ``84912345678`` → ``+84912345678``; None if invalid.

    A bare ``84…`` of mobile length is read as the country code without the plus, the way
    people and some gateways write it.
    """
    text = (raw or "").strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("84") and len(digits) in (11, 12):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
