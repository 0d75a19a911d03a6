"""Admin pages of the shell: the users of the service (create, link to a provider, roles, password,
disable and enable), the admin's home panel, the rules in force.

Thin: every change calls a function of ``legalaid.users``, which locks the row and audits it."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from legalaid import users
from legalaid.admin_forms import (
    PasswordResetForm,
    ProfileForm,
    ProviderLinkForm,
    RolesForm,
    UserFilterForm,
    UserForm,
)
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.filters import role_label
from legalaid.hooks import add_home_panel, registry
from legalaid.models import ROLES, AuditEntry, User

bp = Blueprint("shell_admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 50
PROVIDER_MATCHES = 30


# What each role may do (DESIGN.md §5), shown beside the role boxes so a new admin picks right.
ROLE_HELP = {
    "admin": _l("manages users, the panel, pools, checklists, rates and settings; reads everything"),
    "coordinator": _l("registers and decides applications, assigns cases, records hearings"),
    "supervisor": _l("observes hearings, makes follow-up calls, scores files, archives, holds subsidies"),
    "provider": _l(
        "a lawyer or adviser: answers their own assignments, records hearings, closes cases, "
        "appeals scores (link the login to the panel)"
    ),
    "finance": _l("pays subsidies: payment batches, bank files, confirming payment"),
    "desk": _l("front desk: registers consultations and the applications made from them"),
}


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(r, role_label(r)) for r in ROLES]


def _provider_choices(text: str | None, current: int | None = None) -> list[SelectChoice]:
    """The providers a person may pick: those matching the search, plus the one linked now."""
    found = users.find_providers(db.session, text, PROVIDER_MATCHES)
    if current is not None and all(p["id"] != current for p in found):
        found = users.find_providers(db.session, None, 1, ids=[current]) + found
    choices = [SelectChoice("", _("— none —"))]
    for p in found:
        label = f"{p['name']} · {p['organization']}"
        if p["username"]:
            label += " · " + _("login: %(username)s", username=p["username"])
        if not p["active"]:
            label += " · " + _("not taking cases")
        choices.append(SelectChoice(str(p["id"]), label))
    return choices


def _copy_errors(exc: DomainError, form: FlaskForm) -> None:
    for field, problems in exc.shown_fields().items():
        if field in form:
            form[field].errors = [*form[field].errors, *problems]


def _provider_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


# --- the list, and a new user ---


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def user_list():
    form = UserForm()
    form.roles.choices = _role_choices()
    provider_q = request.args.get("provider_q", "")[:100]
    form.provider_id.choices = _provider_choices(provider_q, _provider_id(request.form.get("provider_id")))
    status = 200
    if form.validate_on_submit():
        try:
            user = users.create_user(
                db.session,
                current_user,
                form.username.data,
                form.password.data,
                form.roles.data,
                provider_id=_provider_id(form.provider_id.data),
                display_name=form.display_name.data or None,
                email=form.email.data or None,
                must_change_password=bool(form.must_change.data),
            )
            db.session.commit()
            flash(_("User %(name)s created.", name=user.username), "success")
            return redirect(url_for("shell_admin.user_list"))
        except DomainError as exc:
            db.session.rollback()
            _copy_errors(exc, form)
            flash(exc.shown(), "error")
            status = 422
    elif form.errors:
        status = 422
    filters = UserFilterForm(request.args)
    filters.role.choices = [SelectChoice("", _l("Every role")), *_role_choices()]
    if not filters.validate():
        return render_template(
            "admin/users.html", form=form, filters=filters, listing=None, query={}, role_help=ROLE_HELP
        ), 422
    active = {"yes": True, "no": False}.get(filters.active.data or "")
    listing = users.users_page(
        db.session,
        q=filters.q.data,
        role=filters.role.data or None,
        active=active,
        sort=filters.sort.data or "username",
        page=filters.page.data or 1,
        per_page=current_app.config.get("USERS_PER_PAGE", USERS_PER_PAGE),
    )
    query = {
        k: v
        for k, v in {
            "q": (filters.q.data or "").strip(),
            "role": filters.role.data,
            "active": filters.active.data,
            "sort": filters.sort.data if filters.sort.data != "username" else "",
        }.items()
        if v
    }
    return render_template(
        "admin/users.html",
        form=form,
        filters=filters,
        listing=listing,
        query=query,
        provider_q=provider_q,
        providers=_linked_providers(listing.users),
        role_help=ROLE_HELP,
    ), status


def _linked_providers(people) -> dict[int, dict]:
    ids = [p.provider_id for p in people if p.provider_id]
    return {p["id"]: p for p in users.find_providers(db.session, None, len(ids), ids=ids)} if ids else {}


# --- one user ---


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        from werkzeug.exceptions import NotFound

        raise NotFound()
    return user


def _user_page(user: User, status: int = 200, **forms):
    provider_q = request.args.get("provider_q", "")[:100]
    profile = forms.pop("profile_form", None) or ProfileForm(formdata=None, obj=user)
    roles = forms.pop("roles_form", None) or RolesForm(formdata=None, data={"roles": user.roles})
    roles.roles.choices = _role_choices()
    link = forms.pop("link_form", None) or ProviderLinkForm(
        formdata=None, data={"provider_id": str(user.provider_id or "")}
    )
    link.provider_id.choices = _provider_choices(provider_q, user.provider_id)
    password = forms.pop("password_form", None) or PasswordResetForm(formdata=None)
    linked = users.find_providers(db.session, None, 1, ids=[user.provider_id]) if user.provider_id else []
    history = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.object_type == "user", AuditEntry.object_id == user.id)
        .order_by(AuditEntry.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "admin/user.html",
        person=user,
        profile_form=profile,
        roles_form=roles,
        link_form=link,
        password_form=password,
        state_form=FlaskForm(formdata=None),
        linked=linked[0] if linked else None,
        provider_q=provider_q,
        role_help=ROLE_HELP,
        history=history,
        actors=_actor_names(history),
        action_label=action_label,
    ), status


@bp.get("/users/<int:user_id>")
@roles_required("admin")
def user_page(user_id: int):
    return _user_page(_get_user(user_id))


def _change(user: User, form: FlaskForm, form_name: str, change, done: str):
    """Run one change from a user-page form: bad input → the page again (422) with the messages;
    a refused change → flashed; success → committed, flashed, back to the user."""
    if form.validate_on_submit():
        try:
            change()
        except DomainError as exc:
            db.session.rollback()
            _copy_errors(exc, form)
            flash(exc.shown(), "error")
            return _user_page(user, exc.status if exc.status != 400 else 422, **{form_name: form})
        db.session.commit()
        flash(done, "success")
        return redirect(url_for("shell_admin.user_page", user_id=user.id))
    return _user_page(user, 422, **{form_name: form})


@bp.post("/users/<int:user_id>/profile")
@roles_required("admin")
def save_profile(user_id: int):
    user = _get_user(user_id)
    form = ProfileForm()
    return _change(
        user,
        form,
        "profile_form",
        lambda: users.update_profile(
            db.session, current_user, user, display_name=form.display_name.data, email=form.email.data
        ),
        _("Saved."),
    )


@bp.post("/users/<int:user_id>/roles")
@roles_required("admin")
def save_roles(user_id: int):
    user = _get_user(user_id)
    form = RolesForm()
    form.roles.choices = _role_choices()
    return _change(
        user,
        form,
        "roles_form",
        lambda: users.set_roles(db.session, current_user, user, form.roles.data),
        _("Roles of %(name)s saved; they apply from the next page.", name=user.username),
    )


@bp.post("/users/<int:user_id>/provider")
@roles_required("admin")
def link_provider(user_id: int):
    user = _get_user(user_id)
    form = ProviderLinkForm()
    chosen = _provider_id(request.form.get("provider_id"))
    form.provider_id.choices = _provider_choices(None, chosen)
    return _change(
        user,
        form,
        "link_form",
        lambda: users.link_provider(db.session, current_user, user, chosen),
        _("%(name)s is now the login of this lawyer or adviser.", name=user.username)
        if chosen
        else _("%(name)s is no longer linked to the panel.", name=user.username),
    )


@bp.post("/users/<int:user_id>/password")
@roles_required("admin")
def reset_password(user_id: int):
    user = _get_user(user_id)
    form = PasswordResetForm()
    return _change(
        user,
        form,
        "password_form",
        lambda: users.reset_password(
            db.session, current_user, user, form.password.data, must_change=form.must_change.data
        ),
        _(
            "Temporary password set for %(name)s; their open sessions ended. "
            "They choose their own password when they next sign in.",
            name=user.username,
        )
        if form.must_change.data
        else _(
            "Temporary password set for %(name)s; their open sessions ended. "
            "Ask them to change it on their account page.",
            name=user.username,
        ),
    )


def _user_detail(user_id: int) -> str:
    user = _get_user(user_id)
    return f"{user.label} ({user.username})"


@bp.post("/users/<int:user_id>/disable")
@roles_required("admin")
@asks_first(
    _l("Disable this user? They are signed out everywhere and their API tokens stop working."),
    yes=_l("Yes, disable the user"),
    detail=_user_detail,
)
def disable(user_id: int):
    user = _get_user(user_id)
    if FlaskForm().validate_on_submit():
        try:
            users.disable_user(db.session, current_user, user)
            db.session.commit()
            flash(_("%(name)s can no longer sign in.", name=user.username), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.shown(), "error")
    return redirect(url_for("shell_admin.user_page", user_id=user_id))


@bp.post("/users/<int:user_id>/enable")
@roles_required("admin")
def enable(user_id: int):
    user = _get_user(user_id)
    if FlaskForm().validate_on_submit():
        try:
            users.enable_user(db.session, current_user, user)
            db.session.commit()
            flash(_("%(name)s can sign in again.", name=user.username), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(exc.shown(), "error")
    return redirect(url_for("shell_admin.user_page", user_id=user_id))


@bp.get("/rules")
@roles_required("admin")
def rules_in_force():
    """The rules the service runs on now (read-only: they change in the rules file, then a restart)."""
    from legalaid import rules

    return render_template(
        "admin/rules.html", rule_sets=rules.in_force(current_app), value_words=rule_value_words
    )


# The words of the rules' own values (the code stays beside them, as the rules file spells it).
RULE_VALUE_WORDS = {
    "provider": _l("the provider"),
    "organization": _l("the provider's organisation"),
    "calendar": _l("calendar days"),
    "working": _l("working days"),
    "excellent": _l("Excellent"),
    "good": _l("Good"),
    "pass": _l("Pass"),
    "fail": _l("Fail"),
}


def rule_value_words(value) -> str:
    """A rule's value or key in words, or "" when it is a number or a name of its own."""
    return str(RULE_VALUE_WORDS[value]) if isinstance(value, str) and value in RULE_VALUE_WORDS else ""


