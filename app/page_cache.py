"""Rendered citizen pages, kept in each worker's memory and dropped the moment their data changes.

A guide page costs a few milliseconds to build (database, Jinja, brotli) and is identical for
every visitor who asks for it in the same language, so each worker keeps the finished bytes —
the HTML plus its brotli and gzip forms, compressed once at the strongest setting, which also
makes the 2G pages smaller — and answers the next visitor from memory.

What makes it safe:

* **Keys.** A page is stored under its view, its full URL (path and query), the base it was
  asked under (scheme, ``Host`` and ``SCRIPT_NAME``), the language, the htmx headers, the
  office-local minute or day when the page shows "who is on duty now" or "overdue", the
  commune the page is about, and the version counters: the province row
  (:class:`~app.models.SiteVersion`: a random epoch and two counters) and the commune's own
  row (:class:`~app.models.OfficeVersion`; the province home uses the sums of every row).
* **Only under the public base** (issue 12, item 2). Links on a page start with
  ``SCRIPT_NAME``, which a forwarder can set from a header (``GET //evil.example/`` with
  ``SCRIPT_NAME: //evil.example`` once stored a home page whose every link left the site).
  When ``PUBLIC_BASE_URL`` is set, :class:`FastPath` sets ``SCRIPT_NAME`` to its path on every
  request, so links follow the setting, never a header; and a page is stored only when the
  request's host is that URL's host. Without the setting, a page is stored only when asked
  with no prefix at all. Anything else is rendered for that request alone.
* **Invalidation.** Every ORM flush that adds, changes or deletes an office, procedure, guide
  text, officer, duty shift or exception, or portal outage (the home page and guides say while
  the online portal is down) bumps ``content`` in the same transaction; a dossier or dossier
  event bumps ``dossiers``. The counter moved is the commune's own (``office_version``) when
  the object belongs to one commune, so an edit in one commune never empties another's
  pages; the province row (``site_version``) when it belongs to none (a province catalogue
  row, an office added or removed, or when the commune cannot be told), which moves every
  commune's pages. So the version commits with the change, or not at all. A worker re-reads the row at most every ``PAGE_CACHE_CHECK_SECONDS``
  (default 1 s; 0 re-reads on every request) and at once after its own commits, so another
  worker shows a change within that second. Writes made with raw SQL to those tables (none in
  the app) would not be seen until the next ORM change.
* **Never stored:** anything but a 200 HTML answer; a page that set a cookie or drew a CSRF
  token (the token is per session); a request whose session holds flashed messages (they are
  shown once). The view still runs its rate limits (Flask-Limiter checks them before the view)
  and the session is still saved, so ``?lang=`` keeps working.
* **Personal pages.** A full status lookup (code + the right phone digits) is held only here,
  in the worker's memory, under a key that includes the digits, and still goes out with
  ``Cache-Control: no-store`` so no browser or proxy keeps it; it is dropped when the dossier
  changes, at midnight, or when newer pages push it out (``PAGE_CACHE_SIZE`` entries, LRU).
* **Bounded memory.** At most ``PAGE_CACHE_SIZE`` pages and ``PAGE_CACHE_MAX_BYTES`` bytes
  (each page counted as twice its HTML plus a fixed overhead, an upper bound for the HTML and
  its compressed forms), however many communes × pages × languages a province has; the least
  recently used page goes first, from FastPath too (whose index holds at most twice
  ``PAGE_CACHE_SIZE``).

* **Parts of pages** under the same counters, for pages that are not in memory (evicted, or
  never asked in this worker): the commune a URL names (:meth:`PageCache.office`), small facts
  and data a page is built from (:meth:`PageCache.kept`: the province catalogue, a commune's
  local parts and officers — app.lookup), and rendered blocks of templates
  (:meth:`PageCache.fragment`, ``{% call fragment(...) %}``). Each at most a few thousand
  entries; a draft's preview never uses them.

``PAGE_CACHE_SIZE=0`` turns the page cache off (the parts stay: they are what a page not in
memory is built from).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from itertools import chain
from types import SimpleNamespace
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import brotli
import sqlalchemy as sa
from flask import Response, current_app, g, has_request_context, request, session
from itsdangerous import BadSignature
from jinja2 import pass_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.http import parse_cookie

from app.clock import office_now
from app.extensions import db
from app.models import (
    Dossier,
    DossierEvent,
    DutyException,
    DutyShift,
    Hamlet,
    Office,
    Officer,
    OfficeVersion,
    PortalOutage,
    Procedure,
    ProcedureContent,
    ProcedureLocal,
    SiteVersion,
    TeamException,
    TeamMember,
    TeamSlot,
)
from app.models.base import column_values, detached_copy
from app.page_store import shared_key, shared_pages
from app.web import choose_locale, current_office, office_by_slug, security_header_items

SCOPES = ("content", "dossiers")
_CONTENT = (Office, Procedure, ProcedureContent, ProcedureLocal, Officer, DutyShift, DutyException,
            PortalOutage,
            Hamlet, TeamMember, TeamSlot, TeamException)
#: Objects that name their commune through a parent row, not a column of their own.
_PARENT = {ProcedureContent: (Procedure, "procedure_id"), DutyShift: (Officer, "officer_id"),
           DossierEvent: (Dossier, "dossier_id"), TeamMember: (Hamlet, "hamlet_id"),
           TeamSlot: (TeamMember, "member_id"), TeamException: (TeamMember, "member_id")}


def _scope_of(obj: object) -> str | None:
    if isinstance(obj, _CONTENT):
        return "content"
    if isinstance(obj, (Dossier, DossierEvent)):
        return "dossiers"
    return None


def _office_of(session, obj: object, whole: bool) -> int | None:
    """The commune whose pages ``obj`` shows on; None for the whole province (an office added
    or removed — ``whole`` —, a province catalogue row with no office, or when it cannot be
    told): None moves every commune's pages, so not knowing is never stale, only slower."""
    if isinstance(obj, Office):
        return None if whole else obj.id
    while (parent := _PARENT.get(type(obj))) is not None:  # a slot → its member → its hamlet
        model, column = parent
        parent_id = getattr(obj, column, None)
        obj = session.get(model, parent_id) if parent_id is not None else None
        if obj is None:
            return None
    office_id = getattr(obj, "office_id", None)
    return office_id if isinstance(office_id, int) else None


