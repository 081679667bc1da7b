"""The console transport: development and tests, where no telco is configured.

Selected with `NALISH_SMS_TRANSPORT=console` (the default). It sends nothing; it
writes each SMS to the log and reports it sent, so the whole close-the-loop flow runs
on a laptop with no account anywhere.
"""
