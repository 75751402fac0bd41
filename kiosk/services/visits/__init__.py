"""Visits (走访): an officer records a visit to a company from a phone — who was met, what was
discussed, each problem raised as an appeal of the ledger (source "visit", the officer its first
handler), and the policies handed over (送政策上门), marked told for the company.

record: the visit in one transaction; queries: the companies an officer may visit, a company's
policies to hand over, a visit by id, a company's visits; history: a company's records in one.
"""

from kiosk.services.visits.queries import (
    PolicyOffer,
    companies_to_visit,
    get_visit,
    list_visits,
    policies_to_hand_over,
    told_policies,
    visits_of,
)
from kiosk.services.visits.record import (
    MAX_PROBLEMS,
    MET_MAX,
    ProblemDraft,
    VisitDraft,
    record_visit,
)

__all__ = [
    "MAX_PROBLEMS",
    "MET_MAX",
    "PolicyOffer",
    "ProblemDraft",
    "VisitDraft",
    "companies_to_visit",
    "get_visit",
    "list_visits",
    "policies_to_hand_over",
    "record_visit",
    "told_policies",
    "visits_of",
]
