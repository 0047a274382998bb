"""The domain model, one module per aggregate; import from here."""

from app.models.audit import AuditLog, LoginAttempt
from app.models.base import utcnow
from app.models.dossier import (
    CHANNELS,
    EVENT_KINDS,
    FINISHED_STATUSES,
    NATIONAL_STATUS,
    OPEN_STATUSES,
    RESULT_RETURNS,
    STATUSES,
    Dossier,
    DossierCounter,
    DossierEvent,
)
from app.models.feedback import COMMENT_MAX, Feedback
from app.models.gateway import GatewayStatus
from app.models.hamlet import (
    HELP_STATES,
    OPEN_HELP_STATES,
    Hamlet,
    HelpAttempt,
    HelpRequest,
    TeamException,
    TeamMember,
    TeamSlot,
)
from app.models.message import Message, PhonePreference, Subscription
from app.models.office import Office
from app.models.officer import COMMUNE_ROLES, PROVINCE_ROLES, ROLES, Officer
from app.models.portal import PORTALS, PortalOutage
from app.models.procedure import FIELDS, ONLINE_MODES, Procedure, ProcedureContent, ProcedureVersion
from app.models.roster import EXCEPTION_KINDS, DutyException, DutyShift
from app.models.site_version import OfficeVersion, SiteVersion

__all__ = [
    "AuditLog", "LoginAttempt", "utcnow", "CHANNELS", "FINISHED_STATUSES", "NATIONAL_STATUS",
    "OPEN_STATUSES", "RESULT_RETURNS", "STATUSES", "Dossier", "DossierCounter", "DossierEvent", "EVENT_KINDS", "COMMENT_MAX",
    "Feedback", "Message", "PhonePreference", "Subscription", "Office", "ROLES", "COMMUNE_ROLES", "PROVINCE_ROLES", "Officer",
    "FIELDS", "ONLINE_MODES", "Procedure", "ProcedureContent", "ProcedureVersion",
    "EXCEPTION_KINDS", "DutyException", "DutyShift", "GatewayStatus", "OfficeVersion", "SiteVersion",
    "PORTALS", "PortalOutage",
    "HELP_STATES", "OPEN_HELP_STATES", "Hamlet", "HelpAttempt", "HelpRequest", "TeamException",
    "TeamMember", "TeamSlot",
]
