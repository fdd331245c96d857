"""Poll the gateway's health page once a second over ONE kept-alive connection, as the incident's
test client did, and print which pod and which of that pod's connections answered.

    GATEWAY=http://127.0.0.1:PORT python3 health-poll.py          # until Ctrl-C
    GATEWAY=... POLLS=5 python3 health-poll.py                    # five requests, then exit

Standard library only. http.client keeps the connection open between requests (HTTP/1.1) and
opens a new one only after the server closed it, so a `Connection: close` from a draining pod shows
up as a new x-pod-conn on the next line.
"""
import http.client
import os
import sys
import time
from urllib.parse import urlsplit


def main() -> int:
    base = urlsplit(os.environ.get("GATEWAY", ""))
    if base.scheme != "http" or not base.hostname:
        print("set GATEWAY to the gateway's URL, e.g. GATEWAY=http://127.0.0.1:8080", file=sys.stderr)
        return 2
    polls = int(os.environ.get("POLLS", "0"))  # 0: until interrupted
    conn = http.client.HTTPConnection(base.hostname, base.port or 80, timeout=5)
    sent = 0
    while polls == 0 or sent < polls:
        if sent:
            time.sleep(1)
        sent += 1
        try:
            conn.request("GET", "/ok.htm")
            res = conn.getresponse()
            res.read()
            pod = res.getheader("x-pod", "-")
            pod_conn = res.getheader("x-pod-conn", "-")
            print(time.strftime("%H:%M:%S"), res.status, pod, pod_conn, flush=True)
            if res.getheader("connection", "").lower() == "close":
                conn.close()  # the next request opens a new connection
        except (OSError, http.client.HTTPException) as err:
            print(time.strftime("%H:%M:%S"), "error", type(err).__name__, err, flush=True)
            conn.close()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
