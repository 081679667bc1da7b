"""Twilio: incoming SMS, message status callbacks and voice webhooks (signed), and
outbound SMS through the Messages API; the same shape as `africastalking/`.

Docs: https://www.twilio.com/docs/messaging/api/message-resource ,
error codes: https://www.twilio.com/docs/api/errors .
Twilio signs its webhooks with `X-Twilio-Signature`; the auth token checks them.
"""
