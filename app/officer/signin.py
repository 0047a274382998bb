"""Officer sign-in and sign-out. The desk's other pages live in their own modules, one per
journey (dossiers, roster, guides, inbox, dashboard)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from app.auth import may_open, province_required, signed_in
from app.extensions import db, limiter
from app.models import COMMUNE_ROLES
from app.officer import bp
from app.officer.forms import LoginForm, PasswordForm
from app.officers import PASSWORD_MIN, ProfileError, change_own_password
from app.signin import authenticate, minutes_locked

#: The province pages the province home links to, once they exist and the role may open them
#: (other parts of issue 13 add them; a missing one is simply not listed).
PROVINCE_PAGES = (
    ("officer.communes", _l("Xã, phường: thiết lập và quản trị xã")),
    ("officer.catalogue", _l("Danh mục thủ tục của tỉnh")),
    ("officer.province", _l("Các xã, phường so sánh cạnh nhau")),
)


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
                if officer.must_change_password:
                    return redirect(url_for("officer.password"))
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
@signed_in
def home():
    # Province staff belong to no commune: their desk is the province home.
    if current_user.role not in COMMUNE_ROLES:
        return redirect(url_for("officer.province_home"))
    return render_template("officer/home.html")


@bp.route("/province-home")
@province_required
def province_home():
    pages = [(endpoint, label) for endpoint, label in PROVINCE_PAGES if may_open(endpoint)]
    return render_template("officer/province_home.html", pages=pages)


@bp.route("/password", methods=["GET", "POST"])
@signed_in
@limiter.limit("10/minute", methods=["POST"])
def password():
    """Every officer's own password; the only page open while a temporary one is in use."""
    officer = current_user._get_current_object()
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_own_password(officer, form.current.data, form.new.data, form.confirm.data)
        except ProfileError as err:
            getattr(form, err.field).errors.append(err.message)
        else:
            # The change ended every session, this one too: sign this browser in again.
            login_user(officer)
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã kết thúc."))
            return redirect(url_for("officer.home"))
    status = 400 if form.errors else 200
    return render_template(
        "officer/password.html", form=form, forced=officer.must_change_password,
        min_length=PASSWORD_MIN,
    ), status
