"""What the API promises about its parameters: the rate limits and the patterns a parameter must
match. The views (``app.api.views``) test with these very patterns and the OpenAPI document
(``app.api.openapi``) states them, so "valid by the document" and "accepted by the server" are
the same thing."""

from app.codes import CHECK_ALPHABET, CHECK_LEN
from app.guesses import DIGITS_LIMIT, DIGITS_PER_ADDRESS  # the status page's, too

API_LIMIT = "60/minute"
__all__ = ["API_LIMIT", "DIGITS_LIMIT", "DIGITS_PATTERN", "DIGITS_PER_ADDRESS",
           "COMMUNE_PATTERN", "DOSSIER_CODE_PATTERN", "LANGS", "PROCEDURE_CODE_PATTERN"]
LANGS = ("vi", "en")
# The very patterns the OpenAPI document states, so what the document calls valid is exactly
# what the views accept (schemathesis checks both directions). The views match them in full
# (``app.api.views._full``): in Python ``$`` also matches before a final newline, so
# ``…-0007%0A`` passed (issue 12, item 8).
PROCEDURE_CODE_PATTERN = r"^[a-z0-9][a-z0-9.-]{0,79}$"
DOSSIER_CODE_PATTERN = (
    rf"^[A-Za-z]{{1,5}}-[0-9]{{6}}-[0-9]{{4}}(-[{CHECK_ALPHABET}{CHECK_ALPHABET.lower()}]"
    rf"{{{CHECK_LEN}}})?$"
)
DIGITS_PATTERN = r"^[0-9]{4}$"
# A commune's code, as in its pages' address (``/vb/``); any case.
COMMUNE_PATTERN = r"^[A-Za-z]{1,5}$"
