"""Reference data shipped in the package: the CROUS directory, room kinds, document kinds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


def _load(name: str) -> Any:
    try:
        text = resources.files("crous_desk.data").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source checkout
        text = (Path(__file__).parents[2] / "data" / name).read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class CrousOffice:
    code: str
    name: str
    address: tuple[str, ...]
    phone: str
    fax: str
    web: str
    timezone: str
    holiday_subdivision: str | None


@dataclass(frozen=True)
class RoomKind:
    code: str
    label: str
    typical_m2: int
    min_m2: int
    couples: bool
    checklist: tuple[str, ...]


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    short: str
    required: bool
    facts: tuple[str, ...]


@cache
def crous_directory() -> dict[str, CrousOffice]:
    return {
        c["code"]: CrousOffice(
            code=c["code"],
            name=c["name"],
            address=tuple(c["address"]),
            phone=c["phone"],
            fax=c["fax"],
            web=c["web"],
            timezone=c["timezone"],
            holiday_subdivision=c["holiday_subdivision"],
        )
        for c in _load("crous.json")["crous"]
    }


@cache
def room_kinds() -> dict[str, RoomKind]:
    return {
        k["code"]: RoomKind(
            code=k["code"],
            label=k["label"],
            typical_m2=k["typical_m2"],
            min_m2=k["min_m2"],
            couples=k["couples"],
            checklist=tuple(k["checklist"]),
        )
        for k in _load("room_kinds.json")["kinds"]
    }


@cache
def inspection_states() -> tuple[str, ...]:
    return tuple(_load("room_kinds.json")["states"])


@cache
def document_kinds() -> dict[str, DocumentKind]:
    return {
        d["code"]: DocumentKind(
            code=d["code"],
            label=d["label"],
            short=d["short"],
            required=d["required"],
            facts=tuple(d["facts"]),
        )
        for d in _load("documents.json")["kinds"]
    }


def required_documents() -> list[DocumentKind]:
    return [d for d in document_kinds().values() if d.required]
