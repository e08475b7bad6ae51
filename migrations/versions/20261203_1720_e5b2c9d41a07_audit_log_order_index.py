"""audit log order index: audit_events (district_id, occurred_at, id) replaces the index on
district_id alone; events recorded with "localproxy" as their subject type say "user"

Revision ID: e5b2c9d41a07
Revises: d83f5a1c7e42
Create Date: 2026-12-03 17:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5b2c9d41a07'
down_revision = 'd83f5a1c7e42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_district_time', ['district_id', 'occurred_at', 'id'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_audit_events_district_id'))
    # A download of one's own data recorded the signed-in user through its proxy's type name.
    op.execute("UPDATE audit_events SET subject_type = 'user' WHERE subject_type = 'localproxy'")


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_district_id'), ['district_id'], unique=False)
        batch_op.drop_index('ix_audit_events_district_time')
