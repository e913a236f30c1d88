"""What the configuration refuses when it loads (issue 13, part G), and how it says so.

Each case used to be accepted: a quoted boolean switched TLS checks off, a schedule the
daemon cannot run passed `check` and `sync`, two pairs shared one workbook, and a file
saved by Notepad as UTF-16 ended in a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mappings.config import Config, load_config, parse_config, person_key
from mappings.errors import ConfigError
from pmo_sync.cli import app

MINIMAL = """
[jira]
url = "https://example.atlassian.net/"
email = "pm@example.com"

[sync]

[sync.schedule]

[[pair]]
name = "alpha"
workbook = "raid.xlsx"
projects = ["ALPHA"]
"""


def parse(text: str, base: Path = Path("/base")) -> Config:
    return parse_config(text, "test.toml", base)


def with_line(table: str, line: str, text: str = MINIMAL) -> str:
    """MINIMAL with ``line`` added to ``[table]`` (a [[pair]] line goes to the pair)."""
    header = "[[pair]]" if table == "pair" else f"[{table}]"
    at = text.index(header) + len(header)
    if table == "pair":
        at = text.index('projects = ["ALPHA"]', at) + len('projects = ["ALPHA"]')
    return f"{text[:at]}\n{line}{text[at:]}"


def problems(text: str, base: Path = Path("/base")) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse(text, base)
    return {p.location: p.message for p in caught.value.problems}


# -- 4. booleans and numbers are TOML booleans and numbers, never text -----------------


@pytest.mark.parametrize(
    ("table", "line", "where", "wanted"),
    [
        ("jira", 'verify_tls = "no"', "jira.verify_tls", "true or false"),
        ("jira", 'verify_tls = "false"', "jira.verify_tls", "true or false"),
        ("jira", "verify_tls = 0", "jira.verify_tls", "true or false"),
        ("jira", 'timeout_seconds = "30"', "jira.timeout_seconds", "a number"),
        ("sync", 'log_sheet = "yes"', "sync.log_sheet", "true or false"),
        ("sync", 'backups_to_keep = "3"', "sync.backups_to_keep", "a whole number"),
        ("sync", "backups_to_keep = 10.0", "sync.backups_to_keep", "a whole number"),
        ("sync", 'mass_change_guard = "0.5"', "sync.mass_change_guard", "a number"),
        ("sync.schedule", 'jitter_seconds = "5"', "sync.schedule.jitter_seconds", "a number"),
    ],
)
def test_a_quoted_boolean_or_number_is_refused_not_coerced(table, line, where, wanted):
    found = problems(with_line(table, line))
    assert list(found) == [where], found
    assert f"must be {wanted}, written without quotes" in found[where]
    assert line.split("=", 1)[1].strip().strip('"') in found[where]  # says what it got


def test_only_unquoted_booleans_and_numbers_load():
    assert "jira.verify_tls" in problems(with_line("jira", 'verify_tls = "no"'))
    text = with_line("jira", "verify_tls = false\ntimeout_seconds = 5")
    text = with_line("sync", "log_sheet = true\nbackups_to_keep = 3\nmass_change_guard = 1", text)
    config = parse(text)
    assert config.jira.verify_tls is False and config.jira.timeout_seconds == 5.0
    assert config.sync.log_sheet is True and config.sync.backups_to_keep == 3


def test_check_refuses_a_quoted_verify_tls_before_talking_to_jira(tmp_path):
    config = tmp_path / "pmo-sync.toml"
    config.write_text(with_line("jira", 'verify_tls = "no"'), "utf-8")
    result = CliRunner().invoke(app, ["check", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert "jira.verify_tls: must be true or false" in result.output
    assert "cannot reach" not in result.output  # refused before any request


# -- 3. schedules the daemon could not run are refused by every command ----------------


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ('interval = "0s"', "at least 1s"),
        ('interval = "0m"', "at least 1s"),
        ('interval = "400d"', "at most 365d"),
        ('cron = "61 * * * *"', "not a valid cron expression: the fields are minute (0-59)"),
        ('cron = "a b c d e"', "not a valid cron expression"),
        ('cron = "0 0 31 2 *"', "never fires"),
    ],
)
def test_a_schedule_the_daemon_cannot_run_is_refused_when_the_config_loads(line, fragment):
    found = problems(with_line("sync.schedule", line))
    key = line.split(" ", 1)[0]
    assert fragment in found[f"sync.schedule.{key}"], found


@pytest.mark.parametrize(
    ("runs", "refused"),
    [
        ('interval = "1s"', 'interval = "0s"'),
        ('cron = "*/15 7-19 * * MON-FRI"', 'cron = "*/15 7-19 * * MON-FRY"'),
    ],
)
def test_the_shortest_interval_is_one_second_and_cron_is_read_as_the_daemon_reads_it(runs, refused):
    assert parse(with_line("sync.schedule", runs)).sync.schedule
    assert f"sync.schedule.{refused.split(' ')[0]}" in problems(with_line("sync.schedule", refused))


@pytest.mark.parametrize("command", [["check", "--offline"], ["sync"]])
def test_check_and_sync_refuse_a_zero_interval_like_the_daemon(tmp_path, command):
    config = tmp_path / "pmo-sync.toml"
    config.write_text(with_line("sync.schedule", 'interval = "0s"'), "utf-8")
    result = CliRunner().invoke(
        app, [*command, "--config", str(config)], env={"PMO_SYNC_JIRA_TOKEN": "x"}
    )
    assert result.exit_code == 2, result.output
    assert "sync.schedule.interval: '0s' is outside what the daemon can run" in result.output
    assert not (tmp_path / ".pmo-sync").exists()  # nothing was started


# -- 5. one workbook, one pair ---------------------------------------------------------


def _two_pairs(first: str, second: str) -> str:
    pair = f'\n[[pair]]\nname = "beta"\nworkbook = "{second}"\nprojects = ["BETA"]\n'
    return MINIMAL.replace('workbook = "raid.xlsx"', f'workbook = "{first}"') + pair


@pytest.mark.parametrize("second", ["raid.xlsx", "./sub/../raid.xlsx", "sub/../../base/raid.xlsx"])
def test_two_pairs_on_one_workbook_are_refused_naming_both(tmp_path, second):
    base = tmp_path / "base"
    (base / "sub").mkdir(parents=True)
    found = problems(_two_pairs("raid.xlsx", second), base)
    message = found["pair[1] (beta).workbook"]
    assert "pairs 'alpha' and 'beta' both sync the workbook" in message
    assert str(base / "raid.xlsx") in message and str(Path(second)) in message


@pytest.mark.no_ooxml_check  # empty stand-ins: only their paths matter here
def test_a_symbolic_link_to_another_pairs_workbook_is_the_same_workbook(tmp_path):
    (tmp_path / "raid.xlsx").write_bytes(b"")
    try:
        os.symlink(tmp_path / "raid.xlsx", tmp_path / "link.xlsx")
    except OSError as exc:  # Windows without the symlink privilege
        pytest.skip(f"cannot create a symbolic link here: {exc}")
    found = problems(_two_pairs("raid.xlsx", "link.xlsx"), tmp_path)
    assert "'alpha' and 'beta' both sync" in found["pair[1] (beta).workbook"]
    assert len(parse(_two_pairs("raid.xlsx", "other.xlsx"), tmp_path).pairs) == 2


def test_a_folder_is_not_a_workbook(tmp_path):
    (tmp_path / "raid.xlsx").mkdir()
    found = problems(MINIMAL, tmp_path)
    assert "is a folder, not a workbook" in found["pair[0] (alpha).workbook"]


# -- pair keys that need no mapping ----------------------------------------------------


def test_an_empty_entities_list_is_refused_rather_than_meaning_everything():
    found = problems(with_line("pair", "entities = []"))
    assert "an empty list syncs nothing; leave entities out" in found["pair[0] (alpha).entities"]
    found = problems(with_line("pair", 'entities = ["risk", "risk"]'))
    assert "listed more than once: risk" in found["pair[0] (alpha).entities"]


def test_a_policy_key_is_an_entity_or_an_entity_and_a_field():
    found = problems(with_line("pair", 'conflict_policy = { "risk.status.x" = "jira-wins" }'))
    assert "'risk.status.x': a key is an entity" in found["pair[0] (alpha).conflict_policy"]


# -- 10. [people] and [sync] unknown_people (schema and validation only) --------------


PEOPLE = """
[people]
"张伟" = "5b10ac8d82e05b22cc7d4ef5"
"Priya Shah" = "  priya.shah@example.com "
"Tom Berg" = "tberg"
"""


def test_people_map_any_unicode_name_to_a_jira_account():
    config = parse(MINIMAL + PEOPLE)
    assert config.people == {
        "张伟": "5b10ac8d82e05b22cc7d4ef5",
        "Priya Shah": "priya.shah@example.com",
        "Tom Berg": "tberg",
    }
    assert parse(MINIMAL).people == {}
    assert person_key(" Priya\u3000 SHAH ") == person_key("priya shah")


def test_people_differing_only_in_case_or_spaces_are_reported_as_duplicates():
    text = MINIMAL + PEOPLE + '"priya  shah" = "someone.else@example.com"\n"ＴＯＭ berg" = "x"\n'
    message = problems(text)["people"]
    assert "'Priya Shah' and 'priya  shah' are the same name" in message
    assert "'priya.shah@example.com'" in message and "'someone.else@example.com'" in message
    assert "'Tom Berg' and 'ＴＯＭ berg'" in message


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [('"Ann" = ""', "'Ann' has an empty account"), ('" " = "ann"', "an empty name")],
)
def test_people_names_and_accounts_must_not_be_empty(entry, fragment):
    assert fragment in problems(f"{MINIMAL}\n[people]\n{entry}\n")["people"]


def test_people_accounts_are_text():
    assert "people.Ann" in problems(f'{MINIMAL}\n[people]\n"Ann" = 42\n')


def test_unknown_people_is_error_by_default_or_text():
    assert parse(MINIMAL).sync.unknown_people == "error"
    assert parse(with_line("sync", 'unknown_people = "text"')).sync.unknown_people == "text"
    found = problems(with_line("sync", 'unknown_people = "guess"'))
    assert "'error'" in found["sync.unknown_people"] and "'text'" in found["sync.unknown_people"]


# -- 6. the configuration's encoding ---------------------------------------------------

TEXT_WITH_ACCENTS = MINIMAL.replace('name = "alpha"', '# Équipe Café\nname = "alpha"')


@pytest.mark.parametrize(
    ("encoding", "fragment"),
    [
        ("utf-16", "saved as UTF-16"),
        ("utf-16-le", "NUL bytes, so it is saved as UTF-16 or UTF-32"),
        ("utf-32", "saved as UTF-32"),
        ("latin-1", "byte 0xC9 on line 11 is not valid UTF-8"),
        ("cp1252", "Windows-1252 or Latin-1"),
    ],
)
def test_a_config_not_saved_as_utf8_says_which_encoding_to_use(tmp_path, encoding, fragment):
    path = tmp_path / "pmo-sync.toml"
    path.write_text(TEXT_WITH_ACCENTS, encoding)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.location == "(encoding)"
    assert fragment in problem.message and "save it as UTF-8" in problem.message


def test_a_utf8_config_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "pmo-sync.toml"
    path.write_text(TEXT_WITH_ACCENTS, "utf-8-sig")  # Notepad's "UTF-8 with BOM"
    assert load_config(path).pairs[0].name == "alpha"


def test_a_folder_given_as_the_config_is_named(tmp_path):
    with pytest.raises(ConfigError, match="is a folder; give the path of the configuration"):
        load_config(tmp_path)
