"""conditions frameworks: versions of the district conditions framework, its areas, indicators,
implementation levels and the area -> educator competency mapping

Revision ID: 35d68208d4b2
Revises: e5b2c9d4f1a3
Create Date: 2026-12-03 18:43:21.578267

"""
from alembic import op
import sqlalchemy as sa

import pdplanner.database


# revision identifiers, used by Alembic.
revision = '35d68208d4b2'
down_revision = 'e5b2c9d4f1a3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('conditions_frameworks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=True),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('competency_framework', sa.String(length=80), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=False),
    sa.Column('dont_know_label', sa.String(length=60), nullable=False),
    sa.Column('created_at', pdplanner.database.UTCDateTime(), nullable=False),
    sa.Column('updated_at', pdplanner.database.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_conditions_frameworks_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conditions_frameworks')),
    sa.UniqueConstraint('district_id', 'slug', 'version', name=op.f('uq_conditions_frameworks_district_id_slug_version'))
    )
    with op.batch_alter_table('conditions_frameworks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conditions_frameworks_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conditions_frameworks_slug'), ['slug'], unique=False)

    op.create_table('condition_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.Enum('condition', 'theme', name='areakind', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('published', 'local-adaptation', name='provenance', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['conditions_frameworks.id'], name=op.f('fk_condition_areas_framework_id_conditions_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_areas')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_condition_areas_framework_id_code'))
    )
    with op.batch_alter_table('condition_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_areas_framework_id'), ['framework_id'], unique=False)

    op.create_table('condition_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['conditions_frameworks.id'], name=op.f('fk_condition_levels_framework_id_conditions_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_levels')),
    sa.UniqueConstraint('framework_id', 'value', name=op.f('uq_condition_levels_framework_id_value'))
    )
    with op.batch_alter_table('condition_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_levels_framework_id'), ['framework_id'], unique=False)

    op.create_table('condition_area_competencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('competency_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['condition_areas.id'], name=op.f('fk_condition_area_competencies_area_id_condition_areas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_area_competencies')),
    sa.UniqueConstraint('area_id', 'competency_code', name=op.f('uq_condition_area_competencies_area_id_competency_code'))
    )
    with op.batch_alter_table('condition_area_competencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_area_competencies_area_id'), ['area_id'], unique=False)

    op.create_table('condition_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('family_statement', sa.Text(), nullable=False),
    sa.Column('source', sa.Enum('published', 'local-adaptation', name='provenance', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['condition_areas.id'], name=op.f('fk_condition_indicators_area_id_condition_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['framework_id'], ['conditions_frameworks.id'], name=op.f('fk_condition_indicators_framework_id_conditions_frameworks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_condition_indicators')),
    sa.UniqueConstraint('framework_id', 'code', name=op.f('uq_condition_indicators_framework_id_code'))
    )
    with op.batch_alter_table('condition_indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_condition_indicators_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_condition_indicators_framework_id'), ['framework_id'], unique=False)



def downgrade():
    with op.batch_alter_table('condition_indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_indicators_framework_id'))
        batch_op.drop_index(batch_op.f('ix_condition_indicators_area_id'))

    op.drop_table('condition_indicators')
    with op.batch_alter_table('condition_area_competencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_area_competencies_area_id'))

    op.drop_table('condition_area_competencies')
    with op.batch_alter_table('condition_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_levels_framework_id'))

    op.drop_table('condition_levels')
    with op.batch_alter_table('condition_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_condition_areas_framework_id'))

    op.drop_table('condition_areas')
    with op.batch_alter_table('conditions_frameworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conditions_frameworks_slug'))
        batch_op.drop_index(batch_op.f('ix_conditions_frameworks_district_id'))

    op.drop_table('conditions_frameworks')
