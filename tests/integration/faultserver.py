#!/usr/bin/env python3
"""A scripted IMAP, POP3 or SMTP server on a free loopback port that misbehaves
on purpose, for faults a real server will not produce on demand.

It speaks just enough of each protocol for Heron to log in, sync, download or
send, and at the N-th command it receives (counted over all connections) it
does one of:
  reset    closes the connection with a TCP reset, mid-conversation;
  stall    stops answering and keeps the connection open (the client must time out);
  garbage  answers with bytes that are no valid response, then goes on reading.
With --after 0 it behaves, so a driver can count the commands of a clean run.

Usage: faultserver.py PROTO FAULT AFTER STATEDIR
Writes STATEDIR/port when listening, appends every command line to
STATEDIR/commands, and for POP3 the UIDLs deleted at QUIT to STATEDIR/deleted.
No TLS: the client is set up for an unencrypted account (tests only).
Stops by itself after 120 s, or when STATEDIR/stop exists.
"""
import os
import socket
import struct
import sys
import threading
import time

PROTO, FAULT, AFTER, STATE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
GARBAGE = b"\x00\xff\xfe)))( {99999999999}\r\n\x01* FETCH (((\r\n"
lock = threading.Lock()
count = 0
MESSAGES = [
    (b"uidl-%d" % i,
     b"From: Fault Tester <ft@example.org>\r\nTo: u@example.org\r\nSubject: fault message %d\r\n"
     b"Message-ID: <fault%d@example.org>\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n\r\nbody %d\r\n" % (i, i, i))
    for i in (1, 2, 3)
]


def note(name, line):
    with open(os.path.join(STATE, name), "ab") as f:
        f.write(line.rstrip(b"\r\n") + b"\n")


def next_is_fault(line):
    """Counts a command; True when this one is to be answered with the fault."""
    global count
    with lock:
        count += 1
        note("commands", line)
        return AFTER > 0 and count == AFTER


def do_fault(conn):
    if FAULT == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        return "closed"
    if FAULT == "stall":
        conn.settimeout(60)
        try:
            while conn.recv(4096):
                pass
        except OSError:
            pass
        conn.close()
        return "closed"
    conn.sendall(GARBAGE)
    return "garbage"


def lines(conn):
    buf = b""
    while True:
        try:
            chunk = conn.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line + b"\n"


def imap(conn):
    conn.sendall(b"* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] fault server\r\n")
    for line in lines(conn):
        if next_is_fault(line) and do_fault(conn) == "closed":
            return
        parts = line.split(b" ", 2)
        tag = parts[0]
        cmd = (parts[1] if len(parts) > 1 else b"").upper().strip()
        rest = parts[2].upper() if len(parts) > 2 else b""
        if cmd == b"UID":
            cmd = b"UID " + rest.split(b" ", 1)[0]
        out = b""
        if cmd == b"CAPABILITY":
            out = b"* CAPABILITY IMAP4rev1 LITERAL+ IDLE UIDPLUS\r\n"
        elif cmd == b"LIST":
            out = b'* LIST (\\HasNoChildren) "/" INBOX\r\n'
        elif cmd in (b"SELECT", b"EXAMINE"):
            out = (b"* %d EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT %d] ok\r\n" % (len(MESSAGES), len(MESSAGES) + 1))
            conn.sendall(out + tag + b" OK [READ-WRITE] selected\r\n")
            continue
        elif cmd == b"UID SEARCH":
            out = b"* SEARCH " + b" ".join(b"%d" % i for i in range(1, len(MESSAGES) + 1)) + b"\r\n"
        elif cmd == b"UID FETCH":
            for i, (_, msg) in enumerate(MESSAGES, 1):
                if b"BODY.PEEK[]" in rest:
                    out += b"* %d FETCH (UID %d BODY[] {%d}\r\n%s)\r\n" % (i, i, len(msg), msg)
                elif b"ENVELOPE" in rest:
                    env = (b'("Mon, 2 Feb 2026 10:00:00 +0000" "fault message %d" (("Fault Tester" NIL "ft" "example.org")) '
                           b'NIL NIL (("U" NIL "u" "example.org")) NIL NIL NIL "<fault%d@example.org>")' % (i, i))
                    out += (b'* %d FETCH (UID %d FLAGS () RFC822.SIZE %d INTERNALDATE "02-Feb-2026 10:00:00 +0000" '
                            b"ENVELOPE %s BODY[HEADER.FIELDS (FROM REFERENCES CONTENT-TYPE)] {2}\r\n\r\n)\r\n"
                            % (i, i, len(msg), env))
                else:
                    out += b"* %d FETCH (UID %d FLAGS ())\r\n" % (i, i)
        elif cmd == b"LOGOUT":
            conn.sendall(b"* BYE bye\r\n" + tag + b" OK bye\r\n")
            conn.close()
            return
        conn.sendall(out + tag + b" OK done\r\n")


