"""The typed ORM of the register. No Qt here."""

from .analysis import AnalysisReport, CheckSummary
from .base import Base, new_uuid
from .ledgers import (
    Problem,
    ResponsibilityList,
    SupervisionEntry,
    SupervisionTarget,
    Task,
    TaskProgress,
    TaskUnit,
)
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
    "Adjustment", "AnalysisReport", "AuditEntry", "CheckSummary", "Base", "FundProject", "HandCount", "Household", "IncomeItem", "Measure",
    "MonitorMeasure", "MonitoredHousehold", "Office", "Period", "Person", "Problem", "ResponsibilityList",
    "SupervisionEntry", "SupervisionTarget", "Task", "TaskProgress", "TaskUnit", "TreatmentRecord", "Unit",
    "VerificationNote", "Visit", "VisitProblem", "WorkLogEntry", "new_uuid",
]
