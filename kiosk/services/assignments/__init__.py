"""Hand-offs (交办): an officer hands an appeal to a department with a time limit in working
days; the department accepts, returns ("not ours") or replies; the sending unit reviews the
reply (publish to the tenant, or send back); overdue hand-offs are reminded and urged (催办);
after resolution an officer calls back (回访).

common: locking and who may act; handing: the hand-off and the department's steps; review: the
sending unit's steps; clock: due dates and lateness; queries: queues; reminders: the daily
reminders; hotline: a 12345 call entered as an appeal.
"""

from kiosk.services.assignments.clock import (
    DAYS_DEFAULT,
    DAYS_MAX,
    DAYS_MIN,
    Calendar,
    Cutoffs,
    Timing,
)
from kiosk.services.assignments.common import departments, is_department, lead_of
from kiosk.services.assignments.handing import accept, hand_off, reply, return_to_sender
from kiosk.services.assignments.hotline import HotlineCall, buildings, record_call
from kiosk.services.assignments.queries import Queues, for_appeal, get, queues
from kiosk.services.assignments.reminders import ReminderWorker, run_reminders
from kiosk.services.assignments.review import call_back, publish, send_back, urge

__all__ = [
    "DAYS_DEFAULT",
    "DAYS_MAX",
    "DAYS_MIN",
    "Calendar",
    "Cutoffs",
    "HotlineCall",
    "Queues",
    "ReminderWorker",
    "Timing",
    "accept",
    "buildings",
    "call_back",
    "departments",
    "for_appeal",
    "get",
    "hand_off",
    "is_department",
    "lead_of",
    "publish",
    "queues",
    "record_call",
    "reply",
    "return_to_sender",
    "run_reminders",
    "send_back",
    "urge",
]
