# ruff: noqa: RUF001 - resumes write dashes, bullets and accents as such
"""Resume parser: field-level accuracy against ground truth, and parse time per page.

Every sample under ../shared/fixtures/resumes with ground truth is parsed: upstream sources
(OpenResume's builder data, Reactive Resume documents, the RenderCV input) and the values
transcribed in SOURCES.md. Per field it prints how often the parser got it right, then the
overall accuracy and the parse time per page (p50/p95).

    .venv/bin/python bench/bench_resume_parse.py
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from jobpilot.resumes.parsing import parse_resume
from jobpilot.resumes.schema import Resume

ROOT = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "resumes"
REPEATS = 3


@dataclass
class Job:
    """One expected position: company, title, start and end ("present" when ongoing)."""

    company: str
    position: str
    start: str | None = None
    end: str | None = None


@dataclass
class Truth:
    """What a sample should parse into (None / empty: not known, not scored)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    work: list[Job] = field(default_factory=list)
    schools: list[tuple[str, str]] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)


_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def _gt_date(text: str) -> str | None:
    text = text.strip().lower().rstrip(".")
    if text in {"present", "current"}:
        return "present"
    m = re.fullmatch(r"([a-z]+)\.? (\d{4})", text)
    if m:
        word = m.group(1)
        if word in _SEASONS:
            return f"{m.group(2)}-{_SEASONS[word]:02d}"
        return f"{m.group(2)}-{_MONTHS[word[:3]]:02d}"
    m = re.fullmatch(r"(\d{4})(-\d{2})?", text)
    return text if m else None


def _gt_range(text: str) -> tuple[str | None, str | None]:
    pieces = re.split(r"\s+(?:-|–|to)\s+", text.strip())
    start = _gt_date(pieces[0]) if pieces and pieces[0] else None
    end = _gt_date(pieces[1]) if len(pieces) > 1 else None
    return start, end


def _openresume(path: Path) -> Truth:
    data = json.loads(path.read_text())
    profile = data["profile"]
    skills = [s["skill"] for s in data["skills"]["featuredSkills"]]
    for line in data["skills"]["descriptions"]:
        skills += [s.strip() for s in line.split(":", 1)[1].split(",")]
    return Truth(
        name=profile["name"],
        email=profile["email"],
        phone=profile["phone"],
        work=[
            Job(w["company"], w["jobTitle"], *_gt_range(w["date"])) for w in data["workExperiences"]
        ],
        schools=[(e["school"], e["degree"]) for e in data["educations"]],
        skills=skills,
    )


def _reactive(path: Path) -> Truth:
    data = json.loads(path.read_text())
    sections = data["sections"]
    skills: list[str] = []
    for item in sections["skills"]["items"]:
        if item.get("visible", True):
            skills += [item["name"], *item["keywords"]]
    return Truth(
        name=data["basics"]["name"],
        email=data["basics"]["email"],
        phone=data["basics"]["phone"],
        work=[
            Job(i["company"], i["position"], *_gt_range(i["date"]))
            for i in sections["experience"]["items"]
            if i.get("visible", True)
        ],
        schools=[
            (i["institution"], i["studyType"])
            for i in sections["education"]["items"]
            if i.get("visible", True)
        ],
        skills=skills,
    )


def _rendercv(path: Path) -> Truth:
    cv = json.loads(path.read_text())["cv"]
    sections = cv["sections"]
    skills: list[str] = []
    for item in sections["skills"]:
        skills += [item["label"], *(s.strip() for s in item["details"].split(","))]
    return Truth(
        name=cv["name"],
        email=cv["email"],
        phone=cv["phone"],
        work=[
            Job(e["company"], e["position"], e["start_date"], e["end_date"])
            for e in sections["experience"]
        ],
        schools=[(e["institution"], f"{e['degree']} {e['area']}") for e in sections["education"]],
        skills=skills,
    )


