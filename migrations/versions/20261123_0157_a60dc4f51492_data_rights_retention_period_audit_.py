"""data rights: retention period, audit actor kept after deletion

Revision ID: a60dc4f51492
Revises: be06c059008d
Create Date: 2026-11-23 01:57:02.947779

"""
from alembic import op
import sqlalchemy as sa

import pdplanner.database


# revision identifiers, used by Alembic.
revision = 'a60dc4f51492'
down_revision = 'be06c059008d'
branch_labels = None
depends_on = None


def upgrade():
    # The audit trail outlives the people in it: deleting a person must not blank the actor of
    # their events (SET NULL did), so actor_id becomes a plain id like subject_id.
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_audit_events_actor_id_users'), type_='foreignkey')

    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_months', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('districts', schema=None) as batch_op:
        batch_op.drop_column('retention_months')

    # Events of deleted people name an id the foreign key would refuse.
    op.execute("UPDATE audit_events SET actor_id = NULL WHERE actor_id NOT IN (SELECT id FROM users)")
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_audit_events_actor_id_users'), 'users', ['actor_id'], ['id'],
                                    ondelete='SET NULL')
