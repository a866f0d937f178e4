"""The work queue behind ingest: one ``tasks`` table for every stage after a save, replacing
``analysis_queue``, ``search_queue`` and "posts without a ranking row"; the hold a stage's
single worker keeps (``stage_holds``); the story assigner's snapshots; per-post alias
evidence (so a stage run twice counts it once); the version an analysis was made from and
the keyword phrases it found (the rank stage no longer runs Kiwi again); the leases by which
crawlers on several machines share the feeds and each host's politeness.

Posts that were waiting in the old queues wait in ``tasks`` afterwards.

Revision ID: 0004_work_queue
Revises: 0002_search
Create Date: 2026-12-06
"""

import warnings
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from ranknews.store.types import UTCDateTime

revision = "0004_work_queue"
down_revision = "0002_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("board_no", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("arg", sa.String(32), nullable=False, server_default=sa.text("''")),
        sa.Column("version", sa.String(64), nullable=False, server_default=sa.text("''")),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("applied", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("enqueued_at", UTCDateTime, nullable=False),
        sa.Column("run_after", UTCDateTime, nullable=False),
        sa.Column("lease_token", sa.String(32)),
        sa.Column("lease_until", UTCDateTime),
        sa.Column("worker", sa.String(64)),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("stage", "board_no", "arg", name="uq_tasks_subject"),
    )
    op.create_index("ix_tasks_pending", "tasks", ["stage", "id"],
                    sqlite_where=sa.text("state <> 'done'"),
                    postgresql_where=sa.text("state <> 'done'"))
    op.create_index("ix_tasks_board_no", "tasks", ["board_no"])
    op.create_table(
        "stage_holds",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(64)),
        sa.Column("until", UTCDateTime),
    )
    op.create_table(
        "story_snapshots",
        sa.Column("bucket", UTCDateTime, primary_key=True),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("saved_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "alias_evidence",
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no",
                                                        ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("alias", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
    )
    op.add_column("sources", sa.Column("lease_holder", sa.String(64)))
    op.add_column("sources", sa.Column("lease_until", UTCDateTime))
    op.create_table(
        "host_leases",
        sa.Column("host", sa.String(255), primary_key=True),
        sa.Column("holder", sa.String(64)),
        sa.Column("until", UTCDateTime),
        sa.Column("next_at", UTCDateTime),
        sa.Column("held_until", UTCDateTime),  # a pause the host itself asked for
    )
    op.add_column("article_analysis", sa.Column("content_hash", sa.String(64)))
    op.add_column("article_analysis", sa.Column("keywords", sa.JSON))
    _move_pending()
    op.drop_table("analysis_queue")
    op.drop_table("search_queue")


def _move_pending() -> None:
    """What the old queues held, as tasks: posts waiting for analysis get every stage; posts
    waiting only for the search index or a ranking row get that stage."""
    now = datetime.now(timezone.utc)
    stamp = sa.bindparam("now", now, type_=UTCDateTime)
    insert = ("INSERT INTO tasks (stage, board_no, arg, version, state, attempts, applied,"
              " enqueued_at, run_after) SELECT '{stage}', a.board_no, '', a.content_hash,"
              " '{state}', 0, 0, :now, :now FROM articles a WHERE {where}")
    queued = "a.board_no IN (SELECT board_no FROM analysis_queue)"
    for stage, state, where in (
            ("analysis", "queued", queued),
            ("stories", "waiting", queued),
            ("rank", "waiting", queued),
            ("search", "waiting", queued),
            ("search", "queued", "a.board_no IN (SELECT board_no FROM search_queue)"
                                 f" AND NOT {queued}"),
            ("rank", "queued", "a.board_no NOT IN (SELECT board_no FROM article_rank)"
                               f" AND NOT {queued} AND a.hidden_at IS NULL")):
        op.execute(sa.text(insert.format(stage=stage, state=state, where=where))
                   .bindparams(stamp))


def downgrade() -> None:
    op.create_table(
        "analysis_queue",
        sa.Column("board_no", sa.Integer, sa.ForeignKey("articles.board_no",
                                                        ondelete="CASCADE"), primary_key=True),
        sa.Column("queued_at", UTCDateTime, nullable=False),
    )
    op.create_table("search_queue",
                    sa.Column("board_no", sa.Integer, primary_key=True, autoincrement=False))
    with warnings.catch_warnings():  # SQLite copies the table; the copy reflects articles,
        warnings.simplefilter("ignore", sa.exc.SAWarning)  # whose expression index it skips
        with op.batch_alter_table("article_analysis") as batch:
            batch.drop_column("keywords")
            batch.drop_column("content_hash")
        with op.batch_alter_table("sources") as batch:
            batch.drop_column("lease_until")
            batch.drop_column("lease_holder")
    for table in ("host_leases", "alias_evidence", "story_snapshots", "stage_holds", "tasks"):
        op.drop_table(table)
