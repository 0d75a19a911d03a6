"""The service has its own icon (no 404 for /favicon.ico on any page), and the inbox bell is drawn
inline, so it shows without an emoji font and is read by its words."""

from __future__ import annotations


def test_every_page_links_the_icon_and_favicon_ico_answers(client, as_role):
    login = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" href="/favicon.ico"' in login  # answered whole: no file held open
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = client.get(path)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert body.startswith("<svg")


def test_the_inbox_bell_is_an_svg_with_words_not_an_emoji(as_role):
    page = as_role("coordinator").get("/").get_data(as_text=True)
    assert "🔔" not in page
    link = page[page.index('href="/supervision/inbox"') :]
    link = link[: link.index("</a>")]
    assert '<svg class="icon" aria-hidden="true"' in link and "Inbox" in link
