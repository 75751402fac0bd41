"""Configuration: sources in order, one clear error per bad value, a generated secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.config import ConfigError, load_settings


def test_defaults_and_generated_secret_key(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    key_file = tmp_path / "secret_key"
    assert settings.secret_key == key_file.read_text().strip()
    assert len(settings.secret_key) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings.database_url == f"sqlite:///{tmp_path / 'kiosk.db'}"
    assert settings.default_locale == "zh_CN"
    # A second start reads the same key rather than making a new one.
    assert load_settings(tmp_path, environ={}).secret_key == settings.secret_key


def test_precedence_file_then_environment_then_overrides(tmp_path: Path) -> None:
    (tmp_path / "kiosk.cfg").write_text('HOTLINE = "12345-1"\nIDLE_SECONDS = 90\nID = "lobby-a"\n')
    env = {"KIOSK_IDLE_SECONDS": "120", "PATH": "/bin"}
    settings = load_settings(tmp_path, {"id": "lobby-b"}, environ=env)
    assert settings.hotline == "12345-1"  # from the file
    assert settings.idle_seconds == 120  # the environment beats the file
    assert settings.id == "lobby-b"  # overrides beat both


def test_every_bad_value_is_named_with_its_source(tmp_path: Path) -> None:
    env = {
        "KIOSK_IDLE_SECONDS": "soon",
        "KIOSK_TIMEZONE": "Mars/Olympus",
        "KIOSK_RECEIPT_PRINTER": "ftp://printer",
        "KIOSK_DATABASE_URL": "mysql://x/y",
    }
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, environ=env)
    message = str(caught.value)
    assert "KIOSK_IDLE_SECONDS='soon' (environment)" in message
    assert (
        "KIOSK_TIMEZONE='Mars/Olympus' (environment): Value error, is not a known time zone"
        in message
    )
    assert "ftp://printer" in message
    assert "KIOSK_DATABASE_URL='mysql://x/y'" in message


def test_unknown_setting_is_an_error_not_silently_ignored(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="KIOSK_IDLE_SECOND"):
        load_settings(tmp_path, environ={"KIOSK_IDLE_SECOND": "60"})
    (tmp_path / "kiosk.cfg").write_text("HOT_LINE = '1'\n")
    with pytest.raises(ConfigError, match="HOT_LINE"):
        load_settings(tmp_path, environ={})


def test_secret_key_value_is_never_printed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path, environ={"KIOSK_SECRET_KEY": "too-short-secret"})
    assert "too-short-secret" not in str(caught.value)
    assert "KIOSK_SECRET_KEY=<hidden>" in str(caught.value)


def test_lists_of_dates_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path,
        environ={"KIOSK_EXTRA_HOLIDAYS": "2027-01-01, 2027-02-10", "KIOSK_COOKIE_SECURE": "true"},
    )
    assert [d.isoformat() for d in settings.extra_holidays] == ["2027-01-01", "2027-02-10"]
    assert settings.cookie_secure is True


def test_create_app_fails_fast_with_the_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk import create_app

    monkeypatch.setenv("KIOSK_HOTLINE", "call us")
    with pytest.raises(ConfigError, match="KIOSK_HOTLINE='call us'"):
        create_app(instance_path=tmp_path)


def test_instance_path_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk import create_app

    monkeypatch.setenv("KIOSK_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app()
    assert Path(app.instance_path) == (tmp_path / "inst").resolve()
    assert (tmp_path / "inst" / "secret_key").exists()


def test_licence_printer_defaults_to_a_spool_folder_in_the_instance(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.licence_printer == f"spool://{(tmp_path / 'licences').resolve()}"
    assert not (
        tmp_path / "licences"
    ).exists()  # created by the first licence, not by reading config
    with pytest.raises(ConfigError, match="KIOSK_LICENCE_PRINTER='spool://relative'"):
        load_settings(tmp_path, environ={"KIOSK_LICENCE_PRINTER": "spool://relative"})


def test_a_printer_driver_that_cannot_open_stops_the_start(tmp_path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("usb") is not None:
        pytest.skip("pyusb is installed here, so usb:// can open")
    with pytest.raises(ConfigError, match=r"KIOSK_RECEIPT_PRINTER='usb://0416:5011'.*pyusb"):
        load_settings(tmp_path, environ={"KIOSK_RECEIPT_PRINTER": "usb://0416:5011"})
