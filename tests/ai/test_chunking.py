"""Postings and resumes cut into chunks, and one vector per document."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from jobpilot.ai.embeddings import LocalEmbedder, embed_document, posting_chunks, resume_chunks
from jobpilot.ai.embeddings.base import Vectors
from support import require_shared

DESCRIPTION = """\
Acme Freight moves 40,000 pallets a day across Europe, and our routing platform decides how.

About the role
You will design and run the Python services that price and schedule shipments.

What you will do
- Build FastAPI services backed by PostgreSQL
- Own on-call for the routing API, together with two other engineers
- Mentor junior engineers

What we offer
Hybrid work from Rotterdam, 30 days of holiday, and a learning budget.
"""

RESUME: dict[str, Any] = {
    "basics": {
        "name": "Ada Lovelace",
        "label": "Backend engineer",
        "email": "ada@example.com",
        "summary": "Eight years building Python services for logistics companies.",
    },
    "work": [
        {
            "name": "Shipwise",
            "position": "Senior Software Engineer",
            "startDate": "2020-03",
            "summary": "Led the pricing team.",
            "highlights": ["Cut quote latency from 900 ms to 120 ms", "Moved billing to Kafka"],
        },
        {"company": "Parcel Co", "position": "Software Engineer"},
    ],
    "education": [
        {"institution": "TU Delft", "area": "Computer Science", "studyType": "MSc"},
        {"institution": "Open University", "courses": ["Statistics"]},
    ],
    "skills": [
        {"name": "Python", "keywords": ["FastAPI", "SQLAlchemy"]},
        {"name": "Databases", "keywords": ["PostgreSQL", "Redis"]},
    ],
    "languages": [{"language": "English", "fluency": "Native"}, {"language": "Dutch"}],
    "projects": [
        {
            "name": "routekit",
            "description": "An open-source vehicle routing library.",
            "keywords": ["OR-Tools", "Python"],
        }
    ],
}


class TableEmbedder:
    """An embedder whose vectors are given per text (a real port implementation, for sums)."""

    model_id = "table"
    dimension = 2

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table

    async def embed(self, texts: Sequence[str]) -> Vectors:
        rows = np.array([self.table[text] for text in texts], dtype=np.float32)
        normalised: Vectors = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return normalised


def words(text: str) -> list[str]:
    return text.split()


def test_a_posting_is_chunks_each_naming_the_job() -> None:
    chunks = posting_chunks("Senior Python Engineer", "Acme Freight", DESCRIPTION, max_words=40)

    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.startswith("Senior Python Engineer at Acme Freight\n")
        assert len(words(chunk)) <= 40
    bodies = [chunk.split("\n", 1)[1] for chunk in chunks]
    # Nothing lost, nothing reordered; lines stay lines.
    assert words(" ".join(bodies)) == words(DESCRIPTION)
    assert "- Build FastAPI services backed by PostgreSQL" in chunks[1].splitlines()


def test_short_paragraphs_share_a_chunk() -> None:
    chunks = posting_chunks("Barista", "Bean There", "Make coffee.\n\nSmile.\r\nClean up.")

    assert chunks == ["Barista at Bean There\nMake coffee.\nSmile.\nClean up."]


def test_a_long_paragraph_is_cut_at_sentence_ends() -> None:
    sentence = "We ship small changes to production many times every single day."
    paragraph = " ".join([sentence] * 10)  # 11 words each

    chunks = posting_chunks("SRE", "Acme", paragraph, max_words=40)

    # "SRE at Acme" takes 3 of the 40 words; three 11-word sentences fit in the other 37.
    assert [len(words(c)) for c in chunks] == [3 + 33, 3 + 33, 3 + 33, 3 + 11]
    assert all(c.endswith("day.") for c in chunks)


def test_a_sentence_longer_than_a_chunk_is_cut_between_words() -> None:
    run_on = " ".join(f"word{i}" for i in range(100))

    chunks = posting_chunks("Writer", "", run_on, max_words=30)

    assert chunks[0] == "Writer\n" + " ".join(f"word{i}" for i in range(29))
    assert all(len(words(c)) <= 30 for c in chunks)
    assert [w for c in chunks for w in words(c)[1:]] == words(run_on)


def test_a_posting_without_description_is_its_title() -> None:
    assert posting_chunks("Nurse", "St Mary's", "  \n\n ") == ["Nurse at St Mary's"]
    assert posting_chunks("", "", "") == []


def test_a_runaway_title_leaves_room_for_the_description() -> None:
    title = " ".join(["Engineer"] * 100)

    chunks = posting_chunks(title, "Acme", "Build things.", max_words=40)

    assert chunks == [" ".join(["Engineer"] * 10) + "\nBuild things."]


def test_a_resume_is_chunked_by_section() -> None:
    chunks = resume_chunks(RESUME)

    assert chunks == [
        "Backend engineer\nEight years building Python services for logistics companies.",
        "Senior Software Engineer at Shipwise\nLed the pricing team.\n"
        "Cut quote latency from 900 ms to 120 ms\nMoved billing to Kafka",
        "Software Engineer at Parcel Co",
        "Education\nMSc in Computer Science, TU Delft\nOpen University. Courses: Statistics",
        "Skills\nPython: FastAPI, SQLAlchemy; Databases: PostgreSQL, Redis",
        "Languages\nEnglish (Native), Dutch",
        "Project: routekit\nAn open-source vehicle routing library.\nOR-Tools, Python",
    ]


def test_empty_or_odd_resume_parts_give_no_chunks() -> None:
    odd: dict[str, Any] = {
        "basics": "not an object",
        "work": [None, {"highlights": [1, None]}, "text"],
        "skills": [{"name": ""}, {"keywords": []}],
        "education": [],
        "projects": {},
    }

    assert resume_chunks({}) == []
    assert resume_chunks(odd) == []


def test_a_long_job_is_split_and_every_part_names_it() -> None:
    job = {
        "name": "Shipwise",
        "position": "Engineer",
        "highlights": [f"Shipped feature number {i} to every customer" for i in range(60)],
    }

    chunks = resume_chunks({"work": [job]}, max_words=50)

    assert len(chunks) > 1
    assert all(c.startswith("Engineer at Shipwise\n") for c in chunks)
    assert all(len(words(c)) <= 50 for c in chunks)


async def test_a_document_vector_is_the_word_weighted_mean() -> None:
    embedder = TableEmbedder({"one two three": [1, 0], "four": [0, 1]})

    vector = await embed_document(embedder, ["one two three", "four", "  "])

    expected = np.array([3, 1]) / np.linalg.norm([3, 1])
    np.testing.assert_allclose(vector, expected, atol=1e-6)
    assert vector.dtype == np.float32


async def test_an_empty_document_cannot_be_embedded() -> None:
    with pytest.raises(ValueError, match="at least one non-empty chunk"):
        await embed_document(TableEmbedder({}), [])
    with pytest.raises(ValueError, match="at least one non-empty chunk"):
        await embed_document(TableEmbedder({}), ["", " \n"])


# RJDB triples (../shared/fixtures/matching/SOURCES.md): synthetic job descriptions and résumés
# in Markdown-ish text, headings with or without "##".
_HEADING = re.compile(
    r"^(?:#+\s*)?(job title|job summary|personal information|education|"
    r"skills|experience|summary|responsibilities|required \w+)[ \t]*:?[ \t]*$",
    re.I | re.M,
)


def rjdb_records(count: int) -> list[dict[str, Any]]:
    path = require_shared("fixtures", "matching", "rjdb", "test_first800.jsonl")
    with path.open(encoding="utf-8") as file:
        return [json.loads(next(file)) for _ in range(count)]


def sections(text: str) -> dict[str, list[str]]:
    """Lines under each heading, bullets and numbers stripped."""
    found: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        heading = _HEADING.match(line.strip())
        if heading:
            current = heading.group(1).lower()
            continue
        item = re.sub(r"^\s*(?:[-*•]|\d+\.)\s*", "", line).strip()
        if item:
            found.setdefault(current, []).append(item)
    return found


def rjdb_resume(text: str) -> dict[str, Any]:
    """An RJDB résumé as a JSON Resume document."""
    parts = sections(text)
    return {
        "basics": {"summary": " ".join(parts.get("summary", []))},
        "education": [{"institution": line} for line in parts.get("education", [])],
        "skills": [{"name": line} for line in parts.get("skills", [])],
        "work": [{"position": line} for line in parts.get("experience", [])],
    }


def rjdb_posting(text: str) -> list[str]:
    title = sections(text)["job title"][0]
    body = _HEADING.sub("", text)
    return posting_chunks(title, "", body, max_words=60)


def test_real_job_descriptions_chunk_within_bounds() -> None:
    for record in rjdb_records(3):
        description = record["Job-Description"]
        title = sections(description)["job title"][0]

        chunks = posting_chunks(title, "", description, max_words=60)

        assert len(chunks) >= 3
        assert all(c.startswith(title + "\n") and len(words(c)) <= 60 for c in chunks)
        kept = [w for c in chunks for w in words(c.split("\n", 1)[1])]
        assert kept == words(description)


def test_real_resumes_chunk_by_section() -> None:
    resume = rjdb_resume(rjdb_records(1)[0]["Resume-matched"])

    chunks = resume_chunks(resume)

    assert chunks[0] == "Junior Systems Admin/Engineer (2019 - 2023)"
    assert "Education\nBachelor's degree in Computer Engineering" in chunks
    assert (
        "Skills\nAnalysis; Audio Visual; Customer Service; Diagnostic; Networking; "
        "Project Management; Supervisor; VMware; Windows" in chunks
    )


async def test_a_job_is_closest_to_the_resume_written_for_it() -> None:
    records = rjdb_records(6)
    embedder = LocalEmbedder()
    jobs = [await embed_document(embedder, rjdb_posting(r["Job-Description"])) for r in records]
    resumes = [
        await embed_document(embedder, resume_chunks(rjdb_resume(r["Resume-matched"])))
        for r in records
    ]

    similarity = np.array(jobs) @ np.array(resumes).T

    # Each job's own résumé beats the résumés written for the other five jobs.
    assert list(similarity.argmax(axis=1)) == list(range(len(records)))
