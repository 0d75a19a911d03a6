"""What every long list is checked for, on its page and in the API (legalaid.listing): paging with
the total, each sort key both ways with the id breaking ties, bad parameters refused with the API.md
error body (422) or the form's error on the page, the filter kept by the pager and the headers, and a
fixed number of statements whatever the page size."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit


def api(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.get_json())
    return response.get_json()


def ids(client, url: str, key: str = "id") -> list:
    return [item[key] for item in api(client, url)["items"]]


def join(url: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}{'&' if '?' in url else '?'}{query}"


def check_api_paging(client, url: str, total: int, key: str = "id") -> None:
    """``total`` rows; two pages of one row each are different rows, in the order of the whole list."""
    whole = api(client, join(url, per_page=500))
    assert whole["total"] == total and len(whole["items"]) == total, whole
    first = api(client, join(url, per_page=1, page=1))
    second = api(client, join(url, per_page=1, page=2))
    assert first["total"] == second["total"] == total
    assert [first["items"][0][key], second["items"][0][key]] == [i[key] for i in whole["items"][:2]]


def check_api_sorts(client, url: str, keys, key: str = "id", sorted_by: dict | None = None) -> None:
    """Each key sorts both ways: descending is ascending reversed (the id breaks ties the same way);
    ``sorted_by`` {sort key: item field} also checks the ascending order by that field."""
    for name in keys:
        up = api(client, join(url, sort=name, per_page=500))["items"]
        down = api(client, join(url, sort=f"-{name}", per_page=500))["items"]
        assert [i[key] for i in up] == [i[key] for i in reversed(down)], name
        field = (sorted_by or {}).get(name)
        if field:
            values = [i[field] for i in up]
            assert values == sorted(values), (name, values)


def check_api_refuses(client, url: str, **params) -> None:
    """Each bad parameter alone: 422 with the API.md error body naming that parameter."""
    for name, value in params.items():
        body = api(client, join(url, **{name: value}), 422)
        assert body["error"]["code"] == "invalid", body
        assert name in body["error"]["fields"], body


ROW = re.compile(r'<tr data-[a-z-]+="(\d+)"')


def page_html(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def check_page(client, url: str, *, table: str, key: str, total_text: str | None = None) -> str:
    """With two rows a page: page x of y, a next link keeping the filter, page 2 answers; sortable
    headers carry aria-sort; the filter form's controls are labelled."""
    html = page_html(client, url)
    assert f'id="{table}"' in html
    assert f'id="{key}-filter"' in html and 'method="get"' in html
    for control in re.findall(r'<(?:input|select)[^>]*id="(' + key + r'-[a-z_]+)"', html):
        assert f'for="{control}"' in html, control
    assert "aria-sort=" in html
    assert re.search(r"Page 1 of \d+", html), "no pager"
    nxt = re.search(rf'id="{key}-next" href="([^"]+)"', html)
    assert nxt, "no next page"
    link = nxt.group(1).replace("&amp;", "&")
    asked = parse_qs(urlsplit(url).query)
    kept = parse_qs(urlsplit(link).query)
    for name, value in asked.items():
        if name != "page":
            assert kept.get(name) == value, (name, link)
    second = page_html(client, link)
    assert "Page 2 of" in second
    assert client.get(link.replace("page=2", "page=two")).status_code == 400  # refused, not a 500
    return html


def check_page_sorts(client, url: str, keys) -> None:
    """Each key both ways answers; where the key has a column header, that header says the order."""
    for name in keys:
        for value in (name, f"-{name}"):
            html = page_html(client, join(url, sort=value))
            if f'data-sort="{name}"' in html:
                order = "descending" if value.startswith("-") else "ascending"
                cell = re.search(r'<th scope="col" aria-sort="(\w+)"><a class="sort" data-sort="(\w+)"', html)
                assert cell and cell.groups() == (order, name), value


def check_page_refuses(client, url: str, **params) -> None:
    """A bad filter value: the page answers 422 with the form's error, not an error page."""
    for name, value in params.items():
        html = page_html(client, join(url, **{name: value}), 422)
        assert 'class="field-error"' in html, name
