"""logins: 30 parallel POST /login for one account, 29 wrong passwords and the right one 21st.

A guesser with many connections must not get more tries than the lockout allows (five
failures lock the email for 15 minutes). Each attempt is a real browser's: GET /login
for the form's CSRF token and cookie, then POST. The 30 posts start 5 ms apart in
order, so 20 wrong ones have been sent before the right one. Target: the right
password is refused (locked), and the account is still locked afterwards.
"""

from __future__ import annotations

import re
import secrets
import threading
import time

from faults import drive
from faults.figures import Figure
from faults.stack import Stack

NAME = "parallel logins"
ATTEMPTS, RIGHT_ONE = 30, 21
STAGGER_SECONDS = 0.005
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _form(stack: Stack):
    http = drive.client(stack, follow_redirects=False)
    page = http.get("/login")
    return http, CSRF.search(page.text).group(1)


def run(stack: Stack) -> list[Figure]:
    email = f"faults-{secrets.token_hex(3)}@example.org"
    password = "correct horse battery staple"
    stack.nalish("users", "create", "--email", email, "--role", "agent", "--password", password)
    forms = [_form(stack) for _ in range(ATTEMPTS)]
    start = threading.Event()

    def attempt(i: int) -> int:
        http, csrf = forms[i]
        start.wait()
        time.sleep(i * STAGGER_SECONDS)
        typed = password if i == RIGHT_ONE - 1 else f"wrong-{i}-{secrets.token_hex(2)}"
        data = {"email": email, "password": typed, "csrf_token": csrf}
        try:
            return http.post("/login", data=data).status_code
        except drive.httpx.HTTPError:
            return 0

    timer = threading.Timer(0.2, start.set)
    timer.start()
    statuses = drive.in_parallel(attempt, range(ATTEMPTS), ATTEMPTS)
    for http, _ in forms:
        http.close()
    right = statuses[RIGHT_ONE - 1]
    http, csrf = _form(stack)
    try:
        after = http.post("/login", data={"email": email, "password": password, "csrf_token": csrf})
    finally:
        http.close()
    wrong_in = sum(1 for i, s in enumerate(statuses) if s == 303 and i != RIGHT_ONE - 1)
    return [
        Figure(NAME, f"the right password, {RIGHT_ONE}st of {ATTEMPTS} at once",
               f"HTTP {right} ({'signed in' if right == 303 else 'refused'})",
               "refused (locked)", right != 303 and wrong_in == 0),
        Figure(NAME, "the right password just after", f"HTTP {after.status_code}",
               "429 (locked)", after.status_code == 429),
    ]  # fmt: skip
