"""Fixtures: an app on a real SQLite file (and on PostgreSQL when KIOSK_TEST_DATABASE_URL is set).

Fixtures that make things are factories (`make_app`, `make_tenant`, `make_staff`, `make_appeal`).
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from kiosk import create_app
from kiosk.db import upgrade
from kiosk.models import Appeal, AppealStatus, Building, Role, Staff, Tenant
from kiosk.services.audit import Actor
from tests.support.pages import check_page, csrf_token
from tests.support.pg_reset import SchemaReset
from tests.support.speedups import SharedTemplateCode, cheap_password_hashing

PG_URL = os.environ.get("KIOSK_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
TEST_SECRET = "test-secret-key-" + "x" * 32
STAFF_PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No KIOSK_* setting from the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("KIOSK_") and key != "KIOSK_TEST_DATABASE_URL":
            monkeypatch.delenv(key)


_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and host not in ("127.0.0.1", "::1", "localhost")
        and self.family
        in (
            socket.AF_INET,
            socket.AF_INET6,
        )
    ):
        raise RuntimeError(f"a test tried to reach {address!r}: only loopback is allowed")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Fail any test that tries to reach beyond this machine."""
    socket.socket.connect = _loopback_only  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Staff passwords hashed at argon2's lowest cost (tests/support/speedups.py says why)."""
    with cheap_password_hashing():
        yield


_TEMPLATE_CODE = SharedTemplateCode()  # each template compiled once per process, not per app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (migrating once is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "kiosk.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A migrated PostgreSQL schema of its own for this test run."""
    if not PG_URL:
        pytest.skip("set KIOSK_TEST_DATABASE_URL to run against PostgreSQL")
    schema = f"kiosk_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    upgrade(engine)
    engine.dispose()
    yield url_text
    reset = _PG_RESET.pop(url_text, None)
    if reset is not None:
        reset.engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


_PG_RESET: dict[str, SchemaReset] = {}  # schema URL → its reset, one look at the tables a run


def _reset_postgresql(url: str) -> None:
    """Empty every table but the migration's own reference data, ids starting again at 1."""
    if url not in _PG_RESET:
        _PG_RESET[url] = SchemaReset(url)
    _PG_RESET[url]()


@pytest.fixture(scope="session")
def keyboard_index(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], None]:
    """Put the pinyin index, built once per run, into an instance folder: a `kiosk serve` that
    a test starts on a fresh folder would build it itself, seconds of CPU during the test."""
    from kiosk.keyboard import build

    built = build.cache_path(tmp_path_factory.mktemp("keyboard-index"))
    build.build(built)

    def seed(instance: Path) -> None:
        instance.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, build.cache_path(instance))

    return seed


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated database for one test, on each configured backend."""
    if request.param == "sqlite":
        path = tmp_path / "kiosk.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_schema_url")
    _reset_postgresql(url)
    return url


@pytest.fixture
def make_app(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an app on the test database; keyword arguments override settings."""
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        config: dict[str, Any] = {
            "secret_key": TEST_SECRET,
            "database_url": database_url,
            "print_worker": False,
            "receipt_printer": "dummy://",
            "public_url": "http://kiosk.test",
            # Tests sign admins in with a password alone; tests/admin/test_staff_accounts.py
            # turns the second factor's requirement back on and checks it.
            "admin_second_factor": False,
        }
        config.update(overrides)
        app = create_app(config, instance_path=tmp_path / "instance")
        app.config["TESTING"] = True
        app.jinja_env.bytecode_cache = _TEMPLATE_CODE
        app.test_client_class = CheckedClient
        apps.append(app)
        return app

    yield factory
    leaked = [app.extensions["kiosk.engine"].pool.checkedout() for app in apps]
    for app in apps:
        app.extensions["kiosk.engine"].dispose()
    # A session left open holds its connection past dispose(); on PostgreSQL the connection is
    # then closed by the garbage collector in whatever test runs next, and fails that one.
    assert not any(leaked), f"the test left {sum(leaked)} database connection(s) checked out"


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with test settings."""
    return make_app()


class CheckedClient(FlaskClient):
    """A test client that checks every HTML page it receives (see tests/support/pages.py)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            check_page(response.get_data(as_text=True))
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with CSRF on, as in production, that checks every page it renders."""
    app.test_client_class = CheckedClient
    return app.test_client()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A database session on the test database (expire_on_commit off, as in the app)."""
    # No application context is kept pushed: each test-client request must get its own, as
    # in production (a shared one would carry `g`, the locale and the session between requests).
    with app.extensions["kiosk.sessionmaker"]() as session:
        yield session


