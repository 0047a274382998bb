"""Outages of the online public-service portal, as officers reported them.

People in the commune waste a trip to a neighbour's Wi-Fi, or a morning, when the portal they
were told to use is failing. An officer (at the desk, or by SMS from the phone the office
publishes for them) says "the portal is down" and later "it is back"; each such period is one
row, kept afterwards as the evidence the commune sends to the province (hours down per month).
``ended_at`` is None while the outage is open; at most one open outage per office and portal
(a partial unique index, so two reports at the same moment cannot open two).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

#: ``national``: Cổng Dịch vụ công quốc gia; ``provincial``: the province's own portal.
PORTALS = ("national", "provincial")


class PortalOutage(db.Model):
    __tablename__ = "portal_outage"
    __table_args__ = (
        sa.Index(
            "uq_portal_outage_open", "office_id", "portal", unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id", ondelete="CASCADE"),
                                           index=True)
    portal: Mapped[str] = mapped_column(sa.String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)  # naive UTC
    ended_at: Mapped[datetime | None] = mapped_column()
    # Who said it was down, and who said it was back: an officer signed in at the desk, or
    # the registered phone a text came from (with the officer that phone belongs to).
    reported_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("officer.id", ondelete="SET NULL"))
    reported_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    ended_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("officer.id", ondelete="SET NULL"))
    ended_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    note: Mapped[str] = mapped_column(sa.String(255), default="")

    reported_by = relationship("Officer", foreign_keys=[reported_by_id])
    ended_by = relationship("Officer", foreign_keys=[ended_by_id])

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def __repr__(self) -> str:
        return f"<PortalOutage {self.portal} {self.started_at} → {self.ended_at}>"
