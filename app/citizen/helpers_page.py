""""Nhờ hỗ trợ nộp trên mạng" (issue 16): each hamlet's community digital team, with phones
(tap to call) and when they help, and how to ask by SMS. Linked from the home page and from
every guide of a procedure that can be filed online."""

from __future__ import annotations

from flask import abort, render_template

from app.citizen import bp
from app.clock import office_now
from app.page_cache import cached_page
from app.sms import hamlets as team
from app.web import current_office


@bp.route("/helpers")
@cached_page("content", per="minute")  # "helping now" changes with the clock
def team_helpers():
    office = current_office()
    if office is None:
        abort(503)
    now = office_now(office)
    hamlets = [h for h in team.hamlets(office) if team.active_members(h)]
    return render_template(
        "citizen/helpers.html", hamlets=hamlets, members=team.active_members,
        when_text=team.when_text, helping_now=lambda m: team.available_now(m, now),
    )
