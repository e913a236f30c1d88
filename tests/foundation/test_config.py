from pathlib import Path

import pytest

from mappings import ConfigError, EmbeddedSecretError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]

MINIMAL = """
[jira]
url = "https://example.atlassian.net/"
email = "pm@example.com"

[[pair]]
name = "alpha"
workbook = "raid.xlsx"
projects = ["ALPHA"]
"""


def parse(text: str, base: Path = Path("/base")):
    return parse_config(text, "test.toml", base)


def test_example_config_is_valid_and_documented():
    config = load_config(REPO / "config.example.toml")
    assert config.pairs[0].name == "alpha-raid"
    assert config.sync.schedule.interval_seconds == 900
    assert config.resolve(config.pairs[0].workbook) == REPO / "workbooks/alpha_raid_log.xlsx"
    text = (REPO / "config.example.toml").read_text()
    for key in (
        "url",
        "deployment",
        "email",
        "token_env",
        "keyring_service",
        "state_store",
        "conflict_policy",
        "interval",
        "mass_change_guard",
        "projects",
        "mapping",
    ):
        assert f"{key} =" in text


def test_minimal_config_defaults():
    config = parse(MINIMAL)
    assert config.jira.url == "https://example.atlassian.net"
    assert config.sync.conflict_policy == "manual"
    assert config.pairs[0].mapping == "builtin:raid_log"
    assert config.resolve(config.sync.state_store) == Path("/base/.pmo-sync/state.db")


@pytest.mark.parametrize(
    "line",
    [
        'api_token = "ATATT3xFfGF0"',
        'token = "abc"',
        'password = "hunter2"',
        'pat = "NjQ2"',
    ],
)
def test_embedded_tokens_are_refused(line):
    text = MINIMAL.replace('email = "pm@example.com"', f'email = "pm@example.com"\n{line}')
    with pytest.raises(EmbeddedSecretError) as caught:
        parse(text)
    message = str(caught.value)
    assert "jira." in message and "PMO_SYNC_JIRA_TOKEN" in message
    assert line.split('"')[1] not in message  # the secret itself is never echoed


def test_url_with_password_is_refused():
    with pytest.raises(EmbeddedSecretError, match="URL embeds a password"):
        parse(MINIMAL.replace("https://example", "https://pm:secret@example"))


def test_every_problem_reported_at_once():
    text = MINIMAL.replace('url = "https://example.atlassian.net/"', 'url = "ftp://x"')
    text = text.replace('projects = ["ALPHA"]', 'projects = ["alpha"]\ncolour = 1')
    text += '\n[sync]\nconflict_policy = "coin-flip"\n[sync.schedule]\ninterval = "often"\n'
    with pytest.raises(ConfigError) as caught:
        parse(text)
    joined = "\n".join(str(p) for p in caught.value.problems)
    assert len(caught.value.problems) == 5, joined
    for fragment in (
        "jira.url",
        "pair[0] (alpha).projects",
        "pair[0] (alpha).colour",
        "sync.conflict_policy",
        "sync.schedule.interval",
    ):
        assert fragment in joined


def test_duplicate_pair_names():
    pair = MINIMAL[MINIMAL.index("[[pair]]") :]
    with pytest.raises(ConfigError, match="pair names repeat: alpha"):
        parse(MINIMAL + pair)


def test_token_from_environment_is_secret():
    site = parse(MINIMAL).jira
    token = site.token({"PMO_SYNC_JIRA_TOKEN": "s3cr3t"})
    assert token.get_secret_value() == "s3cr3t"
    assert "s3cr3t" not in repr(token) and "s3cr3t" not in str(token)


def test_token_from_keyring(monkeypatch):
    import keyring

    calls = []

    def fake_get_password(service, username):
        calls.append((service, username))
        return "from-keyring"

    monkeypatch.setattr(keyring, "get_password", fake_get_password)
    site = parse(MINIMAL).jira
    assert site.token({}).get_secret_value() == "from-keyring"
    assert calls == [("pmo-sync", "pm@example.com")]


def test_missing_token_says_how_to_provide_it(monkeypatch):
    import keyring

    monkeypatch.setattr(keyring, "get_password", lambda *_: None)
    with pytest.raises(
        ConfigError, match=r"PMO_SYNC_JIRA_TOKEN.*keyring set pmo-sync pm@example\.com"
    ):
        parse(MINIMAL).jira.token({})


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
