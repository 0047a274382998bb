"""Vietnamese is the source language: its catalogue translates every message to itself.

Run after ``pybabel update`` (``make extract`` does) so the vi catalogue is never "untranslated".
"""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "translations" / "vi" / "LC_MESSAGES" / "messages.po"

with PATH.open("rb") as f:
    catalog = read_po(f, locale="vi")
for message in catalog:
    if message.id:
        message.string = message.id if isinstance(message.id, str) else (message.id[0],)
        message.flags.discard("fuzzy")
with PATH.open("wb") as f:
    write_po(f, catalog, width=100, sort_output=True, omit_header=False)
