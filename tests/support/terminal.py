"""Drive the touchscreen through the Flask test client, the way the browser would."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.pages import csrf_token


class Terminal:
    """A person at the kiosk, answering one page at a time."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def page(self, path: str) -> TestResponse:
        """GET a page, following redirects."""
        return self.client.get(path, follow_redirects=True)

    def answer(self, path: str, csrf: bool = True, **fields: Any) -> TestResponse:
        """Open a step page and post an answer with the page's CSRF token."""
        html = self.page(path).get_data(as_text=True)
        data = dict(fields)
        if csrf:
            data["csrf_token"] = csrf_token(html)
        return self.client.post(path, data=data)

    def language(self, locale: str) -> TestResponse:
        """Tap 中文 or English."""
        html = self.page("/").get_data(as_text=True)
        return self.client.post(
            "/language", data={"locale": locale, "next": "/", "csrf_token": csrf_token(html)}
        )

    def fill_appeal(
        self,
        *,
        tenant: int | None = None,
        company_name: str = "",
        company_uscc: str = "",
        category: str = "transport",
        description: str = "园区到地铁站没有接驳公交，员工通勤时间长。",
        contact_name: str = "张三",
        contact_mobile: str = "13812345678",
    ) -> None:
        """Answer every question of the appeal, up to the check page."""
        if tenant is not None:
            self._ok(self.answer("/appeal/company", tenant=str(tenant)))
        else:
            self._ok(self.answer("/appeal/company", tenant="other"))
            self._ok(
                self.answer(
                    "/appeal/company-details", company_name=company_name, company_uscc=company_uscc
                )
            )
        self._ok(self.answer("/appeal/category", category=category))
        self._ok(self.answer("/appeal/description", description=description))
        self._ok(
            self.answer("/appeal/contact", contact_name=contact_name, contact_mobile=contact_mobile)
        )

    def pick_company(
        self,
        slug: str,
        tenant: int,
        *,
        applicant_name: str = "王五",
        applicant_mobile: str = "13700001111",
    ) -> None:
        """The first steps of an application for a company of the building: pick it from the
        list, confirm its name, say who is applying."""
        self._ok(self.answer(f"/{slug}/company", tenant=str(tenant)))
        self._ok(self.answer(f"/{slug}/company-confirm", company_confirmed="yes"))
        self._ok(
            self.answer(
                f"/{slug}/applicant",
                applicant_name=applicant_name,
                applicant_mobile=applicant_mobile,
            )
        )

    def submit(self) -> TestResponse:
        """Post the check page as it was rendered (CSRF token and submission key)."""
        html = self.page("/appeal/check").get_data(as_text=True)
        return self.client.post("/appeal/check", data=self.check_form(html))

    @staticmethod
    def check_form(html: str) -> dict[str, str]:
        """The hidden fields of the check page's submit form."""
        key = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', html)
        assert key, "no submission key on the check page"
        return {"csrf_token": csrf_token(html), "submission_key": key.group(1)}

    @staticmethod
    def _ok(response: TestResponse) -> None:
        assert response.status_code == 303, response.get_data(as_text=True)[-2000:]


def reference_on(html: str) -> str:
    """The reference number shown on a confirmation page."""
    match = re.search(r"data-reference>([^<]+)<", html)
    assert match, "no reference on the page"
    return match.group(1).strip()