def pop3(conn):
    conn.sendall(b"+OK fault server ready\r\n")
    deleted = set()
    for line in lines(conn):
        words = line.strip().split(b" ")
        cmd = words[0].upper()
        arg = words[1] if len(words) > 1 else b""
        if cmd == b"QUIT":
            # A real server commits the deletions once QUIT arrives, even if
            # its answer is then lost: so does this one, before any fault.
            for n in sorted(deleted):
                note("deleted", MESSAGES[n - 1][0])
            deleted.clear()
        if next_is_fault(line) and do_fault(conn) == "closed":
            return
        if cmd == b"CAPA":
            conn.sendall(b"+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n")
        elif cmd == b"STAT":
            conn.sendall(b"+OK %d %d\r\n" % (len(MESSAGES), sum(len(m) for _, m in MESSAGES)))
        elif cmd == b"LIST":
            if arg:
                n = int(arg)
                conn.sendall(b"+OK %d %d\r\n" % (n, len(MESSAGES[n - 1][1])))
            else:
                conn.sendall(b"+OK\r\n" + b"".join(b"%d %d\r\n" % (i, len(m)) for i, (_, m) in enumerate(MESSAGES, 1)) + b".\r\n")
        elif cmd == b"UIDL":
            if arg:
                n = int(arg)
                conn.sendall(b"+OK %d %s\r\n" % (n, MESSAGES[n - 1][0]))
            else:
                conn.sendall(b"+OK\r\n" + b"".join(b"%d %s\r\n" % (i, u) for i, (u, _) in enumerate(MESSAGES, 1)) + b".\r\n")
        elif cmd in (b"RETR", b"TOP"):
            msg = MESSAGES[int(arg) - 1][1]
            conn.sendall(b"+OK\r\n" + msg.replace(b"\r\n.", b"\r\n..") + b".\r\n")
        elif cmd == b"DELE":
            deleted.add(int(arg))
            conn.sendall(b"+OK deleted\r\n")
        elif cmd == b"QUIT":
            conn.sendall(b"+OK bye\r\n")
            conn.close()
            return
        else:
            conn.sendall(b"+OK\r\n")


def smtp(conn):
    conn.sendall(b"220 fault.example ESMTP\r\n")
    in_data = False
    for line in lines(conn):
        if in_data:
            if line in (b".\r\n", b".\n"):
                in_data = False
                # Accepted (to be delivered) once the end of data arrives, even
                # if the 250 is then lost: the client must not send it again.
                note("accepted", b"message")
                if next_is_fault(b"<end of data>") and do_fault(conn) == "closed":
                    return
                conn.sendall(b"250 2.0.0 queued\r\n")
            continue
        if next_is_fault(line) and do_fault(conn) == "closed":
            return
        cmd = line.strip().split(b" ")[0].upper()
        if cmd in (b"EHLO", b"HELO"):
            conn.sendall(b"250-fault.example\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
        elif cmd == b"AUTH":
            conn.sendall(b"235 2.7.0 ok\r\n")
        elif cmd == b"DATA":
            in_data = True
            conn.sendall(b"354 go on\r\n")
        elif cmd == b"QUIT":
            conn.sendall(b"221 bye\r\n")
            conn.close()
            return
        else:
            conn.sendall(b"250 ok\r\n")


def serve(conn):
    try:
        {"imap": imap, "pop3": pop3, "smtp": smtp}[PROTO](conn)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.settimeout(0.2)
    with open(os.path.join(STATE, "port.tmp"), "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(os.path.join(STATE, "port.tmp"), os.path.join(STATE, "port"))
    end = time.monotonic() + 120
    while time.monotonic() < end and not os.path.exists(os.path.join(STATE, "stop")):
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        conn.settimeout(None)
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
