#!/usr/bin/env python3
"""A hostile IMAP, POP3 or SMTP server on a free loopback port: it tries to
make the client allocate without bound, or serves a corpus of hostile
messages. For what a real server will not do on demand.

Usage: hostileserver.py SCENARIO STATEDIR
Scenarios:
  pop3-endless-retr      LIST says 100 bytes for message 1, its RETR never ends;
                         message 2 is normal
  pop3-endless-greeting  the greeting line never ends
  imap-endless-greeting  the greeting line never ends
  imap-endless-capability  the CAPABILITY answer never ends
  imap-uid-bomb          UID SEARCH answers ESEARCH ALL 1:4294967295 (many times)
  imap-lying-size        RFC822.SIZE says 100, the body literal is 64 MB
  smtp-endless-greeting  "220-" continuation lines forever
Writes STATEDIR/port when listening and appends every command line to
STATEDIR/commands. No TLS: the client uses an unencrypted account (tests only).
Stops by itself after 300 s, or when STATEDIR/stop exists.
"""
import os
import socket
import sys
import threading
import time

SCENARIO, STATE = sys.argv[1], sys.argv[2]

NORMAL = (b"From: Hostile Tester <ht@example.org>\r\nTo: u@example.org\r\nSubject: normal message %d\r\n"
          b"Message-ID: <hostile%d@example.org>\r\nDate: Mon, 2 Feb 2026 10:00:00 +0000\r\n\r\nbody %d\r\n")


def note(line):
    with open(os.path.join(STATE, "commands"), "ab") as f:
        f.write(line.rstrip(b"\r\n") + b"\n")


def lines(conn):
    buf = b""
    while True:
        while b"\n" not in buf:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
        line, buf = buf.split(b"\n", 1)
        note(line)
        yield line + b"\n"


