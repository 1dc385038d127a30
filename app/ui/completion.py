"""What a closed-list cell makes of the text typed into it (no Qt, so it is tested on its own).

An exact value always wins (also the hint text, and the variants an import accepts, 儿子 → 之子);
else a unique prefix (普通 → 普通劳动力, 弱 → 弱劳动力); else unique pinyin initials (cq → 长期慢性病,
ptl → 普通劳动力). Anything else is not a value of the list, and the clerk is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from app import domain
from app.importers import normalise as nz


@dataclass(frozen=True, slots=True)
class Completion:
    value: str | None  # the list's value, or None (blank text, or not resolved)
    message: str = ""  # why the text is not a value of the list; "" when resolved or blank

    @property
    def ok(self) -> bool:
        return not self.message


@lru_cache(maxsize=512)
def initials(text: str) -> str:
    """Lower-case pinyin initials of a value: 长期慢性病 → cqmxb (other characters kept as typed)."""
    from pypinyin import Style, lazy_pinyin  # the dictionaries load once, on the first completion

    return "".join(s[:1] for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


def _exact(text: str, choices: tuple[str, ...]) -> str | None:
    if text in choices:
        return text
    value = domain.canonical(text, choices)
    if value is not None:
        return value
    if choices == domain.RELATIONS:
        value = nz.relation(text)  # the importer's variant table: 儿子 → 之子, 妻子 → 配偶 …
        return value if value in choices else None
    value = nz.closed(text, choices)
    return value if value in choices else None


def _one(found: list[str]) -> str | None:
    unique = list(dict.fromkeys(found))
    return unique[0] if len(unique) == 1 else None


def complete(text: str | None, choices: tuple[str, ...]) -> Completion:
    """The value ``text`` stands for in ``choices`` (see the module docstring)."""
    t = "".join((text or "").split())
    if not t:
        return Completion(None)
    exact = _exact(t, choices)
    if exact is not None:
        return Completion(exact)
    prefixed = [c for c in choices if c.startswith(t) or domain.display(c).startswith(t)]
    if len(prefixed) == 1:
        return Completion(prefixed[0])
    if not prefixed and t.isascii() and t.isalpha():
        by_initials = [c for c in choices if initials(c).startswith(t.lower())]
        if len(by_initials) == 1:
            return Completion(by_initials[0])
        prefixed = by_initials
    if prefixed:
        some = "、".join(prefixed[:8]) + ("等" if len(prefixed) > 8 else "")
        return Completion(None, f"“{t}”可指{some}，请再多输入一两个字")
    return Completion(None, f"“{t}”不在可选项中（Alt+↓ 或 F4 列出可选项）")
