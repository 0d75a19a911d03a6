"""The panel import takes the centre's spreadsheet as it is: Chinese headings and words (律师, 律师事务所,
是/否), says which columns it expects, offers a sample file, and reports "line 3" in people's words."""

from __future__ import annotations

import io

import sqlalchemy as sa

from assignment.models import Organization, Provider
from legalaid.db import db

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}

CHINESE_CSV = """姓名,类别,所属机构,机构类别,执业起始日期,在办案件上限,专长,服务区域,是否接案
李磊,律师,明德律师事务所,律师事务所,2010年5月1日,12,劳动争议、婚姻家庭,西湖区,是
韩梅梅,基层法律服务工作者,东镇法律服务所,基层法律服务所,2016/1/1,,,,否
王芳,法律工作者,东镇法律服务所,,2018-03-01,,,,
"""


def _upload(client, text, headers=None):
    return client.post(
        "/admin/panel-import",
        data={"file": (io.BytesIO(text.encode()), "panel.csv")},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def test_chinese_headings_and_words_are_imported(as_role, app):
    response = _upload(as_role("admin"), CHINESE_CSV)
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    with app.app_context():
        rows = {p.name: p for p in db.session.scalars(sa.select(Provider))}
        li, han, wang = rows["李磊"], rows["韩梅梅"], rows["王芳"]
        assert (li.kind, li.organization.kind, li.max_open_cases) == ("lawyer", "law_firm", 12)
        assert li.specialties == ["劳动争议", "婚姻家庭"] and li.areas == ["西湖区"]
        assert li.practice_since.isoformat() == "2010-05-01" and li.active
        assert (han.kind, han.organization.kind, han.active) == (
            "legal_adviser",
            "legal_service_office",
            False,
        )
        assert wang.kind == "legal_adviser" and wang.organization_id == han.organization_id
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 2


def test_row_errors_name_the_line_and_the_column_in_the_readers_words(app, as_role, count):
    from flask_babel import gettext

    admin = as_role("admin")
    bad = (
        "姓名,类别,所属机构,执业起始日期,是否接案\n"
        "李磊,律师,明德律师事务所,2010-05-01,是\n"
        ",法官,明德律师事务所,昨天,也许\n"
    )
    page = _upload(admin, bad, ZH).get_data(as_text=True)
    with app.test_request_context(headers=ZH):  # "第 3 行" once the catalog has it
        assert gettext("Line %(line)s", line=3) in page and gettext("In practice since") in page
    assert "row 3" not in page and "practice_since" not in page and "kind must" not in page
    english = _upload(admin, bad).get_data(as_text=True)
    assert "Line 3" in english and "In practice since must be a date" in english
    assert "Kind must be lawyer or legal adviser, not 法官" in english and "Name is required" in english
    assert "Takes cases must be yes or no" in english
    assert count(Provider) == 0


def test_import_page_lists_the_columns_and_offers_a_sample(as_role):
    admin = as_role("admin")
    page = admin.get("/admin/panel-import").get_data(as_text=True)
    assert 'id="import-columns"' in page and "In practice since" in page and "Open-case cap" in page
    assert "/admin/panel-import/sample.csv" in page
    sample = admin.get("/admin/panel-import/sample.csv")
    assert sample.status_code == 200 and sample.mimetype == "text/csv"
    assert sample.get_data(as_text=True).lstrip("\ufeff").startswith("Name,Kind,Organisation")
    zh_sample = admin.get("/admin/panel-import/sample.csv", headers=ZH).get_data(as_text=True)
    assert zh_sample.lstrip("\ufeff").startswith("姓名,类别,所属机构")


def test_the_sample_file_imports_as_it_is(as_role, count):
    admin = as_role("admin")
    for headers in ({}, ZH):
        sample = admin.get("/admin/panel-import/sample.csv", headers=headers).get_data(as_text=True)
        response = _upload(admin, sample.lstrip("\ufeff"))
        assert response.status_code in (302, 303), response.get_data(as_text=True)
    assert count(Provider) == 2
