# ruff: noqa: RUF001 - resumes write dashes, bullets and accents as such
"""Split a resume's lines into sections by their headings.

A heading is a short line that names a known section (in English and, where cheap, Spanish,
French, German, Portuguese and Italian), or a short line styled as a heading: a DOCX heading
style, clearly larger than body text, or all in capitals.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from jobpilot.resumes.parsing.extract import Line

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "career summary",
        "executive summary",
        "profile",
        "professional profile",
        "personal profile",
        "about",
        "about me",
        "objective",
        "career objective",
        "professional objective",
        "overview",
        "introduction",
        "bio",
        "resumen",
        "perfil",
        "sobre mi",
        "resume",
        "profil",
        "a propos",
        "zusammenfassung",
        "uber mich",
        "kurzprofil",
        "resumo",
        "sobre",
        "profilo",
        "personal statement",
    ),
    "work": (
        "experience",
        "work experience",
        "professional experience",
        "employment",
        "employment history",
        "work history",
        "career history",
        "relevant experience",
        "professional background",
        "positions held",
        "industry experience",
        "research experience",
        "teaching experience",
        "internships",
        "internship",
        "internship experience",
        "on campus involvement",
        "leadership experience",
        "experiencia",
        "experiencia laboral",
        "experiencia profesional",
        "experience professionnelle",
        "experiences professionnelles",
        "berufserfahrung",
        "berufliche erfahrung",
        "werdegang",
        "experiencia profissional",
        "esperienza",
        "esperienze lavorative",
        "esperienza professionale",
        "relevant work experience",
        "technical experience",
        "professional history",
        "other experience",
    ),
    "education": (
        "education",
        "academic background",
        "education and training",
        "academics",
        "academic history",
        "qualifications",
        "educational background",
        "academic qualifications",
        "education & training",
        "studies",
        "educacion",
        "formacion",
        "formacion academica",
        "formation",
        "ausbildung",
        "bildung",
        "studium",
        "educacao",
        "formacao",
        "istruzione",
        "formazione",
        "schooling",
        "degrees",
    ),
    "skills": (
        "skills",
        "technical skills",
        "key skills",
        "core skills",
        "core competencies",
        "competencies",
        "skills & expertise",
        "skills and expertise",
        "tech stack",
        "technical proficiencies",
        "proficiencies",
        "areas of expertise",
        "skill set",
        "skillset",
        "computer skills",
        "it skills",
        "hard skills",
        "soft skills",
        "additional skills",
        "relevant skills",
        "habilidades",
        "competencias",
        "conocimientos",
        "competences",
        "kompetenzen",
        "fahigkeiten",
        "kenntnisse",
        "competencias tecnicas",
        "competenze",
        "skills & abilities",
        "skills and abilities",
        "technical expertise",
        "featured skills",
    ),
    "projects": (
        "projects",
        "project",
        "personal projects",
        "selected projects",
        "key projects",
        "side projects",
        "academic projects",
        "open source",
        "open source projects",
        "proyectos",
        "projets",
        "projekte",
        "projetos",
        "progetti",
        "portfolio",
    ),
    "certificates": (
        "certifications",
        "certificates",
        "certification",
        "licenses",
        "licenses & certifications",
        "licenses and certifications",
        "certifications & licenses",
        "certificaciones",
        "zertifikate",
        "zertifizierungen",
        "certificacoes",
        "certificazioni",
        "professional development",
        "accreditations",
    ),
    "awards": (
        "awards",
        "honors",
        "honours",
        "honors/awards",
        "honors & awards",
        "honors and awards",
        "awards & honors",
        "awards and honors",
        "achievements",
        "accomplishments",
        "selected honors",
        "distinctions",
        "scholarships",
        "premios",
        "logros",
        "prix",
        "auszeichnungen",
        "premios e reconhecimentos",
        "riconoscimenti",
        "recognition",
    ),
    "languages": (
        "languages",
        "language skills",
        "idiomas",
        "langues",
        "sprachen",
        "sprachkenntnisse",
        "lingue",
        "spoken languages",
    ),
    "volunteer": (
        "volunteer",
        "volunteering",
        "volunteer experience",
        "volunteer work",
        "community service",
        "community involvement",
        "voluntariado",
        "benevolat",
        "ehrenamt",
        "ehrenamtliches engagement",
        "volontariato",
        "extracurricular activities",
        "civic engagement",
    ),
    "publications": (
        "publications",
        "selected publications",
        "papers",
        "research papers",
        "publicaciones",
        "publikationen",
        "veroffentlichungen",
        "publicacoes",
        "pubblicazioni",
        "patents",
        "talks",
        "invited talks",
        "presentations",
    ),
    "interests": (
        "interests",
        "hobbies",
        "hobbies & interests",
        "hobbies and interests",
        "personal interests",
        "intereses",
        "aficiones",
        "centres d'interet",
        "interessen",
        "hobbys",
        "interesses",
        "interessi",
    ),
    "references": ("references", "referees", "referencias", "references available", "referenzen"),
    "profiles": (
        "profiles",
        "social media",
        "online profiles",
        "online presence",
    ),
    "contact": (
        "contact",
        "contact information",
        "contact info",
        "contact details",
        "personal details",
        "personal information",
        "personal data",
        "contacto",
        "kontakt",
        "contato",
        "contatti",
        "coordonnees",
        "personal info",
    ),
}

_LOOKUP: dict[str, str] = {name: key for key, names in _SYNONYMS.items() for name in names}
_DATEISH = re.compile(r"\b(19|20)\d{2}\b|@|https?://|www\.|\d{3}")


@dataclass
class Section:
    """A heading (`key` is the canonical section, "other" when unknown) and its lines."""

    key: str
    title: str
    lines: list[Line] = field(default_factory=list)


def normalise_heading(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " & ").replace("’", "'")
    text = re.sub(r"[^\w&/' ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip(" /")


def known_heading(text: str) -> str | None:
    """The section key a heading text names ("Work Experience" → "work"), else None."""
    norm = normalise_heading(text)
    if not norm or len(norm) > 48:
        return None
    if norm in _LOOKUP:
        return _LOOKUP[norm]
    spaced = norm.replace(" ", "")
    for name, key in _LOOKUP.items():
        if name.replace(" ", "") == spaced:
            return key
    for sep in (" & ", " and ", "/", " y ", " et ", " und "):
        if sep in norm:
            first = norm.split(sep)[0].strip()
            if first in _LOOKUP:
                return _LOOKUP[first]
    words = norm.split()
    if len(words) <= 4:
        if "volunteer" in norm:
            return "volunteer"
        if words[-1] in {"experience", "experiences", "history", "employment"}:
            return "work"
        if words[-1] in {"skills", "competencies"}:
            return "skills"
        if words[-1] in {"projects", "education", "certifications", "awards", "publications"}:
            return _LOOKUP[words[-1]]
    return None


def heading_key(line: Line, body_size: float, name_size: float = 0.0) -> str | None:
    """The section key when `line` is a heading ("other" when styled but unknown), else None."""
    text = line.text.strip().rstrip(":").strip()
    if not text or line.bullet or len(text) > 48:
        return None
    words = text.split()
    if len(words) > 5 or text.endswith((".", ",", ";")) or text[:1].islower():
        return None
    key = known_heading(text)
    if key is not None:
        if len(line.segments) > 1 and line.style == "":
            return None
        return key
    if _DATEISH.search(text) or text.endswith((".", ",", ";")) or len(words) > 4:
        return None
    if not any(ch.isalpha() for ch in text):
        return None
    if name_size and line.size >= name_size * 0.95:
        return None
    style = line.style.lower()
    if style.startswith("heading") or (style == "title" and len(words) <= 4):
        return "other"
    larger = body_size > 0 and line.size >= body_size * 1.2
    capitals = text.isupper() and sum(ch.isalpha() for ch in text) >= 4
    if larger or (capitals and (line.bold or len(words) <= 3)):
        return "other"
    return None


def split_sections(
    lines: list[Line], body_size: float, name_size: float = 0.0, name_line: Line | None = None
) -> list[Section]:
    """The lines grouped under their headings; lines before the first heading go to "header".

    `name_line` (the candidate's name) is never taken for a heading.
    """
    keys = [
        None if line is name_line else heading_key(line, body_size, name_size) for line in lines
    ]
    keys = _consistent(lines, keys, body_size)
    sections = [Section("header", "")]
    for line, key in zip(lines, keys, strict=True):
        if key is not None:
            sections.append(Section(key, line.text.strip().rstrip(":").strip()))
        else:
            sections[-1].lines.append(line)
    return sections


def _consistent(lines: list[Line], keys: list[str | None], body_size: float) -> list[str | None]:
    """Drop heading candidates that lack the style most headings of the document share."""
    marked = [line for line, key in zip(lines, keys, strict=True) if key is not None]
    if len(marked) < 3:
        return keys
    out = list(keys)
    for trait in ("caps", "bold", "large", "styled"):
        share = sum(1 for line in marked if _has_trait(line, trait, body_size)) / len(marked)
        if share >= 0.75:
            out = [
                key if key is None or _has_trait(line, trait, body_size) else None
                for line, key in zip(lines, out, strict=True)
            ]
    return out


def _has_trait(line: Line, trait: str, body_size: float) -> bool:
    if trait == "caps":
        return line.text.isupper()
    if trait == "bold":
        return line.bold
    if trait == "large":
        return body_size > 0 and line.size >= body_size * 1.15
    return line.style.lower().startswith(("heading", "title"))