@pytest.fixture
def building(db: Session) -> Building:
    """The building the test kiosk is in (code "demo", the default)."""
    building = Building(
        code="demo", name_zh="芙蓉国际金融中心", name_en="Furong International Finance Centre"
    )
    db.add(building)
    db.commit()
    return building


@pytest.fixture
def make_tenant(db: Session, building: Building) -> Callable[..., Tenant]:
    """Make a company in the test building with a valid USCC."""
    from kiosk.validators import uscc_check_char

    counter = iter(range(1, 10_000))

    def factory(name: str | None = None, **values: Any) -> Tenant:
        n = next(counter)
        first17 = f"91430102MA4L{n:05d}"
        tenant = Tenant(
            building_id=building.id,
            uscc=values.pop("uscc", first17 + uscc_check_char(first17)),
            name=name or f"长沙测试科技有限公司{n}",
            floor_room=values.pop("floor_room", f"{10 + n % 20}F-{n:02d}"),
            **values,
        )
        db.add(tenant)
        db.commit()
        return tenant

    return factory


@pytest.fixture
def make_staff(db: Session) -> Callable[..., Staff]:
    """Make a staff account (password STAFF_PASSWORD)."""
    from kiosk.services.staff import create_staff

    def factory(username: str = "officer", role: Role = Role.STAFF, name: str = "") -> Staff:
        return create_staff(
            db, username, name or username.title(), STAFF_PASSWORD, role, Actor(None, "test")
        )

    return factory


@pytest.fixture
def make_appeal(app: Flask, db: Session) -> Callable[..., Appeal]:
    """Submit an appeal through the service, as the terminal would."""
    from kiosk.services.appeals import AppealDraft, submit_appeal

    counter = iter(range(1, 1_000_000))

    def factory(status: AppealStatus | None = None, **values: Any) -> Appeal:
        draft = AppealDraft(
            submission_key=values.pop("submission_key", uuid.uuid4().hex),
            tenant_id=values.pop("tenant_id", None),
            company_name=values.pop("company_name", f"长沙某某贸易有限公司{next(counter)}"),
            company_uscc=values.pop("company_uscc", ""),
            category=values.pop("category", "policy"),
            description=values.pop("description", "园区到地铁站没有接驳公交，员工通勤时间长。"),
            contact_name=values.pop("contact_name", "张三"),
            contact_mobile=values.pop("contact_mobile", "13812345678"),
            locale=values.pop("locale", "zh_CN"),
        )
        with app.test_request_context():
            appeal = submit_appeal(db, app.config["KIOSK"], draft, **values)
        if status is not None and status is not AppealStatus.NEW:
            appeal.status = status
            db.commit()
        return appeal

    return factory


class AuthActions:
    """Sign a test client in and out of the admin."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def sign_in(self, username: str = "officer", password: str = STAFF_PASSWORD) -> Any:
        """Post the sign-in form with a valid CSRF token."""
        page = self._client.get("/admin/sign-in")
        token = csrf_token(page.get_data(as_text=True))
        return self._client.post(
            "/admin/sign-in", data={"username": username, "password": password, "csrf_token": token}
        )

    def sign_out(self) -> Any:
        """Post the sign-out form."""
        page = self._client.get("/admin/", follow_redirects=True)
        return self._client.post(
            "/admin/sign-out", data={"csrf_token": csrf_token(page.get_data(as_text=True))}
        )


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    """Sign-in helper for the admin."""
    return AuthActions(client)


@pytest.fixture
def cli_apps(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Flask]]:
    """Apps the command line builds, so their connections are closed after the test."""
    import kiosk
    import kiosk.cli

    apps: list[Flask] = []
    first_pools: list[object] = []
    real = kiosk.cli.create_app

    def recording(*args: Any, **kwargs: Any) -> Flask:
        apps.append(real(*args, **kwargs))
        first_pools.append(apps[-1].extensions["kiosk.engine"].pool)
        return apps[-1]

    monkeypatch.setattr(kiosk.cli, "create_app", recording)
    monkeypatch.setattr(kiosk, "create_app", recording)  # for commands that import it late
    yield apps
    # A command closes its connections when it ends (dispose() gives the engine a new pool): a
    # connection left in a pool that is garbage collected later fails whichever test is running
    # then, with psycopg's ResourceWarning.
    kept = [a.extensions["kiosk.engine"].pool is p for a, p in zip(apps, first_pools, strict=True)]
    for app in apps:
        app.extensions["kiosk.engine"].dispose()
    assert not any(kept), f"{sum(kept)} command(s) left their database connections open"
