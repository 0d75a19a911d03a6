""" "Application guided": one notice listing every material, chosen by cause and categories from the
admin's table (seeded with the common causes)."""

from __future__ import annotations

import pytest

from legalaid.db import db


@pytest.mark.parametrize(
    "cause, expected",
    [
        ("wage_arrears", "拖欠工资的证据"),
        ("work_injury", "工伤认定决定书"),
        ("traffic_accident", "道路交通事故认定书"),
        ("marriage_family", "结婚证或离婚证"),
        ("criminal_defence", "拘留通知书"),
    ],
)
def test_defaults_for_the_common_causes(app, cause, expected):
    from assignment.guidance import materials_for

    with app.app_context():
        items = materials_for(db.session, cause, [])
    assert items[0].startswith("法律援助申请表")
    assert any(expected in item for item in items)
    assert not any("残疾人证" in item for item in items)


def test_categories_add_their_proofs_and_other_causes_stay_out(app):
    from assignment.guidance import materials_for

    with app.app_context():
        items = materials_for(db.session, "marriage_family", ["domestic_violence", "disabled"])
    assert any("家庭暴力" in item for item in items) and any("残疾人证" in item for item in items)
    assert not any("工伤" in item for item in items)
    assert len(items) == len(set(items))


def test_notice_pages_print_and_admin_keeps_the_table(as_role):
    desk = as_role("desk")
    page = desk.get("/guidance?cause=wage_arrears&categories=migrant_worker&name=Wang").get_data(as_text=True)
    assert "拖欠工资的证据" in page and "农民工" in page and "data-print" in page and "To: Wang" in page
    assert desk.get("/admin/guidance").status_code == 403
    admin = as_role("admin")
    r = admin.post("/admin/guidance", data={"cause": "wage_arrears", "category": "", "item": "考勤卡照片"})
    assert r.status_code in (302, 303)
    assert "考勤卡照片" in desk.get("/guidance?cause=wage_arrears").get_data(as_text=True)
    assert admin.post("/admin/guidance", data={"cause": "", "category": "", "item": ""}).status_code == 422


def test_removing_a_material_asks_first(app, as_role):
    from assignment.consultations_models import GuidanceMaterial

    with app.app_context():
        material_id = db.session.scalar(db.select(GuidanceMaterial.id).order_by(GuidanceMaterial.id.desc()))
    admin = as_role("admin")
    asked = admin.post(f"/admin/guidance/{material_id}/remove")
    assert asked.status_code == 200 and "confirm-yes" in asked.get_data(as_text=True)
    done = admin.post(f"/admin/guidance/{material_id}/remove", data={"confirmed": "yes"})
    assert done.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(GuidanceMaterial, material_id) is None


def test_admin_keeps_the_stations(as_role):
    admin = as_role("admin")
    r = admin.post(
        "/admin/stations", data={"name": "Xinqiao township", "kind": "township", "area": "Xinqiao"}
    )
    assert r.status_code in (302, 303)
    page = admin.get("/admin/stations").get_data(as_text=True)
    assert "Xinqiao township" in page and "township workstation" in page
    again = admin.post("/admin/stations", data={"name": "XINQIAO township", "kind": "court"})
    assert again.status_code == 422 and "Another station has this name." in again.get_data(as_text=True)
    assert as_role("desk").get("/admin/stations").status_code == 403
