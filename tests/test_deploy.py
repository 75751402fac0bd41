"""The deployment kit in deploy/ agrees with the code: commands, settings, URLs, policy names."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import click
import pytest

from kiosk.cli import main
from kiosk.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SERVER_UNIT = DEPLOY / "systemd" / "lobby-kiosk.service"
BROWSER_UNIT = DEPLOY / "systemd" / "lobby-kiosk-browser.service"
LAUNCHER = DEPLOY / "kiosk-browser"
POLICIES = DEPLOY / "chromium-policies" / "lobby-kiosk.json"
ENV_EXAMPLE = DEPLOY / "kiosk.env.example"
GUIDE = ROOT / "docs" / "deploy.md"
VENV_KIOSK = "/opt/lobby-kiosk/.venv/bin/kiosk"
INSTANCE = "/var/lib/lobby-kiosk"

# Chromium policy names the kit uses, as Chrome Enterprise's policy list spells them: Chromium
# ignores a misspelt key without a word, so every key must be one of these.
KNOWN_POLICIES = frozenset(
    {
        "AllowDinosaurEasterEgg",
        "AllowFileSelectionDialogs",
        "AudioCaptureAllowed",
        "AutofillAddressEnabled",
        "AutofillCreditCardEnabled",
        "BookmarkBarEnabled",
        "BrowserAddPersonEnabled",
        "BrowserGuestModeEnabled",
        "BrowserSignin",
        "DefaultBrowserSettingEnabled",
        "DefaultGeolocationSetting",
        "ForcedLanguages",
        "DefaultNotificationsSetting",
        "DeveloperToolsAvailability",
        "DownloadRestrictions",
        "EditBookmarksEnabled",
        "ExtensionInstallBlocklist",
        "IncognitoModeAvailability",
        "MetricsReportingEnabled",
        "PasswordManagerEnabled",
        "PaymentMethodQueryEnabled",
        "PrintingEnabled",
        "SpellcheckEnabled",
        "SyncDisabled",
        "TranslateEnabled",
        "URLAllowlist",
        "URLBlocklist",
        "VideoCaptureAllowed",
    }
)
CHROMIUM_BINARY = Path("/usr/lib/chromium/chromium")  # Debian's, holding every policy name
# What an operator must find in the example settings file.
REQUIRED_SETTINGS = (
    "KIOSK_ID",
    "KIOSK_NAME",
    "KIOSK_BUILDING",
    "KIOSK_DATABASE_URL",
    "KIOSK_RECEIPT_PRINTER",
    "KIOSK_LICENCE_PRINTER",
    "KIOSK_PUBLIC_URL",
    "KIOSK_COOKIE_SECURE",
    "KIOSK_HOTLINE",
    "KIOSK_HEARTBEAT_SECONDS",
    "KIOSK_STALE_SECONDS",
    "KIOSK_OFFLINE_SECONDS",
    "KIOSK_CLOSED_HOURS",
    "KIOSK_ALERT_WEBHOOK_URL",
)
_ASSIGNMENT = re.compile(r"^(#\s*)?(KIOSK_[A-Z0-9_]+)=(.*)$")

Unit = dict[str, list[tuple[str, str]]]


def read_unit(path: Path) -> Unit:
    """A unit file's sections as (key, value) pairs in order, repeated keys and all."""
    sections: Unit = {}
    current: list[tuple[str, str]] | None = None
    pending = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line, pending = pending + raw.strip(), ""
        if not line or line.startswith(("#", ";")):
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
        elif line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif "=" in line and current is not None:
            key, _, value = line.partition("=")
            current.append((key.strip(), value.strip()))
        else:
            raise AssertionError(f"{path.name}:{number}: neither [section] nor key=value")
    return sections


def values(unit: Unit, section: str, key: str) -> list[str]:
    """Every value of `key` in `section`."""
    return [value for name, value in unit.get(section, []) if name == key]


def launcher_default_url() -> str:
    """The URL the launcher opens when KIOSK_URL is not set."""
    found = re.search(r'^KIOSK_URL="\$\{KIOSK_URL:-([^}]+)\}"$', LAUNCHER.read_text(), re.M)
    assert found, "the launcher sets KIOSK_URL with a default"
    return found.group(1)


