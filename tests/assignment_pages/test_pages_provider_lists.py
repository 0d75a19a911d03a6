"""The provider page shows specialties and areas as a list a person edits, and saving it unchanged
changes nothing (it once stored ``['[]']``, then ``["['[]']"]``)."""

from __future__ import annotations

import html
import re

import pytest

from assignment.models import Provider


def _form_fields(page: str) -> dict:
    """The provider form's fields as the browser would post them."""
    form = page[page.index('id="provider-form"') : page.index("</form>", page.index('id="provider-form"'))]
    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form):
        data[name] = html.unescape(value)
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if name and 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "y"
            else:
                data.pop(name.group(1), None)
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = html.unescape(value.removeprefix("\r\n").removeprefix("\n"))  # as HTML parsers do
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(
            r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', body
        )
        data[name] = html.unescape(chosen.group(1) or chosen.group(2))
    return data


@pytest.mark.parametrize(
    ("specialties", "areas"),
    [([], []), (["劳动争议", "婚姻家庭"], ["西湖区", "拱墅区"]), (["labour"], [])],
)
def test_saving_a_provider_unchanged_keeps_its_lists(as_role, make_provider, read, specialties, areas):
    provider_id = make_provider(specialties=specialties, areas=areas)
    admin = as_role("admin")
    for _ in range(2):
        page = admin.get(f"/admin/providers/{provider_id}").get_data(as_text=True)
        assert "[]" not in page and "['" not in page
        fields = _form_fields(page)
        assert fields["specialties"].splitlines() == specialties
        response = admin.post(f"/admin/providers/{provider_id}", data=fields)
        assert response.status_code in (302, 303), response.get_data(as_text=True)
        saved = read(Provider, provider_id)
        assert (saved["specialties"], saved["areas"]) == (specialties, areas)


def test_lists_are_typed_with_any_separator_people_use(as_role, make_provider, read):
    provider_id = make_provider()
    admin = as_role("admin")
    fields = _form_fields(admin.get(f"/admin/providers/{provider_id}").get_data(as_text=True))
    fields |= {"specialties": "劳动争议、婚姻家庭；交通事故\n劳动争议", "areas": "西湖区, 拱墅区"}
    assert admin.post(f"/admin/providers/{provider_id}", data=fields).status_code in (302, 303)
    saved = read(Provider, provider_id)
    assert saved["specialties"] == ["劳动争议", "婚姻家庭", "交通事故"]
    assert saved["areas"] == ["西湖区", "拱墅区"]
