"""How long the province pages take for a province of 100 communes (issue 13, item 7).

    .venv/bin/python -m bench.province_table [--communes 100] [--dossiers 300] [--db URL]

Fills a fresh database (SQLite in a temporary folder unless ``--db``; the database is emptied)
with N communes, each with one procedure, ``--dossiers`` dossiers over the last 12 months (some
finished, some late, some open and overdue), a text per dossier and a rating per fifth dossier,
written in bulk (not through the app: only the reading is measured). Then prints the median of
5 runs of:

* ``metrics.commune_figures`` for this month and for the last 12 months (the grouped queries);
* the same figures the slow way, ``metrics.figures`` once per commune (what the commune
  dashboard does), for comparison;
* ``GET /officer/province`` and ``/officer/province.csv`` (province leader signed in), and the
  public roll-up ``GET /province``, through the test client.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

RUNS = 5


def _median_ms(fn) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fill(db, communes: int, per_commune: int) -> None:
    from app.clock import utcnow
    from app.models import Dossier, Feedback, Message, Office, Officer, Procedure, ProcedureLocal

    rng = random.Random(13)
    now = utcnow()
    today = now.date()
    offices = [Office(code=f"X{n:02d}", name=f"UBND xã Thử Nghiệm {n:02d}",
                      sms_number=f"+849090{n:05d}") for n in range(communes)]
    db.session.add_all(offices)
    db.session.flush()
    # One province procedure, offered by every commune (issue 13: one catalogue).
    proc = Procedure(slug="thu-tuc", field="ho_tich", sms_keyword="KS", processing_days=3,
                     online_mode="full", portal_url="")
    db.session.add(proc)
    db.session.flush()
    db.session.add_all([ProcedureLocal(office_id=o.id, procedure_id=proc.id) for o in offices])
    procs = [proc] * len(offices)
    leader = Officer(username="tinhld", name="Lãnh đạo tỉnh", role="province_leader",
                     office_id=None)
    leader.set_password("bench-password")
    db.session.add(leader)
    db.session.flush()
    dossiers, n = [], 0
    for office, proc in zip(offices, procs, strict=True):
        for i in range(per_commune):
            n += 1
            received = now - timedelta(days=rng.uniform(0, 365))
            due = received.date() + timedelta(days=5)
            status = rng.choices(["returned", "ready", "processing", "withdrawn", "rejected"],
                                 [60, 10, 20, 3, 7])[0]
            finished = None
            if status in ("returned", "ready", "rejected"):
                finished = received + timedelta(days=rng.choice([0, 1, 2, 4, 7]))
                finished = min(finished, now)
            dossiers.append({
                "office_id": office.id, "code": f"{office.code}-{i:06d}-{n:04d}",
                "procedure_id": proc.id, "applicant_name": "Người Thử", "phone": "+84100000000",
                "channel": rng.choice(["counter", "counter", "online"]), "received_at": received,
                "due_on": due if due < today or status != "processing" else today + timedelta(1),
                "status": status, "finished_at": finished,
                "closed_at": finished if status == "returned" else None, "updated_at": now,
            })
    db.session.execute(sa.insert(Dossier), dossiers)
    ids = db.session.execute(sa.select(Dossier.id, Dossier.office_id, Dossier.received_at)).all()
    db.session.execute(sa.insert(Message), [
        {"office_id": office_id, "direction": "out", "phone": "+84100000000", "body": "TT",
         "status": "delivered", "channel": "console", "created_at": at, "dossier_id": d}
        for d, office_id, at in ids
    ])
    db.session.execute(sa.insert(Feedback), [
        {"office_id": office_id, "rating": rng.randint(1, 5), "dossier_id": d, "proven": True,
         "created_at": at + timedelta(days=3), "comment": ""}
        for d, office_id, at in ids[::5]
    ])
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--dossiers", type=int, default=300, help="per commune")
    parser.add_argument("--db", default="")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='motcua-province-')) / 'p.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]

    from app import create_app, metrics
    from app.clock import office_today
    from app.extensions import db
    from app.models import Office

    app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "PAGE_CACHE_SIZE": 0})
    with app.app_context():
        db.drop_all()
        db.create_all()
        start = time.perf_counter()
        fill(db, args.communes, args.dossiers)
        print(f"{args.communes} communes × {args.dossiers} dossiers ({url.split(':')[0]}), "
              f"filled in {time.perf_counter() - start:.1f} s")
        offices = list(db.session.scalars(sa.select(Office).order_by(Office.code)))
        today = office_today(offices[0])
        month, year = metrics.month_period(today), metrics.public_period(today)
        rows = [
            ("province_public (the roll-up's figures, built)",
             _median_ms(lambda: metrics.province_public(offices))),
            ("commune_figures, this month",
             _median_ms(lambda: metrics.commune_figures(offices, month))),
            ("commune_figures, last 12 months",
             _median_ms(lambda: metrics.commune_figures(offices, year))),
            ("metrics.figures per commune, this month (the dashboard's way)",
             _median_ms(lambda: [metrics.figures(o, month) for o in offices])),
        ]
        db.session.remove()
    client = app.test_client()
    client.post("/officer/login", data={"username": "tinhld", "password": "bench-password"})
    for label, path in (("GET /officer/province (month)", "/officer/province"),
                        ("GET /officer/province?period=year", "/officer/province?period=year"),
                        ("GET /officer/province.csv", "/officer/province.csv"),
                        ("GET /province (public roll-up, kept by the worker)", "/province")):
        status = client.get(path).status_code
        assert status == 200, (path, status)
        rows.append((label, _median_ms(lambda path=path: client.get(path))))
    size = len(client.get("/province").get_data())
    for label, ms in rows:
        print(f"  {ms:8.1f} ms  {label}")
    print(f"  /province HTML: {size} bytes uncompressed")


if __name__ == "__main__":
    main()
