"""What Nalish shows everyone, without signing in: Open311 GeoReport v2 for other
systems (`open311`), the tracking page of each reference (`track`) and the open
statistics (`open_data`). At the dashboards | channels layer (docs/architecture.md).

One rule runs through all of it (`view.public_ticket`): nothing personal and no
description ever leaves here, and a sensitive category is never named.
"""
