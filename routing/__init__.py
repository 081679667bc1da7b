"""Where a grievance goes: the gazetteer (admin areas, aliases, fuzzy matching),
routing rules (area, category) → office, and intake, which routes and files a ticket.
"""
