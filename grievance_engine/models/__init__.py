"""The record: admin areas, categories, offices, users, citizens, tickets, events, outbox.

One module per aggregate (`places`, `people`, `tickets`, `messages`, `access`,
`knowledge`); every name is re-exported here, so `from grievance_engine.models import
Ticket` stays the one way to import a table, and importing this package registers
every table for Alembic.

One SQLModel family per entity where callers need more than the table
(`TicketBase`, `TicketCreate`). Status-like columns are plain strings validated by
`StrEnum`s here, so migrations stay portable between SQLite and PostgreSQL.
Timestamps are `UTCDateTime`: stored UTC, read back aware.
"""

from grievance_engine.models.access import AdminEvent, ApiToken, IdempotencyKey, LoginThrottle
from grievance_engine.models.knowledge import Article, Contact
from grievance_engine.models.messages import (
    ChannelExchange,
    DeliveryReport,
    InboundMessage,
    Notification,
    NotificationStatus,
)
from grievance_engine.models.people import Citizen, Role, User
from grievance_engine.models.places import AdminArea, AdminLevel, Category, Office, OfficeLevel
from grievance_engine.models.privacy import EquityAnswer, PersonalDataView
from grievance_engine.models.replies import CannedReply
from grievance_engine.models.tickets import (
    Attachment,
    AttachmentStatus,
    CallbackStatus,
    CallbackTask,
    Channel,
    Incident,
    IncidentStatus,
    Ticket,
    TicketBase,
    TicketCreate,
    TicketEvent,
    TicketStatus,
)
from grievance_engine.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "AdminArea",
    "AdminEvent",
    "AdminLevel",
    "ApiToken",
    "Article",
    "Attachment",
    "AttachmentStatus",
    "CallbackStatus",
    "CallbackTask",
    "CannedReply",
    "Category",
    "Channel",
    "ChannelExchange",
    "Citizen",
    "Contact",
    "DeliveryReport",
    "EquityAnswer",
    "IdempotencyKey",
    "InboundMessage",
    "Incident",
    "IncidentStatus",
    "LoginThrottle",
    "Notification",
    "NotificationStatus",
    "Office",
    "OfficeLevel",
    "PersonalDataView",
    "Role",
    "Ticket",
    "TicketBase",
    "TicketCreate",
    "TicketEvent",
    "TicketStatus",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
]
