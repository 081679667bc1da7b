"""Conversations for feature phones: the USSD (and later SMS and IVR) menu engines,
the helpline's menu definitions and the text catalogues per language.

Knows nothing of HTTP or providers: channels hand it a normalised request and send
back what it renders.
"""
