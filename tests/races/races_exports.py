"""Races for the files prepared in the background (the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

from tests.races.centre import Centre
from tests.races.harness import N, race, races, statuses


@races("export_api.request_export.post", kind="create")
def race_export_requests(c: Centre):
    """Each request records its own job and its own thread writes it: N jobs, N requests audited, and
    every job done (the threads' audit entries, written beside each other, keep the chain whole)."""
    from legalaid.export_jobs import ExportJob, wait_for_exports

    before, done = c.count(ExportJob), c.count(ExportJob, ExportJob.status == "done")
    requested, finished = c.audit("export_job.request"), c.audit("export_job.done")
    body = {"kind": "consultations", "format": "csv", "filters": {}}
    answers = race(c.many("h_sup1"), lambda cl, i: cl.post("/api/v1/exports", json=body))
    assert statuses(answers) == {201: N}
    wait_for_exports(c.app)
    assert c.count(ExportJob) == before + N
    assert c.count(ExportJob, ExportJob.status == "done") == done + N
    assert c.audit("export_job.request") == requested + N
    assert c.audit("export_job.done") == finished + N
