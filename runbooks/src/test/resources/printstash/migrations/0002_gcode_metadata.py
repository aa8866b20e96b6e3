"""G-code metadata parsed on upload (PrintStash 1.5).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gcode_metadata",
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), primary_key=True),
        sa.Column("slicer", sa.String(100)),
        sa.Column("layer_height", sa.Float),
        sa.Column("filament_used_mm", sa.Float),
        sa.Column("estimated_time", sa.String(40)),
    )
    with op.batch_alter_table("files") as batch:
        batch.add_column(
            sa.Column("metadata_parsed", sa.Integer, nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("files") as batch:
        batch.drop_column("metadata_parsed")
    op.drop_table("gcode_metadata")
