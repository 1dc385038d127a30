"""H-12: the same person in two households (same 身份证号, or same name and age, or same phone).

One pass over all members, grouping by each key in dicts; only keys shared by two households
produce work, so a 100,000-person register is checked in well under a second.
"""

from __future__ import annotations

from collections import Counter

from .cells import as_int, blank, head_name
from .codes import RULES
from .data import HouseholdData, PersonData
from .findings import Finding
from .ids import normalise_id
from .phones import normalise_phone

_REASONS = {"id": "身份证号相同", "name_age": "姓名和年龄相同", "phone": "电话相同"}
_FIELDS = {"id": "id_number", "name_age": "name", "phone": "phone"}


def name_age_key(p: PersonData) -> tuple | None:
    if p.name is None or blank(p.name):
        return None
    age = as_int(p.age)
    return None if age is None else (str(p.name).strip(), age)


def _shared(households: list[HouseholdData]) -> dict[tuple, list[tuple[int, HouseholdData, PersonData]]]:
    """Key → the members holding it, for keys held more than once (counted first, in C)."""
    people = [p for h in households for p in h.members]
    homes = [hi for hi, h in enumerate(households) for _p in h.members]  # ints: no tuples for the GC
    name_age = [(p.name.strip(), p.age) if type(p.name) is str and type(p.age) is int and p.name.strip()
                else name_age_key(p) for p in people]
    ids = [None if p.id_number is None or blank(p.id_number) else normalise_id(p.id_number) for p in people]
    phones = [None if p.phone is None else normalise_phone(p.phone) for p in people]
    shared: dict[tuple, list[tuple[int, HouseholdData, PersonData]]] = {}
    for kind, keys in (("id", ids), ("name_age", name_age), ("phone", phones)):
        counts = Counter(keys)
        counts.pop(None, None)
        twice = {k for k, n in counts.items() if n > 1}
        if twice:
            for i in [i for i, k in enumerate(keys) if k in twice]:
                shared.setdefault((kind, keys[i]), []).append((homes[i], households[homes[i]], people[i]))
    return shared


def h12_duplicates(households: list[HouseholdData]) -> list[Finding]:
    """One W per person who matches a person of another household, naming that household."""
    shared = _shared(households)
    # person (by identity) -> (household, person, {reason: (first other (household, person), how many)})
    hits: dict[int, tuple[HouseholdData, PersonData, dict[str, tuple]]] = {}
    for key, members in shared.items():
        per_home = Counter(hi for hi, _h, _p in members)
        if len(per_home) < 2:
            continue  # the same key twice within one household is not H-12
        for hi, h, p in members:
            other = next((oh, op) for oi, oh, op in members if oi != hi)
            entry = hits.setdefault(id(p), (h, p, {}))
            if key[0] not in entry[2]:
                entry[2][key[0]] = (other, len(members) - per_home[hi])
    out = []
    severity = RULES["H-12"][0]
    for h, p, reasons in hits.values():
        (oh, op), _n = next(iter(reasons.values()))
        where = f"{oh.unit + ' ' if oh.unit else ''}{head_name(oh) or '另一'}户的“{str(op.name).strip()}”"
        why = "、".join(_REASONS[r] for r in reasons)
        more = max(n for _o, n in reasons.values())
        extra = f"等{more}处" if more > 1 else ""
        field = _FIELDS[next(iter(reasons))]
        row = p.row if p.row is not None else h.row
        out.append(Finding("H-12", severity, f"{str(p.name).strip()}与{where}{extra}{why}，可能重复登记，请核实",
                           file=h.file, sheet=h.sheet, row=row, unit=h.unit, household=h.uuid,
                           person=p.uuid, field=field))
    return out