# Transcribed in SOURCES.md ("Expected values (transcribed from the documents)").
_SOUPBOSS: dict[str, Truth] = {
    "01-Accountant": Truth(
        "Ebony Moore",
        "emoore@email.com",
        "206-555-0149",
        [
            Job("Gilmore Financial", "Certified Public Accountant", "2021-10", "present"),
            Job("Harrison Money Management", "Accountant", "2020-08", "2021-10"),
            Job("Harrison Money Management", "Junior Accountant", "2019-05", "2020-08"),
        ],
        [("Cloverfield College", "Bachelor of Business Administration in accounting")],
        [
            "Proficiency in accounting software",
            "Basic mathematics",
            "Organizational skills",
            "Attention to detail",
            "Communication skills",
        ],
    ),
    "01-Desktop_Support": Truth(
        "Ivy Haddington",
        "ihaddington@email.com",
        "587-555-0176",
        [
            Job("Wilder Tech", "Desktop Support Technician", "2021-01", "present"),
            Job("The Perfect Look", "Desktop Support Technician", "2019-08", "2021-01"),
            Job("James and Spicer Law Group", "IT Support Technician", "2018-08", "2019-08"),
        ],
        [("Big Sky University", "B.S. in Computer Science")],
        ["Patience", "Customer service", "IT skills", "Data analysis", "Communication"],
    ),
    "01-Office_Coordinator": Truth(
        "John Smith",
        "jsmith@email.com",
        "771-555-0100",
        [
            Job("Alpine Technologies", "Director of Operations", "2019-07", "present"),
            Job("River Corporation", "Senior Office Manager", "2015-08", "2019-07"),
            Job("Healthworx", "Office Manager", "2013-01", "2015-08"),
        ],
        [("Northwest Chicago University", "Bachelor's in supply chain management")],
        ["Microsoft Word", "Excel & Outlook", "Typing"],
    ),
    "02-Accountant": Truth(
        "Sofia Flores",
        "sflores@email.com",
        "305-555-0196",
        [
            Job("Sparrow and Fly Accounting", "Accounting Manager", "2019-05", "present"),
            Job("Tumnus Financial", "Lead Accountant", "2015-10", "2019-05"),
            Job("Tumnus Financial", "Certified Public Accountant", "2012-01", "2015-10"),
        ],
        [("Springtown College", "Bachelor of Science in accounting")],
        [
            "Expert-level knowledge of accounting",
            "Auditing",
            "Written and verbal communication",
            "Time management",
            "Data analysis",
        ],
    ),
}
_TRANSCRIBED: dict[str, Truth] = {
    "open-resume/laverne-resume.pdf": Truth(
        "Leo Leopard",
        "lleopard@laverne.edu",
        "(909) 555-5555",
        [
            Job("Enactus, University of La Verne", "Member", "2013-08", "present"),
            Job("LionLike MindState", "Volunteer", "2012-06", "present"),
            Job("YMCA", "Volunteer Swim Coach", "2013-06", None),
        ],
        [("University of La Verne", "Bachelor of Arts, Business Administration")],
        [
            "Windows",
            "Mac OS",
            "Microsoft Word",
            "PowerPoint",
            "Excel",
            "Spanish",
            "Facebook",
            "Twitter",
            "Instagram",
        ],
    ),
    "resume-matcher/alfred_pennyworth_pm.pdf": Truth(
        "Alfred Pennyworth",
        "alfred.pennyworth@email.com",
        "(123) 456-7890",
        [
            Job("Google", "Product Manager", "2017", "present"),
            Job("Amazon", "Software Development Engineer III", "2012", "2017"),
            Job("Apple", "Software Development Engineer II", "2007", "2012"),
            Job("Netflix", "Software Development Engineer I", "2002", "2007"),
            Job("Facebook", "Software Development Engineer I", "1999", "2002"),
        ],
        [
            ("Stanford University", "Master of Business Administration"),
            ("Massachusetts Institute of Technology", "Master of Science in Computer Science"),
            ("University of California, Berkeley", "Bachelor of Science in Computer Science"),
        ],
        [
            "Product management",
            "Agile methodologies",
            "Leadership",
            "Communication",
            "Project management",
            "User Experience Design",
            "Market Research",
            "Data Analysis",
            "Java",
            "Python",
            "JavaScript",
            "HTML/CSS",
            "SQL",
            "AWS",
        ],
    ),
    "resume-matcher/barry_allen_fe.pdf": Truth(
        "Barry Allen",
        "allthe.stars@google.com",
        "(123) 456-7890",
        [Job("Google", "Software Engineer (Front-End)", "2022-06", "present")],
        [("Indian Institute of Technology Delhi", "B.Tech, Computer Science and Engineering")],
        [
            "JavaScript (ES6+)",
            "TypeScript",
            "HTML5",
            "CSS3",
            "Python",
            "React",
            "Redux",
            "Angular",
            "Vue.js",
            "Node.js",
            "Express.js",
            "D3.js",
            "Git",
            "Docker",
            "Webpack",
            "Babel",
            "Google Cloud Platform",
            "Firebase",
            "RESTful APIs",
            "GraphQL",
            "Agile Development",
            "Test-Driven Development",
            "Responsive Design",
            "UI/UX",
        ],
    ),
    "resume-matcher/john_doe.pdf": Truth(
        "JOHN DOE",
        "john.doe@email.com",
        "(123) 456-7890",
        [
            Job("ABC Company, Inc.", "Full Stack Java Developer", "2018-06", "present"),
            Job("XYZ Solutions", "Software Developer", "2016-07", "2018-06"),
        ],
        [("State University", "Bachelor of Science in Computer Science")],
        [
            "Java and J2EE",
            "Spring Boot, Spring MVC, and Hibernate",
            "Angular (versions 2+)",
            "JavaScript, TypeScript, HTML5, CSS3, and Bootstrap",
            "RESTful APIs",
            "SQL and NoSQL databases (MySQL, MongoDB)",
            "Agile and Scrum",
            "Git and GitHub",
            "Junit and Mockito",
            "Docker",
        ],
    ),
}
for _stem, _truth in _SOUPBOSS.items():
    _TRANSCRIBED[f"soupboss/{_stem}.pdf"] = _truth
    _TRANSCRIBED[f"soupboss/{_stem}.docx"] = _truth


