"""The register.json codec (docs/register-json.md): the schema tag, a stored row as a JSON record
and back, and reading a document. Shared by the exporter that writes the file and the importer
that reads it; it knows the models only by their tables' columns, so it imports none of them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

SCHEMA = "guatu.register/1"

# Foreign keys and ids are replaced by UUIDs / unit paths; never written.
# Ids and foreign keys are the register's own; so is a row's version and who changed it last
# (``models.base.Versioned``: the receiving register keeps its own), never in a package.
SKIP = {"id", "period_id", "household_id", "village_id", "unit_id", "township_id", "parent_id",
        "version", "changed_by", "changed_at", "changed_via"}


def encode(value: Any) -> Any:
    """A column value as JSON: dates and times in ISO form."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fields(obj: Any) -> dict[str, Any]:
    """Every stored column of ``obj`` except ids and foreign keys, JSON-ready."""
    return {c.key: encode(getattr(obj, c.key)) for c in type(obj).__table__.columns if c.key not in SKIP}


def decode_fields(model: type, data: dict[str, Any]) -> dict[str, Any]:
    """Attribute values for ``model`` from a register.json record (dates parsed; unknown keys dropped)."""
    out: dict[str, Any] = {}
    for col in model.__table__.columns:
        if col.key in SKIP or col.key not in data:
            continue
        v = data[col.key]
        py = getattr(col.type, "python_type", None) if v is not None else None
        try:
            if py is dt.datetime and isinstance(v, str):
                v = dt.datetime.fromisoformat(v)
            elif py is dt.date and isinstance(v, str):
                v = dt.date.fromisoformat(v)
        except (NotImplementedError, ValueError):
            pass
        out[col.key] = v
    return out


def read_register_json(path: str | os.PathLike) -> dict[str, Any]:
    """Load and check the schema tag; ValueError for another schema or a document JSON cannot hold."""
    return parse_register_json(Path(path).read_bytes())


def parse_register_json(data: bytes) -> dict[str, Any]:
    """register.json's bytes as a document; ValueError (in Chinese) when they are not one of ours.

    NaN/Infinity are not JSON and are refused here; nesting too deep for the parser is a ValueError,
    not a RecursionError. The records themselves are checked by ``app.importers.schema``.
    """
    def constant(name: str):
        raise ValueError(f"含有 {name}，不是有效的 JSON 数字")

    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=constant)
    except UnicodeDecodeError:
        raise ValueError("不是 UTF-8 编码的文本") from None
    except RecursionError:
        raise ValueError("嵌套层数过多") from None
    except ValueError as e:  # JSONDecodeError, an integer of more than 4300 digits, NaN
        raise ValueError(str(e)[:200]) from None
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("guatu.register/"):
        raise ValueError("不是 guatu 台账数据文件（register.json）")
    major = str(doc["schema"]).split("/", 1)[1]
    if major != SCHEMA.split("/", 1)[1]:
        raise ValueError(f"台账数据文件版本 {str(doc['schema'])[:40]} 不受支持（支持 {SCHEMA}）")
    return doc
