"""calibration outcomes: the level and note a coach and educator agreed per competency and cycle

Revision ID: e5b7c2d9a14f
Revises: e5b2c9d41a07
Create Date: 2026-12-03 18:00:00

"""
from alembic import op
import sqlalchemy as sa

import pdplanner.database


# revision identifiers, used by Alembic.
revision = 'e5b7c2d9a14f'
down_revision = 'e5b2c9d41a07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calibration_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('educator_id', sa.Integer(), nullable=False),
    sa.Column('competency_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('agreed_level', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', pdplanner.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pdplanner.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_calibration_outcomes_coach_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['competency_id'], ['competencies.id'], name=op.f('fk_calibration_outcomes_competency_id_competencies')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_calibration_outcomes_cycle_id_cycles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['educator_id'], ['users.id'], name=op.f('fk_calibration_outcomes_educator_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_outcomes')),
    sa.UniqueConstraint('cycle_id', 'educator_id', 'competency_id', name=op.f('uq_calibration_outcomes_cycle_id_educator_id_competency_id'))
    )
    with op.batch_alter_table('calibration_outcomes', schema=None) as batch_op:
        batch_op.create_index('ix_calibration_outcomes_cycle_educator', ['cycle_id', 'educator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_outcomes_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_outcomes_competency_id'), ['competency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_outcomes_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calibration_outcomes_educator_id'), ['educator_id'], unique=False)


def downgrade():
    with op.batch_alter_table('calibration_outcomes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calibration_outcomes_educator_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_outcomes_cycle_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_outcomes_competency_id'))
        batch_op.drop_index(batch_op.f('ix_calibration_outcomes_coach_id'))
        batch_op.drop_index('ix_calibration_outcomes_cycle_educator')
    op.drop_table('calibration_outcomes')
