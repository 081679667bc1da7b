"""Africa's Talking: USSD, SMS, delivery-report and voice webhooks; outbound SMS.

Docs: https://developers.africastalking.com/docs/ussd/overview ,
https://developers.africastalking.com/docs/sms/sending/bulk .
Africa's Talking signs nothing, so every webhook may require `?token=` (settings).
"""
