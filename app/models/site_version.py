"""Rows that say when anything a public page shows last changed: one province-wide row
(``site_version``, id 1) and one per commune (``office_version``).

The rendered-page cache (:mod:`app.page_cache`) keys every page on this row, so a guide edited
by an officer, a roster change or a dossier's new status is never hidden behind a cached copy
for longer than ``PAGE_CACHE_CHECK_SECONDS``. ``content`` moves when an office, procedure,
guide text, officer, duty shift or portal outage changes; ``dossiers`` when a dossier or its
timeline changes.
``epoch`` is random per row, so a database that is emptied and refilled never matches pages
cached from its previous life.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SiteVersion(db.Model):
    __tablename__ = "site_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    epoch: Mapped[str] = mapped_column(sa.String(32))
    content: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    dossiers: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    def __repr__(self) -> str:
        return f"<SiteVersion {self.epoch} content={self.content} dossiers={self.dossiers}>"


class OfficeVersion(db.Model):
    """One commune's own counters (issue 13): an edit in one commune moves only its row, so
    the other communes' cached pages stay. ``site_version`` (row 1) stays the province-wide
    row: a change to something that belongs to no commune (a province catalogue entry, an
    office created or removed) moves it, and with it every commune's pages."""

    __tablename__ = "office_version"

    office_id: Mapped[int] = mapped_column(
        sa.ForeignKey("office.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    content: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    dossiers: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    def __repr__(self) -> str:
        return f"<OfficeVersion {self.office_id} content={self.content} dossiers={self.dossiers}>"
