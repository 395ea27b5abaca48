"""Resume exports: PDF per built-in template and DOCX, for a realistic two-page resume.

The resume (six jobs of five bullets, education, skills, projects, certificates, languages) is
generated here. Each export runs once to warm up (fonts, compiled templates), then BENCH_RUNS
times; p50/p95 print as a table with the page count of each PDF. Targets: PDF p95 < 1 s,
DOCX p95 < 200 ms.

    .venv/bin/python bench/bench_resume_export.py
"""

from __future__ import annotations

import io
import os
import statistics
import time
from collections.abc import Callable

import pypdf

from jobpilot.resumes.render import builtin_templates, export_docx, export_pdf
from jobpilot.resumes.schema import Resume

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
PDF_P95_TARGET = 1.0
DOCX_P95_TARGET = 0.2

_JOBS = [
    ("Principal Engineer", "Northwind Logistics", "London", "2022-04", None),
    ("Staff Engineer", "Contoso Payments", "London", "2019-06", "2022-03"),
    ("Senior Software Engineer", "Fabrikam Health", "Manchester", "2017-01", "2019-05"),
    ("Software Engineer", "Tailspin Travel", "Manchester", "2014-09", "2016-12"),
    ("Backend Developer", "Wingtip Games", "Leeds", "2012-07", "2014-08"),
    ("Graduate Developer", "Adventure Works", "Leeds", "2011-09", "2012-06"),
]
_BULLETS = [
    "Moved {n} services from a monolith to event-driven workers; deploys went from hours to "
    "minutes",
    "Designed the {n}-region PostgreSQL topology and its failover runbooks",
    "Cut p95 API latency by {n}% by profiling hot paths and adding a read-through cache",
    "Mentored {n} engineers and ran the design-review guild",
    "Built tracing, SLOs and alerting with OpenTelemetry for {n} teams",
]


def realistic_resume() -> Resume:
    """A senior engineer's resume that fills two pages in the classic template."""
    work = [
        {
            "position": position,
            "name": company,
            "url": f"https://{company.split()[0].lower()}.example",
            "location": city,
            "startDate": start,
            "endDate": end,
            "summary": f"Part of a {4 + i * 3}-person platform group serving the {company} "
            "product teams.",
            "highlights": [b.format(n=3 + i + j) for j, b in enumerate(_BULLETS)],
        }
        for i, (position, company, city, start, end) in enumerate(_JOBS)
    ]
    return Resume.model_validate(
        {
            "basics": {
                "name": "Jordan Ellis",
                "label": "Principal Platform Engineer",
                "email": "jordan.ellis@example.com",
                "phone": "+44 20 7946 0958",
                "url": "https://jordanellis.example",
                "summary": "Platform engineer with fourteen years of building and running "
                "reliable distributed systems for payments, health and logistics. Happiest "
                "turning production pain into simple, well-documented tooling.",
                "location": {"city": "London", "countryCode": "GB"},
                "profiles": [
                    {"network": "GitHub", "url": "https://github.com/jellis"},
                    {"network": "LinkedIn", "url": "https://www.linkedin.com/in/jordanellis"},
                ],
            },
            "work": work,
            "education": [
                {
                    "institution": "University of Leeds",
                    "studyType": "MSc",
                    "area": "Distributed Systems",
                    "startDate": "2010",
                    "endDate": "2011",
                    "score": "Distinction",
                },
                {
                    "institution": "University of York",
                    "studyType": "BSc",
                    "area": "Computer Science",
                    "startDate": "2007",
                    "endDate": "2010",
                    "courses": ["Operating Systems", "Databases", "Networks"],
                },
            ],
            "skills": [
                {"name": "Languages", "keywords": ["Python", "Go", "TypeScript", "SQL"]},
                {"name": "Infrastructure", "keywords": ["Kubernetes", "Terraform", "AWS", "GCP"]},
                {"name": "Data", "keywords": ["PostgreSQL", "Kafka", "Redis", "ClickHouse"]},
                {"name": "Practices", "keywords": ["SRE", "Incident command", "Mentoring"]},
            ],
            "projects": [
                {
                    "name": "queueberry",
                    "description": "A small job queue on PostgreSQL used by several startups.",
                    "url": "https://github.com/jellis/queueberry",
                    "startDate": "2019",
                    "keywords": ["Python", "PostgreSQL"],
                    "highlights": ["1.2k GitHub stars", "Talk at PyCon UK 2021"],
                },
                {
                    "name": "tfcheck",
                    "description": "Policy checks for Terraform plans in CI.",
                    "startDate": "2021-05",
                    "keywords": ["Go", "Terraform"],
                },
            ],
            "certificates": [
                {"name": "Certified Kubernetes Administrator", "issuer": "CNCF", "date": "2020-06"}
            ],
            "languages": [
                {"language": "English", "fluency": "Native"},
                {"language": "German", "fluency": "Professional"},
            ],
        }
    )


def _time(action: Callable[[], bytes], runs: int) -> tuple[list[float], bytes]:
    result = action()
    samples: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - start)
    return samples, result


def _p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def main() -> None:
    """Time the exports and print a table."""
    resume = realistic_resume()
    rows: list[tuple[str, float, float, str, str]] = []
    failed = False
    for key, template in builtin_templates().items():
        samples, pdf = _time(lambda t=template: export_pdf(resume, t), RUNS)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        p95 = _p(samples, 95)
        failed |= p95 >= PDF_P95_TARGET
        rows.append(
            (f"PDF {key}", _p(samples, 50), p95, f"{pages} pages", f"{len(pdf) // 1024} KB")
        )
    samples, data = _time(lambda: export_docx(resume), RUNS)
    docx_p95 = _p(samples, 95)
    failed |= docx_p95 >= DOCX_P95_TARGET
    rows.append(("DOCX", _p(samples, 50), docx_p95, "", f"{len(data) // 1024} KB"))

    print(f"resume export, {RUNS} runs after one warm-up (cpus: {os.cpu_count()})")
    print(f"{'export':<16} {'p50 ms':>8} {'p95 ms':>8}  {'pages':<9} {'size':>7}")
    for name, p50, p95, pages, size in rows:
        print(f"{name:<16} {p50 * 1000:>8.1f} {p95 * 1000:>8.1f}  {pages:<9} {size:>7}")
    print(
        f"targets: PDF p95 < {PDF_P95_TARGET * 1000:.0f} ms, DOCX p95 < "
        f"{DOCX_P95_TARGET * 1000:.0f} ms: {'MISSED' if failed else 'met'}"
    )


if __name__ == "__main__":
    main()
