"""The registration and address-change tasks offer exactly the building's active rooms: a
room taken off the list in the admin is neither offered nor accepted when posted."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from kiosk.models import Room
from kiosk.services import rooms as room_admin
from kiosk.services.audit import Actor
from tests.support.terminal import Terminal
from tests.terminal.test_applications import VALID_ID, error_of, ok


def test_a_room_off_the_list_is_not_offered_and_cannot_be_posted(
    client: FlaskClient, db: Session, rooms: list[Room]
) -> None:
    off = rooms[2]  # 1203
    room_admin.set_room_active(db, off.id, False, Actor(None, "test"))
    terminal = Terminal(client)
    ok(terminal.answer("/register/name", company_name="长沙星辰云图软件科技有限公司"))
    ok(terminal.answer("/register/type", company_type="llc_natural"))
    ok(terminal.answer("/register/capital", capital="100"))
    ok(terminal.answer("/register/scope", scopes=["software"], scope_extra=""))
    ok(
        terminal.answer(
            "/register/representative", rep_name="张三", rep_id=VALID_ID,
            rep_mobile="13812345678",
        )
    )  # fmt: skip
    ok(terminal.answer("/register/floor", floor="12"))
    page = terminal.page("/register/room").get_data(as_text=True)
    assert f'value="{rooms[0].id}"' in page and f'value="{rooms[1].id}"' in page
    assert f'value="{off.id}"' not in page and "1203" not in page
    refused = terminal.answer("/register/room", room_id=str(off.id))
    assert refused.status_code == 400 and error_of(refused)
    ok(terminal.answer("/register/room", room_id=str(rooms[1].id)))
