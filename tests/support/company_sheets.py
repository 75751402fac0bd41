"""Company lists as offices keep them, for the import's tests: rows, workbooks, a world of
two buildings with rooms and staff."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from kiosk.models import Building, Role, Room
from kiosk.services.audit import Actor
from kiosk.services.staff import create_staff
from kiosk.validators import uscc_check_char
from tests.conftest import STAFF_PASSWORD

HEADERS = [
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "注册资本（万元）",
    "成立日期",
    "行业门类",
    "规模",
    "从业人数",
    "联系人",
    "联系电话",
    "楼宇",
    "楼层",
    "房间号",
    "联企干部",
]


def uscc(n: int) -> str:
    """A valid credit code, different for each n."""
    first17 = f"91430102MA4L{n:05d}"
    return first17 + uscc_check_char(first17)


def row(n: int, **cells: Any) -> list[Any]:
    """One company's row, in HEADERS' order."""
    floor = 10 + n % 20
    values = {
        "企业名称": f"长沙测试科技有限公司{n}",
        "统一社会信用代码": uscc(n),
        "法定代表人": "张三",
        "注册资本（万元）": 100 + n,
        "成立日期": datetime(2019, 3, 5),
        "行业门类": "I",
        "规模": "小型",
        "从业人数": 20,
        "联系人": "李四",
        "联系电话": "13812345678",
        "楼宇": "demo",
        "楼层": floor,
        "房间号": f"{floor}{n % 10 + 1:02d}",
        "联企干部": "li",
    }
    values.update(cells)
    return [values[h] for h in HEADERS]


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    """A workbook as an office would save it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers or HEADERS)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_world(db: Session) -> dict[str, Any]:
    """Two buildings with rooms (ours and one out of reach), and staff at each."""
    ours = Building(code="demo", name_zh="芙蓉国际金融中心", name_en="Furong IFC")
    theirs = Building(code="b-tower", name_zh="湘江大厦", name_en="Xiangjiang Tower")
    db.add_all([ours, theirs])
    db.flush()
    for building in (ours, theirs):
        for floor in range(10, 30):
            for n in range(1, 11):
                db.add(Room(building_id=building.id, floor=floor, number=f"{floor}{n:02d}"))
    db.commit()
    actor = Actor(None, "test")
    chief = create_staff(db, "chief", "王主任", STAFF_PASSWORD, Role.ADMIN, actor, "demo")
    li = create_staff(db, "li", "李干部", STAFF_PASSWORD, Role.STAFF, actor, "demo")
    wang = create_staff(db, "wang", "汪干部", STAFF_PASSWORD, Role.STAFF, actor, "b-tower")
    return {"ours": ours, "theirs": theirs, "chief": chief, "li": li, "wang": wang}