def origin(url: str) -> str:
    """scheme://host:port of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_kiosk_command(argv: list[str]) -> None:
    """`argv` is a `kiosk` command line whose subcommands and options exist."""
    assert argv[0] == VENV_KIOSK, argv
    command: click.Command = main
    words = [word for word in argv[1:] if not word.startswith("-")]
    while isinstance(command, click.Group) and words and words[0] in command.commands:
        command = command.commands[words.pop(0)]
    assert not isinstance(command, click.Group), f"{argv}: not a kiosk command"
    options = {opt for param in command.params for opt in param.opts}
    for word in argv[1:]:
        if word.startswith("--"):
            assert word.split("=")[0] in options, f"{argv}: kiosk has no option {word}"


def env_assignments() -> list[tuple[str, str, bool]]:
    """(name, value, active) for each KIOSK_ line of the example, commented out or not."""
    found = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = _ASSIGNMENT.match(line)
        if match:
            value = match.group(3).strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            found.append((match.group(2), value, match.group(1) is None))
    return found


def test_policies_are_real_chromium_policy_names() -> None:
    """The policy file is a JSON object whose every key is a known Chromium policy."""
    policies = json.loads(POLICIES.read_text(encoding="utf-8"))
    assert isinstance(policies, dict) and policies
    assert sorted(set(policies) - KNOWN_POLICIES) == []
    assert policies["URLBlocklist"] == ["*"]
    assert policies["IncognitoModeAvailability"] == 2  # the launcher passes --incognito
    assert "--incognito" in LAUNCHER.read_text()


@pytest.mark.skipif(not CHROMIUM_BINARY.exists(), reason="Debian's chromium is not installed")
def test_installed_chromium_knows_every_policy_name() -> None:
    """Each policy name is compiled into the Chromium this machine has."""
    binary = CHROMIUM_BINARY.read_bytes()
    missing = [name for name in sorted(KNOWN_POLICIES) if name.encode() + b"\0" not in binary]
    assert missing == []


def test_allowlist_is_the_launchers_origin() -> None:
    """The browser may open only the origin the launcher starts on and the server listens on."""
    url = launcher_default_url()
    assert json.loads(POLICIES.read_text())["URLAllowlist"] == [origin(url)]
    browser = read_unit(BROWSER_UNIT)
    (wait,) = values(browser, "Service", "ExecStartPre")
    health = re.search(r"https?://\S+/healthz", wait)
    assert health and origin(health.group(0)) == origin(url)
    (serve,) = values(read_unit(SERVER_UNIT), "Service", "ExecStart")
    argv = shlex.split(serve)
    parts = urlsplit(url)
    assert argv[argv.index("--host") + 1] == parts.hostname
    assert int(argv[argv.index("--port") + 1]) == parts.port


def test_launcher_is_executable_bash() -> None:
    """The launcher is an executable bash script that bash can parse."""
    assert os.access(LAUNCHER, os.X_OK)
    text = LAUNCHER.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(LAUNCHER)], check=True, timeout=30)


def run_launcher(tmp_path: Path, **env: str) -> list[str]:
    """Run the launcher with a stand-in Chromium; the arguments that Chromium got."""
    fake, out, runtime = tmp_path / "chromium", tmp_path / "args", tmp_path / "run"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" >"$OUT"\ntest -d "$HOME"\n')
    fake.chmod(0o755)
    runtime.mkdir(exist_ok=True)
    base = {"PATH": os.environ["PATH"], "CHROMIUM": str(fake), "OUT": str(out)}
    base["XDG_RUNTIME_DIR"] = str(runtime)
    subprocess.run([str(LAUNCHER)], env={**base, **env}, check=True, timeout=30)
    return out.read_text().splitlines()


def test_launcher_opens_the_kiosk_on_a_fresh_profile_it_deletes(tmp_path: Path) -> None:
    """Chromium gets kiosk mode, a new profile in the runtime folder, and the kiosk's URL."""
    stale = tmp_path / "run" / "lobby-kiosk-browser.left-by-a-crash"
    stale.mkdir(parents=True)
    args = run_launcher(tmp_path)
    assert args[-1] == launcher_default_url() == "http://127.0.0.1:8080/"
    for flag in ("--kiosk", "--incognito", "--no-first-run", "--disable-pinch"):
        assert flag in args
    assert "--overscroll-history-navigation=0" in args
    (profile,) = [arg.split("=", 1)[1] for arg in args if arg.startswith("--user-data-dir=")]
    assert Path(profile).parent.parent == tmp_path / "run"
    assert not any(arg.startswith(("--window-size", "--start-maximized")) for arg in args)
    assert list((tmp_path / "run").iterdir()) == []  # this profile and the stale one are gone


def test_the_browser_speaks_chinese_first(tmp_path: Path) -> None:
    """Chromium's own words (and a date's format) are Chinese; pages are asked for zh-CN."""
    args = run_launcher(tmp_path)
    assert "--lang=zh-CN" in args
    assert "--accept-lang=zh-CN,zh,en" in args
    assert re.search(r'^export LANGUAGE="zh_CN:zh"$', LAUNCHER.read_text(), re.M)
    policies = json.loads(POLICIES.read_text(encoding="utf-8"))
    assert policies["ForcedLanguages"][0] == "zh-CN"


def test_launcher_url_and_wayland_can_be_chosen(tmp_path: Path) -> None:
    """KIOSK_URL replaces the default; under Wayland Chromium is told to use it."""
    args = run_launcher(tmp_path, KIOSK_URL="http://127.0.0.1:9090/", WAYLAND_DISPLAY="wayland-1")
    assert args[-1] == "http://127.0.0.1:9090/"
    assert "--ozone-platform=wayland" in args


