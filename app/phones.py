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


#: The demo commune's citizens (app/demo) have numbers in this range: ``+84 100 …`` follows no
#: Vietnamese numbering plan (the old 01x mobile prefixes were retired in 2018 and 010 was never
#: one), ``phonenumbers`` calls every number in it invalid, and the SMS worker refuses it
#: outright, so a demo loaded on a server with a real channel can never text a stranger.
DEMO_PHONE_PREFIX = "+84100"


def is_demo_phone(phone: str) -> bool:
    return (phone or "").startswith(DEMO_PHONE_PREFIX)


def undeliverable_reason(phone: str) -> str | None:
    """Why no text may ever go to ``phone`` (stored E.164), or None. The worker's last check."""
    if is_demo_phone(phone):
        return "demo number: never sent"
    try:
        number = phonenumbers.parse(phone or "", "VN")
    except phonenumbers.NumberParseException:
        return "not a phone number: never sent"
    if not phonenumbers.is_valid_number(number):
        return "not a valid phone number: never sent"
    return None


def is_vietnamese_mobile(phone: str) -> bool:
    """A valid Vietnamese mobile number (phonenumbers: region VN, type MOBILE): the only
    numbers a text the public can trigger may go to. Premium (1900), toll-free, landlines and
    every foreign or satellite number are out — that is what SMS pumping bills."""
    try:
        number = phonenumbers.parse(phone or "", "VN")
    except phonenumbers.NumberParseException:
        return False
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) == "VN"
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        and not is_demo_phone(phonenumbers.format_number(number,
                                                         phonenumbers.PhoneNumberFormat.E164))
    )
