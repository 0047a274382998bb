"""When each office's SMS gateway (the Android phone) was last heard from.

An Android relay stalls while the phone sleeps or loses Wi-Fi (docs/DESIGN.md, "Facts from the
field"), and nothing tells the office except silence. Every signed webhook from the gateway
(a text received, a delivery report, a ping) moves ``last_seen_at`` forward, so the officer
home can say "the phone was last seen 3 hours ago" next to the number of texts waiting.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class GatewayStatus(db.Model):
    __tablename__ = "gateway_status"
    __table_args__ = (sa.UniqueConstraint("office_id", "channel", name="uq_gateway_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("office.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(sa.String(20))  # "android"
    last_seen_at: Mapped[datetime | None] = mapped_column()  # naive UTC
    last_error: Mapped[str] = mapped_column(sa.String(255), default="")

    def __repr__(self) -> str:
        return f"<GatewayStatus office={self.office_id} {self.channel} {self.last_seen_at}>"
