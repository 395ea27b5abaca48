"""Documents cut into pieces an embedding model reads whole, and one vector per document.

A sentence model reads about 256 word pieces and, past a few sentences, blurs what it reads,
so a posting or a resume is embedded as chunks of related text (a few paragraphs, one job of a
resume) and the chunk vectors are averaged. Every posting chunk starts with the job title and
company, so a chunk of benefits still says which job it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from jobpilot.ai.embeddings.base import Embedder, Vectors, unit_rows

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_LINE_BREAK = re.compile(r"\s*\n\s*")


def posting_chunks(
    title: str, company: str, description_text: str, max_words: int = 180
) -> list[str]:
    """A posting as chunks of at most `max_words` words, each starting with title and company."""
    prefix = _join(" at ", title, company)
    paragraphs = _LINE_BREAK.split(description_text.strip())
    return _chunks(prefix, paragraphs, max_words, bare=True)


def resume_chunks(resume: dict[str, Any], max_words: int = 180) -> list[str]:
    """A JSON Resume document as chunks: summary, each job and project, education, skills."""
    basics = _dict(resume.get("basics"))
    chunks = _chunks(
        _text(basics.get("label")), [_text(basics.get("summary"))], max_words, bare=True
    )
    for job in _dicts(resume.get("work")):
        organisation = _text(job.get("name")) or _text(job.get("company"))
        heading = _join(" at ", job.get("position"), organisation)
        chunks += _chunks(heading, _story(job), max_words, bare=True)
    for role in _dicts(resume.get("volunteer")):
        heading = _join(" at ", role.get("position"), role.get("organization"))
        chunks += _chunks(_join(": ", "Volunteer", heading), _story(role), max_words, bare=True)
    sections = {
        "Education": [_education(entry) for entry in _dicts(resume.get("education"))],
        "Skills": [_join("; ", *map(_skill, _dicts(resume.get("skills"))))],
        "Certificates": [_join("; ", *map(_certificate, _dicts(resume.get("certificates"))))],
        "Languages": [_join(", ", *map(_language, _dicts(resume.get("languages"))))],
    }
    for name, paragraphs in sections.items():
        chunks += _chunks(name, paragraphs, max_words)
    for project in _dicts(resume.get("projects")):
        body = [
            _text(project.get("description")),
            *_texts(project.get("highlights")),
            ", ".join(_texts(project.get("keywords"))),
        ]
        chunks += _chunks(_join(": ", "Project", project.get("name")), body, max_words, bare=True)
    return chunks


async def embed_document(embedder: Embedder, chunks: Sequence[str]) -> Vectors:
    """One unit vector for a document: its chunk vectors averaged, weighted by words."""
    document: Vectors = (await embed_documents(embedder, [chunks]))[0]
    return document


async def embed_documents(embedder: Embedder, documents: Sequence[Sequence[str]]) -> Vectors:
    """One unit vector per document (as `embed_document`), their chunks embedded together."""
    kept = [[chunk for chunk in chunks if chunk.strip()] for chunks in documents]
    if not all(kept):
        msg = "a document needs at least one non-empty chunk to be embedded"
        raise ValueError(msg)
    vectors = await embedder.embed([chunk for chunks in kept for chunk in chunks])
    pooled = []
    start = 0
    for chunks in kept:
        part = vectors[start : start + len(chunks)]
        start += len(chunks)
        weights = np.array([len(chunk.split()) for chunk in chunks], dtype=np.float32)
        pooled.append((part * weights[:, None]).sum(axis=0) / weights.sum())
    return unit_rows(np.array(pooled))


def _chunks(
    prefix: str, paragraphs: Iterable[str], max_words: int, *, bare: bool = False
) -> list[str]:
    """Paragraphs packed in order into chunks of at most `max_words` words, prefix included.

    Neighbouring short paragraphs share a chunk; a long one is cut at sentence ends, and a
    sentence longer than a chunk is cut between words. With no text at all, a `bare` prefix is
    the one chunk (a posting with only a title, a job with no highlights still say something);
    a section name alone says nothing and gives no chunk.
    """
    if max_words < 2:
        msg = "max_words must be at least 2"
        raise ValueError(msg)
    # A runaway heading must leave room for the text it introduces.
    prefix = " ".join(prefix.split()[: max_words // 4 or 1])
    budget = max_words - len(prefix.split())
    pieces = [piece for p in paragraphs for piece in _pieces(p, budget)]
    if not pieces:
        return [prefix] if prefix and bare else []
    bodies: list[list[str]] = [[]]
    used = 0
    for piece in pieces:
        words = len(piece.split())
        if bodies[-1] and used + words > budget:
            bodies.append([])
            used = 0
        bodies[-1].append(piece)
        used += words
    return ["\n".join([prefix, *body] if prefix else body) for body in bodies]


def _pieces(paragraph: str, budget: int) -> list[str]:
    """`paragraph` as one piece, or cut at sentence ends (then words) into pieces ≤ `budget`."""
    words = paragraph.split()
    if len(words) <= budget:
        return [" ".join(words)] if words else []
    pieces: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph.strip()):
        sentence_words = sentence.split()
        if current and len(current) + len(sentence_words) > budget:
            pieces.append(" ".join(current))
            current = []
        current += sentence_words
        while len(current) > budget:
            pieces.append(" ".join(current[:budget]))
            current = current[budget:]
    if current:
        pieces.append(" ".join(current))
    return pieces


def _story(entry: dict[str, Any]) -> list[str]:
    """What a job or role's summary and highlights say, one paragraph each."""
    return [_text(entry.get("summary")), *_texts(entry.get("highlights"))]


def _education(entry: dict[str, Any]) -> str:
    degree = _join(" in ", entry.get("studyType"), entry.get("area"))
    courses = ", ".join(_texts(entry.get("courses")))
    where = _join(", ", degree, entry.get("institution"))
    return _join(". ", where, f"Courses: {courses}" if courses else "")


def _skill(skill: dict[str, Any]) -> str:
    return _join(": ", skill.get("name"), ", ".join(_texts(skill.get("keywords"))))


def _certificate(certificate: dict[str, Any]) -> str:
    return _join(", ", certificate.get("name"), certificate.get("issuer"))


def _language(language: dict[str, Any]) -> str:
    fluency = _text(language.get("fluency"))
    return _join(" ", language.get("language"), f"({fluency})" if fluency else "")


def _join(separator: str, *parts: Any) -> str:
    return separator.join(text for part in parts if (text := _text(part)))


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    return [text for item in value if (text := _text(item))] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