def flood(conn, unit):
    """Sends unit until the client goes away."""
    block = unit * max(1, 65536 // len(unit))
    try:
        while True:
            conn.sendall(block)
    except OSError:
        pass


def pop3(conn):
    if SCENARIO == "pop3-endless-greeting":
        conn.sendall(b"+OK ")
        flood(conn, b"A")
        return
    msgs = [NORMAL % (1, 1, 1), NORMAL % (2, 2, 2)]
    conn.sendall(b"+OK hostile server ready\r\n")
    for line in lines(conn):
        words = line.strip().split(b" ")
        cmd, arg = words[0].upper(), (words[1] if len(words) > 1 else b"")
        if cmd == b"CAPA":
            conn.sendall(b"+OK\r\nUSER\r\nUIDL\r\nTOP\r\n.\r\n")
        elif cmd == b"STAT":
            conn.sendall(b"+OK 2 200\r\n")
        elif cmd == b"LIST":
            conn.sendall(b"+OK 1 100\r\n" if arg else b"+OK\r\n1 100\r\n2 %d\r\n.\r\n" % len(msgs[1]))
        elif cmd == b"UIDL":
            conn.sendall(b"+OK %s uidl-%s\r\n" % (arg, arg) if arg else b"+OK\r\n1 uidl-1\r\n2 uidl-2\r\n.\r\n")
        elif cmd in (b"RETR", b"TOP"):
            if arg == b"1" and cmd == b"RETR":
                conn.sendall(b"+OK\r\nSubject: endless\r\n\r\n")
                flood(conn, b"x" * 78 + b"\r\n")
                return
            conn.sendall(b"+OK\r\n" + msgs[int(arg) - 1] + b".\r\n")
        elif cmd == b"QUIT":
            conn.sendall(b"+OK bye\r\n")
            return
        else:
            conn.sendall(b"+OK\r\n")


def imap(conn):
    if SCENARIO == "imap-endless-greeting":
        conn.sendall(b"* OK ")
        flood(conn, b"A")
        return
    if SCENARIO == "imap-lying-size":
        msgs = [NORMAL % (1, 1, 1)]
    else:
        msgs = [NORMAL % (i, i, i) for i in (1, 2, 3)]
    caps = b"IMAP4rev1 LITERAL+ UIDPLUS" + (b" ESEARCH" if SCENARIO == "imap-uid-bomb" else b"")
    conn.sendall(b"* OK hostile server\r\n")
    for line in lines(conn):
        parts = line.split(b" ", 2)
        tag = parts[0]
        cmd = (parts[1] if len(parts) > 1 else b"").upper().strip()
        rest = parts[2].upper() if len(parts) > 2 else b""
        if cmd == b"UID":
            cmd = b"UID " + rest.split(b" ", 1)[0].strip()
        out = b""
        if cmd == b"CAPABILITY":
            if SCENARIO == "imap-endless-capability":
                conn.sendall(b"* CAPABILITY IMAP4rev1 ")
                flood(conn, b"X-FLOOD ")
                return
            out = b"* CAPABILITY " + caps + b"\r\n"
        elif cmd == b"LIST":
            out = b'* LIST (\\HasNoChildren) "/" INBOX\r\n'
        elif cmd in (b"SELECT", b"EXAMINE"):
            out = b"* %d EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT %d] ok\r\n" % (len(msgs), len(msgs) + 1)
            conn.sendall(out + tag + b" OK [READ-WRITE] selected\r\n")
            continue
        elif cmd == b"UID SEARCH":
            if SCENARIO == "imap-uid-bomb":
                out = b'* ESEARCH (TAG "' + tag + b'") UID ALL ' + b",".join([b"1:4294967295"] * 1000) + b"\r\n"
            elif b"RETURN" in rest:
                out = b'* ESEARCH (TAG "' + tag + b'") UID ALL 1:%d\r\n' % len(msgs)
            else:
                out = b"* SEARCH " + b" ".join(b"%d" % i for i in range(1, len(msgs) + 1)) + b"\r\n"
        elif cmd == b"UID FETCH":
            which = rest.split(b" ")[1] if len(rest.split(b" ")) > 1 else b"1:*"
            wanted = set()
            for part in which.split(b","):
                if b":" in part:
                    a, b = part.split(b":")
                    lo = int(a) if a != b"*" else len(msgs)
                    hi = int(b) if b != b"*" else len(msgs)
                    wanted.update(range(min(lo, hi), max(lo, hi) + 1))
                elif part.isdigit():
                    wanted.add(int(part))
            for i, msg in enumerate(msgs, 1):
                if i not in wanted:
                    continue
                if b"BODY.PEEK[]" in rest:
                    if SCENARIO == "imap-lying-size":
                        size = 64 << 20
                        conn.sendall(b"* %d FETCH (UID %d BODY[] {%d}\r\n" % (i, i, size))
                        chunk = b"y" * 65536
                        try:
                            for _ in range(size // len(chunk)):
                                conn.sendall(chunk)
                            conn.sendall(b")\r\n")
                        except OSError:
                            return
                        continue
                    out += b"* %d FETCH (UID %d BODY[] {%d}\r\n%s)\r\n" % (i, i, len(msg), msg)
                elif b"ENVELOPE" in rest:
                    header = msg.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                    size = 100 if SCENARIO == "imap-lying-size" else len(msg)
                    env = b'(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)'
                    out += (b'* %d FETCH (UID %d FLAGS () RFC822.SIZE %d INTERNALDATE "02-Feb-2026 10:00:00 +0000" '
                            b"ENVELOPE %s BODY[HEADER.FIELDS (FROM REFERENCES CONTENT-TYPE)] {%d}\r\n%s)\r\n"
                            % (i, i, size, env, len(header), header))
                else:
                    out += b"* %d FETCH (UID %d FLAGS ())\r\n" % (i, i)
        elif cmd == b"LOGOUT":
            conn.sendall(b"* BYE bye\r\n" + tag + b" OK bye\r\n")
            return
        conn.sendall(out + tag + b" OK done\r\n")


def smtp(conn):
    conn.sendall(b"220-hostile\r\n")
    flood(conn, b"220-more of the greeting, forever\r\n")


def serve(conn):
    try:
        {"pop3": pop3, "imap": imap, "smtp": smtp}[SCENARIO.split("-")[0]](conn)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.2)
    with open(os.path.join(STATE, "port.tmp"), "w") as f:
        f.write(str(srv.getsockname()[1]))
    os.rename(os.path.join(STATE, "port.tmp"), os.path.join(STATE, "port"))
    end = time.time() + 300
    while time.time() < end and not os.path.exists(os.path.join(STATE, "stop")):
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


main()
