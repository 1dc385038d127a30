"""The typed ORM of the register. No Qt here."""

from .base import Base, new_uuid
from .office import AuditEntry, FundProject, HandCount, Office, VerificationNote
from .records import (
    Adjustment,
    MonitoredHousehold,
    MonitorMeasure,
    TreatmentRecord,
    Visit,
    VisitProblem,
    WorkLogEntry,
)
from .register import Household, IncomeItem, Measure, Person
from .units import Period, Unit

__all__ = [
    "Adjustment", "AuditEntry", "Base", "FundProject", "HandCount", "Household", "IncomeItem", "Measure", "MonitorMeasure", "MonitoredHousehold", "Office",
    "Period", "Person", "TreatmentRecord", "Unit", "VerificationNote", "Visit", "VisitProblem", "WorkLogEntry", "new_uuid",
]
