from tests.helpers import check_page


def test_home(client, make_procedure, make_officer, make_shift):
    p = make_procedure()
    o = make_officer(procedures=[p])
    make_shift(o, 0)
    check_page(client.get("/"))
    check_page(client.get(f"/procedures/{p.slug}"))


def test_login(client, make_officer, login):
    o = make_officer()
    r = login(o)
    assert r.status_code == 302
    assert client.get("/officer/").status_code == 200


def test_status_change_queues_sms(make_dossier, sent_sms):
    d = make_dossier(status="ready")
    msgs = sent_sms()
    assert [m.kind for m in msgs] == ["notify", "notify"]
    assert all(m.segments == 1 for m in msgs), [m.body for m in msgs]
    print([m.body for m in msgs])
