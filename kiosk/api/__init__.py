"""The machine face (blueprint `api`): health now; the maintenance API at /api/v1 later."""

from kiosk.api import (  # noqa: F401  (registers views)
    announcements,
    companies,
    edge,
    fleet,
    metrics,
    openapi,
    policies,
    print_jobs,
    units,
)
from kiosk.api.views import bp

__all__ = ["bp"]
