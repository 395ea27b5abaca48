"""The lexical part of a match: TF-IDF cosine of a resume with the candidate postings."""

from __future__ import annotations

import pytest

from jobpilot.ai.lexical import lexical_scores, words

RESUME = """Data engineer. Built Kafka and Flink streaming pipelines in Scala;
orchestrated Airflow jobs. Python, SQL, AWS. Team player, good communication."""

# Every posting says "python", "sql", "team" and "communication"; only one names the rare
# tools the resume is built on.
STREAMING = """Senior Data Engineer. You will own our Kafka and Flink streaming platform,
written in Scala. Python and SQL welcome. Team player with good communication."""
GENERIC = """Data Analyst. Python and SQL every day, dashboards for the sales team.
Team player with good communication; Python, SQL, reporting."""
FRONTEND = """Frontend Developer. React, TypeScript, CSS. Python and SQL a plus.
Team player with good communication."""


def test_a_posting_sharing_rare_words_outranks_one_sharing_common_ones() -> None:
    streaming, generic, frontend = lexical_scores(RESUME, [STREAMING, GENERIC, FRONTEND])
    assert streaming > generic
    assert streaming > frontend


def test_scores_lie_between_0_and_1() -> None:
    postings = [STREAMING, GENERIC, FRONTEND, RESUME, "", "unrelated words entirely"]
    scores = lexical_scores(RESUME, postings)
    assert len(scores) == len(postings)
    assert all(0.0 <= score <= 1.0 for score in scores)
    # The resume itself is the closest candidate it can be compared with.
    assert scores[3] == max(scores)
    assert scores[4] == 0.0


def test_a_stronger_resume_scores_higher_on_the_same_posting() -> None:
    # Not rescaled to the best candidate: the resume missing Flink and Scala scores lower.
    weaker = RESUME.replace("Flink ", "").replace(" in Scala", "")
    candidates = [STREAMING, GENERIC, FRONTEND]
    assert lexical_scores(RESUME, candidates)[0] > lexical_scores(weaker, candidates)[0]


@pytest.mark.parametrize(
    ("resume", "postings"),
    [
        ("", [STREAMING, GENERIC]),
        (RESUME, []),
        ("", []),
        ("the and of", [STREAMING]),
        (RESUME, [""]),
    ],
)
def test_empty_texts_are_safe(resume: str, postings: list[str]) -> None:
    assert lexical_scores(resume, postings) == [0.0] * len(postings)


def test_the_same_input_gives_the_same_scores() -> None:
    postings = [STREAMING, GENERIC, FRONTEND]
    first = lexical_scores(RESUME, postings)
    assert lexical_scores(RESUME, postings) == first
    # Each posting's score does not depend on where it stands in the list.
    assert lexical_scores(RESUME, postings[::-1]) == first[::-1]


def test_words_are_lower_case_runs_that_keep_c_sharp_and_c_plus_plus() -> None:
    found = words("C# and C++ on .NET; Café-Süd, the Node.js API!")
    assert found == {
        "c#": 1,
        "c++": 1,
        "net": 1,
        "caf": 1,
        "s": 1,
        "d": 1,
        "node": 1,
        "js": 1,
        "api": 1,
    }
