from flask import Blueprint

bp = Blueprint("panel_pages", __name__, url_prefix="/admin")


@bp.get("/providers")
def providers():
    return ""


@bp.get("/pools")
def pools():
    return ""
