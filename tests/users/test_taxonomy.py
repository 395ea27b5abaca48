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
