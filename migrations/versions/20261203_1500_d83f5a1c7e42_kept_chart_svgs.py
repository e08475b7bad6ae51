"""kept chart SVGs: school_summaries.charts, the SVG of the charts drawn from a summary

Revision ID: d83f5a1c7e42
Revises: c4e1a7d2b9f0
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd83f5a1c7e42'
down_revision = 'c4e1a7d2b9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school_summaries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('charts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('school_summaries', schema=None) as batch_op:
        batch_op.drop_column('charts')
