"""How fast the SMS outbox drains, and whether a killed worker loses or duplicates texts.

Not a test: it measures. For each database it queues N texts and drains them with 1 and with 2
worker processes (the real ``run_forever`` loop, real Twilio SDK over HTTP to the local stand-in
``tests/support/fakes/twilio_server.FakeTwilio`` — nothing leaves the machine), then once more with 2
workers, SIGKILLing one of them a third of the way through. It prints msgs/s and, from what the
stand-in received, how many texts went twice and how many never went.

    .venv/bin/python bench/worker_drain.py                      # N=10000, SQLite (+ $DATABASE_URL)
    .venv/bin/python bench/worker_drain.py -n 2000 --db sqlite \\
        --db postgresql://postgres@127.0.0.1:5432/motcua_worker

Use a database of its own for PostgreSQL: the workers send every due row they find, so the
script refuses a database whose outbox holds texts of other offices.

Reading the numbers: the stand-in runs in this process, so with two workers it shares one CPU
core (the GIL) with the poller; "fake ceiling" is what one client gets from it alone. After a
kill the surviving worker takes over the dead one's unrecorded rows and looks each one up in
the stand-in's message list before sending it ("lookups"), so the text that was in flight when
the worker died (accepted, not yet recorded) is recorded rather than sent again: expect
duplicates=0. The stand-in's list is immediately consistent; Twilio's is not promised to be
(see docs/SMS_WORKER.md). The exit status is 1 on any lost, unsent or duplicated text.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_OFFICE = "BN"
LEASE = 5.0  # seconds; short so the killed worker's rows come back quickly
SEND_TIMEOUT = 2.0  # the lease must be at least twice this
BATCH = 50


def _sqlalchemy_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_app(db_url: str, fake_base_url: str):
    from app import create_app
    from tests.support.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

    return create_app({
        "APP_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SMS_CHANNEL": "twilio",
        "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
        "TWILIO_FROM": "MOTCUA",
        "TWILIO_API_BASE_URL": fake_base_url,
        "TWILIO_TIMEOUT": SEND_TIMEOUT,
        "SMS_CLAIM_SECONDS": LEASE,
        "SMS_QUIET_START": "00:00",  # no quiet hours: the bench may run at any hour
        "SMS_QUIET_END": "00:00",
    })


def worker_main(db_url: str, fake_base_url: str, worker_id: str) -> None:
    """One worker process: the production loop until SIGTERM (or SIGKILL)."""
    import logging

    logging.basicConfig(level=logging.WARNING)
    app = make_app(db_url, fake_base_url)
    from app.sms.worker import run_forever

    with app.app_context():
        run_forever(worker_id, batch=BATCH, interval=0.05, lease=LEASE, remind_every=None)


@dataclass
class Result:
    db: str
    workers: int
    killed: bool
    n: int
    seconds: float
    duplicates: int
    lost: int
    not_sent_rows: int
    lookups: int = 0

    @property
    def rate(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def prepare(app) -> int:
    """Tables, the bench office, no bench texts left over; refuse a shared outbox."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Message, Office

    with app.app_context():
        db.create_all()
        office = db.session.scalars(sa.select(Office).where(Office.code == BENCH_OFFICE)).first()
        if office is None:
            office = Office(code=BENCH_OFFICE, name="Bench")
            db.session.add(office)
            db.session.commit()
        others = db.session.scalar(
            sa.select(sa.func.count(Message.id)).where(
                Message.office_id != office.id, Message.direction == "out",
                Message.status.in_(("queued", "sending")),
            )
        )
        if others:
            raise SystemExit(f"{others} texts of other offices are waiting in this database's "
                             "outbox; run the bench on a database of its own")
        db.session.execute(sa.delete(Message).where(Message.office_id == office.id))
        db.session.commit()
        return office.id


def queue_texts(app, office_id: int, n: int, run: str) -> None:
    """Insert N due texts in one transaction: the workers see them all at the same moment."""
    from app.extensions import db
    from app.models import Message, utcnow

    now = utcnow()
    rows = [
        {
            "office_id": office_id, "direction": "out", "phone": f"+8491{i:07d}",
            "body": f"bench {run} {i}", "kind": "notify", "status": "queued",
            "next_attempt_at": now, "created_at": now, "attempts": 0, "segments": 1,
            "encoding": "GSM-7", "channel": "", "last_error": "", "needs_attention": False,
        }
        for i in range(n)
    ]
    with app.app_context():
        for start in range(0, n, 2000):
            db.session.execute(Message.__table__.insert(), rows[start:start + 2000])
        db.session.commit()


