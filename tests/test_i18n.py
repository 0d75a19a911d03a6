"""Pages in 简体中文 and English; both catalogs complete and compiled."""

from legalaid.translations_tool import problems


def test_both_catalogs_are_complete_and_compiled():
    assert problems() == []


def test_browser_language_picks_chinese(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "登录" in page and 'lang="zh-Hans"' in page


def test_browser_language_picks_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page


def test_the_users_setting_wins_over_the_browser(client, auth, make_user):
    make_user(username="chen", locale="zh_Hans")
    auth.login("chen")
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "首页" in page


def test_language_switch_is_remembered_for_the_user(client, auth, make_user, app):
    from legalaid.db import db
    from legalaid.models import User

    uid = make_user(username="chen")
    auth.login("chen")
    response = client.post("/language", data={"locale": "zh_Hans", "next": "/account"})
    assert response.status_code in (302, 303) and response.headers["Location"].endswith("/account")
    with app.app_context():
        assert db.session.get(User, uid).locale == "zh_Hans"


def test_language_switch_refuses_unknown_language(client):
    client.post("/language", data={"locale": "xx"})
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.post("/language", data={"locale": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_one_english_word_with_two_meanings_gets_two_chinese_words(app):
    """ "accepted" is a case approved for legal aid and an assignment the provider took on; "Name" is a
    person's name and an organisation's: each meaning has its own context (pgettext)."""
    from flask_babel import force_locale, gettext, pgettext

    from assignment.forms import ASSIGNMENT_STATUS_LABELS, STATUS_LABELS

    with app.test_request_context(), force_locale("zh_Hans"):
        assert str(STATUS_LABELS["accepted"]) != str(ASSIGNMENT_STATUS_LABELS["accepted"])
        assert pgettext("person", "Name") != gettext("Name")
        assert pgettext("e-mail", "To") != gettext("To")


def test_a_message_built_of_messages_is_told_whole_in_the_readers_language(app):
    from flask_babel import force_locale

    from assignment.rotation import REASONS
    from legalaid.errors import joined, say, shown

    listed = joined(
        [say("%(reason)s: %(count)s", reason=REASONS[r][1], count=n) for r, n in (("conflict", 2),)]
    )
    text = say("No provider is eligible in pool %(pool)s (%(reasons)s).", pool="'Civil'", reasons=listed)
    assert text == "No provider is eligible in pool 'Civil' (declared conflict with a party: 2)."
    with app.test_request_context(), force_locale("zh_Hans"):
        chinese = shown(text)
    assert "declared" not in chinese and "'Civil'" in chinese and "2" in chinese


def test_a_compiled_catalog_is_stale_when_its_messages_differ_not_its_header():
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import read_mo

    from legalaid.translations_tool import _messages, compiled

    catalog = Catalog(locale="zh_Hans", project="legalaid", charset="utf-8")
    catalog.add("Case", "案件")
    same = read_mo(io.BytesIO(compiled(catalog)))
    same.project, same.version = "another header", "9"
    assert _messages(same) == _messages(catalog)
    catalog["Case"].string = "案子"
    assert _messages(read_mo(io.BytesIO(compiled(same)))) != _messages(catalog)


def test_templates_words_follow_a_language_forced_inside_the_request(app):
    """The templates read the request's catalogue once, keyed by the language in force: a message
    rendered in its reader's language (``force_locale``) inside an English request is in Chinese,
    and the request's own words are English again after it (``pgettext`` too)."""
    from flask import render_template_string
    from flask_babel import force_locale

    words = "{{ _('Sign in') }}|{{ pgettext('person', 'Name') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        before = render_template_string(words)
        with force_locale("zh_Hans"):
            forced = render_template_string(words)
        after = render_template_string(words)
    assert before == after == "Sign in|Name"
    assert forced.startswith("登录|") and "Name" not in forced
