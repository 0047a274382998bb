"""Officer sign-in and sign-out. The desk's other pages live in their own modules, one per
journey (dossiers, roster, guides, inbox, dashboard)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import any_role
from app.extensions import db, limiter
from app.officer import bp
from app.officer.forms import LoginForm
from app.signin import authenticate, minutes_locked


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool.
    # Browsers read "/\\host" as "//host", so a backslash is refused too.
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not urlsplit(target).netloc):
        return target
    return url_for("officer.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("officer.home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        ip = request.remote_addr or ""
        wait = minutes_locked(form.username.data, ip)
        if wait:
            error = _("Đăng nhập sai quá nhiều lần. Thử lại sau %(n)d phút.", n=wait)
        else:
            officer = authenticate(form.username.data, form.password.data, ip)
            if officer is None:
                error = _("Sai tên đăng nhập hoặc mật khẩu.")
            else:
                login_user(officer)
                return redirect(_safe_next(request.args.get("next")))
    status = 400 if error or form.errors else 200
    return render_template("officer/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Ends this officer's sessions everywhere, so a copy of the cookie is worthless too.
        officer = current_user._get_current_object()
        officer.end_sessions()
        db.session.commit()
    logout_user()
    flash(_("Đã đăng xuất."))
    return redirect(url_for("officer.login"))


@bp.route("/")
@any_role
def home():
    return render_template("officer/home.html")
