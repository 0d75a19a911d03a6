"""The baseline of bench_session.py: the smallest Flask app answering JSON.

Served by gunicorn exactly like the real app (``wsgi_bare:app``), so the difference between the two
is what the service adds to a request: extensions, the session, the user loader, the database.
"""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/ok")
def ok():
    return jsonify({"ok": True})
