"""The core of Nalish: the record of what a citizen asked and what the state did.

Lives here: the models (admin areas, categories, offices, users, citizens, tickets,
ticket events, the notification outbox), ticket references, the ticket and outbox
services, lifecycle, actions, audit chains and the hooks higher packages install.
Plumbing (settings, database, clock, queues, stores) is in `infra` below it. Knows
nothing of telcos, HTTP or menus.
"""