def samples(root: Path = ROOT) -> dict[str, Truth]:
    """Every sample file (relative path) with its ground truth."""
    out: dict[str, Truth] = dict(_TRANSCRIBED)
    out["open-resume/openresume-resume.pdf"] = _openresume(
        root / "open-resume" / "openresume-resume.expected.json"
    )
    for name in ("azurill", "ditto", "pikachu", "nosepass"):
        out[f"reactive-resume/{name}.pdf"] = _reactive(root / "reactive-resume" / f"{name}.json")
    cv = _rendercv(root / "rendercv" / "John_Doe_CV.cv.json")
    for theme in ("Classic", "Engineeringresumes", "Moderncv", "Sb2nov"):
        out[f"rendercv/John_Doe_{theme}Theme_CV.pdf"] = cv
    for path in root.glob("*/*.expected.json"):
        target = path.name.removesuffix(".expected.json")
        key = f"{path.parent.name}/{target}"
        if (path.parent / target).exists():
            data = json.loads(path.read_text())
            truth = out.setdefault(key, Truth())
            truth.name = data.get("name", truth.name)
            truth.email = data.get("email", truth.email)
    return out


# --- comparison -----------------------------------------------------------------------------


def norm(text: str | None) -> str:
    """Case-, accent-, punctuation- and whitespace-insensitive form."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[^\w+#/&]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def same(expected: str | None, got: str | None) -> bool:
    """Equal after `norm`, or one contains the other and they share most words."""
    a, b = norm(expected), norm(got)
    if not a or not b:
        return False
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return True
    wa, wb = set(a.split()), set(b.split())
    return (wa <= wb or wb <= wa) and len(wa & wb) / max(len(wa), len(wb)) >= 0.75


def same_phone(expected: str | None, got: str | None) -> bool:
    """Same digits."""
    return bool(expected) and re.sub(r"\D", "", expected or "") == re.sub(r"\D", "", got or "")


def covers(expected: str, got: str | None) -> bool:
    """Most words of `expected` (a degree) appear in `got`."""
    stop = {"in", "of", "and", "the", "s"}
    want = set(norm(expected).replace("'", " ").split()) - stop
    have = set(norm(got).replace("'", " ").split())
    have |= {w.replace(".", "") for w in have}
    return bool(want) and len(want & have) / len(want) >= 0.75


def same_date(expected: str | None, got: str | None) -> bool:
    """Dates agree at the expected precision; "present" expects no end date."""
    if expected == "present":
        return got is None
    if expected is None:
        return True
    return got is not None and got[: len(expected)] == expected


def skill_found(expected: str, names: set[str]) -> bool:
    """The skill (or every part of a compound like "A, B, and C") is among the parsed names."""
    if norm(expected) in names:
        return True
    parts = [p for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", expected) if p.strip()]
    return len(parts) > 1 and all(norm(p) in names for p in parts)


@dataclass
class Tally:
    """Hits over checks for one field."""

    hits: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        """Count one check."""
        self.hits += int(ok)
        self.total += 1

    @property
    def rate(self) -> float:
        """Share of checks that passed."""
        return self.hits / self.total if self.total else float("nan")


def score(truth: Truth, resume: Resume, tallies: dict[str, Tally]) -> None:
    """Add one sample's checks to `tallies`."""
    basics = resume.basics
    if truth.name:
        tallies["basics.name"].add(same(truth.name, basics.name))
    if truth.email:
        tallies["basics.email"].add(norm(truth.email) == norm(basics.email))
    if truth.phone:
        tallies["basics.phone"].add(same_phone(truth.phone, basics.phone))
    _score_work(truth, resume, tallies)
    _score_education(truth, resume, tallies)
    if truth.skills:
        names = {norm(s.name) for s in resume.skills if s.name}
        names |= {norm(k) for s in resume.skills for k in s.keywords}
        for skill in truth.skills:
            tallies["skills (recall)"].add(skill_found(skill, names))


