"""One province catalogue (issue 13): the file round-trips, a bad file changes nothing, an
import updates with versions and creates, ``--offer-all`` lists it in every commune, and an
edit of the facts shows in every commune at once while the local part stays each commune's."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app import catalogue
from app.extensions import db as _db
from app.lookup import get_procedure, list_procedures
from app.models import Procedure, ProcedureLocal, ProcedureVersion


@pytest.fixture
def demo_catalogue(db):
    from app.demo.loader import _office, _procedures

    office = _office()
    _procedures(office)
    _db.session.commit()
    return office


def _wipe() -> None:
    for model in (ProcedureVersion, ProcedureLocal):
        _db.session.execute(sa.delete(model))
    for proc in _db.session.scalars(sa.select(Procedure)):
        _db.session.delete(proc)
    _db.session.commit()


def test_export_then_import_into_an_empty_catalogue_gives_the_same(demo_catalogue):
    before = catalogue.export_catalogue()
    assert len(before["procedures"]) >= 10
    assert all({"vi", "en"} <= set(p["content"]) for p in before["procedures"])
    text = catalogue.export_json()
    _wipe()
    assert catalogue.export_catalogue()["procedures"] == []
    result = catalogue.apply(catalogue.parse(text))
    assert len(result.created) == len(before["procedures"]) and not result.updated
    assert catalogue.export_catalogue() == before
    # The same file again changes nothing.
    again = catalogue.apply(catalogue.parse(text))
    assert not again.created and not again.updated
    assert len(again.unchanged) == len(before["procedures"])


def test_import_updates_keeps_a_version_and_creates(make_procedure, make_office):
    ks = make_procedure(slug="khai-sinh", keyword="KS")
    data = catalogue.export_catalogue()
    item = data["procedures"][0]
    item["content"]["vi"]["fee"] = "50.000 đồng"
    item["fee_vnd"] = 50000
    new = json.loads(json.dumps(item))
    new.update(slug="khai-tu", sms_keyword="KT")
    data["procedures"].append(new)
    items = catalogue.parse(json.dumps(data))
    plan = catalogue.plan(items)
    assert plan.updated == ["khai-sinh"] and plan.created == ["khai-tu"]
    other = make_office("XX", name="Xã khác")
    catalogue.apply(items, offer_all=True)
    _db.session.expire_all()
    assert ks.content("vi").fee == "50.000 đồng" and ks.fee_vnd == 50000
    [version] = _db.session.scalars(sa.select(ProcedureVersion)).all()
    assert version.procedure_id == ks.id and version.data["fee"] == "Miễn phí"
    assert version.sms_keyword == "KS"
    kt = _db.session.scalars(sa.select(Procedure).where(Procedure.slug == "khai-tu")).one()
    # --offer-all: both communes list both procedures.
    for office in (make_office(), other):
        assert {p.slug for p in list_procedures(office)} == {"khai-sinh", "khai-tu"}
    assert kt.sms_keyword == "KT"


def test_keywords_may_swap_within_one_file(make_procedure):
    make_procedure(slug="a", keyword="AA")
    make_procedure(slug="b", keyword="BB")
    data = catalogue.export_catalogue()
    data["procedures"][0]["sms_keyword"], data["procedures"][1]["sms_keyword"] = "BB", "AA"
    catalogue.apply(catalogue.parse(json.dumps(data)))
    keywords = dict(_db.session.execute(sa.select(Procedure.slug, Procedure.sms_keyword)).all())
    assert keywords == {"a": "BB", "b": "AA"}


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda d: "not json", "JSON"),
        (lambda d: {**d, "format": "other"}, "không phải danh mục"),
        (lambda d: {**d, "version": 99}, "Phiên bản"),
        (lambda d: {**d, "procedures": []}, "không có thủ tục"),
        (lambda d: {**d, "procedures": [{**d["procedures"][0], "slug": "Có Dấu"}]}, "slug"),
        (lambda d: {**d, "procedures": [{**d["procedures"][0], "sms_keyword": "TT"}]},
         "từ khoá"),
        (lambda d: {**d, "procedures": [{**d["procedures"][0], "field": "x"}]}, "lĩnh vực"),
        (lambda d: {**d, "procedures": [{**d["procedures"][0], "processing_days": -1}]},
         "số không âm"),
        (lambda d: {**d, "procedures": [{**d["procedures"][0], "content": {"en": {}}}]},
         "tiếng Việt"),
        (lambda d: {**d, "procedures": [d["procedures"][0], d["procedures"][0]]}, "hai lần"),
    ],
)
def test_a_bad_file_is_refused_with_a_reason_and_changes_nothing(
    app, make_procedure, mutate, message
):
    make_procedure(slug="khai-sinh", keyword="KS")
    before = catalogue.export_catalogue()
    bad = mutate(json.loads(json.dumps(before)))
    text = bad if isinstance(bad, str) else json.dumps(bad)
    with app.test_request_context("/"), pytest.raises(catalogue.CatalogueError) as err:
        catalogue.apply(catalogue.parse(text))
    assert message in str(err.value)
    assert catalogue.export_catalogue() == before


def test_a_keyword_of_a_procedure_outside_the_file_is_refused(app, make_procedure):
    make_procedure(slug="khai-sinh", keyword="KS")
    make_procedure(slug="khai-tu", keyword="KT")
    data = catalogue.export_catalogue()
    data["procedures"] = [p for p in data["procedures"] if p["slug"] == "khai-sinh"]
    data["procedures"][0]["sms_keyword"] = "KT"
    before = catalogue.export_catalogue()
    with app.test_request_context("/"), pytest.raises(catalogue.CatalogueError):
        catalogue.apply(catalogue.parse(json.dumps(data)))
    assert catalogue.export_catalogue() == before


def test_facts_are_shared_and_the_local_part_is_each_communes(
    make_procedure, make_office, make_officer
):
    vb = make_office()
    xx = make_office("XX", name="Xã khác")
    ks = make_procedure(slug="khai-sinh", keyword="KS", office=vb)
    assert make_procedure(slug="khai-sinh", office=xx).id == ks.id  # one procedure
    here = make_officer(office=vb, procedures=[ks])
    there = make_officer(office=xx, procedures=[ks])
    ks.content("vi").fee = "Lệ phí mới"
    ks.local(xx.id).note = "Nộp ở phòng 2"
    _db.session.commit()
    for office in (vb, xx):
        assert get_procedure(office, "khai-sinh").content("vi").fee == "Lệ phí mới"
    assert ks.local(vb.id).note == "" and ks.local(xx.id).note == "Nộp ở phòng 2"
    assert ks.officers_in(vb.id) == [here] and ks.officers_in(xx.id) == [there]
    # Not offered in a commune: not found there.
    ks.local(xx.id).offered = False
    _db.session.commit()
    assert get_procedure(xx, "khai-sinh") is None and get_procedure(vb, "khai-sinh") is not None


def test_offer_all_lists_every_active_procedure_in_a_new_commune(make_procedure, make_office):
    make_procedure(slug="khai-sinh", keyword="KS")
    make_procedure(slug="an", keyword="AN", active=False)
    new = make_office("MN", name="Xã mới")
    assert catalogue.offer_all(new) == 1
    assert [p.slug for p in list_procedures(new)] == ["khai-sinh"]
    assert catalogue.offer_all(new) == 0


def test_cli_export_and_import(runner, make_procedure, make_office, tmp_path):
    make_procedure(slug="khai-sinh", keyword="KS")
    path = tmp_path / "catalogue.json"
    result = runner.invoke(args=["catalogue", "export", str(path)])
    assert result.exit_code == 0 and "1 procedures" in result.output
    data = json.loads(path.read_text(encoding="utf-8"))
    data["procedures"][0]["content"]["en"]["fee"] = "Free of charge"
    path.write_text(json.dumps(data), encoding="utf-8")
    new = make_office("MN", name="Xã mới")
    dry = runner.invoke(args=["catalogue", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "1 updated" in dry.output
    assert list_procedures(new) == []
    result = runner.invoke(args=["catalogue", "import", str(path), "--offer-all"])
    assert result.exit_code == 0 and "0 created, 1 updated" in result.output
    assert [p.content("en").fee for p in list_procedures(new)] == ["Free of charge"]
    path.write_text("{}", encoding="utf-8")
    bad = runner.invoke(args=["catalogue", "import", str(path)])
    assert bad.exit_code != 0 and "Error" in bad.output
