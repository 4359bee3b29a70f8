"""stored_file: uploaded files kept in the database, for several web hosts (issue 18)

Revision ID: main_stored_file
Revises: 78cae8e95c38
Create Date: 2026-12-07 03:40:00

"""
from alembic import op
import sqlalchemy as sa
import companion.db  # noqa: F401  (UTCDateTime)


revision = 'main_stored_file'
down_revision = '78cae8e95c38'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', companion.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stored_file'))
    )


def downgrade():
    op.drop_table('stored_file')
