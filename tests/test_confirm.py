"""Destructive page actions ask first, without JavaScript: the first POST shows the question."""

from flask import Blueprint

from legalaid.confirm import asks_first

done = []


def _blueprint():
    bp = Blueprint("confirm_probe", __name__)

    @bp.route("/probe/<int:thing_id>/remove", methods=["POST"])
    @asks_first("Remove this thing?", yes="Remove it", detail=lambda thing_id: f"Thing {thing_id}")
    def remove(thing_id):
        done.append((thing_id, __import__("flask").request.form.getlist("why")))
        return "removed"

    return bp


def test_first_post_asks_and_second_does_it(app, as_role):
    app.register_blueprint(_blueprint())
    app.extensions["csrf_protect"].exempt("confirm_probe")
    done.clear()
    client = as_role("admin")
    first = client.post(
        "/probe/7/remove", data={"why": ["a", "b"]}, headers={"Referer": "http://localhost/things"}
    )
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and done == []
    assert "Remove this thing?" in page and "Thing 7" in page and "Remove it" in page
    assert 'name="confirmed" value="yes"' in page and page.count('name="why"') == 2
    assert 'href="/things"' in page
    second = client.post("/probe/7/remove", data={"why": ["a", "b"], "confirmed": "yes"})
    assert second.get_data(as_text=True) == "removed" and done == [(7, ["a", "b"])]


def test_cancel_never_leaves_the_site(app, as_role):
    app.register_blueprint(_blueprint())
    app.extensions["csrf_protect"].exempt("confirm_probe")
    client = as_role("admin")
    page = client.post("/probe/1/remove", headers={"Referer": "https://evil.example/x"}).get_data(
        as_text=True
    )
    assert "evil.example" not in page and 'href="/probe/1/remove"' in page
