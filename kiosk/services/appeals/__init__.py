"""Appeals (诉求): a tenant raises one at the kiosk; staff accept, answer and resolve it.

checks: the rules for what a tenant types; submit: the appeal, its timeline and its slip in one
transaction; queries: finding appeals and what may be shown; actions: what staff and the tenant
do next.
"""

from kiosk.services.appeals.actions import (
    OPEN,
    accept,
    add_note,
    assign,
    can_reopen,
    rate,
    reopen,
    reopen_until,
    reply,
    resolve,
    tenant_reopen,
)
from kiosk.services.appeals.checks import (
    COMPANY_NAME_MAX,
    CONTACT_NAME_MAX,
    DESCRIPTION_MAX,
    REASON_MAX,
    REPLY_MAX,
    Checked,
    check_company_name,
    check_contact_name,
    check_description,
    check_mobile,
    check_uscc,
    checked_text,
)
from kiosk.services.appeals.queries import (
    Figures,
    building_figures,
    get_by_reference,
    get_by_token,
    get_for_status_page,
)
from kiosk.services.appeals.submit import (
    AppealDraft,
    SlipBuilder,
    active_categories,
    due_date,
    find_by_submission_key,
    submit_appeal,
)

__all__ = [
    "COMPANY_NAME_MAX",
    "CONTACT_NAME_MAX",
    "DESCRIPTION_MAX",
    "OPEN",
    "REASON_MAX",
    "REPLY_MAX",
    "AppealDraft",
    "Checked",
    "Figures",
    "SlipBuilder",
    "accept",
    "active_categories",
    "add_note",
    "assign",
    "building_figures",
    "can_reopen",
    "check_company_name",
    "check_contact_name",
    "check_description",
    "check_mobile",
    "check_uscc",
    "checked_text",
    "due_date",
    "find_by_submission_key",
    "get_by_reference",
    "get_by_token",
    "get_for_status_page",
    "rate",
    "reopen",
    "reopen_until",
    "reply",
    "resolve",
    "submit_appeal",
    "tenant_reopen",
]
