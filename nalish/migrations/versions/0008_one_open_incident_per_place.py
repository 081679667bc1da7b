"""one open incident per place and category

Revision ID: 0008
Revises: 0007
The database now guarantees what intake meant: at most one open mass event per
category and upazila (or district, for a place with no upazila), by a unique partial
index; see grievance_engine.incidents.

Before it, racing intakes could open several for one place, and `ticket_count` lost
updates. So first: the tickets of each later duplicate move to the place's oldest
open incident, the emptied duplicates are closed as merged (no citizen is told: their
tickets are open, in the incident that stays), and every count is recomputed from
the tickets. The moves are data repair with no ticket event.

Create Date: 2026-12-06 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_OPEN = "status = 'open'"


def upgrade() -> None:
    connection = op.get_bind()
    _merge_duplicate_open_incidents(connection)
    connection.execute(
        sa.text(
            "UPDATE incident SET ticket_count ="
            " (SELECT count(*) FROM ticket WHERE ticket.incident_id = incident.id)"
        )
    )
    op.create_index(
        "uq_incident_open_place",
        "incident",
        ["category_id", "district_id", sa.text("coalesce(upazila_id, 0)")],
        unique=True,
        postgresql_where=sa.text(_OPEN),
        sqlite_where=sa.text(_OPEN),
    )


def _merge_duplicate_open_incidents(connection) -> None:
    rows = connection.execute(
        sa.text(
            "SELECT id, category_id, district_id, upazila_id FROM incident"
            " WHERE status = 'open' ORDER BY id"
        )
    ).all()
    keepers: dict[tuple, int] = {}
    for incident_id, category_id, district_id, upazila_id in rows:
        place = (category_id, district_id, upazila_id or 0)
        keeper = keepers.setdefault(place, incident_id)
        if keeper == incident_id:
            continue
        params = {"keeper": keeper, "duplicate": incident_id}
        connection.execute(
            sa.text("UPDATE ticket SET incident_id = :keeper WHERE incident_id = :duplicate"),
            params,
        )
        connection.execute(
            sa.text(
                "UPDATE incident SET last_report_at = (SELECT last_report_at FROM incident d"
                " WHERE d.id = :duplicate) WHERE id = :keeper AND last_report_at <"
                " (SELECT last_report_at FROM incident d WHERE d.id = :duplicate)"
            ),
            params,
        )
        connection.execute(
            sa.text(
                "UPDATE incident SET status = 'resolved', resolved_at = last_report_at,"
                " resolved_by = 'migration:0008', resolution = :why WHERE id = :duplicate"
            ),
            {**params, "why": f"merged into incident {keeper}"},
        )


def downgrade() -> None:
    op.drop_index("uq_incident_open_place", table_name="incident")
