"""A migration that fails half-way, to prove the rollback path (never shipped).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("print_queue", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("UPDATE files SET name = name || '.broken'")
    raise RuntimeError("0003: simulated failure after a table and an update")


def downgrade():
    op.drop_table("print_queue")
