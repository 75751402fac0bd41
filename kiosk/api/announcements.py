"""The maintenance API's announcements: a building's attract-screen notices, read with a read
token, published with an operate token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, jsonify, request
from werkzeug.wrappers import Response

from kiosk.access import requires_token
from kiosk.api.common import CODE, actor, bad, body, when
from kiosk.api.views import bp
from kiosk.db import get_session
from kiosk.models import Scope
from kiosk.services import announcements
from kiosk.services.announcements import AnnouncementDraft
from kiosk.web import csrf

LATEST = datetime(2100, 1, 1, tzinfo=UTC)  # an announcement ending later is a typing mistake


def announcement_json(item: Any) -> dict[str, Any]:
    """An announcement as the API shows it."""
    return {
        "id": item.id, "building": item.building_code, "text_zh": item.text_zh,
        "text_en": item.text_en, "starts_at": when(item.starts_at),
        "ends_at": when(item.ends_at), "active": item.active,
    }  # fmt: skip


@bp.get("/api/v1/announcements")
@requires_token(Scope.READ)
def list_announcements() -> Response:
    """A building's announcements on the attract screen now (`building`)."""
    building = request.args.get("building", "")
    if not building:
        return bad("building", "a building's code")
    found = announcements.current(get_session(), building)
    return jsonify(announcements=[announcement_json(a) for a in found])


@bp.post("/api/v1/announcements")
@requires_token(Scope.OPERATE)
def post_announcement() -> tuple[Response, int]:
    """Publish an announcement on a building's attract screens."""
    data = body()
    building, text_zh = data.get("building"), data.get("text_zh")
    if not isinstance(building, str) or not CODE.match(building):
        abort(bad("building", "a building's code (a-z, 0-9 and -, up to 40)"))
    if not isinstance(text_zh, str):
        abort(bad("text_zh", "text"))
    ends_at = None
    if data.get("ends_at") is not None:
        try:
            ends_at = datetime.fromisoformat(str(data["ends_at"]))
        except ValueError:
            abort(bad("ends_at", "an ISO 8601 time with its offset"))
        if ends_at.tzinfo is None or ends_at >= LATEST:
            abort(bad("ends_at", "an ISO 8601 time with its offset, before 2100"))
    text_en = data.get("text_en", "")
    if not isinstance(text_en, str):
        abort(bad("text_en", "text"))
    draft = AnnouncementDraft(text_zh=text_zh, text_en=text_en, ends_at=ends_at)
    item = announcements.create(get_session(), building, draft, actor())
    return jsonify(announcement_json(item)), 201


# A bearer token, not a cookie, authenticates it: there is no session to forge a request in.
csrf.exempt(post_announcement)
