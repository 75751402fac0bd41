"""Fixtures for the staff admin: an English app, signed-in officers, and a page-driving helper."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from kiosk.models import Role, Staff
from tests.conftest import STAFF_PASSWORD
from tests.support.pages import csrf_token


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The admin in English, so the tests read the msgids whatever the catalogue says."""
    return make_app(default_locale="en", staff_page_size=10)


class Admin:
    """A staff member using the admin through the test client."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def sign_in(self, username: str, password: str = STAFF_PASSWORD, **query: str) -> TestResponse:
        """Open the sign-in page (with `next` if given) and post the form it shows."""
        page = self.client.get("/admin/sign-in", query_string=query)
        html = page.get_data(as_text=True)
        data = {"username": username, "password": password, "csrf_token": csrf_token(html)}
        next_value = re.search(r'id="next" name="next" type="hidden" value="([^"]*)"', html)
        if next_value:
            data["next"] = next_value.group(1).replace("&amp;", "&")
        return self.client.post("/admin/sign-in", data=data)

    def sign_out(self) -> TestResponse:
        """Press the top bar's sign-out button."""
        html = self.text("/admin/appeals")
        return self.client.post("/admin/sign-out", data={"csrf_token": csrf_token(html)})

    def get(self, path: str, **query: Any) -> TestResponse:
        """GET a page without following redirects."""
        return self.client.get(path, query_string=query or None)

    def text(self, path: str, **query: Any) -> str:
        """GET a page and return its HTML, failing unless it is a 200."""
        response = self.client.get(path, query_string=query or None)
        assert response.status_code == 200, (path, response.status_code, response.location)
        return response.get_data(as_text=True)

    def act(self, reference: str, action: str, **fields: Any) -> TestResponse:
        """Post one of an appeal's action forms, with the page's CSRF token."""
        html = self.text(f"/admin/appeals/{reference}")
        data = {"csrf_token": csrf_token(html), **fields}
        return self.client.post(f"/admin/appeals/{reference}/{action}", data=data)

    def flash(self, response: TestResponse) -> str:
        """Follow a redirect and return the page it leads to."""
        assert response.status_code == 303, response.status_code
        return self.text(response.location)


@pytest.fixture
def admin(client: FlaskClient) -> Admin:
    """The admin as seen through the test client (nobody signed in yet)."""
    return Admin(client)


@pytest.fixture
def officer(make_staff: Callable[..., Staff]) -> Staff:
    """A plain staff member."""
    return make_staff("officer", Role.STAFF, "Li Officer")


@pytest.fixture
def supervisor(make_staff: Callable[..., Staff]) -> Staff:
    """A supervisor, who may assign to others and read the audit log."""
    return make_staff("chief", Role.SUPERVISOR, "Wang Chief")


@pytest.fixture
def signed_in(admin: Admin, officer: Staff) -> Admin:
    """The admin with the plain staff member signed in."""
    assert admin.sign_in("officer").status_code == 303
    return admin
