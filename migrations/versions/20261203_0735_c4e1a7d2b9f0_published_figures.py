"""published figures: the rating-derived figures leaders read, replaced on k changes

Revision ID: c4e1a7d2b9f0
Revises: 9ef69b24a3f7
Create Date: 2026-12-03 07:35:00

"""
from alembic import op
import sqlalchemy as sa

import pdplanner.database


# revision identifiers, used by Alembic.
revision = 'c4e1a7d2b9f0'
down_revision = '9ef69b24a3f7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('published_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('published_at', pdplanner.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_published_figures_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_published_figures_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_figures')),
    sa.UniqueConstraint('cycle_id', 'school_id', name=op.f('uq_published_figures_cycle_id_school_id'))
    )
    with op.batch_alter_table('published_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_published_figures_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_published_figures_school_id'), ['school_id'], unique=False)
    # Kept summaries were computed from drafts too: they go, and the next reader publishes.
    op.execute("DELETE FROM school_summaries")


def downgrade():
    with op.batch_alter_table('published_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_published_figures_school_id'))
        batch_op.drop_index(batch_op.f('ix_published_figures_cycle_id'))
    op.drop_table('published_figures')
    op.execute("DELETE FROM school_summaries")
