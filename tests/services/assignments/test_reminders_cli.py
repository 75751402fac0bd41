"""`kiosk reminders run-once` queues today's reminders once."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from kiosk.cli import main


def test_run_once_says_how_many_were_queued(
    app: Flask, cli_apps: list[Flask], tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"KIOSK_DATABASE_URL": app.config["KIOSK"].database_url, "KIOSK_SECRET_KEY": "x" * 40}
    result = runner.invoke(
        main, ["--instance", str(tmp_path / "instance"), "reminders", "run-once"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "queued 0 reminders" in result.output
