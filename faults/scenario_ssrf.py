"""ssrf: an officer-role API token attaches media by URLs that point at this machine.

An officer's token may attach a recording or photo by URL, and a worker then fetches
it. With no host list configured (the default), that let any officer make the worker
connect to loopback services: a port scanner behind the firewall. The scenario runs
a listener on 127.0.0.1 and attaches it under several spellings (127.0.0.1,
localhost, 127.1, the decimal 2130706433, ::ffff:127.0.0.1) to a Rangpur ticket with a
Rangpur officer's token, then waits (up to 60 s) until the worker has tried each
fetch. Target: the listener receives no connection.
"""

from __future__ import annotations

import socket
import threading
import time

from faults import drive
from faults.figures import Figure
from faults.stack import Stack, free_port

NAME = "SSRF"
WAIT_SECONDS = 60  # the fetch job queues behind any SMS still going out


class Listener:
    """Accepts connections on 127.0.0.1 and answers each with a tiny WAV, counting them."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", self.port))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        body = b"RIFF\x00\x00\x00\x00WAVE"
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(4096)
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: audio/wav\r\n"
                        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                        + body
                    )
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._sock.close()


def run(stack: Stack) -> list[Figure]:
    stack.wait_outbox_settled(timeout=60)  # so the worker is free to fetch
    agent = {"Authorization": f"Bearer {stack.token('agent')}"}
    officer = {"Authorization": f"Bearer {stack.token('officer', district='Rangpur')}"}
    listener = Listener()
    try:
        with drive.client(stack) as http:
            filed = http.post("/api/v1/tickets", json=drive.api_ticket(drive.unique_phone()),
                              headers=agent)  # fmt: skip
            if filed.status_code not in (200, 201):
                return [Figure(NAME, "file a ticket", f"HTTP {filed.status_code}", "201", False)]
            ref = filed.json()["ref"]
            port = listener.port
            urls = [
                f"http://127.0.0.1:{port}/rec.wav",
                f"http://localhost:{port}/rec.wav",
                f"http://127.1:{port}/rec.wav",
                f"http://2130706433:{port}/rec.wav",
                f"http://[::ffff:127.0.0.1]:{port}/rec.wav",
            ]
            answers = [
                http.post(f"/api/v1/tickets/{ref}/attachments", json={"url": url},
                          headers=officer).status_code
                for url in urls
            ]  # fmt: skip
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline and not listener.connections:
                listed = http.get(f"/api/v1/tickets/{ref}/attachments", headers=officer)
                if listed.status_code == 200 and all(
                    a["status"] != "pending" for a in listed.json()
                ):
                    break  # every fetch tried (or refused): nothing more will come
                time.sleep(0.5)
            listed = http.get(f"/api/v1/tickets/{ref}/attachments", headers=officer)
    finally:
        listener.close()
    states = sorted({a["status"] for a in listed.json()}) if listed.status_code == 200 else []
    return [
        Figure(NAME, f"connections to 127.0.0.1:{port} after {len(urls)} officer-token "
               "attachments", str(listener.connections), "0", listener.connections == 0),
        Figure(NAME, "what the API answered; attachment states",
               f"HTTP {sorted(set(answers))}; {states or 'none kept'}", "(shown)", None),
    ]  # fmt: skip
