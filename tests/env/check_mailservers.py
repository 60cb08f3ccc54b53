#!/usr/bin/env python3
"""Smoke test for an instance started by tests/env/mailservers.sh (stdlib only).

    python3 tests/env/check_mailservers.py DIR

Checks TLS chains (trusted CA, untrusted certificate), IMAP (implicit TLS and STARTTLS,
capabilities, SPECIAL-USE folders), POP3 (STLS and implicit TLS), SMTP submission (STARTTLS +
AUTH), submissions (implicit TLS + AUTH), the plain relay port (no relaying, unknown users
rejected) and delivery through Postfix -> LMTP -> Dovecot.  Prints 'N passed, N failed'.
"""
import imaplib
import json
import os
import poplib
import smtplib
import socket
import ssl
import sys
import threading
import time
import uuid
from email.message import EmailMessage

DIR = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
ENV = json.load(open(os.path.join(DIR, "env.json")))
HOST = ENV["HERON_TEST_HOST"]
CTX = ssl.create_default_context(cafile=ENV["HERON_TEST_CA"])   # verifies chain + hostname
results = []


def check(name, fn):
    try:
        detail = fn()
        results.append((name, True))
        print("PASS %s%s" % (name, (": " + str(detail)) if detail else ""))
    except Exception as e:  # noqa: BLE001 -- report everything
        results.append((name, False))
        print("FAIL %s: %r" % (name, e))


def imaps_login(user="alice"):
    c = imaplib.IMAP4_SSL(HOST, ENV["HERON_TEST_IMAPS_PORT"], ssl_context=CTX, timeout=10)
    c.login(user, "secret-" + user)
    return c


def t_imaps_caps():
    c = imaps_login()
    typ, data = c.capability()
    caps = set(data[0].decode().upper().split())
    c.logout()
    need = {"CONDSTORE", "QRESYNC", "MOVE", "UIDPLUS", "SPECIAL-USE", "IDLE"}
    missing = need - caps
    assert not missing, "missing %s in %s" % (missing, caps)
    return " ".join(sorted(need))


def t_special_use():
    c = imaps_login()
    typ, data = c.list('""', "*")
    c.logout()
    lines = [d.decode() for d in data]
    want = {"Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash", "Junk": "\\Junk",
            "Archive": "\\Archive"}
    for box, flag in want.items():
        assert any(flag in l and l.endswith(box) for l in lines), "%s %s not in %s" % (box, flag, lines)
    assert any('"/"' in l for l in lines), "separator is not /"
    return "; ".join(lines)


def t_imap_starttls():
    c = imaplib.IMAP4(HOST, ENV["HERON_TEST_IMAP_PORT"], timeout=10)
    pre = set(c.capabilities)
    assert "STARTTLS" in pre, pre
    c.starttls(ssl_context=CTX)
    c.login("alice@example.org", "secret-alice")   # %Ln maps it to alice
    c.select("INBOX")
    c.logout()
    # Dovecot treats 127.0.0.1 -> 127.0.0.1 as "secured": no LOGINDISABLED before STARTTLS.
    return "pre-TLS caps: " + " ".join(sorted(pre))


def t_bad_password():
    c = imaplib.IMAP4_SSL(HOST, ENV["HERON_TEST_IMAPS_PORT"], ssl_context=CTX, timeout=10)
    t = time.monotonic()
    try:
        c.login("alice", "wrong")
    except imaplib.IMAP4.error:
        return "rejected in %.2fs" % (time.monotonic() - t)
    raise AssertionError("wrong password accepted")


def t_openssl_wrong_hostname():
    # Server cert must not validate for a different name.
    ctx = ssl.create_default_context(cafile=ENV["HERON_TEST_CA"])
    with socket.create_connection((HOST, ENV["HERON_TEST_IMAPS_PORT"]), timeout=10) as s:
        try:
            ctx.wrap_socket(s, server_hostname="mail.example.com")
        except ssl.SSLCertVerificationError as e:
            return e.verify_message
    raise AssertionError("hostname mismatch not detected")


def t_untrusted_cert():
    # A throw-away TLS server with the untrusted certificate: the CA context must reject it.
    srv_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    srv_ctx.load_cert_chain(ENV["HERON_TEST_UNTRUSTED_CERT"], ENV["HERON_TEST_UNTRUSTED_KEY"])
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(10)

    def serve():
        try:
            conn, _ = ls.accept()
            try:
                srv_ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                pass
            conn.close()
        except OSError:
            pass

    th = threading.Thread(target=serve)
    th.start()
    try:
        with socket.create_connection(("127.0.0.1", ls.getsockname()[1]), timeout=10) as s:
            try:
                CTX.wrap_socket(s, server_hostname="localhost")
            except ssl.SSLCertVerificationError as e:
                return e.verify_message
        raise AssertionError("untrusted certificate accepted")
    finally:
        th.join(10)
        ls.close()