class Version(NamedTuple):
    """The version rows as one worker last read them."""

    epoch: str
    province: tuple[int, int]  # site_version row 1: (content, dossiers)
    offices: dict[int, tuple[int, int]]  # office_version rows
    total: tuple[int, int]  # the sums, for a page about every commune (the province home)

    def of(self, office_id: int | None) -> tuple[int, int]:
        """The commune's own counters (the sums for ``None``, the whole province)."""
        if office_id is None:
            return self.total
        return self.offices.get(office_id, (0, 0))


@dataclass
class Entry:
    """One page: its HTML, its compressed forms and complete header lists (made on first use)."""

    body: bytes
    headers: list[tuple[str, str]]  # as the view set them, less length, ETag and Vary
    vary: str
    etag: str
    no_store: bool
    ready: dict[str | None, tuple[bytes, list[tuple[str, str]], str]] = field(
        default_factory=dict)
    # Answers from memory per encoding, for the brotli upgrade (see ``answer``).
    served: dict[str | None, int] = field(default_factory=dict)
    # Its key in the shared store (app.page_store) and that store's URL; None: not shared.
    shared: str | None = None
    store_url: str = ""

    @property
    def charge(self) -> int:
        """Bytes this entry is counted for against ``PAGE_CACHE_MAX_BYTES``: the HTML twice
        (its brotli and gzip forms together are well under its size) plus the keys, header
        lists and objects around it — an upper bound, fixed when it is stored."""
        return 2 * len(self.body) + ENTRY_OVERHEAD

    def _prepare(self, encoding: str | None) -> tuple[bytes, list[tuple[str, str]], str]:
        if encoding == "br":
            # Brotli's strongest setting costs ~10 ms on a guide page, more than the rest of
            # the page: a page is first stored at the level Flask-Compress uses for dynamic
            # pages, and recompressed at 11 once it has been asked for again (``_strongest``).
            data = brotli.compress(self.body, quality=BR_FIRST_QUALITY, mode=brotli.MODE_TEXT)
        elif encoding == "gzip":
            data = gzip.compress(self.body, compresslevel=9, mtime=0)
        else:
            data = self.body
        return self.ready_form(encoding, data)

    def ready_form(self, encoding: str | None, data: bytes
                   ) -> tuple[bytes, list[tuple[str, str]], str]:
        """The answer for ``encoding`` with ``data`` as its body: bytes, headers, ETag."""
        # The same ETag Flask-Compress would give the page: the body's SHA-1, suffixed with the
        # encoding, so a repeat visit gets its 304 whether the page came from here or not.
        etag = f'"{self.etag}:{encoding}"' if encoding else f'"{self.etag}"'
        headers = list(self.headers)
        if encoding:
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(data))))
        headers.append(("Vary", self.vary))
        if not self.no_store:  # nothing may keep a personal page, so nothing revalidates it
            headers.append(("ETag", etag))
        headers += security_header_items()
        return data, headers, etag

    def _strongest(self, ready: tuple[bytes, list[tuple[str, str]], str]
                   ) -> tuple[bytes, list[tuple[str, str]], str]:
        """The brotli form at quality 11, with the same headers but its length (no app
        context needed: FastPath may be the one answering). Made once for every worker when
        the page is shared: taken from the store if another worker made it, else made here
        and added there."""
        _data, headers, etag = ready
        data = None
        if self.shared:
            data = shared_pages.form(self.store_url, self.shared, "br11")
        if data is None:
            data = brotli.compress(self.body, quality=11, mode=brotli.MODE_TEXT)
            if self.shared:
                shared_pages.add_form(self.store_url, self.shared, "br11", data)
        headers = [("Content-Length", str(len(data))) if name == "Content-Length"
                   else (name, value) for name, value in headers]
        return data, headers, etag

    def meta(self) -> dict:
        """What the shared store keeps besides the bytes."""
        return {"headers": self.headers, "vary": self.vary, "etag": self.etag}

    @classmethod
    def from_store(cls, fields: dict[str, bytes], shared: str, url: str) -> Entry | None:
        """A page as another worker stored it (app.page_store), its forms ready."""
        try:
            meta = json.loads(fields["meta"])
            entry = cls(fields["body"], [tuple(h) for h in meta["headers"]], vary=meta["vary"],
                        etag=meta["etag"], no_store=False, shared=shared, store_url=url)
        except (KeyError, TypeError, ValueError):
            return None  # written by another release: build the page instead
        for encoding in ("br", "gzip"):
            if encoding in fields:
                entry.ready[encoding] = entry.ready_form(encoding, fields[encoding])
        if "br11" in fields:
            entry.ready["br"] = entry.ready_form("br", fields["br11"])
            entry.served["br"] = BR_UPGRADE_AFTER  # the strongest already: never again
        return entry

    def answer(self, encoding: str | None, if_none_match: str | None,
               prepare: bool = True) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """``(status, headers, body)``: 200, or 304 when ``If-None-Match`` holds our ETag.
        None if that encoding is not prepared yet and ``prepare`` is False."""
        ready = self.ready.get(encoding)
        if ready is None:
            if not prepare:
                return None
            ready = self.ready[encoding] = self._prepare(encoding)
        elif encoding == "br":
            served = self.served[encoding] = self.served.get(encoding, 0) + 1
            if served == BR_UPGRADE_AFTER:
                # Asked for again: worth the strongest compression, from the next answer on
                # (this one still gets the bytes the first visitor got; same page, same ETag).
                self.ready[encoding] = self._strongest(ready)
        data, headers, etag = ready
        if if_none_match and not self.no_store and (
            etag in if_none_match or if_none_match.strip() == "*"
        ):
            return 304, [h for h in headers if h[0] not in _NOT_ON_304], b""
        return 200, headers, data

    def response(self, encoding: str | None) -> Response:
        status, headers, body = self.answer(encoding, request.headers.get("If-None-Match"))
        response = Response(body, status=status, headers=headers)
        if status == 304:
            response.headers.remove("Content-Type")  # werkzeug adds a default one
        response.complete_headers = True  # app.web's after-request hooks have nothing to add
        return response