def _score_work(truth: Truth, resume: Resume, tallies: dict[str, Tally]) -> None:
    jobs = [(w.name, w.position, w.startDate, w.endDate) for w in resume.work]
    jobs += [(v.organization, v.position, v.startDate, v.endDate) for v in resume.volunteer]
    used: set[int] = set()
    for i, job in enumerate(truth.work):
        match = next(
            (
                j
                for j, got in enumerate(jobs)
                if j not in used and same(job.company, got[0]) and same(job.position, got[1])
            ),
            None,
        )
        if match is None:
            match = next(
                (j for j, got in enumerate(jobs) if j not in used and same(job.company, got[0])),
                None,
            )
        if match is None and i < len(jobs) and i not in used:
            match = i
        got = jobs[match] if match is not None else (None, None, None, None)
        if match is not None:
            used.add(match)
        tallies["work[].name (recall)"].add(same(job.company, got[0]))
        tallies["work[].position"].add(same(job.position, got[1]))
        if job.start:
            tallies["work[].startDate"].add(match is not None and same_date(job.start, got[2]))
        tallies["work[].endDate"].add(match is not None and same_date(job.end, got[3]))
    if truth.work:
        for got in jobs:
            tallies["work[].name (precision)"].add(any(same(t.company, got[0]) for t in truth.work))


def _score_education(truth: Truth, resume: Resume, tallies: dict[str, Tally]) -> None:
    for school, degree in truth.schools:
        got_edu = next((e for e in resume.education if same(school, e.institution)), None)
        tallies["education[].institution"].add(got_edu is not None)
        if got_edu is None and resume.education:
            got_edu = resume.education[
                min(len(resume.education) - 1, truth.schools.index((school, degree)))
            ]
        text = " ".join(filter(None, [got_edu.studyType, got_edu.area])) if got_edu else ""
        tallies["education[].studyType/area"].add(covers(degree, text))


FIELDS = [
    "basics.name",
    "basics.email",
    "basics.phone",
    "work[].name (recall)",
    "work[].name (precision)",
    "work[].position",
    "work[].startDate",
    "work[].endDate",
    "education[].institution",
    "education[].studyType/area",
    "skills (recall)",
]


def main() -> int:
    """Run the benchmark and print the tables."""
    if not ROOT.exists():
        print(f"SKIP: {ROOT} is absent (../shared holds the resume fixtures)")
        return 0
    truths = samples()
    tallies = {name: Tally() for name in FIELDS}
    per_page: list[float] = []
    rows: list[tuple[str, int, str, float, str]] = []
    for key in sorted(truths):
        path = ROOT / key
        data = path.read_bytes()
        kind = "pdf" if path.suffix == ".pdf" else "docx"
        parsed = parse_resume(data, kind)  # type: ignore[arg-type]
        times: list[float] = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            parse_resume(data, kind)  # type: ignore[arg-type]
            times.append(time.perf_counter() - started)
        per_page.extend(t / parsed.pages for t in times)
        before = {k: (t.hits, t.total) for k, t in tallies.items()}
        score(truths[key], parsed.resume, tallies)
        hits = sum(t.hits - before[k][0] for k, t in tallies.items())
        total = sum(t.total - before[k][1] for k, t in tallies.items())
        rows.append(
            (key, parsed.pages, parsed.layout, hits / total if total else 1.0, f"{hits}/{total}")
        )

    print(f"{'sample':55s} {'pages':>5s} {'layout':>10s} {'accuracy':>9s} {'checks':>8s}")
    for key, pages, layout, acc, checks in rows:
        print(f"{key:55s} {pages:5d} {layout:>10s} {acc:9.1%} {checks:>8s}")
    print()
    print(f"{'field':30s} {'accuracy':>9s} {'checks':>8s}")
    for name in FIELDS:
        t = tallies[name]
        print(f"{name:30s} {t.rate:9.1%} {f'{t.hits}/{t.total}':>8s}")
    hits = sum(t.hits for t in tallies.values())
    total = sum(t.total for t in tallies.values())
    macro = statistics.fmean(t.rate for t in tallies.values() if t.total)
    print(f"{'overall (all checks)':30s} {hits / total:9.1%} {f'{hits}/{total}':>8s}")
    print(f"{'overall (mean of fields)':30s} {macro:9.1%}")
    per_page.sort()
    p50 = statistics.median(per_page) * 1000
    p95 = per_page[min(len(per_page) - 1, int(len(per_page) * 0.95))] * 1000
    print(
        f"\nparse time per page: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"({len(truths)} samples x {REPEATS} runs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
