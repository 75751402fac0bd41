"""Does a refused sign-in take as long whoever it names? Prints figures; asserts nothing.

    .venv/bin/python bench/sign_in.py [--rounds 40] [--postgresql URL]

Times `POST /admin/sign-in` through the app (Flask's test client, one fresh browser a try) for
four cases, interleaved so that the machine's load falls on each alike: a wrong password for a
real account, an unknown name, an account that is waiting (locked by five wrong tries from
another browser), and the right password (which signs in, for scale). Each refused case makes
one argon2 verification; the figures say how close their times are. Median, p90 and the spread
between the refused cases, in milliseconds. SQLite in a scratch folder unless --postgresql.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk import create_app
from kiosk.db import upgrade
from kiosk.models import Role
from kiosk.services.audit import Actor
from kiosk.services.lockouts import Rule, Source, claim, judged
from kiosk.services.staff import create_staff

PASSWORD = "correct horse battery"
SECRET = "bench-secret-" + "x" * 40


def _app(folder: Path, database_url: str) -> Flask:
    app = create_app(
        {"secret_key": SECRET, "database_url": database_url, "print_worker": False}, folder
    )
    upgrade(app.extensions["kiosk.engine"])
    with app.extensions["kiosk.sessionmaker"]() as db:
        for name in ("real", "waiting"):
            create_staff(db, name, name, PASSWORD, Role.STAFF, Actor(None))
    return app


def _lock(app: Flask) -> None:
    """Lock `waiting` for the whole run: five wrong tries from five sessions, an hour's wait."""
    with app.extensions["kiosk.sessionmaker"]() as db:
        for _ in range(5):
            attempt = claim(db, "sign-in:waiting", Source(uuid.uuid4().hex), Rule(steps=(60,)))
            judged(db, attempt, False)


def _try(app: Flask, username: str, password: str) -> tuple[float, int]:
    client: FlaskClient = app.test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match is not None
    data = {"username": username, "password": password, "csrf_token": match.group(1)}
    began = time.perf_counter()
    response = client.post("/admin/sign-in", data=data)
    return (time.perf_counter() - began) * 1000, response.status_code


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--postgresql", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, schema = f"sqlite:///{folder}/bench.db", ""
        if args.postgresql:
            schema = f"bench_sign_in_{uuid.uuid4().hex[:8]}"
            admin = create_engine(make_url(args.postgresql).set(drivername="postgresql+psycopg"))
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = (
                make_url(args.postgresql)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
        try:
            app = _app(Path(folder), url)
            _lock(app)
            cases = {
                "wrong password": ("real", "not the password!"),
                "unknown name": ("nobody", "not the password!"),
                "account waiting": ("waiting", PASSWORD),
                "right password": ("real", PASSWORD),
            }
            times: dict[str, list[float]] = {case: [] for case in cases}
            for _ in range(args.rounds):
                for case, (username, password) in cases.items():
                    elapsed, status = _try(app, username, password)
                    assert status == (303 if case == "right password" else 401), (case, status)
                    times[case].append(elapsed)
            app.extensions["kiosk.engine"].dispose()
        finally:
            if schema:
                with admin.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    medians = {}
    for case, values in times.items():
        values.sort()
        medians[case] = statistics.median(values)
        p90 = values[int(0.9 * (len(values) - 1))]
        print(f"{case:16} median {medians[case]:7.1f} ms   p90 {p90:7.1f} ms   n={len(values)}")
    refused = [medians[c] for c in ("wrong password", "unknown name", "account waiting")]
    print(f"spread of the refused medians: {max(refused) - min(refused):.1f} ms")


if __name__ == "__main__":
    main()
