"""Admin pages of the rotation pools: the pools, one pool with its weighted members, its settings and
removing a member (asks first). On the panel's blueprint (``panel_pages.*``); thin: each form calls the
same service function in ``assignment.pools`` as the API."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment import panel, queries
from assignment.forms import (
    MemberForm,
    PoolForm,
)
from assignment.pools import create_pool, get_pool, remove_pool_member, set_pool_member, update_pool
from assignment.views import fail, page_helpers
from assignment.views_panel import bp, form_status
from legalaid import listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError


@bp.route("/pools", methods=["GET", "POST"])
@roles_required("admin")
def pools():
    form = PoolForm()
    if form.validate_on_submit():
        try:
            pool = create_pool(
                db.session,
                form.name.data,
                form.case_types.data,
                form.provider_kinds.data,
                current_user,
                area=form.area.data or None,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Pool %(name)s created.", name=pool.name), "success")
            return redirect(url_for(".pool", pool_id=pool.id))
    return render_template(
        "assignment/panel/pools.html", form=form, pools=queries.pools(db.session), **page_helpers()
    ), form_status(form)


MEMBER_MATCHES = 50


def _member_form(pool, **kwargs) -> MemberForm:
    """The "add a member" form: the providers of the pool's kinds matching the search (name or
    organisation), at most MEMBER_MATCHES, so a province's 10,000 providers never fill one list."""
    form = MemberForm(**kwargs)
    posted = request.form.get("provider_id", type=int) if request.method == "POST" else None
    if posted is not None and not 0 < posted < 2**31:
        posted = None  # not an id any provider can have: the form says "not a valid choice"
    matches, more = queries.provider_matches(
        db.session, _member_search(), pool.provider_kinds, limit=MEMBER_MATCHES, include_id=posted
    )
    form.provider_id.choices = [(p.id, f"{p.name} ({p.organization.name})") for p in matches]
    form.more_providers = more
    return form


def _member_search() -> str:
    return request.args.get("member_q", "")[:100]


def _pool_page(pool, status: int = 200, **forms):
    if "form" not in forms:
        forms["form"] = _member_form(pool, formdata=None)
    if "settings_form" not in forms:
        forms["settings_form"] = PoolForm(prefix="settings", formdata=None, obj=pool)
    return render_template(
        "assignment/panel/pool.html",
        pool=pool,
        member_q=_member_search(),
        # Paged: a province's pool holds thousands (549 KB and 284 ms for one page before, issue 16).
        members=listing.read_page(db.session, queries.pool_members_statement(pool.id), param="members_page"),
        remove_form=FlaskForm(formdata=None),
        **forms,
        **page_helpers(),
    ), status


@bp.route("/pools/<int:pool_id>", methods=["GET", "POST"])
@roles_required("admin")
def pool(pool_id: int):
    pool = get_pool(db.session, pool_id)
    form = _member_form(pool)
    if form.validate_on_submit():
        try:
            provider = panel.get_provider(db.session, form.provider_id.data)
            _member, created = set_pool_member(
                db.session, pool, provider, current_user, weight=form.weight.data
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(
                _("%(name)s joined the pool.", name=provider.name)
                if created
                else _("%(name)s's weight changed.", name=provider.name),
                "success",
            )
            return redirect(url_for(".pool", pool_id=pool_id))
    return _pool_page(pool, form_status(form), form=form)


@bp.post("/pools/<int:pool_id>/settings")
@roles_required("admin")
def pool_settings(pool_id: int):
    """Name, case types, provider kinds, area: the same checks as a new pool, plus its members' kinds."""
    pool = get_pool(db.session, pool_id)
    if pool.purpose == "duty":  # no case types: its settings are the duty pools page's
        return redirect(url_for("duty_pages.pools_page"))
    form = PoolForm(prefix="settings")
    if form.validate_on_submit():
        try:
            update_pool(
                db.session,
                pool,
                {
                    "name": form.name.data,
                    "case_types": form.case_types.data,
                    "provider_kinds": form.provider_kinds.data,
                    "area": form.area.data or None,
                },
                current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Pool %(name)s saved.", name=pool.name), "success")
            return redirect(url_for(".pool", pool_id=pool_id))
    return _pool_page(pool, 422, settings_form=form)


def _member_detail(pool_id: int, provider_id: int) -> str:
    pool = get_pool(db.session, pool_id)
    return _("%(name)s, pool %(pool)s", name=panel.get_provider(db.session, provider_id).name, pool=pool.name)


@bp.post("/pools/<int:pool_id>/members/<int:provider_id>/remove")
@roles_required("admin")
@asks_first(
    _l("Remove this member from the pool?"), yes=_l("Yes, remove from the pool"), detail=_member_detail
)
def remove_member(pool_id: int, provider_id: int):
    pool = get_pool(db.session, pool_id)
    provider = panel.get_provider(db.session, provider_id)
    if FlaskForm().validate_on_submit():
        try:
            remove_pool_member(db.session, pool, provider, current_user)
        except DomainError as exc:
            fail(exc)
        else:
            db.session.commit()
            flash(_("%(name)s left the pool.", name=provider.name), "success")
    return redirect(url_for(".pool", pool_id=pool_id))
