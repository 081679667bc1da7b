"""A Kannel-style HTTP SMS gateway: incoming SMS and delivery-report webhooks, outbound SMS.

Many national SMS aggregators (and every Kannel box) speak only this interface: an
outbound SMS is one HTTP request to a `sendsms` URL with the message in its query, and
the gateway calls us back over plain HTTP with incoming SMS (`get-url`) and delivery
reports (`dlr-url`).

Docs: https://www.kannel.org/download/1.4.5/userguide-1.4.5/userguide.html , sections
"Sending SMS" (the `sendsms` interface: `from, to, text, coding, charset, dlr-mask,
dlr-url`), "SMS service configurations" (`get-url` and its escape codes: `%p` sender,
`%P` receiver, `%b` message, `%I` message id) and "Delivery reports" (`dlr-url`, whose
`%d` is the report type: 1 delivered, 2 failed, 4 buffered, 8 submitted to the SMSC,
16 rejected by the SMSC).

Settings (infra.settings):

- `NALISH_SMS_TRANSPORT=http` sends the outbox through this gateway.
- `NALISH_HTTP_GATEWAY_SEND_URL`: the `sendsms` URL template, e.g.
  ``http://kannel:13013/cgi-bin/sendsms?username=nalish&password=…&from={from}&to={to}
  &text={text}&coding={coding}&charset={charset}&dlr-mask=27&dlr-url={dlr_url}``.
  Placeholders: `{to}` (E.164 without "+"), `{to_e164}` (with it), `{from}`, `{text}`,
  `{coding}` (0 GSM-7, 2 UCS-2), `{charset}` (UTF-8), `{id}` (our message id),
  `{dlr_url}` (our delivery-report URL). Any other placeholder stops start-up. Kannel
  refuses a send without `from` ("Sender missing") unless its sendsms-user sets one.
- `NALISH_HTTP_GATEWAY_METHOD`: `GET` (the URL as is) or `POST`, Kannel's "sendsms
  POST": the text as a `text/plain; charset=UTF-8` body, every other parameter of the
  template as an `X-Kannel-…` header (Kannel answers a form body "400 Invalid
  content-type").
- `NALISH_HTTP_GATEWAY_SENDER`: the `{from}` value (shortcode or sender id).
- `NALISH_HTTP_GATEWAY_SECRET`: required on every webhook as `?secret=` (or a form
  field); without it the webhooks refuse everything, since an unauthenticated SMS inbox
  lets anyone file grievances in any citizen's name. Use letters, digits, `-` and `_`
  only: Kannel expands `%` escapes in the `dlr-url`.
- `NALISH_PUBLIC_BASE_URL`: when set, `{dlr_url}` asks for delivery reports at
  `<base>/channels/http/delivery?id=<our id>&status=%d&secret=<secret>`.
- `NALISH_HTTP_TIMEOUT_SECONDS`: every outbound request's timeout.

Kannel as it is (1.4.5, Debian's package; the README's "Kannel settings" has the whole
configuration, which tests/channels/test_kannel.py runs against a real Kannel):

- The `sms-service` for our shortcode::

    group = sms-service
    keyword = default
    get-url = "https://nalish.example/channels/http/sms?secret=S&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C"
    max-messages = 0   # our "OK" is an acknowledgement, not a reply to the citizen

- `%b` is the SMS's own bytes: for Bangla (UCS-2) raw UTF-16BE unless smsbox has
  `mo-recode = true`; `%c` (coding) and `%C` (charset) say which, and parsing.py
  decodes by them (and recognises raw UCS-2 when a get-url passes neither).
- The `sendsms-user` needs `concatenation = true` and `max-messages = 10`: its default
  of one part cuts every reply longer than one SMS, which is most Bangla replies.
- Kannel often reports delivery before it answers our sendsms request, so before the
  worker has saved our id: such a report is kept and applied when the id is saved
  (channels.delivery.apply_waiting). A final failure (DLR 2 or 16) fails the
  message and asks an agent to call the citizen back, as for every provider.
"""
