"""Demo events for the demo building: classes, training, matchmaking, and one already full."""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.config import Settings
from kiosk.db import transaction
from kiosk.models import Building, Event, EventSignup, EventType, SignupStatus, Tenant
from kiosk.services.events import PREFIX
from kiosk.services.references import new_token, next_reference

HALL = "3F 多功能厅"
# (title, kind, days from now, start hour, hours, place, online link, places, audience, about)
EVENTS = (
    ("营商课堂：新办企业财税合规", EventType.CLASS, 3, 14, 2, HALL, "", 60,
     "成立三年内的企业财务、法务负责人",
     "税务局专管员讲解新办企业建账、申报和发票管理中的常见问题，现场答疑。"),
    ("数电发票实操培训", EventType.TRAINING, 5, 9, 3, "5F 培训室", "", 40,
     "企业办税人员（请自带笔记本电脑）",
     "全面数字化电子发票开具、交付、查验和入账的上机操作。"),
    ("政银企融资对接会", EventType.MATCHMAKING, 8, 14, 3, HALL, "", 80,
     "有融资需求的中小微企业",
     "五家银行和市融资担保公司介绍普惠信贷产品，会后一对一洽谈。"),
    ("人工智能企业供需对接会", EventType.MATCHMAKING, 12, 15, 2, "",
     "https://meeting.example.gov.cn/ai-match", 200,
     "人工智能、软件和信息服务企业",
     "线上举办：应用场景发布、企业路演和供需撮合。"),
    ("高校毕业生专场招聘会", EventType.OTHER, 15, 9, 4, "1F 大堂东侧", "", 30,
     "有招聘需求的入驻企业（每家限一个展位）",
     "联合长沙高校就业指导中心举办，企业现场设摊招聘应届毕业生。"),
    ("HR 训练营：劳动用工风险防范", EventType.TRAINING, 2, 14, 2, "5F 培训室", "", 3,
     "企业人事负责人",
     "劳动合同签订、社保缴纳和用工争议处理，名额有限。"),
)  # fmt: skip
FULL_SIGNUPS = (  # the last event: three places taken, two on the waiting list
    ("王晓明", "13800000001"),
    ("李娜", "13800000002"),
    ("赵磊", "13800000003"),
    ("陈静", "13800000004"),
    ("刘洋", "13800000005"),
)


def add_demo_events(db: Session, settings: Settings, now: datetime) -> list[Event]:
    """Add the demo events for the kiosk's building, at times relative to `now`."""
    tenants = list(
        db.scalars(
            select(Tenant)
            .join(Building)
            .where(Building.code == settings.building, Tenant.active)
            .order_by(Tenant.id)
            .limit(len(FULL_SIGNUPS))
        )
    )
    local = now.astimezone(settings.zone)
    made = []
    with transaction(db):
        for title, kind, days, hour, hours, place, url, places, audience, about in EVENTS:
            day = (local + timedelta(days=days)).date()
            starts = datetime.combine(day, time(hour), tzinfo=settings.zone)
            event = Event(
                building_code=settings.building,
                title=title,
                kind=kind,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                place=place,
                online_url=url,
                capacity=places,
                audience=audience,
                description=about,
                published=True,
                cancelled=False,
                confirmed=0,
                created_at=now,
            )
            db.add(event)
            made.append(event)
        db.flush()
        full = made[-1]
        for n, (name, mobile) in enumerate(FULL_SIGNUPS):
            tenant = tenants[n] if n < len(tenants) else None
            seat = full.confirmed < full.capacity
            full.confirmed += 1 if seat else 0
            db.add(
                EventSignup(
                    event_id=full.id,
                    reference=next_reference(db, PREFIX, local.date()),
                    token=new_token(),
                    submission_key=secrets.token_hex(16),
                    kiosk_id=settings.id,
                    tenant_id=tenant.id if tenant else None,
                    company_name=tenant.name if tenant else f"长沙示例科技有限公司{n + 1}",
                    contact_name=name,
                    mobile=mobile,
                    status=SignupStatus.CONFIRMED if seat else SignupStatus.WAITING,
                    locale="zh_CN",
                    created_at=now - timedelta(hours=len(FULL_SIGNUPS) - n),
                )
            )
            db.flush()  # ids in sign-up order: the waiting list is in id order
    return made
