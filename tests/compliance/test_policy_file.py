"""A policy file's problems are all reported at once, each with where it is."""

from __future__ import annotations

from datetime import date

import pytest

from compliance.audit import audit
from compliance.expressions import parse
from compliance.policy import PolicyError, load_policy, parse_policy

BROKEN = """
[[rule]]
id = "a"
applies_to = "risk"
condition = "filled(ownr)"
severity = "error"

[[rule]]
id = "b"
applies_to = "risks"
condition = "filled(owner)"

[[rule]]
id = "c"
applies_to = "risk"
condition = "owner =="
severity = "fatal"
colour = "red"

[[rule]]
id = "a"
applies_to = "risk"
condition = "__import__('os').system('true')"

[[rule]]
applies_to = "risk"
filter = "status.upper() == 'OPEN'"
"""


def test_every_problem_is_reported_with_its_rule_and_column():
    with pytest.raises(PolicyError) as caught:
        parse_policy(BROKEN, "team.toml")
    problems = caught.value.problems
    text = str(caught.value)
    assert text.startswith("team.toml:") and f"{len(problems)} problem(s)" in text

    def one(*words: str) -> str:
        found = [p for p in problems if all(w in p for w in words)]
        assert len(found) == 1, (words, problems)
        return found[0]

    one("rule 1 ('a')", "'ownr'", "not a field", "column 8")
    one("rule 2 ('b')", "applies_to 'risks'", "risk")
    one("rule 3 ('c')", "not a valid expression", "column")
    one("rule 3 ('c')", "severity 'fatal'", "error, warning, info")
    one("rule 3 ('c')", "unknown key 'colour'")
    one("rule 4 ('a')", "used by an earlier rule")
    one("rule 4 ('a')", "'__import__'", "not a helper")
    one("rule 5", "needs an id")
    one("rule 5", "needs a condition")
    one("rule 5", "status.upper", "not a helper")


def test_files_that_cannot_be_policies(tmp_path):
    with pytest.raises(PolicyError, match="no policy file"):
        load_policy(tmp_path / "missing.toml")
    (tmp_path / "latin1.toml").write_bytes('id = "é"'.encode("latin-1"))
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(tmp_path / "latin1.toml")
    with pytest.raises(PolicyError, match="not valid TOML"):
        parse_policy("[[rule]\n", "x.toml")
    with pytest.raises(PolicyError, match=r"no \[\[rule\]\] tables"):
        parse_policy('title = "nothing"', "x.toml")


def test_the_language_cannot_reach_python():
    for text in ("().__class__", "open('x')", "[x for x in (1,)]", "lambda: 1"):
        assert isinstance(parse(text, ["owner"]), list), text


def test_missing_values_never_crash_an_audit():
    policy = parse_policy(
        '[[rule]]\nid = "big"\napplies_to = "risk"\ncondition = "score > 12 or empty(score)"\n',
        "x.toml",
    )
    items = {"risk": [{"key": "ALPHA-1", "project": "ALPHA", "score": None, "summary": "s"}]}
    result = audit(items, policy, today=date(2026, 12, 4))
    assert result.breaches == [] and result.projects["ALPHA"].passed == 1


def test_check_reports_a_broken_policy_and_audit_refuses_it(tmp_path):
    from typer.testing import CliRunner

    from pmo_sync.cli import app

    config = tmp_path / "pmo-sync.toml"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--config", str(config), "--create-workbook"]).exit_code == 0
    text = config.read_text("utf-8").replace('policy = "builtin:pmo"', 'policy = "team.toml"', 1)
    assert 'policy = "team.toml"' in text
    config.write_text(text, "utf-8")
    (tmp_path / "team.toml").write_text(BROKEN, "utf-8")
    checked = runner.invoke(
        app, ["check", "--config", str(config), "--offline"], env={"COLUMNS": "300"}
    )
    assert checked.exit_code == 2, checked.output
    assert "policy" in checked.output and "'ownr'" in checked.output
    audited = runner.invoke(app, ["audit", "--config", str(config)])
    assert audited.exit_code == 2 and "team.toml" in audited.output


def test_a_value_a_field_never_holds_is_a_problem():
    text = (
        '[[rule]]\nid = "x"\napplies_to = "risk"\n'
        "condition = \"status != 'closd' and level in ('hi', 'critical')\"\n"
    )
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "t.toml")
    first, second = caught.value.problems
    assert "'closd'" in first and "closed, mitigating, open" in first and "column 11" in first
    assert "'hi'" in second and "critical, high, low, medium" in second
