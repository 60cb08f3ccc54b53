#!/usr/bin/env python3
"""The protocol floor: a minimal IMAP client that sends one
UID FETCH 1:* (UID FLAGS RFC822.SIZE ENVELOPE) and reads the raw reply to the
end, parsing nothing. Prints key=value pairs like heron-bench."""
import resource, socket, ssl, sys, time

host, port, ca, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
items = sys.argv[6].encode() if len(sys.argv) > 6 else b"UID FLAGS RFC822.SIZE ENVELOPE"
t0 = time.monotonic()
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
buf = b""

def until(tag):
    """Reads until the tagged reply; keeps only a small tail (the floor parses nothing)."""
    global buf
    first = None
    marker = b"\r\n" + tag + b" "
    while True:
        i = buf.find(marker)
        if i < 0 and buf.startswith(tag + b" "):
            i = -2
        if i != -1:
            start = i + 2 if i >= 0 else 0
            end = buf.find(b"\r\n", start)
            if end >= 0:
                buf = buf[end + 2:]
                return first
        chunk = s.recv(1 << 20)
        if not chunk:
            raise SystemExit("connection closed")
        if first is None:
            first = time.monotonic()
        buf = buf[-256:] + chunk

s.recv(4096)  # greeting
s.sendall(b"a1 LOGIN %s %s\r\n" % (user.encode(), password.encode())); until(b"a1")
s.sendall(b"a2 SELECT INBOX\r\n"); until(b"a2")
t1 = time.monotonic()
s.sendall(b"a3 UID FETCH 1:* (" + items + b")\r\n")
first = until(b"a3")
t2 = time.monotonic()
s.sendall(b"a4 LOGOUT\r\n")
print("first_byte_ms=%d fetch_ms=%d total_ms=%d peak_rss_kb=%d" % (
    (first - t1) * 1000, (t2 - t1) * 1000, (t2 - t0) * 1000,
    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