_NOT_ON_304 = ("Content-Length", "Content-Encoding", "Content-Type")
BR_FIRST_QUALITY = 5  # as COMPRESS_BR_LEVEL: ~1.4 ms and ~10 % more bytes than 11
_SHARED_MINUTE = 120  # seconds a page that shows the minute stays in the shared store
BR_UPGRADE_AFTER = 3  # answers from memory before the page is recompressed at 11: a page
# in the long tail (one commune's rare guide) never pays the ~30 ms
# Per entry besides its bytes: key tuple, header lists (CSP…), dicts, the FastPath record —
# measured with tracemalloc by ``python -m bench province`` (~3 KB), rounded up.
ENTRY_OVERHEAD = 4096


class PageCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple | None = None
        self._version_read_at = float("-inf")
        self._office: dict[int | None, tuple] = {}  # office id → (version stamp, clock)
        self._by_code: dict[str, tuple] = {}  # office code → (version stamp, column values)
        self._facts: dict[tuple, tuple] = {}  # (fact, office id) → (version stamp, value)
        self._fragments: dict[tuple, tuple] = {}  # see fragment(): key → (stamp, Markup)
        self._fast: dict[tuple, tuple] = {}
        self._fast_where: dict[Key, tuple] = {}  # key → its FastPath record's address
        self._bytes = 0  # sum of the stored entries' ``charge``
        self.hits = 0  # all answers from memory, FastPath's included
        self.fast_hits = 0
        self.shared_hits = 0  # pages taken from the shared store (app.page_store)
        self.misses = 0

    # -- the version row -------------------------------------------------------------------

    def forget_version(self) -> None:
        self._version = None

    def version(self) -> Version | None:
        """The province row and every commune's row, re-read at most every
        PAGE_CACHE_CHECK_SECONDS (two small queries, whatever the number of communes)."""
        now = time.monotonic()
        every = current_app.config["PAGE_CACHE_CHECK_SECONDS"]
        if self._version is not None and now - self._version_read_at < every:
            return self._version
        row = db.session.execute(
            sa.select(SiteVersion.epoch, SiteVersion.content, SiteVersion.dossiers)
            .where(SiteVersion.id == 1)
        ).first()
        if row is None:
            return None  # no row yet (emptied database): serve fresh until the next change
        offices = {r[0]: (r[1], r[2]) for r in db.session.execute(
            sa.select(OfficeVersion.office_id, OfficeVersion.content, OfficeVersion.dossiers))}
        total = (sum(v[0] for v in offices.values()), sum(v[1] for v in offices.values()))
        self._version = Version(row[0], (row[1], row[2]), offices, total)
        self._version_read_at = now
        return self._version

    def office_clock(self, version: Version, office_id: int | None,
                     office=None) -> SimpleNamespace | None:
        """The commune's time zone, for the minute/day in keys, without a query per request:
        kept until its content version moves (an office edit moves it)."""
        stamp = (version.epoch, version.province[0], version.of(office_id)[0])
        memo = self._office.get(office_id)
        if memo is None or memo[0] != stamp:
            if office is None:
                return None  # FastPath: Flask has not seen this commune under this version
            clock = SimpleNamespace(id=office.id, tz=office.tz)
            with self._lock:
                if len(self._office) > 4096:
                    self._office.clear()
                memo = self._office[office_id] = (stamp, clock)
        return memo[1]

    # -- the commune a URL names --------------------------------------------------------------

    def office(self, slug: str | None):
        """``office_by_slug(slug)`` without a query while the commune's row is unchanged: every
        request to ``/<code>/…`` that Flask runs (a form, a status lookup, a visitor with a
        cookie) asked the database for its commune, the largest part of answering a page from
        memory. Its column values are kept per worker under the version counters that an
        office edit moves (its own ``content`` counter; the province's for an office added or
        removed), and each request gets its own detached object made from them (no query, no
        session). Unknown codes are asked every time (nothing kept for them; ``office_by_slug``
        refuses what is not a code)."""
        version = self.version()
        if version is None or not slug:
            return office_by_slug(slug)
        code = slug.upper()
        memo = self._by_code.get(code)
        if memo is not None:
            stamp, values = memo
            if stamp == _office_stamp(version, values["id"]):
                # A copy of the row for this request (a page answered from memory needs no
                # session at all).
                return detached_copy(Office, values)
        office = office_by_slug(code)
        if office is not None and not db.session.is_modified(office):
            values = column_values(office)
            with self._lock:
                if len(self._by_code) > 4096:
                    self._by_code.clear()
                self._by_code[code] = (_office_stamp(version, office.id), values)
        return office

    def kept(self, office_id: int | None, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` — a small fact about one commune that its pages show (plain data,
        never rows of a session: the slug of its online-filing guide, its open portal
        outages) — kept per worker until that commune's ``content`` counter or the
        province's moves, as the pages themselves are. Saves a query on every page that is
        built. ``office_id`` None: a fact of the province (the procedure catalogue), kept
        until the province's counter moves."""
        return self._remember(self._facts, (name, office_id), office_id, compute, 16384)

    def fragment(self, key: tuple, office_id: int | None, render: Callable[[], Any]) -> Any:
        """A rendered part of a page (Markup), kept per worker under the version counters
        it depends on: the province's content alone (``office_id`` None: a procedure's
        facts, the same in every commune) or also one commune's (its header and footer).
        A page that is not in memory is then built around parts another page already
        rendered: a province's 100 communes show the same 11 guides' facts. ``key`` names
        the part and everything else it depends on (language, URL base, ids)."""
        return self._remember(self._fragments, key, office_id, render, 4096)

    def _remember(self, store: dict, key: tuple, office_id: int | None,
                  compute: Callable[[], Any], most: int) -> Any:
        """``compute()`` kept in ``store`` under ``key`` until the province's content counter
        or (``office_id`` not None) that commune's moves; ``store`` emptied past ``most``."""
        version = self.version()
        if version is None:
            return compute()
        stamp = ((version.epoch, version.province[0]) if office_id is None
                 else _office_stamp(version, office_id))
        memo = store.get(key)
        if memo is not None and memo[0] == stamp:
            return memo[1]
        value = compute()
        with self._lock:
            if len(store) > most:
                store.clear()
            store[key] = (stamp, value)
        return value

    # -- the cookie-less fast path (FastPath) ------------------------------------------------

    def remember_fast(self, environ: dict, key: Key, per: str | None, entry: Entry,
                      tag: str = "") -> None:
        """Let FastPath answer this URL from ``entry`` for visitors of kind ``tag`` (see
        :func:`_visitor`): "" no cookie, ``lang:en`` a session holding only the language."""
        where = (_base(environ), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                 tag)
        with self._lock:
            if key not in self._entries:
                return  # already pushed out: FastPath must not keep it alive
            if len(self._fast) >= 2 * max(current_app.config["PAGE_CACHE_SIZE"], 1):
                self._fast.clear()
                self._fast_where.clear()
            self._fast[where] = (key, per, entry)
            self._fast_where[key] = where

    def fast_answer(self, environ: dict, config, tag: str = "") -> tuple[str, list, bytes] | None:
        """``(status, headers, body)`` when :class:`FastPath` may answer, else None."""
        found = self._fast.get(
            (_base(environ), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), tag)
        )
        if found is None:
            return None
        key, per, entry = found
        version = self._version
        if (
            version is None
            or time.monotonic() - self._version_read_at >= config["PAGE_CACHE_CHECK_SECONDS"]
        ):
            return None  # time to re-read the version row: Flask does that
        if key.epoch != version.epoch or key.counters != _counters(version, key.office,
                                                                   key.scopes):
            return None
        if per is not None:
            clock = self.office_clock(version, key.office)
            if clock is None or key.when != _when(per, clock):
                return None
        header = environ.get("HTTP_ACCEPT_ENCODING", "")
        if header not in _ENCODINGS:
            return None
        answer = entry.answer(_ENCODINGS[header], environ.get("HTTP_IF_NONE_MATCH"),
                              prepare=False)
        if answer is None:
            return None
        status, headers, body = answer
        return ("304 NOT MODIFIED" if status == 304 else "200 OK"), headers, body

    # -- entries ---------------------------------------------------------------------------

    def get(self, key: Key) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Key, entry: Entry) -> None:
        """Store ``entry``; push out the least recently used pages while there are more than
        ``PAGE_CACHE_SIZE`` of them or they weigh more than ``PAGE_CACHE_MAX_BYTES`` (their
        ``charge``; 0 = no byte bound). A page heavier than the whole bound is not stored."""
        size = current_app.config["PAGE_CACHE_SIZE"]
        max_bytes = current_app.config.get("PAGE_CACHE_MAX_BYTES", 0)
        with self._lock:
            if max_bytes and entry.charge > max_bytes:
                return
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.charge
            self._entries[key] = entry
            self._bytes += entry.charge
            while len(self._entries) > size or (max_bytes and self._bytes > max_bytes):
                self._drop(*self._entries.popitem(last=False))

    def _drop(self, key: Key, entry: Entry) -> None:
        """Forget a pushed-out page everywhere, FastPath included (under the lock)."""
        self._bytes -= entry.charge
        where = self._fast_where.pop(key, None)
        if where is not None and self._fast.get(where, (None,))[0] == key:
            del self._fast[where]

    @property
    def nbytes(self) -> int:
        """What the stored pages are counted for (see ``Entry.charge``)."""
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._fast.clear()
            self._fast_where.clear()
            self._bytes = 0
        self._office = {}
        self._by_code = {}
        self._facts = {}
        self._fragments = {}
        self.forget_version()

    def __len__(self) -> int:
        return len(self._entries)


page_cache = PageCache()


def _insert_version_row(connection) -> None:
    """The row, if missing: the migration writes it, ``create_all`` too (below), and the first
    change after someone empties the table by hand. ``ON CONFLICT DO NOTHING`` so two workers
    doing it at once cannot fail each other's transaction."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(
        insert(SiteVersion).values(id=1, epoch=secrets.token_hex(8), content=0, dossiers=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def _bump(session, flush_context) -> None:
    """after_flush: move the version of every scope this flush touched, in its transaction:
    the commune's own row for what belongs to one commune, the province row otherwise."""
    touched: dict[int | None, set[str]] = {}
    for whole, objs in ((True, session.new), (True, session.deleted), (False, session.dirty)):
        for obj in objs:
            scope = _scope_of(obj)
            if scope is None or (not whole and not session.is_modified(obj)):
                continue
            touched.setdefault(_office_of(session, obj, whole), set()).add(scope)
    if not touched:
        return
    connection = session.connection()
    province = touched.pop(None, None)
    if province:
        column = SiteVersion.__table__.c
        done = connection.execute(
            sa.update(SiteVersion).where(SiteVersion.id == 1)
            .values({s: column[s] + 1 for s in sorted(province)})
        )
        if done.rowcount == 0:
            _insert_version_row(connection)  # a new epoch: nothing cached before can match
    if touched:
        if connection.execute(sa.select(SiteVersion.id).where(SiteVersion.id == 1)).first() is None:
            _insert_version_row(connection)
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        column = OfficeVersion.__table__.c
        for office_id, scopes in sorted(touched.items()):
            statement = insert(OfficeVersion).values(
                office_id=office_id, **{s: int(s in scopes) for s in SCOPES})
            connection.execute(statement.on_conflict_do_update(
                index_elements=["office_id"],
                set_={s: column[s] + 1 for s in sorted(scopes)},
            ))
    session.info["page_cache_changed"] = True


def _after_commit(session) -> None:
    if session.info.pop("page_cache_changed", False):
        page_cache.forget_version()


def _after_rollback(session) -> None:
    session.info.pop("page_cache_changed", None)


@pass_context
def _fragment(context, name: str, *parts, office=None, caller) -> Any:
    """``{% call fragment("guide-facts", procedure.id) %}…{% endcall %}``: the block's output
    kept by :meth:`PageCache.fragment` under ``name``, ``parts``, the page's language and
    URL base, and the province's content counter — or, with ``office=``, that commune's too.
    The block may read only what that key names (never the request, a form, a flash or the
    clock). A page rendered with ``no_fragments`` (the guide editor's preview of a draft)
    renders every block afresh."""
    if context.get("no_fragments") or not has_request_context():
        return caller()
    office_id = office.id if office is not None else None
    key = (name, parts, office_id, context.get("lang"), _base(request.environ))
    return page_cache.fragment(key, office_id, caller)


def _created(table, connection, **kw) -> None:
    _insert_version_row(connection)


def init_app(app) -> None:
    """Hooks only; the settings (PAGE_CACHE_SIZE, PAGE_CACHE_CHECK_SECONDS) are in app.config."""
    app.jinja_env.globals["fragment"] = _fragment
    if not event.contains(SiteVersion.__table__, "after_create", _created):
        event.listen(SiteVersion.__table__, "after_create", _created)
    if not event.contains(db.session, "after_flush", _bump):
        event.listen(db.session, "after_flush", _bump)
        event.listen(db.session, "after_commit", _after_commit)
        event.listen(db.session, "after_soft_rollback", lambda s, t: _after_rollback(s))


_ENCODINGS: dict[str, str | None] = {}


def _encoding() -> str | None:
    """br, else gzip, else none — as the client's Accept-Encoding allows (q-values honoured).
    Browsers send a handful of distinct headers, so the answer is remembered per header."""
    header = request.headers.get("Accept-Encoding", "")
    try:
        return _ENCODINGS[header]
    except KeyError:
        best = request.accept_encodings.best_match(("br", "gzip"))
        best = best if best in ("br", "gzip") else None
        if len(_ENCODINGS) < 256:
            _ENCODINGS[header] = best
        return best


def _base(environ: dict) -> tuple[str, str, str]:
    """What a page's links and absolute URLs may be built from besides its path: scheme, Host
    and SCRIPT_NAME, exactly as the WSGI server (and ProxyFix) left them."""
    return (environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""))


_PUBLIC: dict[str, tuple[str, str]] = {}


def public_base(url: str) -> tuple[str, str] | None:
    """``PUBLIC_BASE_URL`` taken apart: ``(host name, path)``, lower-cased host without the
    port; None when the setting is empty."""
    if not url:
        return None
    parts = _PUBLIC.get(url)
    if parts is None:
        split = urlsplit(url)
        parts = _PUBLIC[url] = ((split.hostname or "").lower(), split.path.rstrip("/"))
    return parts


def _host_name(host: str) -> str:
    """``Host`` without the port, lower-cased (``[::1]:443`` → ``::1``)."""
    if host.startswith("["):
        return host[1:].partition("]")[0].lower()
    return host.rpartition(":")[0].lower() if host.count(":") == 1 else host.lower()


def _public_request() -> bool:
    """The request is under the base every visitor shares: with ``PUBLIC_BASE_URL``, its host
    (``SCRIPT_NAME`` already set from it by FastPath); without, no path prefix."""
    public = public_base(current_app.config.get("PUBLIC_BASE_URL") or "")
    environ = request.environ
    if public is None:
        return environ.get("SCRIPT_NAME", "") == ""
    host, root = public
    return environ.get("SCRIPT_NAME", "") == root and _host_name(
        environ.get("HTTP_HOST", "")) == host


def _storable(response: Response) -> bool:
    return (
        _public_request()
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and "Content-Encoding" not in response.headers
        and current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") not in g
    )


def cached_page(*scopes: str, per: str | None = None, fast: bool = True,
                office: str | None = "current") -> Callable:
    """Serve the view from :data:`page_cache`.

    ``scopes``: which version counters the page depends on (``content``, ``dossiers``).
    ``per``: ``"minute"`` for pages that show who is on duty now, ``"day"`` for pages that
    compare dates with today; in the office's time zone.
    ``fast``: cookie-less visitors may get the page from :class:`FastPath`, before Flask runs.
    Pass ``False`` for a view whose before-request work must run every time (rate limits).
    ``office``: ``"current"`` — the page is about the commune of the URL and moves with its
    counters (and the province row); ``None`` — about every commune (the province home).
    """
    assert scopes and set(scopes) <= set(SCOPES)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if (
                current_app.config["PAGE_CACHE_SIZE"] <= 0
                or request.method not in ("GET", "HEAD")
                or "_flashes" in session
            ):
                return view(*args, **kwargs)
            version = page_cache.version()
            if version is None:
                return view(*args, **kwargs)
            key = _key(view.__name__, scopes, per, version, office == "current")
            entry = page_cache.get(key)
            store_url = current_app.config.get("PAGE_CACHE_REDIS_URL") or ""
            shared = shared_key(key) if store_url else None
            built = False
            if entry is None and shared:
                fields = shared_pages.load(store_url, shared)
                if fields is not None:
                    entry = Entry.from_store(fields, shared, store_url)
                    if entry is not None:
                        page_cache.put(key, entry)
                        page_cache.shared_hits += 1
            if entry is None:
                page_cache.misses += 1
                built = True
                response = current_app.make_response(view(*args, **kwargs))
                if not _storable(response):
                    return response
                body = response.get_data()
                headers = [(k, v) for k, v in response.headers.items()
                           if k not in ("Content-Length", "ETag", "Vary")]
                vary = ", ".join(v for v in (response.headers.get("Vary"), "Accept-Encoding",
                                              "Cookie") if v)
                cache_control = response.headers.get("Cache-Control")
                if not cache_control:
                    headers.append(("Cache-Control", "no-cache"))  # as app.web.conditional_get
                entry = Entry(
                    body, headers,
                    vary=vary,  # Cookie: the language may come from the session
                    etag=hashlib.sha1(body).hexdigest(),
                    no_store="no-store" in (cache_control or ""),
                )
                if shared and not entry.no_store:  # personal pages stay in this worker
                    entry.shared, entry.store_url = shared, store_url
                page_cache.put(key, entry)
            else:
                page_cache.hits += 1
            encoding = _encoding()
            response = entry.response(encoding)
            if built and entry.shared:
                shared_pages.save(store_url, entry.shared, entry.meta(), entry.body,
                                  {e: f[0] for e, f in entry.ready.items() if e},
                                  _SHARED_MINUTE if per == "minute" else
                                  current_app.config["PAGE_CACHE_REDIS_SECONDS"])
            if fast:
                tag = _fast_tag(key)
                if tag is not None:
                    page_cache.remember_fast(request.environ, key, per, entry, tag)
            return response

        return wrapper

    return decorate


def _office_stamp(version: Version, office_id: int) -> tuple:
    """What a kept office row depends on: the epoch, the province's and its own content."""
    return (version.epoch, version.province[0], version.of(office_id)[0])


def _when(per: str, office: SimpleNamespace) -> str:
    """The office-local minute or day a page belongs to."""
    return office_now(office).strftime("%Y%m%d%H%M" if per == "minute" else "%Y%m%d")


class Key(NamedTuple):
    """What a stored page depends on; FastPath rebuilds the last four to check it is current."""

    view: str
    base: tuple[str, str, str]  # scheme, Host, SCRIPT_NAME (see _base)
    path: str
    query: bytes
    lang: str
    htmx: tuple[str | None, str | None]
    when: str | None  # office-local minute or day, for pages that show "now" or "today"
    epoch: str
    office: int | None  # the commune the page is about; None: every commune (province home)
    counters: tuple[int, ...]
    scopes: tuple[str, ...]


def _key(name: str, scopes: tuple[str, ...], per: str | None, version: Version,
         one_office: bool) -> Key:
    office = current_office()
    office_id = office.id if one_office and office is not None else None
    when = None
    if per is not None and office is not None:
        when = _when(per, page_cache.office_clock(version, office_id, office))
    counters = _counters(version, office_id, scopes)
    htmx = (request.headers.get("HX-Request"), request.headers.get("HX-History-Restore-Request"))
    return Key(name, _base(request.environ), request.path, request.query_string, choose_locale(),
               htmx, when, version.epoch, office_id, counters, scopes)


def _counters(version: Version, office_id: int | None,
              scopes: tuple[str, ...]) -> tuple[int, ...]:
    """The counters a page depends on: for each scope, the province's and its commune's."""
    own = version.of(office_id)
    return tuple(chain.from_iterable(
        (version.province[i], own[i]) for i in (SCOPES.index(s) for s in scopes)))


def _fast_tag(key: Key) -> str | None:
    """The kind of visitor :class:`FastPath` could answer next time, or None: "" for a request
    with no cookie; ``lang:<lang>`` for one whose only cookie is a session holding nothing but
    the language (a visitor who once chose English); neither with ``?lang=`` or htmx."""
    environ = request.environ
    if "lang" in request.args or key.htmx != (None, None):
        return None
    if "HTTP_COOKIE" not in environ:
        return ""
    name = current_app.config["SESSION_COOKIE_NAME"]
    if (
        set(request.cookies) != {name}
        or session.modified
        or set(session) != {"lang"}
        or session["lang"] != key.lang
    ):
        return None
    return f"lang:{key.lang}"


def _visitor(environ: dict, app) -> str | None:
    """What :func:`_fast_tag` said of the request, read from the WSGI environ before Flask runs:
    "" no cookie; ``lang:<lang>`` when the only cookie is a valid session (signature and age
    checked as Flask checks them) holding only a language; None for anything else."""
    header = environ.get("HTTP_COOKIE")
    if header is None:
        return ""
    name = app.config["SESSION_COOKIE_NAME"]
    cookies = parse_cookie(header)
    if len(cookies) != 1 or name not in cookies:
        return None
    try:
        data = app.session_interface.get_signing_serializer(app).loads(
            cookies[name], max_age=int(app.permanent_session_lifetime.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or set(data) != {"lang"} or data["lang"] not in app.config[
            "LANGUAGES"]:
        return None
    return f"lang:{data['lang']}"


class FastPath:
    """WSGI middleware in front of Flask: a cookie-less ``GET``/``HEAD`` for a page already in
    memory gets its stored bytes without Flask running at all.

    Most citizens arrive with no cookie (from an SMS link, a QR code on the slip, a search);
    for them the page depends only on its URL (with the scheme, Host and SCRIPT_NAME it was
    asked under), the version row and the clock — exactly what
    the key holds. So the middleware answers only when the key it rebuilds from those is the
    one the page was stored under by a full Flask request: the version row was read less than
    ``PAGE_CACHE_CHECK_SECONDS`` ago (else Flask runs and re-reads it), the minute or day is
    the same, the request has no cookie — or only a session holding nothing but the language
    a visitor chose, checked as Flask checks it —, no ``lang`` parameter, no htmx headers, and
    the client's Accept-Encoding has been seen before. Anything else — a session, a form, an
    officer, a rate-limited page (``fast=False``), a miss — goes to Flask as usual. The
    answer is byte for byte what Flask would send (same headers, ETag, 304 handling).
    """

    def __init__(self, wsgi_app: Callable, app) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict, start_response: Callable):
        public = public_base(self.app.config.get("PUBLIC_BASE_URL") or "")
        if public is not None:
            # Links follow PUBLIC_BASE_URL, never a SCRIPT_NAME a forwarder took from a header.
            environ["SCRIPT_NAME"] = public[1]
        method = environ.get("REQUEST_METHOD")
        if (
            (method == "GET" or method == "HEAD")
            and "HTTP_HX_REQUEST" not in environ
            and (tag := _visitor(environ, self.app)) is not None
        ):
            answer = page_cache.fast_answer(environ, self.app.config, tag)
            if answer is not None:
                page_cache.hits += 1
                page_cache.fast_hits += 1
                status, headers, body = answer
                start_response(status, headers)
                return [] if method == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)
