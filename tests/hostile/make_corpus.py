#!/usr/bin/env python3
"""Writes Heron's hostile message corpus into OUTDIR, one .eml per class of
attack (the big ones are generated, not stored). Each message has a subject
"hostile NN name" so a test can find it after a sync.

Usage: make_corpus.py OUTDIR
Classes: MIME structure bombs in every spelling of multipart, part and header
bombs, linear-time traps for the HTML sanitizer and the plain-text linkifier,
forged senders (the four review findings and bidi), markup in subjects and
attachment names, links with dangerous schemes or misleading text, broken
encodings and truncated structures.
"""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
n = 0


def write(name, headers, body, sender="Hostile Corpus <corpus@example.org>"):
    global n
    n += 1
    h = b"From: " + (sender.encode() if isinstance(sender, str) else sender) + b"\r\n"
    h += b"To: victim@example.org\r\nDate: Mon, 2 Feb 2026 10:%02d:00 +0000\r\n" % (n % 60)
    h += b"Message-ID: <hostile-%d@example.org>\r\n" % n
    h += b"Subject: hostile %02d %s\r\n" % (n, name.encode())
    with open(os.path.join(out, "%02d-%s.eml" % (n, name)), "wb") as f:
        f.write(h + headers + b"\r\n" + body)


def nest(spelling, levels, payload=b""):
    body = b"--b0\r\nContent-Type: text/plain\r\n\r\nvisible before the bomb\r\n"
    for i in range(levels):
        body += b"--b%d\r\nContent-Type: %s; boundary=\"b%d\"\r\n\r\n" % (i, spelling, i + 1)
    body += b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeepest part\r\n" % levels + payload
    return b"MIME-Version: 1.0\r\nContent-Type: %s; boundary=b0\r\n" % spelling, body


# 1. Structure bombs (~700 KB of nesting, as found in review), every spelling.
for label, spelling in [("nest-lower", b"multipart/mixed"), ("nest-upper", b"MULTIPART/MIXED"),
                        ("nest-spaces", b" multipart / mixed"), ("nest-tabs", b"\tMultiPart\t/Alternative")]:
    write(label, *nest(spelling, 12000))
write("nest-payload", *nest(b"Multipart/Related", 300, b"z" * (8 << 20) + b"\r\n"))
parts = b"".join(b"--b\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n" for _ in range(150000))
write("part-bomb", b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n", parts + b"--b--\r\n")
write("header-bomb", b"".join(b"X-Filler-%d: y\r\n" % i for i in range(120000)), b"body after many headers\r\n")

# 2. Linear-time traps.
write("html-unclosed", b"Content-Type: text/html\r\n",
      b"<p>html trap</p>" + b"<script>" * 150000 + b"<a href=" * 100000 + b"<p" + b" " * 1000000)
write("long-line", b"Content-Type: text/plain\r\n",
      b"a" * 4000000 + b"@" + b"b" * 4000000 + b"\r\n" + b"a@a." * 500000 + b"\r\n")
write("comment-bomb", b"Content-Type: text/html\r\n", b"<!--" * 300000)

# 3. Forged senders.
write("forged-name-is-address", b"", b"the display name is an address\r\n",
      sender='"boss@corp.example" <evil@attacker.example>')
write("forged-undecodable", b"", b"an encoded word that cannot be decoded\r\n",
      sender="=?x-no-such-charset?q?Your_Bank?= <evil@attacker.example>")
write("forged-two-ats", b"", b"two at signs\r\n", sender="a@b@evil.example")
write("forged-encoded-angle", b"", b"an encoded address after the real one\r\n",
      sender="Real Person <real@x.example> =?utf-8?q?=3Cboss=40corp.example=3E?=")
write("forged-bidi", b"", b"a right-to-left override in the name\r\n",
      sender="=?utf-8?q?Alice=E2=80=AEelpmaxe=2Ekcab?= <evil@attacker.example>")

# 4. Markup where plain text belongs; links.
write("markup-names", b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=m\r\n",
      b"--m\r\nContent-Type: text/plain\r\n\r\nsee the attachment\r\n"
      b"--m\r\nContent-Type: application/pdf; name=\"<b>big</b><img src=http://tracker.example/x.gif>.pdf\"\r\n"
      b"Content-Disposition: attachment; filename=\"<b>big</b><img src=http://tracker.example/x.gif>.pdf\"\r\n"
      b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0x\r\n--m--\r\n",
      sender="=?utf-8?q?=3Cb=3EBold=3C/b=3E?= <bold@example.org>")
write("links", b"Content-Type: text/html\r\n",
      b'<p><a href="smb://attacker.example/share">smb link</a> <a href="file:///etc/passwd">file link</a> '
      b'<a href="jav&#x61;script:alert(1)">js link</a> <a href="https://attacker.example/login">https://bank.example/login</a> '
      b'<a href="https://ok.example/">fine link</a><img src="http://tracker.example/pixel.gif"></p>')

# 5. Broken encodings and structures.
write("bad-base64", b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n",
      b"!!!! not base64 at all ????\r\n")
write("unknown-charset", b"Content-Type: text/plain; charset=x-made-up\r\n", b"text in \xff\xfe an unknown charset\r\n")
write("truncated-multipart", b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=t\r\n",
      b"--t\r\nContent-Type: text/plain\r\n\r\ntruncated part text\r\n--t\r\nContent-Type: image/png\r\n"
      b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo")
write("no-boundary", b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n", b"--x\r\n\r\nno boundary parameter\r\n")
write("unknown-encoding", b"Content-Type: text/plain\r\nContent-Transfer-Encoding: x-rot13\r\n", b"shown as it is\r\n")
print(n)
