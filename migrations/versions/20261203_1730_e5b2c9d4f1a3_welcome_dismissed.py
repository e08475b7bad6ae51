"""welcome dismissed: users.welcome_dismissed_at, when someone closed the first-run welcome

Revision ID: e5b2c9d4f1a3
Revises: e5b7c2d9a14f
Create Date: 2026-12-03 17:30:00

"""
from alembic import op
import sqlalchemy as sa

import pdplanner.database


# revision identifiers, used by Alembic.
revision = 'e5b2c9d4f1a3'
down_revision = 'e5b7c2d9a14f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('welcome_dismissed_at', pdplanner.database.UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('welcome_dismissed_at')
