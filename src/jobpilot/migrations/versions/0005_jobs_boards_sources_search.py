"""jobs: companies with boards, postings with sources, full-text search, saved searches

The first jobs tables held demo postings only; they are replaced (run `jobpilot seed` or
`jobpilot jobs ingest` again to fill the new ones).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 10:43:03.421542
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jobpilot.kit.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite: FTS5 over title, company and description. Its rowid is `jobs_search_docs.doc_id`, an
# INTEGER PRIMARY KEY (stable across VACUUM, unlike the implicit rowid of jobs_postings).
# jobs_search_docs is also a narrow copy of what the filters and the sort read (status,
# listed_at, company, ats, workplace, employment type, seniority, yearly pay and the lower-cased
# location, city and region in `place`, and the posting's countries as `|US|GB|` in
# `countries`), so a search never reads the wide jobs_postings rows. Triggers keep both in step
# with jobs_postings and jobs_posting_countries whatever writes them.
SQLITE_SEARCH = [
    """CREATE TABLE jobs_search_docs (
        doc_id INTEGER PRIMARY KEY,
        posting_id CHAR(32) NOT NULL UNIQUE,
        status VARCHAR(10) NOT NULL,
        listed_at DATETIME NOT NULL,
        company_id CHAR(32) NOT NULL,
        ats VARCHAR(40) NOT NULL,
        workplace VARCHAR(10),
        employment_type VARCHAR(20),
        seniority VARCHAR(20),
        salary_yearly_max FLOAT,
        place TEXT NOT NULL,
        countries TEXT NOT NULL DEFAULT ''
    )""",
    # Newest first without words walks this index; counts scan the (narrow) table, which is
    # faster than looking every posting up through an index on the (rarely selective) status.
    "CREATE INDEX ix_jobs_search_docs_listed_at ON jobs_search_docs (listed_at, posting_id)",
    "CREATE VIRTUAL TABLE jobs_postings_fts USING fts5(title, company, description, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    """CREATE TRIGGER jobs_postings_fts_insert AFTER INSERT ON jobs_postings BEGIN
        INSERT INTO jobs_search_docs (
            posting_id, status, listed_at, company_id, ats, workplace, employment_type,
            seniority, salary_yearly_max, place
        )
        VALUES (
            new.id, new.status, new.listed_at, new.company_id, new.ats, new.workplace,
            new.employment_type, new.seniority, new.salary_yearly_max,
            lower(coalesce(new.location, '') || char(10) || coalesce(new.city, '') || char(10)
                || coalesce(new.region, ''))
        );
        INSERT INTO jobs_postings_fts (rowid, title, company, description)
        VALUES (
            (SELECT doc_id FROM jobs_search_docs WHERE posting_id = new.id),
            new.title, new.company_name, new.description_text
        );
    END""",
    """CREATE TRIGGER jobs_postings_fts_update
    AFTER UPDATE OF title, company_name, description_text ON jobs_postings BEGIN
        DELETE FROM jobs_postings_fts
        WHERE rowid = (SELECT doc_id FROM jobs_search_docs WHERE posting_id = old.id);
        INSERT INTO jobs_postings_fts (rowid, title, company, description)
        VALUES (
            (SELECT doc_id FROM jobs_search_docs WHERE posting_id = new.id),
            new.title, new.company_name, new.description_text
        );
    END""",
    """CREATE TRIGGER jobs_search_docs_update
    AFTER UPDATE OF status, listed_at, company_id, ats, workplace, employment_type, seniority,
        salary_yearly_max, location, city, region ON jobs_postings BEGIN
        UPDATE jobs_search_docs
        SET (
            status, listed_at, company_id, ats, workplace, employment_type, seniority,
            salary_yearly_max, place
        ) = (
            new.status, new.listed_at, new.company_id, new.ats, new.workplace,
            new.employment_type, new.seniority, new.salary_yearly_max,
            lower(coalesce(new.location, '') || char(10) || coalesce(new.city, '') || char(10)
                || coalesce(new.region, ''))
        )
        WHERE posting_id = old.id;
    END""",
    """CREATE TRIGGER jobs_search_docs_country_insert AFTER INSERT ON jobs_posting_countries
    BEGIN
        UPDATE jobs_search_docs SET countries = (
            SELECT '|' || group_concat(country, '|') || '|'
            FROM jobs_posting_countries WHERE posting_id = new.posting_id
        )
        WHERE posting_id = new.posting_id;
    END""",
    """CREATE TRIGGER jobs_search_docs_country_delete AFTER DELETE ON jobs_posting_countries
    BEGIN
        UPDATE jobs_search_docs SET countries = coalesce((
            SELECT '|' || group_concat(country, '|') || '|'
            FROM jobs_posting_countries WHERE posting_id = old.posting_id
        ), '')
        WHERE posting_id = old.posting_id;
    END""",
    """CREATE TRIGGER jobs_postings_fts_delete AFTER DELETE ON jobs_postings BEGIN
        DELETE FROM jobs_postings_fts
        WHERE rowid = (SELECT doc_id FROM jobs_search_docs WHERE posting_id = old.id);
        DELETE FROM jobs_search_docs WHERE posting_id = old.id;
    END""",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS jobs_search_docs_country_delete",
    "DROP TRIGGER IF EXISTS jobs_search_docs_country_insert",
    "DROP TRIGGER IF EXISTS jobs_postings_fts_delete",
    "DROP TRIGGER IF EXISTS jobs_search_docs_update",
    "DROP TRIGGER IF EXISTS jobs_postings_fts_update",
    "DROP TRIGGER IF EXISTS jobs_postings_fts_insert",
    "DROP TABLE IF EXISTS jobs_postings_fts",
    "DROP INDEX IF EXISTS ix_jobs_search_docs_listed_at",
    "DROP TABLE IF EXISTS jobs_search_docs",
]

# PostgreSQL: a generated, weighted tsvector (title A, company B, description C) with a GIN index
# to match, and a small one (title A, company B) to rank. Rows keep only narrow columns inline
# (toast_tuple_target): descriptions and the big vector move to TOAST, compressed with lz4 where
# the server has it, so scans of matches and filters read a small heap.
POSTGRES_SEARCH = [
    """ALTER TABLE jobs_postings ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(company_name, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, left(description_text, 20000)), 'C')
    ) STORED""",
    """ALTER TABLE jobs_postings ADD COLUMN rank_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(company_name, '')), 'B')
    ) STORED""",
    "CREATE INDEX ix_jobs_postings_search_vector ON jobs_postings USING gin (search_vector)",
    # The lower-cased location, city and region that `location=` searches with LIKE, indexed
    # by trigrams (pg_trgm, a trusted extension that ships with PostgreSQL).
    """ALTER TABLE jobs_postings ADD COLUMN place text GENERATED ALWAYS AS (
        lower(coalesce(location, '') || E'\\n' || coalesce(city, '') || E'\\n'
            || coalesce(region, ''))
    ) STORED""",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_jobs_postings_place ON jobs_postings USING gin (place gin_trgm_ops)",
    "ALTER TABLE jobs_postings SET (toast_tuple_target = 256)",
    """DO $$
    BEGIN
        ALTER TABLE jobs_postings ALTER COLUMN search_vector SET COMPRESSION lz4;
        ALTER TABLE jobs_postings ALTER COLUMN description_text SET COMPRESSION lz4;
        ALTER TABLE jobs_postings ALTER COLUMN description_html SET COMPRESSION lz4;
    EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
        NULL;
    END
    $$""",
]
POSTGRES_SEARCH_DROP = [
    "ALTER TABLE jobs_postings RESET (toast_tuple_target)",
    "DROP INDEX IF EXISTS ix_jobs_postings_place",
    "ALTER TABLE jobs_postings DROP COLUMN IF EXISTS place",
    "DROP INDEX IF EXISTS ix_jobs_postings_search_vector",
    "ALTER TABLE jobs_postings DROP COLUMN IF EXISTS rank_vector",
    "ALTER TABLE jobs_postings DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    with op.batch_alter_table("jobs_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_postings_title"))
        batch_op.drop_index(batch_op.f("ix_jobs_postings_company_id"))
    op.drop_table("jobs_postings")
    op.drop_table("jobs_companies")

    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table(
        "jobs_companies",
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_companies")),
        sa.UniqueConstraint("slug", name=op.f("uq_jobs_companies_slug")),
    )
    op.create_table(
        "jobs_saved_searches",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_saved_searches")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_jobs_saved_searches_user_id_name")),
    )
    with op.batch_alter_table("jobs_saved_searches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_saved_searches_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "jobs_boards",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("ats", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=True),
        sa.Column("site", sa.String(length=200), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.String(length=10), nullable=False),
        sa.Column("last_run_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error_code", sa.String(length=60), nullable=True),
        sa.Column("last_error", sa.String(length=1000), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["jobs_companies.id"],
            name=op.f("fk_jobs_boards_company_id_jobs_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_boards")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_boards_key")),
    )
    with op.batch_alter_table("jobs_boards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_boards_company_id"), ["company_id"], unique=False)

    op.create_table(
        "jobs_postings",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("company_name", sa.String(length=200), nullable=False),
        sa.Column("ats", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_normalised", sa.String(length=300), nullable=False),
        sa.Column("seniority", sa.String(length=20), nullable=True),
        sa.Column("department", sa.String(length=200), nullable=True),
        sa.Column("employment_type", sa.String(length=20), nullable=True),
        sa.Column("workplace", sa.String(length=10), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=120), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("salary_min", sa.Double(), nullable=True),
        sa.Column("salary_max", sa.Double(), nullable=True),
        sa.Column("salary_currency", sa.String(length=3), nullable=True),
        sa.Column("salary_period", sa.String(length=10), nullable=True),
        sa.Column("salary_yearly_max", sa.Double(), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("apply_url", sa.String(length=1000), nullable=True),
        sa.Column("posted_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("source_updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("listed_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("dedup_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("locations", sa.JSON(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column("description_text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["jobs_companies.id"],
            name=op.f("fk_jobs_postings_company_id_jobs_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_postings")),
    )
    with op.batch_alter_table("jobs_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_postings_ats"), ["ats"], unique=False)
        batch_op.create_index(
            "ix_jobs_postings_company_id_status", ["company_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_postings_dedup_key"), ["dedup_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_jobs_postings_employment_type"), ["employment_type"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_jobs_postings_salary_yearly_max"), ["salary_yearly_max"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_postings_seniority"), ["seniority"], unique=False)
        batch_op.create_index(
            "ix_jobs_postings_status_listed_at", ["status", "listed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_postings_workplace"), ["workplace"], unique=False)

    op.create_table(
        "jobs_board_runs",
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["jobs_boards.id"],
            name=op.f("fk_jobs_board_runs_board_id_jobs_boards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_board_runs")),
    )
    with op.batch_alter_table("jobs_board_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_board_runs_board_id_started_at", ["board_id", "started_at"], unique=False
        )

    op.create_table(
        "jobs_posting_countries",
        sa.Column("posting_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["jobs_postings.id"],
            name=op.f("fk_jobs_posting_countries_posting_id_jobs_postings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("posting_id", "country", name=op.f("pk_jobs_posting_countries")),
    )
    with op.batch_alter_table("jobs_posting_countries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_posting_countries_country", ["country", "posting_id"], unique=False
        )

    op.create_table(
        "jobs_sources",
        sa.Column("posting_id", sa.Uuid(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=True),
        sa.Column("ats", sa.String(length=40), nullable=False),
        sa.Column("tenant", sa.String(length=200), nullable=False),
        sa.Column("source_id", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("apply_url", sa.String(length=1000), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("first_seen_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"],
            ["jobs_boards.id"],
            name=op.f("fk_jobs_sources_board_id_jobs_boards"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["jobs_postings.id"],
            name=op.f("fk_jobs_sources_posting_id_jobs_postings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_sources")),
        sa.UniqueConstraint(
            "ats", "tenant", "source_id", name=op.f("uq_jobs_sources_ats_tenant_source_id")
        ),
    )
    with op.batch_alter_table("jobs_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_sources_board_id"), ["board_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_jobs_sources_posting_id"), ["posting_id"], unique=False
        )

    # ### end Alembic commands ###
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_SEARCH)
    elif dialect == "postgresql":
        _run(POSTGRES_SEARCH)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_SEARCH_DROP)
    elif dialect == "postgresql":
        _run(POSTGRES_SEARCH_DROP)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table("jobs_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_sources_posting_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_sources_board_id"))

    op.drop_table("jobs_sources")
    with op.batch_alter_table("jobs_posting_countries", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_posting_countries_country")

    op.drop_table("jobs_posting_countries")
    with op.batch_alter_table("jobs_board_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_board_runs_board_id_started_at")

    op.drop_table("jobs_board_runs")
    with op.batch_alter_table("jobs_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_postings_workplace"))
        batch_op.drop_index("ix_jobs_postings_status_listed_at")
        batch_op.drop_index(batch_op.f("ix_jobs_postings_seniority"))
        batch_op.drop_index(batch_op.f("ix_jobs_postings_salary_yearly_max"))
        batch_op.drop_index(batch_op.f("ix_jobs_postings_employment_type"))
        batch_op.drop_index(batch_op.f("ix_jobs_postings_dedup_key"))
        batch_op.drop_index("ix_jobs_postings_company_id_status")
        batch_op.drop_index(batch_op.f("ix_jobs_postings_ats"))

    op.drop_table("jobs_postings")
    with op.batch_alter_table("jobs_boards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_boards_company_id"))

    op.drop_table("jobs_boards")
    with op.batch_alter_table("jobs_saved_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_saved_searches_user_id"))

    op.drop_table("jobs_saved_searches")
    op.drop_table("jobs_companies")
    # ### end Alembic commands ###
    # The first jobs tables, as 0001 made them.
    op.create_table(
        "jobs_companies",
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("ats", sa.String(length=40), nullable=True),
        sa.Column("ats_tenant", sa.String(length=200), nullable=True),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_companies")),
        sa.UniqueConstraint("slug", name=op.f("uq_jobs_companies_slug")),
    )
    op.create_table(
        "jobs_postings",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("employment_type", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("posted_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jobpilot.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["jobs_companies.id"],
            name=op.f("fk_jobs_postings_company_id_jobs_companies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs_postings")),
        sa.UniqueConstraint(
            "source", "external_id", name=op.f("uq_jobs_postings_source_external_id")
        ),
    )
    with op.batch_alter_table("jobs_postings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_jobs_postings_company_id"), ["company_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_jobs_postings_title"), ["title"], unique=False)
