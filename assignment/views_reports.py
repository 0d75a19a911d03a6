from flask import Blueprint

bp = Blueprint("rotation_reports", __name__, url_prefix="/reports")


@bp.get("/rotation")
def fairness():
    return ""
