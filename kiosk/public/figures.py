"""The programme's figures in public: this building's and the city's, this year — what a city
can put in its 优化营商环境专栏. Nothing about any person or company."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import select
from werkzeug.wrappers import Response

from kiosk.access import public
from kiosk.caching import cacheable
from kiosk.db import get_session
from kiosk.models import Unit
from kiosk.public.views import bp
from kiosk.services import tenants
from kiosk.services.figures import public as figures
from kiosk.services.policies.catalogue import today_in


@bp.get("/figures")
@public
def show_figures() -> Response:
    """Problems solved and policy money paid this year, for the building and the city."""
    settings = current_app.config["KIOSK"]
    db = get_session()
    today = today_in(settings.zone)
    building = tenants.get_building(db, settings.building)
    city = db.scalars(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id)).first()
    html = render_template(
        "public/figures.html",
        building=building,
        city=city,
        year=today.year,
        here=figures.headline(db, settings.zone, today, frozenset({settings.building})),
        everywhere=figures.headline(db, settings.zone, today, None),
    )
    return cacheable(html)  # the same for everyone: revalidated, then 304
