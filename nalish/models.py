"""Every table of every package, imported in one place for Alembic and `create_all`."""

from sqlmodel import SQLModel

from escalation import models as escalation_models  # noqa: F401
from grievance_engine import models as grievance_models  # noqa: F401
from routing import models as routing_models  # noqa: F401

metadata = SQLModel.metadata