def test_server_unit_serves_the_kiosk() -> None:
    """The server unit runs `kiosk serve` as kiosk, upgrades first, and writes only its folder."""
    unit = read_unit(SERVER_UNIT)
    assert set(unit) == {"Unit", "Service", "Install"}
    (serve,) = values(unit, "Service", "ExecStart")
    assert shlex.split(serve)[1] == "serve"
    check_kiosk_command(shlex.split(serve))
    (upgrade,) = values(unit, "Service", "ExecStartPre")
    assert shlex.split(upgrade)[1:3] == ["db", "upgrade"]
    check_kiosk_command(shlex.split(upgrade))
    assert values(unit, "Service", "User") == ["kiosk"]
    assert values(unit, "Service", "EnvironmentFile") == ["/etc/lobby-kiosk/kiosk.env"]
    assert f"KIOSK_INSTANCE_PATH={INSTANCE}" in values(unit, "Service", "Environment")
    assert values(unit, "Service", "ReadWritePaths") == [INSTANCE]
    assert values(unit, "Service", "ProtectSystem") == ["strict"]
    assert values(unit, "Service", "Restart") == ["always"]
    assert "print worker" in SERVER_UNIT.read_text()  # says why there is no second unit


def test_browser_unit_runs_the_launcher_after_the_server() -> None:
    """The screen starts after lobby-kiosk.service, as its own user, with a bounded wait."""
    unit = read_unit(BROWSER_UNIT)
    (start,) = values(unit, "Service", "ExecStart")
    assert shlex.split(start)[-1] == "/opt/lobby-kiosk/deploy/kiosk-browser"
    assert "lobby-kiosk.service" in " ".join(values(unit, "Unit", "After"))
    assert "lobby-kiosk.service" in " ".join(values(unit, "Unit", "Wants"))
    (wait,) = values(unit, "Service", "ExecStartPre")
    assert shlex.split(wait)[:2] == ["/usr/bin/timeout", "90"]
    assert values(unit, "Service", "User") == ["kiosk-screen"]


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd's own checker finds nothing wrong but what only a kiosk machine has installed."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    probe = tmp_path / "probe.service"
    probe.write_text("[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n")
    command = ["systemd-analyze", "verify", "--man=no"]
    tried = subprocess.run([*command, str(probe)], capture_output=True, text=True, timeout=60)
    if tried.returncode != 0 or tried.stderr.strip():
        pytest.skip(f"systemd-analyze verify does not work here: {tried.stderr.strip()[:200]}")
    result = subprocess.run(
        [*command, str(SERVER_UNIT), str(BROWSER_UNIT)], capture_output=True, text=True, timeout=60
    )
    absent = [VENV_KIOSK, "/usr/bin/cage"]  # on a kiosk, not necessarily here
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "lobby-kiosk" in line
        and not any(f"Command {path} is not executable" in line for path in absent)
    ]
    assert complaints == []


def test_every_example_setting_is_a_real_setting() -> None:
    """Every KIOSK_ name in the example, commented or not, is a field of Settings."""
    names = {name for name, _, _ in env_assignments()}
    unknown = sorted(name for name in names if name[6:].lower() not in Settings.model_fields)
    assert unknown == []
    assert sorted(set(REQUIRED_SETTINGS) - names) == []
    assert not names & {"KIOSK_SECRET_KEY", "KIOSK_INSTANCE_PATH"}  # no secrets; the unit's


def test_example_values_are_valid(tmp_path: Path) -> None:
    """The example's settings load, and so does each commented-out alternative on top."""
    found = env_assignments()
    active = {name: value for name, value, on in found if on}
    load_settings(tmp_path, environ=active)
    for name, value, on in found:
        if not on:
            load_settings(tmp_path, environ={**active, name: value})


def test_example_reads_the_same_in_sh() -> None:
    """/bin/sh, as the guide's wrapper uses it, reads the same values systemd does."""
    script = f'set -a; . "{ENV_EXAMPLE}"; set +a; env'
    clean = {"PATH": os.environ["PATH"]}
    shown = subprocess.run(
        ["/bin/sh", "-c", script], env=clean, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    read = {k: v for k, _, v in (line.partition("=") for line in shown) if k.startswith("KIOSK_")}
    assert read == {name: value for name, value, on in env_assignments() if on}


def test_guide_names_every_file_of_the_kit() -> None:
    """docs/deploy.md mentions each file in deploy/ by its path."""
    guide = GUIDE.read_text(encoding="utf-8")
    files = sorted(p.relative_to(ROOT).as_posix() for p in DEPLOY.rglob("*") if p.is_file())
    assert files and [name for name in files if name not in guide] == []