def counts(app, office_id: int) -> Counter:
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import Message

    with app.app_context():
        rows = db.session.execute(
            sa.select(Message.status, sa.func.count(Message.id))
            .where(Message.office_id == office_id).group_by(Message.status)
        ).all()
        db.session.rollback()
    return Counter(dict(rows))


def scenario(app, fake, db_url: str, label: str, office_id: int, n: int, workers: int,
             kill: bool, limit: float) -> Result:
    prepare(app)
    fake.reset()
    run = uuid.uuid4().hex[:6]
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=worker_main, args=(db_url, fake.base_url, f"bench-{i}"), daemon=True)
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    time.sleep(3.0)  # let them import and start polling (not part of the measurement)

    queue_texts(app, office_id, n, run)
    started = time.perf_counter()
    killed = False
    while True:
        status = counts(app, office_id)
        done = status.get("sent", 0) + status.get("failed", 0) + status.get("cancelled", 0)
        if kill and not killed and status.get("sent", 0) >= n // 3:
            os.kill(procs[0].pid, signal.SIGKILL)
            killed = True
        if done >= n:
            break
        if time.perf_counter() - started > limit:
            print(f"  gave up after {limit:.0f}s: {dict(status)}", file=sys.stderr)
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started

    for proc in procs:
        if proc.is_alive():
            proc.terminate()  # SIGTERM: the worker finishes its text and hands back the rest
    for proc in procs:
        proc.join(timeout=30)

    prefix = f"bench {run} "
    received = Counter(m.body for m in fake.messages if m.body.startswith(prefix))
    duplicates = sum(c - 1 for c in received.values() if c > 1)
    lost = n - len(received)
    final = counts(app, office_id)
    return Result(label, workers, kill, n, seconds, duplicates, lost,
                  n - final.get("sent", 0), fake.lookups)


def fake_ceiling(fake, sends: int = 300) -> float:
    """Sends per second one client gets from the stand-in: the upper bound for one worker."""
    from app.sms.channels.twilio_channel import TwilioChannel
    from tests.support.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN

    channel = TwilioChannel(DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, from_="MOTCUA",
                            api_base_url=fake.base_url, timeout=SEND_TIMEOUT)
    started = time.perf_counter()
    for i in range(sends):
        channel.send(f"+8490{i:07d}", "ceiling")
    rate = sends / (time.perf_counter() - started)
    fake.reset()
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=10_000, help="texts per scenario")
    parser.add_argument("--db", action="append", default=None,
                        help="'sqlite' or a PostgreSQL URL; repeat for several "
                             "(default: sqlite, plus $DATABASE_URL when set)")
    parser.add_argument("--limit", type=float, default=900.0, help="seconds per scenario, at most")
    parser.add_argument("--sqlite-wal", action="store_true",
                        help="put the SQLite file in WAL mode (the app leaves the default "
                             "rollback journal, where a reader blocks a committing writer)")
    args = parser.parse_args(argv)

    from tests.support.fakes.twilio_server import FakeTwilio

    targets = args.db or ["sqlite"] + ([os.environ["DATABASE_URL"]]
                                       if os.environ.get("DATABASE_URL") else [])
    results: list[Result] = []
    with FakeTwilio() as fake, tempfile.TemporaryDirectory() as tmp:
        print(f"fake ceiling (one client, no database): {fake_ceiling(fake):.0f} sends/s")
        for target in targets:
            if target == "sqlite":
                label, db_url = "sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            else:
                label, db_url = "postgresql", _sqlalchemy_url(target)
            app = make_app(db_url, fake.base_url)
            office_id = prepare(app)
            if label == "sqlite" and args.sqlite_wal:
                label = "sqlite-wal"
                with app.app_context():
                    from app.extensions import db

                    with db.engine.connect() as conn:  # persists in the file
                        conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            for workers, kill in ((1, False), (2, False), (2, True)):
                result = scenario(app, fake, db_url, label, office_id, args.n, workers, kill,
                                  args.limit)
                results.append(result)
                print(f"{label:10} workers={workers} kill={'yes' if kill else 'no ':3} "
                      f"n={result.n} {result.seconds:7.1f}s {result.rate:7.0f} msgs/s "
                      f"duplicates={result.duplicates} lost={result.lost} "
                      f"rows-not-sent={result.not_sent_rows} lookups={result.lookups}",
                      flush=True)
    return 1 if any(r.lost or r.not_sent_rows or r.duplicates for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
