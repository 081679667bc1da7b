"""The core of Nalish: the record of what a citizen asked and what the state did.

Lives here: settings, the database engine and models (admin areas, categories, offices,
users, citizens, tickets, ticket events, the notification outbox), the clock, ticket
references, the ticket and outbox services, SMS text encoding, and the interfaces for
the job queue and the menu session store. Knows nothing of telcos, HTTP or menus.
"""
