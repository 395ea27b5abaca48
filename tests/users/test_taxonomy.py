"""The shipped skill taxonomy: its data holds together, and lookups behave as a user expects."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from jobpilot.users.skills.taxonomy import Skill, Taxonomy, TaxonomyError, skill_key


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


# SOURCES.md sits beside the data in the source tree (it is not package data), so read it there.
SOURCES = (
    Path(__file__).resolve().parents[2] / "src" / "jobpilot" / "users" / "skills" / "SOURCES.md"
)


def _shipped_data() -> str:
    return resources.files("jobpilot.users.skills").joinpath("taxonomy.json").read_text("utf-8")


def _ids(skills: list[Skill]) -> list[str]:
    return [skill.id for skill in skills]


# -- the data ----------------------------------------------------------------------------------


def test_ships_at_least_500_skills_under_broad_roots(taxonomy: Taxonomy) -> None:
    assert len(taxonomy) >= 500
    roots = {skill.name for skill in taxonomy.roots()}
    assert {
        "Programming languages",
        "Databases",
        "Cloud & DevOps",
        "Data & ML",
        "Frontend development",
        "Soft skills",
        "Design",
        "Business & management",
    } <= roots
    assert taxonomy.version


def test_every_parent_exists_and_every_chain_ends_at_a_root(taxonomy: Taxonomy) -> None:
    for skill in taxonomy:
        chain = taxonomy.ancestors(skill.id)
        assert skill.id not in _ids(chain)
        if skill.parent is None:
            assert chain == []
        else:
            assert taxonomy.get(skill.parent) is not None
            assert chain[0].id == skill.parent
            assert chain[-1].parent is None


def test_ids_are_stable_lowercase_slugs(taxonomy: Taxonomy) -> None:
    for skill in taxonomy:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", skill.id), skill.id


def test_no_name_or_alias_is_shared_between_skills_in_the_file() -> None:
    document = json.loads(_shipped_data())
    owner: dict[str, str] = {}
    for raw in document["skills"]:
        for text in [raw["name"], *raw["aliases"]]:
            key = skill_key(text)
            assert key, (raw["id"], text)
            assert owner.setdefault(key, raw["id"]) == raw["id"], (text, owner[key], raw["id"])


def test_every_skill_credited_to_linguist_in_sources_exists(taxonomy: Taxonomy) -> None:
    sources = SOURCES.read_text(encoding="utf-8")
    assert "linguist-languages" in sources
    assert "9.5.0" in sources
    assert "MIT License" in sources
    credited = re.findall(r"^\| [^|]+ \| `([a-z0-9-]+)` \|", sources, flags=re.MULTILINE)
    assert len(credited) > 100
    missing = [skill_id for skill_id in credited if skill_id not in taxonomy]
    assert missing == []


# -- normalising free text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JS", "javascript"),
        ("javascript", "javascript"),
        ("k8s", "kubernetes"),
        ("K8S", "kubernetes"),
        ("Postgres", "postgresql"),
        ("psql", "postgresql"),
        ("PostgreSQL", "postgresql"),
        ("golang", "go"),
        ("Go", "go"),
        ("ML", "machine-learning"),
        ("Node.js", "nodejs"),
        ("nodejs", "nodejs"),
        ("node js", "nodejs"),
        ("  NODE.JS ", "nodejs"),
        ("C#", "csharp"),
        ("c sharp", "csharp"),
        ("C++", "cpp"),
        ("cpp", "cpp"),
        ("F#", "fsharp"),
        ("C", "c"),
        ("FastAPI", "fastapi"),
        ("Ruby on Rails", "ruby-on-rails"),
        ("RoR", "ruby-on-rails"),
        ("scikit learn", "scikit-learn"),
        ("farsi", "persian"),
    ],
)
def test_normalise_maps_names_and_aliases_to_one_skill(
    taxonomy: Taxonomy, text: str, expected: str
) -> None:
    skill = taxonomy.normalise(text)
    assert skill is not None, text
    assert skill.id == expected


def test_c_sharp_plus_plus_and_f_sharp_stay_distinct(taxonomy: Taxonomy) -> None:
    found = [taxonomy.normalise(text) for text in ("C", "C#", "C++", "F#")]
    assert [skill.name if skill else None for skill in found] == ["C", "C#", "C++", "F#"]
    assert len({skill_key(text) for text in ("C", "C#", "C++", "F#")}) == 4


def test_accents_and_punctuation_do_not_matter(taxonomy: Taxonomy) -> None:
    assert skill_key("Node.js") == skill_key("node-JS") == skill_key("Node JS") == "nodejs"
    assert skill_key("Résumé") == skill_key("resume")
    assert taxonomy.normalise("Vue.js") == taxonomy.normalise("vuejs") == taxonomy.normalise("Vue")


@pytest.mark.parametrize("text", ["underwater basket weaving", "", "   ", "...", "pytho"])
def test_unknown_text_normalises_to_none(taxonomy: Taxonomy, text: str) -> None:
    assert taxonomy.normalise(text) is None


# -- the tree ----------------------------------------------------------------------------------


def test_fastapi_sits_under_python_web_frameworks_python_and_programming_languages(
    taxonomy: Taxonomy,
) -> None:
    fastapi = taxonomy.get("fastapi")
    assert fastapi is not None
    assert fastapi.name == "FastAPI"
    assert [skill.name for skill in taxonomy.ancestors("fastapi")] == [
        "Python web frameworks",
        "Python",
        "Programming languages",
    ]


def test_descendants_of_python_include_its_frameworks_and_nothing_else(
    taxonomy: Taxonomy,
) -> None:
    below = _ids(taxonomy.descendants("python"))
    assert {"fastapi", "django", "python-web-frameworks", "pandas"} <= set(below)
    assert "javascript" not in below
    assert "python" not in below
    assert len(below) == len(set(below))
    assert taxonomy.descendants("fastapi") == []


def test_children_are_the_direct_descendants(taxonomy: Taxonomy) -> None:
    children = _ids(taxonomy.children("python-web-frameworks"))
    assert "fastapi" in children
    assert all(taxonomy.get(child) is not None for child in children)
    assert set(children) <= set(_ids(taxonomy.descendants("python")))


def test_unknown_ids_raise_key_error_for_tree_walks(taxonomy: Taxonomy) -> None:
    assert taxonomy.get("no-such-skill") is None
    with pytest.raises(KeyError):
        taxonomy.ancestors("no-such-skill")
    with pytest.raises(KeyError):
        taxonomy.descendants("no-such-skill")


def test_owning_a_specific_skill_satisfies_its_ancestors_but_not_the_reverse(
    taxonomy: Taxonomy,
) -> None:
    assert taxonomy.has_skill_or_descendant(["fastapi"], "python")
    assert taxonomy.has_skill_or_descendant(["fastapi"], "programming-languages")
    assert taxonomy.has_skill_or_descendant(["fastapi"], "fastapi")
    assert not taxonomy.has_skill_or_descendant(["python"], "fastapi")
    assert not taxonomy.has_skill_or_descendant(["react"], "python")
    assert not taxonomy.has_skill_or_descendant([], "python")
    assert taxonomy.has_skill_or_descendant(["retired-skill", "django"], "python")
    assert taxonomy.has_skill_or_descendant(iter(["fastapi"]), "python")


def test_expand_with_ancestors_adds_every_ancestor(taxonomy: Taxonomy) -> None:
    assert taxonomy.expand_with_ancestors(["fastapi", "react"]) == {
        "fastapi",
        "python-web-frameworks",
        "python",
        "programming-languages",
        "react",
        "javascript-frameworks",
        "javascript",
    }
    assert taxonomy.expand_with_ancestors([]) == set()
    assert taxonomy.expand_with_ancestors(["retired-skill"]) == {"retired-skill"}


# -- autocomplete ------------------------------------------------------------------------------


def test_search_puts_python_first_for_pyth(taxonomy: Taxonomy) -> None:
    results = taxonomy.search("pyth")
    assert results[0].name == "Python"
    names = [skill.name for skill in results]
    assert names.index("Python") < names.index("Python web frameworks")


def test_search_puts_react_before_react_native(taxonomy: Taxonomy) -> None:
    names = [skill.name for skill in taxonomy.search("react")]
    assert names[0] == "React"
    assert names.index("React") < names.index("React Native")


@pytest.mark.parametrize(
    ("query", "first"),
    [("k8s", "kubernetes"), ("postgres", "postgresql"), ("JS", "javascript"), ("c#", "csharp")],
)
def test_search_puts_an_exact_alias_first(taxonomy: Taxonomy, query: str, first: str) -> None:
    assert taxonomy.search(query)[0].id == first


def test_search_ranks_prefix_matches_before_substring_matches(taxonomy: Taxonomy) -> None:
    names = [skill.name for skill in taxonomy.search("script", limit=50)]
    # "Shell scripting" starts a word with the query; "JavaScript" only contains it.
    assert "Shell scripting" in names
    assert "JavaScript" in names
    assert names.index("Shell scripting") < names.index("JavaScript")


def test_search_matches_a_prefix_of_any_word(taxonomy: Taxonomy) -> None:
    assert "python-web-frameworks" in _ids(taxonomy.search("web frame"))
    assert "kubernetes" in _ids(taxonomy.search("k8"))
    assert "nodejs" in _ids(taxonomy.search("nodej"))


def test_search_with_one_character_matches_prefixes_only(taxonomy: Taxonomy) -> None:
    results = taxonomy.search("x", limit=100)
    assert results
    for skill in results:
        words = [
            word
            for text in (skill.name, *skill.aliases)
            for word in re.split(r"[^\w#+&]+", text.casefold())
        ]
        assert any(word.startswith("x") for word in words), skill.name


def test_search_respects_the_limit_and_ignores_empty_queries(taxonomy: Taxonomy) -> None:
    assert len(taxonomy.search("a", limit=3)) == 3
    assert taxonomy.search("a", limit=0) == []
    assert taxonomy.search("") == []
    assert taxonomy.search("  ..  ") == []
    assert taxonomy.search("zzzzqqq") == []


def test_search_returns_each_skill_once(taxonomy: Taxonomy) -> None:
    results = taxonomy.search("data", limit=200)
    assert len(_ids(results)) == len(set(_ids(results)))


# -- loading and validation --------------------------------------------------------------------


def test_load_is_cached(taxonomy: Taxonomy) -> None:
    assert Taxonomy.load() is taxonomy


def _tree(*extra: Skill) -> list[Skill]:
    return [
        Skill("languages", "Languages", None),
        Skill("python", "Python", "languages", ("py",)),
        *extra,
    ]


def test_a_small_valid_tree_loads() -> None:
    small = Taxonomy(_tree(Skill("django", "Django", "python")), version="t")
    assert len(small) == 3
    assert _ids(small.ancestors("django")) == ["python", "languages"]
    assert small.normalise("PY") == small.get("python")


@pytest.mark.parametrize(
    ("skills", "message"),
    [
        (_tree(Skill("django", "Django", "missing")), "unknown parent"),
        (
            [Skill("a", "A", "b"), Skill("b", "B", "c"), Skill("c", "C", "a")],
            "cycle",
        ),
        ([Skill("a", "A", "a")], "own parent"),
        (_tree(Skill("python", "Python again", None)), "twice"),
        (_tree(Skill("pypy", "PyPy", "python", ("py",))), "clashes"),
        (_tree(Skill("other", "Other", None, ("P.Y.T.H.O.N",))), "clashes"),
        (_tree(Skill("Bad_Id", "Bad", None)), "slug"),
        (_tree(Skill("blank", "   ", None)), "empty"),
        (_tree(Skill("blank-alias", "Blank alias", None, ("!!",))), "empty"),
    ],
)
def test_bad_data_is_refused(skills: list[Skill], message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy(skills)


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "[]",
        '{"version": "1"}',
        '{"version": 1, "skills": []}',
        '{"version": "1", "skills": ["python"]}',
        '{"version": "1", "skills": [{"id": "python"}]}',
        '{"version": "1", "skills": [{"id": "python", "name": "Python", "aliases": "py"}]}',
        '{"version": "1", "skills": [{"id": "python", "name": "Python", "parent": 3}]}',
    ],
)
def test_malformed_documents_are_refused(document: str) -> None:
    with pytest.raises(TaxonomyError):
        Taxonomy.from_json(document)


def test_skills_are_read_out_of_free_text() -> None:
    taxonomy = Taxonomy.load()

    def names(text: str) -> list[str]:
        return [skill.name for skill in taxonomy.mentions(text)]

    assert names("5+ years of Python, FastAPI and PostgreSQL; k8s and CI/CD") == [
        "Python",
        "FastAPI",
        "PostgreSQL",
        "Kubernetes",
        "CI/CD",
    ]
    # Longest names first, each skill once, symbols kept.
    assert names("React Native and React, C# and C++ and C#") == [
        "React Native",
        "React",
        "C#",
        "C++",
    ]
    # Everyday words name a skill only when written as a name.
    assert names("We go to market fast; a rust-proof shell") == []
    assert names("We write Go and Rust") == ["Go", "Rust"]
    assert names("") == []


# -- reading skills out of free text -----------------------------------------------------------


def _mentioned(text: str) -> list[str]:
    return _ids(Taxonomy.load().mentions(text))


@pytest.mark.parametrize(
    "text",
    [
        # Words are never joined across a gap into a one-word name.
        "I am applying for the role.",
        "It's an honour to apply.",
        "That's so kind of you.",
        "Thanks, it's 3 buckets",  # not S3
        "machine, learning",
        # A surname is not an acronym.
        "Kind regards,\nJane Doe",
        "Can you start soon? It is a hybrid role. Pam will call.",
        "an iam role in prose, San Diego, Sso",
        # Everyday words in lower case are English.
        "I excel at turning vague requirements into clear APIs.",
        "Check your outlook for 2025 and grow through networking events.",
        "Fast processing of orders",
        "We react to incidents quickly; rust never sleeps.",
        "A swift response, a flask of water, a spark of joy; express your interest.",
        "We go to market fast; a rust-proof shell",
        "A word on access: take a rest, make a solid and safe plan, a lambda function.",
        "You'll get thorough onboarding and a backup buddy; we value your privacy.",
        "free coffee and snacks",
        # ... and so are they when they open a sentence and run on into plain words.
        "Excel at building relationships. React quickly to incidents. Go to the store.",
        "Spark joy. Swift delivery matters. Express yourself.",
        # Names that also read as something else even when capitalised.
        "We welcome Black, Indigenous and people of color.",
        "Location: Phoenix, AZ",
        "Please sign the Data Processing Agreement.",
        # A one-letter name is not a label or part of a compound.
        "Sell to C-level executives after our Series C round; USB-C chargers; R&D; Vitamin D",
    ],
)
def test_mentions_reads_no_skill_into_plain_english(text: str) -> None:
    assert _mentioned(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Acronyms written as acronyms.
        (
            "IAM, SAN and SSO",
            ["identity-and-access-management", "storage-administration", "single-sign-on"],
        ),
        ("We used DOE to plan the trials.", ["experimental-design"]),
        ("IAM policies on AWS", ["identity-and-access-management", "amazon-web-services"]),
        ("IT teams rely on us", ["it-administration"]),
        # Product names in their own casing, or in capitals.
        (
            "Excel, Outlook and Microsoft Word",
            ["microsoft-excel", "microsoft-outlook", "microsoft-word"],
        ),
        ("We write Go and Rust", ["go", "rust"]),
        ("Golang or golang or GO", ["go"]),
        ("Built with Swift", ["swift"]),
        ("Spark and Apache Spark", ["apache-spark"]),
        ("Flask APIs", ["flask"]),
        ("Express or Express.js", ["express"]),
        ("React and React.js", ["react"]),
        ("Processing sketches in Python, Processing and p5", ["python", "processing"]),
        ("Networking and DNS", ["networking", "dns"]),
        # Opening a sentence before a skill word, a name stays a name.
        (
            "Excel skills required. Go developers wanted. Spark jobs run nightly.",
            ["microsoft-excel", "go", "apache-spark"],
        ),
        # Written in lower case, an everyday word or acronym counts in a list next to a skill...
        (
            "python, excel, powerpoint and go",
            ["python", "microsoft-excel", "microsoft-powerpoint", "go"],
        ),
        ("go, rust, and Python", ["go", "rust", "python"]),
        (
            "Tools: AWS (lambda, s3) and sql",
            ["amazon-web-services", "aws-lambda", "amazon-s3", "sql"],
        ),
        ("pytest, Black and mypy", ["pytest", "black", "mypy"]),
        ("Elixir/Phoenix", ["elixir", "phoenix"]),
        # ... or as a line of its own (a resume's skill keywords).
        ("excel", ["microsoft-excel"]),
        ("- networking\n- sql\n- aws", ["networking", "sql", "amazon-web-services"]),
        ("Skills: excel", ["microsoft-excel"]),
        # Lower-case brands are written in lower case.
        ("dbt models and npm packages", ["dbt", "npm"]),
        # One-letter names.
        ("C/C++ and R.", ["c", "cpp", "r"]),
    ],
)
def test_mentions_reads_names_written_as_names(text: str, expected: list[str]) -> None:
    assert _mentioned(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("k8s", "kubernetes"),
        ("K8s", "kubernetes"),
        ("Node.js", "nodejs"),
        ("nodejs", "nodejs"),
        ("node js", "nodejs"),
        ("NodeJS", "nodejs"),
        ("C++", "cpp"),
        ("C#", "csharp"),
        (".NET", "dotnet"),
        (".net", "dotnet"),
        ("ASP.NET", "aspnet"),
        ("CI/CD", "ci-cd"),
        ("ci/cd", "ci-cd"),
        ("Amazon Web Services", "amazon-web-services"),
        ("AWS", "amazon-web-services"),
        ("PostgreSQL", "postgresql"),
        ("Postgres", "postgresql"),
        ("postgres", "postgresql"),
        ("psql", "postgresql"),
        ("Ruby on Rails", "ruby-on-rails"),
        ("ruby on rails", "ruby-on-rails"),
        ("RoR", "ruby-on-rails"),
        ("machine learning", "machine-learning"),
        ("Machine Learning", "machine-learning"),
        ("ML", "machine-learning"),
        ("JS", "javascript"),
        ("scikit learn", "scikit-learn"),
        ("Vue.js", "vuejs"),
        ("S3", "amazon-s3"),
        ("Objective-C", "objective-c"),
        ("Identity & Access Management", "identity-and-access-management"),
        ("Security information and event management", "siem"),
        ("Governance, risk and compliance", "governance-risk-and-compliance"),
    ],
)
def test_mentions_finds_names_and_aliases_wherever_they_stand(text: str, expected: str) -> None:
    for written in [
        text,
        f"{text} is what we use.",
        f"We use {text}",
        f"We use {text}.",
        f"- {text}\n- Leadership",
        f"Experience with Python ({text}).",
        f"Python, {text}, Docker",
        f"Python, {text} and Docker",
    ]:
        assert expected in _mentioned(written), written


def test_mentions_joins_words_only_where_a_name_has_a_gap() -> None:
    # "in design" is not InDesign, "systems" and "Programming" on two bullets are not one name.
    assert _mentioned("Previous experience in design & creative") == ["design"]
    found = _mentioned("Experience with CI/CD systems\n- Programming skills in Python")
    assert "systems-programming" not in found
    assert _mentioned("Systems programming") == ["systems-programming"]


def test_mentions_lists_each_skill_once_in_order_of_first_mention() -> None:
    text = "Python, excel and Go. Later: Excel again, Python again, then Rust."
    assert _mentioned(text) == ["python", "microsoft-excel", "go", "rust"]


def test_everyday_word_lists_name_shipped_skills(taxonomy: Taxonomy) -> None:
    from jobpilot.users.skills import taxonomy as module

    words = module._EVERYDAY | module._IN_LISTS_ONLY | module._NEVER_IN_TEXT
    words |= module._NOT_IN_CAPITALS
    assert sorted(word for word in words if taxonomy.normalise(word) is None) == []
