"""Web pages for call-centre agents, district officers and supervisors.

Empty until the dashboards issue lands; it reads and changes tickets only through
`grievance_engine` services.
"""
