"""The rules configuration (legalaid.rules): every number of DESIGN.md §4 settable from a TOML file named
by LEGALAID_RULES or from create_app, unknown keys and bad values refused at start-up, shown to admins."""

import pytest

from legalaid import create_app
from legalaid.rules import RulesError
from tests.conftest import _config


def _app(database_url, monkeypatch, toml=None, tmp_path=None, **config):
    if toml is not None:
        path = tmp_path / "rules.toml"
        path.write_text(toml)
        monkeypatch.setenv("LEGALAID_RULES", str(path))
    return create_app(_config(database_url, **config))


def test_a_rules_file_sets_the_limits_everywhere(database_url, monkeypatch, tmp_path):
    app = _app(
        database_url,
        monkeypatch,
        '[CASE_LIMITS]\nclosing_materials_days = 15\n[DEADLINE_UNITS]\ndecision = "working"\n'
        "[ELIGIBILITY]\njuvenile_years = 3\n[SCORING]\nappeal_days = 15\n",
        tmp_path,
    )
    from assignment import deadlines, rotation
    from supervision.scoring import rules as scoring_rules

    with app.app_context():
        assert deadlines.limits()["closing_materials_days"] == 15
        assert deadlines.unit("decision") == "working"
        assert rotation.eligibility("juvenile_years") == 3
        assert scoring_rules.setting("appeal_days") == 15


@pytest.mark.parametrize(
    "toml, says",
    [
        ("[CASE_LIMITS]\ndecison_days = 5\n", "unknown rule 'decison_days'"),
        ("[CASE_LIMITS]\ndecision_days = -1\n", "must not be negative"),
        ('[CASE_LIMITS]\ndecision_days = "seven"\n', "must be a number"),
        ("[CASE_LIMITS]\ndecision_days = 7.5\n", "whole number"),
        ('[DEADLINE_UNITS]\ndecision = "weekdays"\n', "calendar or working"),
        ("[NOT_A_RULE]\nx = 1\n", "unknown rule set [NOT_A_RULE]"),
        ('[SUBSIDY_RULES]\npayee = "bank"\n', "provider or organization"),
        ('[SUBSIDY_RULES]\nterminated_ratio = "half"\n', "decimal number"),
        ("[SCHEDULING]\nobservations_per_day = true\n", "must be a number"),
    ],
)
def test_a_bad_rule_stops_the_start_and_says_which(database_url, monkeypatch, tmp_path, toml, says):
    with pytest.raises(RulesError, match="rules configuration is not valid") as raised:
        _app(database_url, monkeypatch, toml, tmp_path)
    assert says in str(raised.value)


def test_create_app_is_checked_too(database_url, monkeypatch):
    monkeypatch.delenv("LEGALAID_RULES", raising=False)
    with pytest.raises(RulesError, match="ELIGIBILITY: unknown rule 'window'"):
        _app(database_url, monkeypatch, ELIGIBILITY={"window": 3})


def test_an_unreadable_rules_file_is_named(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("LEGALAID_RULES", str(tmp_path / "missing.toml"))
    with pytest.raises(RulesError, match="cannot be read"):
        create_app(_config(database_url))


def test_the_admin_reads_the_rules_in_force(app, as_role):
    app.config["CASE_LIMITS"] = {"closing_materials_days": 15}
    page = as_role("admin").get("/admin/rules")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "CASE_LIMITS.closing_materials_days" in html and "15" in html and "changed" in html
    assert "ELIGIBILITY.life_death_years" in html and "SUBSIDY_RULES.payee" in html
    assert as_role("coordinator").get("/admin/rules").status_code == 403
