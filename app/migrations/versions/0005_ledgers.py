"""the year's ledgers: responsibility lists and tasks (per 责任单位, monthly progress), the problems ledger,
督战对象 and their monthly 督战台账 (supervision.md §1–3); a village's optional rural population; the
office's 挂牌督战 thresholds

Revision ID: 0005_ledgers
Revises: 0005_records
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_ledgers"
down_revision = "0005_records"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('responsibility_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responsibility_lists')),
    sa.UniqueConstraint('uuid', name=op.f('uq_responsibility_lists_uuid')),
    sa.UniqueConstraint('year', 'kind', name=op.f('uq_responsibility_lists_year'))
    )
    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('household_uuid', sa.String(length=36), nullable=True),
    sa.Column('task_uuid', sa.String(length=36), nullable=True),
    sa.Column('target_uuid', sa.String(length=36), nullable=True),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('resp_unit', sa.String(length=120), nullable=True),
    sa.Column('resp_person', sa.String(length=120), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=6), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_basis', sa.Text(), nullable=True),
    sa.Column('evidence_files', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_problems_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    sa.UniqueConstraint('uuid', name=op.f('uq_problems_uuid'))
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problems_year'), ['year'], unique=False)

    op.create_table('supervision_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('county', sa.String(length=60), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=12), nullable=False),
    sa.Column('figure', sa.String(length=40), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=True),
    sa.Column('leaders', sa.String(length=120), nullable=True),
    sa.Column('team_lead', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_supervision_targets_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_targets')),
    sa.UniqueConstraint('uuid', name=op.f('uq_supervision_targets_uuid'))
    )
    with op.batch_alter_table('supervision_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_targets_year'), ['year'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=True),
    sa.Column('heading', sa.String(length=120), nullable=True),
    sa.Column('target', sa.Text(), nullable=True),
    sa.Column('target_value', sa.Double(), nullable=True),
    sa.Column('target_unit', sa.String(length=12), nullable=True),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('deadline_text', sa.String(length=120), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('ongoing', sa.Boolean(), nullable=False),
    sa.Column('leaders', sa.String(length=200), nullable=True),
    sa.Column('units_text', sa.String(length=200), nullable=True),
    sa.Column('persons', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['list_id'], ['responsibility_lists.id'], name=op.f('fk_tasks_list_id_responsibility_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    sa.UniqueConstraint('uuid', name=op.f('uq_tasks_uuid'))
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_list_id'), ['list_id'], unique=False)

    op.create_table('supervision_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('actions', sa.Text(), nullable=True),
    sa.Column('problems_found', sa.Integer(), nullable=False),
    sa.Column('problems_solved', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['target_id'], ['supervision_targets.id'], name=op.f('fk_supervision_entries_target_id_supervision_targets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_entries')),
    sa.UniqueConstraint('target_id', 'month', name=op.f('uq_supervision_entries_target_id'))
    )
    with op.batch_alter_table('supervision_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervision_entries_target_id'), ['target_id'], unique=False)

    op.create_table('task_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=6), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_basis', sa.Text(), nullable=True),
    sa.Column('evidence_files', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_units_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_task_units_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_units')),
    sa.UniqueConstraint('task_id', 'name', name=op.f('uq_task_units_task_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_task_units_uuid'))
    )
    with op.batch_alter_table('task_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_units_task_id'), ['task_id'], unique=False)

    op.create_table('task_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_unit_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('entered_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('percent', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['task_unit_id'], ['task_units.id'], name=op.f('fk_task_progress_task_unit_id_task_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_progress')),
    sa.UniqueConstraint('task_unit_id', 'month', name=op.f('uq_task_progress_task_unit_id'))
    )
    with op.batch_alter_table('task_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_progress_task_unit_id'), ['task_unit_id'], unique=False)

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rural_population', sa.Integer(), nullable=True))

    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sv_county_over', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sv_township_at_least', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sv_incidence_over', sa.Double(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.drop_column('sv_incidence_over')
        batch_op.drop_column('sv_township_at_least')
        batch_op.drop_column('sv_county_over')

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('rural_population')

    with op.batch_alter_table('task_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_progress_task_unit_id'))

    op.drop_table('task_progress')
    with op.batch_alter_table('task_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_units_task_id'))

    op.drop_table('task_units')
    with op.batch_alter_table('supervision_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_entries_target_id'))

    op.drop_table('supervision_entries')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_list_id'))

    op.drop_table('tasks')
    with op.batch_alter_table('supervision_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_targets_year'))

    op.drop_table('supervision_targets')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_year'))

    op.drop_table('problems')
    op.drop_table('responsibility_lists')
