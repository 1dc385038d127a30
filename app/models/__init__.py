"""The typed ORM of the register. No Qt here."""

from .base import Base, new_uuid
from .office import AuditEntry, FundProject, HandCount, Office, VerificationNote
from .register import Household, IncomeItem, Measure, Person
from .units import Period, Unit

__all__ = [
    "AuditEntry", "Base", "FundProject", "HandCount", "Household", "IncomeItem", "Measure", "Office",
    "Period", "Person", "Unit", "VerificationNote", "new_uuid",
]
