"""The rental file: five verified documents, insurance over the whole lease, identity valid."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from crous_desk.rules.rental_file import (
    DocumentFacts,
    file_problems,
    missing_documents,
    verification_problems,
)

START = date(2026, 11, 23)
END = date(2027, 4, 30)
TODAY = date(2026, 11, 23)
DAY = timedelta(days=1)

REQUIRED = ("insurance", "info_form", "guarantor", "school", "identity")


def complete() -> dict[str, DocumentFacts]:
    return {
        "insurance": DocumentFacts(
            "insurance", received=True, verified=True, covers_from=START, covers_until=END
        ),
        "info_form": DocumentFacts("info_form", received=True, verified=True),
        "guarantor": DocumentFacts(
            "guarantor", received=True, verified=True, guarantor_kind="visale"
        ),
        "school": DocumentFacts("school", received=True, verified=True),
        "identity": DocumentFacts("identity", received=True, verified=True, id_expires=END),
    }


def problems(docs: dict[str, DocumentFacts], on_day: date = TODAY) -> list[str]:
    return file_problems(docs, START, END, on_day)


def test_a_complete_file_has_no_problem() -> None:
    assert problems(complete()) == []
    assert missing_documents(complete(), START, END, TODAY) == []


def test_an_empty_file_lists_the_five_documents() -> None:
    assert problems({}) == [
        "Insurance: missing",
        "Signed CROUS form: missing",
        "Guarantor: missing",
        "School certificate: missing",
        "Identity document: missing",
    ]
    assert missing_documents({}, START, END, TODAY) == list(REQUIRED)


@pytest.mark.parametrize("kind", REQUIRED)
def test_each_missing_document_is_listed_alone(kind: str) -> None:
    docs = complete()
    del docs[kind]
    found = problems(docs)
    assert len(found) == 1
    assert found[0].endswith(": missing")
    assert missing_documents(docs, START, END, TODAY) == [kind]


@pytest.mark.parametrize("kind", REQUIRED)
def test_a_received_but_unverified_document_does_not_count(kind: str) -> None:
    docs = complete()
    docs[kind] = replace(docs[kind], verified=False)
    found = problems(docs)
    assert len(found) == 1
    assert found[0].endswith(": received, not verified yet")
    assert missing_documents(docs, START, END, TODAY) == [kind]


def test_exactly_the_missing_and_unverified_ones() -> None:
    docs = complete()
    del docs["school"]
    docs["info_form"] = replace(docs["info_form"], verified=False)
    assert problems(docs) == [
        "Signed CROUS form: received, not verified yet",
        "School certificate: missing",
    ]


def test_the_housing_aid_form_never_blocks() -> None:
    docs = complete()
    docs["housing_aid"] = DocumentFacts("housing_aid")
    assert problems(docs) == []
    docs["housing_aid"] = DocumentFacts("housing_aid", received=True)
    assert problems(docs) == []
    docs_without_school = complete()
    del docs_without_school["school"]
    docs_without_school["housing_aid"] = DocumentFacts("housing_aid", received=True, verified=True)
    assert missing_documents(docs_without_school, START, END, TODAY) == ["school"]


@pytest.mark.parametrize(
    ("covers_from", "covers_until", "words"),
    [
        (START + DAY, END, "cover starts 24/11/2026, after the lease start 23/11/2026"),
        (START, END - DAY, "cover ends 29/04/2027, before the lease end 30/04/2027"),
        (START + timedelta(days=30), END + timedelta(days=30), "after the lease start"),
        (START - timedelta(days=30), START + timedelta(days=120), "before the lease end"),
    ],
)
def test_insurance_must_cover_the_whole_stay(
    covers_from: date, covers_until: date, words: str
) -> None:
    docs = complete()
    docs["insurance"] = replace(
        docs["insurance"], covers_from=covers_from, covers_until=covers_until
    )
    found = problems(docs)
    assert len(found) == 1
    assert found[0].startswith("Insurance: ")
    assert words in found[0]


def test_insurance_wider_than_the_lease_is_fine() -> None:
    docs = complete()
    docs["insurance"] = replace(
        docs["insurance"], covers_from=START - timedelta(days=10), covers_until=END + DAY
    )
    assert problems(docs) == []


def test_identity_expired_before_the_handover_day_does_not_count() -> None:
    docs = complete()
    docs["identity"] = replace(docs["identity"], id_expires=TODAY - DAY)
    assert problems(docs) == ["Identity document: expired on 22/11/2026"]
    docs["identity"] = replace(docs["identity"], id_expires=TODAY)  # valid on the day itself
    assert problems(docs) == []
    # the same document is fine for an earlier handover day
    docs["identity"] = replace(docs["identity"], id_expires=TODAY - DAY)
    assert problems(docs, on_day=TODAY - timedelta(days=2)) == []


@pytest.mark.parametrize(
    ("kind", "blank"),
    [
        ("insurance", {"covers_from": None}),
        ("insurance", {"covers_until": None}),
        ("guarantor", {"guarantor_kind": None}),
        ("identity", {"id_expires": None}),
    ],
)
def test_a_document_ticked_without_its_facts_does_not_count(
    kind: str, blank: dict[str, None]
) -> None:
    docs = complete()
    docs[kind] = replace(docs[kind], **blank)
    assert missing_documents(docs, START, END, TODAY) == [kind]


# --- what must be recorded before ticking ----------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (DocumentFacts("insurance"), "enter the first and last day it covers"),
        (DocumentFacts("insurance", covers_from=START), "enter the first and last day it covers"),
        (DocumentFacts("insurance", covers_until=END), "enter the first and last day it covers"),
        (
            DocumentFacts("insurance", covers_from=END, covers_until=START),
            "the cover ends before it starts",
        ),
        (DocumentFacts("guarantor"), "VISALE or a physical guarantor"),
        (DocumentFacts("guarantor", guarantor_kind="parents"), "VISALE or a physical guarantor"),
        (DocumentFacts("identity"), "enter its expiry date"),
        (DocumentFacts("passport"), "unknown document kind 'passport'"),
    ],
)
def test_verification_problems(facts: DocumentFacts, words: str) -> None:
    found = verification_problems(facts)
    assert len(found) == 1
    assert words in found[0]


@pytest.mark.parametrize(
    "facts",
    [
        DocumentFacts("insurance", covers_from=START, covers_until=START),
        DocumentFacts("guarantor", guarantor_kind="visale"),
        DocumentFacts("guarantor", guarantor_kind="physical"),
        DocumentFacts("identity", id_expires=END),
        DocumentFacts("info_form"),
        DocumentFacts("school"),
        DocumentFacts("housing_aid"),
    ],
)
def test_no_verification_problem_when_the_facts_are_there(facts: DocumentFacts) -> None:
    assert verification_problems(facts) == []
