"""Common problems (共性问题 / 会商): similar appeals grouped, owned by a district or the city,
with their meetings and one answer for every company in them."""

from kiosk.services.common_problems.answering import (
    ActionItem,
    answer,
    departments,
    record_meeting,
)
from kiosk.services.common_problems.problems import (
    add,
    close,
    get,
    group,
    note_progress,
    officers,
    owners,
    owns,
    remove,
)
from kiosk.services.common_problems.queries import (
    Listed,
    flagged,
    for_appeal,
    listing,
    members,
    size,
)
from kiosk.services.common_problems.similar import Match, similar

__all__ = [
    "ActionItem",
    "Listed",
    "Match",
    "add",
    "answer",
    "close",
    "departments",
    "flagged",
    "for_appeal",
    "get",
    "group",
    "listing",
    "members",
    "note_progress",
    "officers",
    "owners",
    "owns",
    "record_meeting",
    "remove",
    "similar",
    "size",
]