def t_pop3_stls():
    p = poplib.POP3(HOST, ENV["HERON_TEST_POP3_PORT"], timeout=10)
    caps = p.capa()
    assert "STLS" in caps, caps
    p.stls(context=CTX)
    p.user("alice")
    p.pass_("secret-alice")
    n, size = p.stat()
    p.quit()
    return "%d messages" % n


def t_pop3s():
    p = poplib.POP3_SSL(HOST, ENV["HERON_TEST_POP3S_PORT"], context=CTX, timeout=10)
    p.user("bob")
    p.pass_("secret-bob")
    n, _ = p.stat()
    p.quit()
    return "%d messages" % n


TOKENS = []


def make_msg(frm, to, label):
    tok = "%s-%s" % (label, uuid.uuid4().hex[:8])
    TOKENS.append((to.split("@")[0], tok))
    m = EmailMessage()
    m["From"] = frm
    m["To"] = to
    m["Subject"] = "Test %s – Grüße" % tok
    m.set_content("Hello via %s.\n" % label)
    return m


def t_submission():
    s = smtplib.SMTP(HOST, ENV["HERON_TEST_SUBMISSION_PORT"], timeout=10)
    s.ehlo("client.test")
    assert s.has_extn("starttls")
    assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
    s.starttls(context=CTX)
    s.ehlo("client.test")
    auth = s.esmtp_features.get("auth", "")
    s.login("alice", "secret-alice")
    s.send_message(make_msg("alice@example.org", "bob@example.org", "submission"))
    s.quit()
    return "AUTH " + auth


def t_submission_needs_auth():
    s = smtplib.SMTP(HOST, ENV["HERON_TEST_SUBMISSION_PORT"], timeout=10)
    s.starttls(context=CTX)
    try:
        s.sendmail("x@example.net", ["bob@example.org"], "Subject: x\n\nx\n")
    except smtplib.SMTPRecipientsRefused as e:
        return str(list(e.recipients.values())[0])
    finally:
        s.close()
    raise AssertionError("unauthenticated submission accepted")


def t_submissions():
    s = smtplib.SMTP_SSL(HOST, ENV["HERON_TEST_SUBMISSIONS_PORT"], context=CTX, timeout=10)
    s.login("alice@example.org", "secret-alice")
    s.send_message(make_msg("alice@example.org", "bob@example.org", "submissions"))
    s.quit()


def t_plain_smtp():
    s = smtplib.SMTP(HOST, ENV["HERON_TEST_SMTP_PORT"], timeout=10)
    s.send_message(make_msg("someone@example.net", "carol@example.org", "relayport"))
    for rcpt, what in (("victim@example.net", "relaying"), ("nobody@example.org", "unknown user")):
        try:
            s.sendmail("someone@example.net", [rcpt], "Subject: x\n\nx\n")
            raise AssertionError("%s accepted" % what)
        except smtplib.SMTPRecipientsRefused:
            pass
    s.quit()


def t_arrival():
    deadline = time.monotonic() + 15
    pending = list(TOKENS)
    while pending and time.monotonic() < deadline:
        for user, tok in list(pending):
            c = imaps_login(user)
            c.select("INBOX", readonly=True)
            typ, data = c.search(None, "SUBJECT", tok)
            c.logout()
            if data[0].split():
                pending.remove((user, tok))
        if pending:
            time.sleep(0.3)
    assert not pending, "not delivered: %s" % pending
    return "%d messages arrived via LMTP" % len(TOKENS)


for name, fn in [("imaps capabilities", t_imaps_caps), ("special-use folders", t_special_use),
                 ("imap starttls login", t_imap_starttls), ("imap wrong password", t_bad_password),
                 ("tls hostname mismatch", t_openssl_wrong_hostname),
                 ("untrusted certificate", t_untrusted_cert),
                 ("pop3 stls", t_pop3_stls), ("pop3s", t_pop3s),
                 ("submission starttls+auth", t_submission),
                 ("submission requires auth", t_submission_needs_auth),
                 ("submissions implicit tls+auth", t_submissions),
                 ("plain smtp port", t_plain_smtp), ("delivery via lmtp", t_arrival)]:
    check(name, fn)

failed = sum(1 for _, ok in results if not ok)
print("%d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
