"""The machine face (blueprint `api`): health now; the maintenance API at /api/v1 later."""

from kiosk.api import (  # noqa: F401  (registers views)
    announcements,
    edge,
    fleet,
    metrics,
    openapi,
    policies,
    print_jobs,
)
from kiosk.api.views import bp

__all__ = ["bp"]
