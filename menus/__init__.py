"""Conversations for feature phones: the menu engine and its USSD and IVR renderers,
the SMS conversation (keywords, free text, officers' commands), the helpline's menu
definitions and the text catalogues per language.

Knows nothing of HTTP or providers: channels hand it a normalised request and send
back what it renders.
"""