# --- the admin's home ---

# Audit actions as the admin's home and a user's history name them; other actions are named by
# what they changed (OBJECT_LABELS).
ACTION_LABELS = {
    "user.create": _l("User created"),
    "user.disable": _l("User disabled"),
    "user.enable": _l("User enabled again"),
    "user.set_roles": _l("Roles changed"),
    "user.set_password": _l("Password changed"),
    "user.reset_password": _l("Temporary password set"),
    "user.require_password_change": _l("Password change at next sign-in changed"),
    "user.update": _l("Name or e-mail changed"),
    "user.link_provider": _l("Linked to the panel"),
    "token.issue": _l("API token issued"),
    "token.revoke": _l("API token revoked"),
    "session.start": _l("Signed in"),
    "session.end": _l("Signed out"),
}
OBJECT_LABELS = {
    "user": _l("User"),
    "api_token": _l("API token"),
    "user_session": _l("Session"),
    "case": _l("Case"),
    "assignment": _l("Assignment"),
    "provider": _l("Panel"),
    "organization": _l("Organisation"),
    "rotation_pool": _l("Rotation pool"),
    "calendar_day": _l("Working-day calendar"),
    "calendar_feed": _l("Calendar feed"),
    "outbox_message": _l("E-mail"),
    "consultation": _l("Consultation"),
    "score_file": _l("Scoring"),
    "hearing": _l("Hearing"),
    "observation": _l("Observation"),
    "follow_up_call": _l("Follow-up call"),
    "red_flag": _l("Red flag"),
    "score_sheet": _l("Score sheet"),
    "checklist": _l("Checklist"),
    "subsidy": _l("Subsidy"),
    "payment_batch": _l("Payment batch"),
    "subsidy_rate": _l("Subsidy rate"),
}


def action_label(entry: AuditEntry) -> str:
    """An audit entry in words: its action's label, else what kind of record it changed."""
    if entry.action in ACTION_LABELS:
        return str(ACTION_LABELS[entry.action])
    thing = OBJECT_LABELS.get(entry.object_type)
    return _("%(thing)s changed", thing=thing) if thing else _("Other change")


def _actor_names(entries) -> dict[int, str]:
    ids = {e.actor_id for e in entries if e.actor_id}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return {row.id: row.display_name or row.username for row in rows}


def admin_home_panel(user) -> Markup:
    """Users needing attention, the latest changes, and a link to every admin page."""
    recent = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)).all()
    pages = [
        (item.endpoint, item.label())
        for item in sorted(registry().nav, key=lambda n: n.order)
        if "admin" in item.roles and item.endpoint != "scheduling.inbox"
    ]
    return Markup(
        render_template(
            "admin/_home_panel.html",
            attention=users.users_needing_attention(db.session),
            recent=recent,
            actors=_actor_names(recent),
            action_label=action_label,
            pages=pages,
        )
    )


@bp.record_once
def _register_home_panel(state) -> None:
    add_home_panel(state.app, ("admin",), admin_home_panel, order=1)
