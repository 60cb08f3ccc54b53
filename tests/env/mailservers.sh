#!/usr/bin/env bash
# mailservers.sh -- private Dovecot 2.3 + Postfix 3.7 instances on loopback for Heron's tests.
#
#   mailservers.sh start DIR                 create DIR, certificates, configs; start both servers
#   mailservers.sh stop DIR                  stop both servers, kill leftovers (never fails)
#   mailservers.sh status DIR                exit 0 if every port of DIR accepts connections
#   mailservers.sh deliver DIR USER [-m MAILBOX] FILE...
#                                            save RFC 822 files into USER's INBOX (or MAILBOX)
#   mailservers.sh seed-demo DIR             ~40 realistic messages for alice, a few for bob
#   mailservers.sh make-bulk DIR USER COUNT  COUNT generated messages in USER's INBOX (Maildir)
#
# Everything lives in DIR; every listener is bound to 127.0.0.1 on ports picked at run time.
# After `start`, DIR/env (KEY=VALUE lines, sourceable, no quoting needed) and DIR/env.json hold:
#   HERON_TEST_DIR HERON_TEST_HOST HERON_TEST_DOMAIN HERON_TEST_CA HERON_TEST_SERVER_CERT
#   HERON_TEST_UNTRUSTED_CERT HERON_TEST_UNTRUSTED_KEY HERON_TEST_IMAP_PORT HERON_TEST_IMAPS_PORT
#   HERON_TEST_IMAPS_NOEXT_HOST/_PORT (the same Dovecot without MOVE, UIDPLUS, CONDSTORE, QRESYNC, ESEARCH, SPECIAL-USE)
#   HERON_TEST_POP3_PORT HERON_TEST_POP3S_PORT HERON_TEST_LMTP_PORT HERON_TEST_AUTH_PORT
#   HERON_TEST_SMTP_PORT HERON_TEST_SUBMISSION_PORT HERON_TEST_SUBMISSIONS_PORT
#   HERON_TEST_DOVECOT_CONF HERON_TEST_POSTFIX_CONF_DIR HERON_TEST_USERS
# Users: alice, bob, carol, dave, erin, frank, grace, heidi, ivan, judy @example.org, password "secret-<name>" (login as "alice" or
# "alice@example.org").
#
# Needs root (edits /etc/postfix/main.cf, starts servers that drop privileges, reads the keys)
# and Debian's dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl python3.
# Several instances (different DIRs) may run at the same time.
#
# Traps met on the way (see also shared notes test-servers.md) are explained where they bite.

set -euo pipefail

readonly PROG=${0##*/}
readonly DOMAIN=example.org
readonly USERS=(alice bob carol dave erin frank grace heidi ivan judy kim leo mia nora olga)
readonly MAIL_OS_USER=mail          # Dovecot refuses uid 0 for mail processes
readonly MARKER=.heron-mailservers  # marks a DIR this script owns (and may wipe)
readonly PF_MAIN=/etc/postfix/main.cf
readonly PF_LOCK=/run/lock/heron-mailservers-postfix.lock
readonly WAIT_SECS=20

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

need_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (Postfix alternate config + Dovecot privilege drop)"
}

need_tools() {
    local t
    for t in dovecot doveadm postfix postconf openssl python3 flock; do
        command -v "$t" >/dev/null 2>&1 || die "missing '$t' (run packaging/install-deps.sh)"
    done
    id "$MAIL_OS_USER" >/dev/null 2>&1 || die "system user '$MAIL_OS_USER' missing"
}

# Canonical absolute DIR.  Two traps make us strict about it:
#  * unix sockets are limited to 108 bytes; Dovecot puts sockets like
#    DIR/run/token-login/tokenlogin and Postfix DIR/pq/private/<service> there,
#    so a long DIR makes the servers fail with obscure errors;
#  * DIR/env is read by simple KEY=VALUE parsers too, so values must not need quoting.
canon_dir() {
    local d
    [ -n "${1:-}" ] || usage
    d=$(realpath -m -- "$1")
    [[ "$d" =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "DIR '$d' may contain only [A-Za-z0-9._/+-]"
    [ "${#d}" -le 70 ] || die "DIR '$d' is longer than 70 characters (unix socket path limit); use e.g. mktemp -d /tmp/heron-mail.XXXXXX"
    [ "$d" != / ] || die "refusing DIR=/"
    printf '%s\n' "$d"
}

# ---------------------------------------------------------------------------------------------
# Certificates: private CA -> server cert for localhost / 127.0.0.1, plus an unrelated self-signed
# certificate that no test trusts (for "bad certificate" failure tests).
# ---------------------------------------------------------------------------------------------
make_certs() {
    local dir=$1 ext
    ext=$dir/openssl-ext.cnf
    cat >"$ext" <<'EOF'
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:127.0.0.2
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
    (
        umask 077
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
            -keyout "$dir/ca.key" -out "$dir/ca.pem" \
            -subj "/O=Heron Test/CN=Heron Test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
        openssl req -new -newkey rsa:2048 -nodes -sha256 \
            -keyout "$dir/server.key" -out "$dir/server.csr" \
            -subj "/O=Heron Test/CN=localhost" >/dev/null 2>&1
        openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
            -CAcreateserial -days 3650 -sha256 \
            -extfile "$ext" -extensions server_ext -out "$dir/server.pem" >/dev/null 2>&1
        # The certificate Dovecot presents when a client names "localhost" in SNI
        # (local_name below): same CA and names, another key, so a test can tell
        # by its fingerprint whether the client sent SNI.
        openssl req -new -newkey rsa:2048 -nodes -sha256 \
            -keyout "$dir/sni.key" -out "$dir/sni.csr" \
            -subj "/O=Heron Test/CN=localhost (SNI)" >/dev/null 2>&1
        openssl x509 -req -in "$dir/sni.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
            -CAcreateserial -days 3650 -sha256 \
            -extfile "$ext" -extensions server_ext -out "$dir/sni.pem" >/dev/null 2>&1
        rm -f "$dir/server.csr" "$dir/sni.csr" "$dir/ca.srl"
        # Same names as the real one, but self-signed: chain verification must fail.
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
            -keyout "$dir/untrusted.key" -out "$dir/untrusted.pem" \
            -subj "/O=Nobody Trusts Me/CN=localhost" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >/dev/null 2>&1
    )
    # untrusted.key is worthless by design; readable so a non-root test can serve it
    chmod 0644 "$dir"/ca.pem "$dir"/server.pem "$dir"/sni.pem "$dir"/untrusted.pem "$dir"/untrusted.key
    rm -f "$ext"
    openssl verify -CAfile "$dir/ca.pem" "$dir/server.pem" >/dev/null ||
        die "generated server certificate does not verify against the CA"
}

# Free TCP ports on 127.0.0.1: all sockets are held open together so the N ports differ.
# (Another process may still grab one before the servers bind it; `start` retries then.)
pick_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

# wait_ports SECONDS PORT... : succeed when every port accepts a TCP connection
# (PORT on 127.0.0.1, or ADDRESS:PORT).
wait_ports() {
    python3 - "$@" <<'PY'
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[1])
pending = list(sys.argv[2:])
def address(p):
    host, _, port = p.rpartition(":")
    return (host or "127.0.0.1", int(port))
while pending and time.monotonic() < deadline:
    for p in list(pending):
        try:
            socket.create_connection(address(p), timeout=1).close()
            pending.remove(p)
        except OSError:
            pass
    if pending:
        time.sleep(0.1)
if pending:
    print("ports not accepting connections: " + " ".join(map(str, pending)), file=sys.stderr)
    sys.exit(1)
PY
}

# ---------------------------------------------------------------------------------------------
# Dovecot
# ---------------------------------------------------------------------------------------------
write_dovecot_conf() {
    local dir=$1 uid gid
    uid=$(id -u "$MAIL_OS_USER"); gid=$(id -g "$MAIL_OS_USER")
    # Dovecot 2.3 syntax trap: every "{" block must span several lines;
    # `inet_listener imap { port = 1 }` on one line is rejected.
    cat >"$dir/dovecot.conf" <<EOF
# Generated by tests/env/mailservers.sh -- private, loopback-only test instance.
# Run with: dovecot -c $dir/dovecot.conf ; doveadm -c $dir/dovecot.conf ...
base_dir = $dir/run
state_dir = $dir/dovecot-state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
shutdown_clients = yes

# Login processes refuse to run as root, mail processes refuse uid 0.
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = $uid
first_valid_gid = $gid

ssl = yes
ssl_cert = <$dir/server.pem
ssl_key = <$dir/server.key
# A client that sends SNI "localhost" gets sni.pem (see make_certs).
local_name localhost {
  ssl_cert = <$dir/sni.pem
  ssl_key = <$dir/sni.key
}
# Plaintext LOGIN/AUTH only over TLS.  Trap: Dovecot treats a connection whose client IP
# equals the server IP (127.0.0.1 -> 127.0.0.1) as "secured", so LOGINDISABLED is NOT
# advertised on the plain ports here; plaintext login works without STARTTLS from loopback.
disable_plaintext_auth = yes
auth_mechanisms = plain login
# Postfix's LMTP delivery and users logging in as alice@example.org both map to "alice".
auth_username_format = %Ln
auth_verbose = yes
# No delay after a wrong password: failure tests would be slow. Two knobs:
# auth_failure_delay (the fixed 2 s), and anvil's auth penalty, which holds
# back every login from the same address (all tests come from 127.0.0.1) for
# 4-15 s after a failed one, whoever fails: tests failing logins side by side
# would slow each other down past their waits. Real servers keep both; Heron
# itself keeps its failed attempts few (one SASL mechanism, one user name).
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/users
}
# Static userdb: every user is the system user "$MAIL_OS_USER"; existence is still checked
# against the passdb (allow_all_users defaults to no), so LMTP rejects unknown recipients.
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/mail/%u
}
mail_location = maildir:~/Maildir

namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

# Default is 10 per user+IP: parallel tests all come from 127.0.0.1.
protocol imap {
  mail_max_userip_connections = 200
}
protocol pop3 {
  mail_max_userip_connections = 200
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
  # The same server and mailboxes without the extensions (see "local" below):
  # the fallback paths of a client run against a real server there.
  inet_listener imaps_noext {
    address = 127.0.0.2
    port = $IMAPS_NOEXT_PORT
    ssl = yes
  }
}
local 127.0.0.2 {
  protocol imap {
    imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $POP3_PORT
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = $POP3S_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
# SASL for Postfix (smtpd_sasl_type = dovecot, smtpd_sasl_path = inet:127.0.0.1:PORT).
service auth {
  inet_listener auth-client {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
EOF
}

start_dovecot() {
    local dir=$1
    # Dovecot daemonises; a config error is reported on stderr with a non-zero exit.
    dovecot -c "$dir/dovecot.conf" 2>>"$dir/dovecot.log" || {
        log "dovecot failed to start"
        return 1
    }
}

# ---------------------------------------------------------------------------------------------
# Postfix
# ---------------------------------------------------------------------------------------------

# Postfix honours a non-default config directory (`postfix -c DIR`, MAIL_CONFIG, sendmail -C)
# from untrusted (non-root) callers only if DIR is listed in alternate_config_directories of
# the *default* /etc/postfix/main.cf.  (Measured with 3.7.11: root's `postfix -c DIR start`
# works without it, but postqueue/sendmail/postdrop run by a non-root test would not.)
# Parallel instances each add their own entry (never replace), under a lock because
# postconf -e rewrites main.cf; stop removes the entry again.  Entries whose directory no
# longer exists are pruned on the way (crashed earlier runs).
pf_edit_alternates() {
    local action=$1 entry=$2
    mkdir -p "$(dirname "$PF_LOCK")"
    (
        flock -w 30 9 || die "cannot lock $PF_LOCK"
        [ -f "$PF_MAIN" ] || : >"$PF_MAIN"   # "No configuration" installs have no main.cf
        local cur old=() new=() e
        cur=$(postconf -c /etc/postfix -h alternate_config_directories 2>/dev/null || true)
        read -r -a old <<<"${cur//,/ }"
        for e in "${old[@]}"; do
            [ "$e" = "$entry" ] && continue
            [ -d "$e" ] || continue
            new+=("$e")
        done
        [ "$action" = add ] && new+=("$entry")
        if [ "${new[*]}" != "${old[*]}" ]; then
            postconf -c /etc/postfix -e "alternate_config_directories = ${new[*]}"
        fi
    ) 9>"$PF_LOCK"
}

write_postfix_conf() {
    local dir=$1 pf=$1/postfix
    mkdir -p "$pf" "$dir/pq"
    install -d -o postfix -g postfix -m 0700 "$dir/pdata"
    # Recipients that exist; anything else @example.org is rejected at RCPT time.
    local u
    : >"$pf/vmailbox"
    for u in "${USERS[@]}"; do printf '%s@%s OK\n' "$u" "$DOMAIN" >>"$pf/vmailbox"; done
    printf 'postmaster@%s OK\n' "$DOMAIN" >>"$pf/vmailbox"

    cat >"$pf/main.cf" <<EOF
# Generated by tests/env/mailservers.sh -- private, loopback-only test instance.
compatibility_level = 3.6
queue_directory = $dir/pq
data_directory = $dir/pdata
mail_owner = postfix
setgid_group = postdrop

# Trap: there is no syslog daemon here.  Without maillog_file (+ its folder in
# maillog_file_prefixes + the postlog service in master.cf) Postfix exits 1 silently.
maillog_file = $dir/postfix.log
maillog_file_prefixes = $dir

myhostname = mail.heron.test
mydomain = heron.test
myorigin = \$myhostname
mydestination =
relay_domains =
mynetworks = 127.0.0.1/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
biff = no
append_dot_mydomain = no
smtputf8_enable = yes
recipient_delimiter = +
smtpd_banner = \$myhostname ESMTP Heron test Postfix

# Everything for example.org goes to Dovecot over LMTP; nothing is relayed anywhere else
# (authenticated mail to other domains is accepted and then bounced by the error transport).
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$pf/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
default_transport = error:5.7.1 the Heron test environment delivers only to $DOMAIN
relay_transport = \$default_transport
lmtp_host_lookup = native
smtp_host_lookup = native

smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_error_sleep_time = 0
delay_warning_time = 0

smtpd_tls_cert_file = $dir/server.pem
smtpd_tls_key_file = $dir/server.key
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_sasl_auth_enable = no
smtpd_tls_auth_only = yes
EOF

    # chroot column is "n" everywhere: the chroot would need copies of /etc files.
    cat >"$pf/master.cf" <<EOF
# Generated by tests/env/mailservers.sh
# service type  private unpriv  chroot  wakeup  maxproc command + args
# plain port: unauthenticated, accepts mail for $DOMAIN only (an MX, in effect)
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
# submission: STARTTLS required, then SASL
127.0.0.1:$SUBMISSION_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
# submissions: implicit TLS (wrapper mode), then SASL
127.0.0.1:$SUBMISSIONS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

start_postfix() {
    local dir=$1
    pf_edit_alternates add "$dir/postfix"
    postfix -c "$dir/postfix" start >>"$dir/postfix-start.log" 2>&1 || {
        log "postfix failed to start (see $dir/postfix-start.log and $dir/postfix.log)"
        return 1
    }
}

# ---------------------------------------------------------------------------------------------
# Process bookkeeping
# ---------------------------------------------------------------------------------------------

# PIDs of Dovecot/Postfix processes that belong to DIR: the command line, environment
# (Postfix passes MAIL_CONFIG=DIR/postfix to every child), working directory or root
# (Dovecot children chdir/chroot into base_dir) mention DIR/.
instance_pids() {
    local dir=$1 p exe
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case $exe in
            /usr/sbin/dovecot|/usr/lib/dovecot/*|/usr/lib/postfix/*|/usr/sbin/post*) ;;
            *) continue ;;
        esac
        if tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF -- "$dir/" ||
           tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF -- "MAIL_CONFIG=$dir/postfix" ||
           [[ "$(readlink "$p/cwd" 2>/dev/null)/" == "$dir/"* ]] ||
           [[ "$(readlink "$p/root" 2>/dev/null)/" == "$dir/"* ]]; then
            printf '%s\n' "${p#/proc/}"
        fi
    done
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

wait_gone() {  # wait_gone SECONDS PID...
    local deadline=$((SECONDS + $1)) p; shift
    for p in "$@"; do
        while pid_alive "$p" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
    done
}

stop_instance() {
    local dir=$1 dpid="" ppid="" pids
    [ -f "$dir/run/master.pid" ] && dpid=$(cat "$dir/run/master.pid" 2>/dev/null || true)
    [ -f "$dir/pq/pid/master.pid" ] && ppid=$(tr -d ' ' <"$dir/pq/pid/master.pid" 2>/dev/null || true)

    # Both masters take ~2 s to wind down, so stop them concurrently
    # (doveadm stop blocks until Dovecot's master has exited).
    if [ -f "$dir/dovecot.conf" ] && pid_alive "$dpid"; then
        { doveadm -c "$dir/dovecot.conf" stop >/dev/null 2>&1 || kill "$dpid" 2>/dev/null || true; } &
    fi
    if [ -f "$dir/postfix/main.cf" ] && pid_alive "$ppid"; then
        # (re-)register first, unregister only afterwards: see pf_edit_alternates
        pf_edit_alternates add "$dir/postfix"
        postfix -c "$dir/postfix" stop >/dev/null 2>&1 || kill "$ppid" 2>/dev/null || true
    fi
    wait_gone 10 $dpid $ppid
    wait   # the background doveadm

    # Leftovers (master killed hard, a child that lingers, a half-started instance).
    pids=$(instance_pids "$dir")
    if [ -n "$pids" ]; then
        kill $pids 2>/dev/null || true
        wait_gone 5 $pids
        pids=$(instance_pids "$dir")
        [ -z "$pids" ] || { kill -9 $pids 2>/dev/null || true; wait_gone 5 $pids; }
    fi
    pf_edit_alternates remove "$dir/postfix"
    rm -f "$dir/run/master.pid" "$dir/pq/pid/master.pid"
}

show_logs() {
    local dir=$1 f
    for f in dovecot.log postfix.log postfix-start.log; do
        [ -s "$dir/$f" ] || continue
        printf '\n===== tail of %s =====\n' "$dir/$f" >&2
        tail -n 30 "$dir/$f" >&2
    done
}

write_env() {
    local dir=$1 kv
    kv=(
        "HERON_TEST_DIR=$dir"
        "HERON_TEST_HOST=127.0.0.1"
        "HERON_TEST_DOMAIN=$DOMAIN"
        "HERON_TEST_USERS=$(IFS=,; echo "${USERS[*]}")"
        "HERON_TEST_CA=$dir/ca.pem"
        "HERON_TEST_SERVER_CERT=$dir/server.pem"
        "HERON_TEST_UNTRUSTED_CERT=$dir/untrusted.pem"
        "HERON_TEST_UNTRUSTED_KEY=$dir/untrusted.key"
        "HERON_TEST_IMAP_PORT=$IMAP_PORT"
        "HERON_TEST_IMAPS_PORT=$IMAPS_PORT"
        "HERON_TEST_IMAPS_NOEXT_HOST=127.0.0.2"
        "HERON_TEST_IMAPS_NOEXT_PORT=$IMAPS_NOEXT_PORT"
        "HERON_TEST_POP3_PORT=$POP3_PORT"
        "HERON_TEST_POP3S_PORT=$POP3S_PORT"
        "HERON_TEST_LMTP_PORT=$LMTP_PORT"
        "HERON_TEST_AUTH_PORT=$AUTH_PORT"
        "HERON_TEST_SMTP_PORT=$SMTP_PORT"
        "HERON_TEST_SUBMISSION_PORT=$SUBMISSION_PORT"
        "HERON_TEST_SUBMISSIONS_PORT=$SUBMISSIONS_PORT"
        "HERON_TEST_DOVECOT_CONF=$dir/dovecot.conf"
        "HERON_TEST_POSTFIX_CONF_DIR=$dir/postfix"
    )
    {
        echo "# Generated by tests/env/mailservers.sh start; source it (set -a; . FILE; set +a)."
        printf '%s\n' "${kv[@]}"
    } >"$dir/env.tmp"
    mv "$dir/env.tmp" "$dir/env"
    python3 - "${kv[@]}" >"$dir/env.json.tmp" <<'PY'
import json, sys
out = {}
for kv in sys.argv[1:]:
    k, v = kv.split("=", 1)
    out[k] = int(v) if k.endswith("_PORT") else v
print(json.dumps(out, indent=2))
PY
    mv "$dir/env.json.tmp" "$dir/env.json"
}

load_env() {
    local dir=$1
    [ -f "$dir/env" ] || die "$dir/env missing: run '$PROG start $dir' first"
    set -a
    # shellcheck disable=SC1091
    . "$dir/env"
    set +a
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------
cmd_start() {
    local dir attempt ports u
    dir=$(canon_dir "${1:-}")
    need_root; need_tools

    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        [ -f "$dir/$MARKER" ] || die "$dir exists, is not empty and was not made by $PROG"
        log "reusing $dir: stopping and wiping the previous instance"
        stop_instance "$dir"
        find "$dir" -mindepth 1 -delete
    fi
    mkdir -p "$dir"
    # mktemp -d makes 0700; dovenull/dovecot/mail/postfix must traverse it.
    chmod 0755 "$dir"
    : >"$dir/$MARKER"

    make_certs "$dir"
    (
        umask 077
        for u in "${USERS[@]}"; do printf '%s:{PLAIN}secret-%s::::::\n' "$u" "$u"; done >"$dir/users"
    )
    chown root:dovecot "$dir/users"; chmod 0640 "$dir/users"
    install -d -o "$MAIL_OS_USER" -g "$MAIL_OS_USER" -m 0700 "$dir/mail"

    for attempt in 1 2 3; do
        ports=$(pick_ports 10)
        read -r IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT LMTP_PORT AUTH_PORT \
                SMTP_PORT SUBMISSION_PORT SUBMISSIONS_PORT IMAPS_NOEXT_PORT <<<"$ports"
        ports="${ports% *} 127.0.0.2:$IMAPS_NOEXT_PORT"
        write_dovecot_conf "$dir"
        write_postfix_conf "$dir"
        : >"$dir/postfix-start.log"
        if start_dovecot "$dir" && start_postfix "$dir" &&
           wait_ports "$WAIT_SECS" $ports 2>>"$dir/postfix-start.log"; then
            write_env "$dir"
            log "started in $dir (imap $IMAP_PORT imaps $IMAPS_PORT pop3 $POP3_PORT pop3s $POP3S_PORT" \
                "smtp $SMTP_PORT submission $SUBMISSION_PORT submissions $SUBMISSIONS_PORT lmtp $LMTP_PORT)"
            log "environment: $dir/env ($dir/env.json)"
            return 0
        fi
        stop_instance "$dir"
        # A port picked above may have been taken by someone else in the meantime: retry.
        if grep -qsi 'address already in use' "$dir/dovecot.log" "$dir/postfix.log" &&
           [ "$attempt" -lt 3 ]; then
            log "port collision, retrying with new ports"
            : >"$dir/dovecot.log"; : >"$dir/postfix.log"
            continue
        fi
        break
    done
    show_logs "$dir"
    die "mail servers in $dir did not start"
}

cmd_stop() {
    local dir
    dir=$(canon_dir "${1:-}")
    need_root
    if [ -d "$dir" ]; then
        stop_instance "$dir" || true
    else
        pf_edit_alternates remove "$dir/postfix" || true
    fi
    return 0
}

cmd_status() {
    local dir
    dir=$(canon_dir "${1:-}")
    load_env "$dir"
    wait_ports 0.5 "$HERON_TEST_IMAP_PORT" "$HERON_TEST_IMAPS_PORT" "$HERON_TEST_POP3_PORT" \
        "$HERON_TEST_POP3S_PORT" "$HERON_TEST_LMTP_PORT" "$HERON_TEST_AUTH_PORT" \
        "$HERON_TEST_SMTP_PORT" "$HERON_TEST_SUBMISSION_PORT" "$HERON_TEST_SUBMISSIONS_PORT"
}

dadm() { doveadm -c "$HERON_TEST_DOVECOT_CONF" "$@"; }

# Filesystem path of a mailbox (creates and subscribes it first if needed).
mailbox_dir() {
    local user=$1 box=$2
    if ! dadm mailbox status -u "$user" messages "$box" >/dev/null 2>&1; then
        dadm mailbox create -u "$user" -s "$box" >/dev/null
    fi
    dadm mailbox path -u "$user" "$box"
}

cmd_deliver() {
    local dir user box=INBOX f n=0
    need_root
    dir=$(canon_dir "${1:-}"); user=${2:-}
    [ -n "$user" ] || usage
    shift 2
    if [ "${1:-}" = -m ]; then box=${2:?missing mailbox}; shift 2; fi
    [ $# -gt 0 ] || usage
    load_env "$dir"
    [ "$box" = INBOX ] || mailbox_dir "$user" "$box" >/dev/null
    # doveadm save goes through Dovecot's mail storage (runs as the mail user, updates the
    # index, wakes IDLE clients).  INTERNALDATE becomes "now".
    for f in "$@"; do
        [ -f "$f" ] || die "no such file: $f"
        dadm save -u "$user" -m "$box" <"$f"
        n=$((n + 1))
    done
    log "delivered $n message(s) to $user/$box"
}

# Writes Maildir files directly (tmp/ then rename into cur/, flags in the name, mtime =
# INTERNALDATE) and lets Dovecot index them.  Dovecot assigns UIDs to new files ordered by the
# timestamp at the start of the name, so the names carry the message date.
#   python3 -c GEN  MAIL_UID MAIL_GID  user/folder=path ...
SEED_PY=$(cat <<'PY'
import base64, datetime, email.policy, email.utils, os, random, struct, sys, zlib
from email.message import EmailMessage
from email.headerregistry import Address

uid, gid = int(sys.argv[1]), int(sys.argv[2])
paths = dict(a.split("=", 1) for a in sys.argv[3:])
# Trap: do not setuid() to the mail user here -- python3 may live under /root (pyenv) and
# lazily imported stdlib modules then fail with ModuleNotFoundError.  fchown each file instead.
os.umask(0o077)

rnd = random.Random(1234)
NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
POL = email.policy.default.clone(linesep="\n", max_line_length=78)
TZ = {"de": datetime.timezone(datetime.timedelta(hours=1)),
      "jp": datetime.timezone(datetime.timedelta(hours=9)),
      "us": datetime.timezone(datetime.timedelta(hours=-5)),
      "utc": datetime.timezone.utc}

def when(days_ago, tz="de"):
    t = NOW - datetime.timedelta(days=days_ago, hours=rnd.randint(0, 9), minutes=rnd.randint(0, 59))
    return t.astimezone(TZ[tz])

ALICE = Address("Alice Example", "alice", "example.org")
BOB = Address("Bob Builder", "bob", "example.org")
CAROL = Address("Carol Jones", "carol", "example.org")
DAVE = Address("Dave Miller", "dave", "example.net")
JUERGEN = Address("Jürgen Müller", "juergen.mueller", "example.de")
YAMADA = Address("山田太郎", "yamada", "example.jp")
FRANCOIS = Address("François Dupont", "francois", "example.fr")

counter = 0
def store(folder, raw, date, flags=""):
    global counter
    counter += 1
    d = paths[folder]
    ts = int(date.timestamp())
    base = "%d.M%06dP%d.heron-seed" % (ts, counter, os.getpid())
    tmp = os.path.join(d, "tmp", base)
    with open(tmp, "wb") as f:
        f.write(raw)
        os.fchown(f.fileno(), uid, gid)
    os.utime(tmp, (ts, ts))
    # S= physical size, W= size with CRLF line ends: Dovecot then need not read the file for them
    os.rename(tmp, os.path.join(d, "cur", "%s,S=%d,W=%d:2,%s"
                                % (base, len(raw), len(raw) + raw.count(b"\n"), "".join(sorted(flags)))))

def msgid(tag):
    return "<%s.%d@example.org>" % (tag, abs(hash(tag)) % 10**8)

def mk(frm, to, subject, date, text=None, cc=None, mid=None, reply_to_msg=None, **kw):
    m = EmailMessage(policy=POL)
    m["From"] = frm
    m["To"] = to
    if cc: m["Cc"] = cc
    if subject is not None: m["Subject"] = subject
    m["Date"] = email.utils.format_datetime(date)
    m["Message-ID"] = mid or email.utils.make_msgid(domain=str(frm.domain) if isinstance(frm, Address) else "example.org")
    if reply_to_msg is not None:
        m["In-Reply-To"] = reply_to_msg["Message-ID"]
        refs = (reply_to_msg.get("References", "") + " " + reply_to_msg["Message-ID"]).split()
        m["References"] = " ".join(refs)
    if text is not None:
        m.set_content(text, **kw)
    return m

def put(folder, m, flags=""):
    date = email.utils.parsedate_to_datetime(m["Date"])
    store(folder, m.as_bytes(policy=POL), date, flags)

def tiny_png(w=16, h=16, rgb=(0x2b, 0x6c, 0xb0)):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

def tiny_pdf(text):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    stream = b"BT /F1 18 Tf 72 770 Td (" + text.encode("latin-1") + b") Tj ET"
    objs[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = b"%PDF-1.4\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out

# ---------------------------------------------------------------- alice: the release thread
t1 = mk(BOB, ALICE, "Heron 0.1 release planning", when(20), cc=CAROL, text=
"""Hi Alice,

I think we are close to a first release. Open points from my side:

 * IMAP IDLE reconnect after suspend
 * the folder tree does not remember its collapsed state
 * packaging for Debian

Could you take the IDLE issue? I can do the packaging.

Cheers,
Bob
""")
put("alice/INBOX", t1, "S")
t2 = mk(ALICE, BOB, "Re: Heron 0.1 release planning", when(19), cc=CAROL, reply_to_msg=t1, text=
"""Hi Bob,

On %s, Bob Builder wrote:
> I think we are close to a first release. Open points from my side:
>
>  * IMAP IDLE reconnect after suspend
>  * the folder tree does not remember its collapsed state
>  * packaging for Debian
>
> Could you take the IDLE issue? I can do the packaging.

Yes, I'll take IDLE. The folder tree state is a small fix, I'll do it too.

Alice
""" % t1["Date"])
put("alice/Sent", t2, "S")
t3 = mk(CAROL, ALICE, "Re: Heron 0.1 release planning", when(18), cc=BOB, reply_to_msg=t2, text=
"""Carol here.

> Yes, I'll take IDLE. The folder tree state is a small fix, I'll do it too.

Great. I will write the release notes.

>> Could you take the IDLE issue? I can do the packaging.
>
> Yes, I'll take IDLE.

Let's aim for the end of the month.

-- 
Carol Jones
Heron project
""")
put("alice/INBOX", t3, "S")
t4 = mk(BOB, ALICE, "Re: Heron 0.1 release planning", when(17), cc=CAROL, reply_to_msg=t3, text=
"""> Let's aim for the end of the month.

Fine with me. Packages build now on Debian 12, see the CI run.

Bob
""")
put("alice/INBOX", t4, "SR")
t5 = mk(DAVE, ALICE, "Re: Heron 0.1 release planning", when(2, "us"), cc=[BOB, CAROL], reply_to_msg=t4, text=
"""Sorry for joining late -- is there a date now? I'd like to announce it on the list.

> Fine with me. Packages build now on Debian 12, see the CI run.

Dave
""")
put("alice/INBOX", t5, "")

# ---------------------------------------------------------------- international mail
m = mk(JUERGEN, ALICE, "Grüße aus München – Terminabstimmung für Donnerstag", when(30), text=
"""Hallo Alice,

vielen Dank für deine schnelle Rückmeldung! Können wir das Gespräch auf
Donnerstag, 14:30 Uhr verschieben? Die Größe der Präsentation ist übrigens
kein Problem – ich schicke sie vorab.

Schöne Grüße aus München
Jürgen Müller
""", charset="utf-8", cte="quoted-printable")
put("alice/INBOX", m, "S")

m = mk(YAMADA, ALICE, "会議の件について（来週の予定）", when(25, "jp"), text=
"""アリスさん

いつもお世話になっております。山田です。
来週の会議は水曜日の午後三時からでよろしいでしょうか。
資料は前日までにお送りいたします。

よろしくお願いいたします。
山田太郎
""", charset="utf-8", cte="base64")
put("alice/INBOX", m, "S")

# Legacy Japanese mail: ISO-2022-JP, encoded-words written by hand.
jp_subj = "=?ISO-2022-JP?B?%s?=" % base64.b64encode("見積書送付のお知らせ".encode("iso2022_jp")).decode()
jp_from = "=?ISO-2022-JP?B?%s?=" % base64.b64encode("佐藤花子".encode("iso2022_jp")).decode()
jp_body = "アリス様\n\n見積書をお送りいたします。\nご確認のほど、よろしくお願い申し上げます。\n\n佐藤花子\n"
d = when(24, "jp")
raw = ("From: %s <hanako.sato@example.jp>\nTo: alice@example.org\nSubject: %s\nDate: %s\n"
       "Message-ID: <iso2022.%d@example.jp>\nMIME-Version: 1.0\n"
       "Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"
       % (jp_from, jp_subj, email.utils.format_datetime(d), int(d.timestamp()))).encode() \
      + jp_body.encode("iso2022_jp")
store("alice/INBOX", raw, d, "")

# Latin-1, quoted-printable, hand-written ISO-8859-1 encoded-words.
d = when(40)
raw = ("From: =?ISO-8859-1?Q?Fran=E7ois_Dupont?= <francois@example.fr>\nTo: Alice Example <alice@example.org>\n"
       "Subject: =?ISO-8859-1?Q?R=E9union_de_l'=E9quipe_=E0_Orl=E9ans?=\nDate: %s\n"
       "Message-ID: <latin1.%d@example.fr>\nMIME-Version: 1.0\n"
       "Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
       % (email.utils.format_datetime(d), int(d.timestamp()))).encode()
import quopri
raw += quopri.encodestring("Bonjour Alice,\n\nLa réunion de l'équipe aura lieu à Orléans, salle « Héron », "
                           "à 10h. N'oubliez pas vos notes ; le café sera prêt.\n\nÀ bientôt,\nFrançois\n"
                           .encode("iso-8859-1"))
store("alice/INBOX", raw, d, "SF")

m = mk(FRANCOIS, ALICE, "Café ☕ et croissants demain ?", when(3), text="Salut ! On se voit à 9h au café ?\n\nFrançois\n",
       charset="utf-8", cte="8bit")
put("alice/INBOX", m, "")

m = mk(Address("Partyplanung", "party", "example.de"), ALICE, "🎉 Party on Friday – bring friends! 🎈", when(5),
       text="Hi Alice,\n\nparty at 8 pm on the roof terrace. 🍕 and 🍺 provided.\n\nSee you!\n")
put("alice/INBOX", m, "SF")

# base64 body, plain ASCII/UTF-8 text
m = mk(DAVE, ALICE, "Meeting notes (base64 body)", when(12, "us"), text=
       "Notes from today's call:\n\n1. Search index: evaluate Xapian vs. SQLite FTS5.\n"
       "2. Threading: follow RFC 5256 REFERENCES.\n3. Next call in two weeks.\n", charset="utf-8", cte="base64")
put("alice/INBOX", m, "S")

# ---------------------------------------------------------------- HTML newsletter, remote + cid image
d = when(8, "utc")
nl = mk(Address("The Weekly Feather", "news", "newsletter.example.com"), ALICE,
        "The Weekly Feather #42: herons, hawks and HTML mail", d)
nl["List-Id"] = "The Weekly Feather <weekly.newsletter.example.com>"
nl["List-Unsubscribe"] = "<https://newsletter.example.com/unsubscribe?u=alice>, <mailto:unsubscribe@newsletter.example.com>"
nl["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
nl.set_content("The Weekly Feather #42\n\nThis week: why herons stand on one leg.\n"
               "Read online: https://newsletter.example.com/42\n")
html = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>The Weekly Feather</title>
<style>body{font-family:sans-serif} .box{border:1px solid #2b6cb0;padding:8px}</style></head>
<body>
<h1 style="color:#2b6cb0">The Weekly Feather #42</h1>
<p><img src="cid:logo@feather" alt="Feather logo" width="16" height="16"> Welcome back, Alice!</p>
<div class="box"><p>This week: <b>why herons stand on one leg</b> &mdash; and other mysteries.</p>
<p><a href="https://newsletter.example.com/42?utm_source=mail">Read the full story</a></p></div>
<script>document.write('tracking');</script>
<p style="font-size:small">You receive this because you subscribed.
<a href="https://newsletter.example.com/unsubscribe?u=alice">Unsubscribe</a></p>
<img src="http://tracker.example.invalid/pixel.png" width="1" height="1" alt="">
</body></html>
"""
nl.add_alternative(html, subtype="html")
nl.get_payload()[1].add_related(tiny_png(), maintype="image", subtype="png", cid="<logo@feather>",
                                filename="logo.png", disposition="inline")
put("alice/INBOX", nl, "")

m = mk(Address("Shop Example", "orders", "shop.example.com"), ALICE, "Your order #10293 has shipped", when(15))
m.set_content("<html><body><h2>Good news!</h2><p>Your order <b>#10293</b> is on its way.</p>"
              "<table border=1><tr><th>Item</th><th>Qty</th></tr><tr><td>Heron mug</td><td>2</td></tr></table>"
              "<img src=\"https://shop.example.com/track.gif\" width=1 height=1></body></html>\n", subtype="html")
put("alice/INBOX", m, "S")

# ---------------------------------------------------------------- attachments
m = mk(CAROL, ALICE, "Quarterly report and meeting notes", when(10), text=
       "Hi Alice,\n\nattached are the quarterly report (PDF) and my notes (text).\n\nCarol\n")
m.add_attachment(tiny_pdf("Heron quarterly report Q3"), maintype="application", subtype="pdf",
                 filename="quarterly-report.pdf")
m.add_attachment("Meeting notes\n=============\n\n- ship 0.1\n- write docs\n", filename="notes.txt")
put("alice/INBOX", m, "SF")

m = mk(JUERGEN, ALICE, "Übersicht der Änderungen", when(9), text="Anbei die Übersicht.\n\nJürgen\n")
m.add_attachment("Änderungen:\n- Größere Schrift\n- Neue Übersetzungen\n", charset="utf-8",
                 cte="quoted-printable", filename="Übersicht Änderungen.txt")   # RFC 2231 name
put("alice/INBOX", m, "S")

m = mk(BOB, ALICE, "Screenshot of the new message list", when(6), text="See attached screenshot (tiny, I know).\n")
m.add_attachment(tiny_png(64, 40, (0xe0, 0xe0, 0xe0)), maintype="image", subtype="png", filename="screenshot.png")
put("alice/INBOX", m, "")

inner = mk(DAVE, BOB, "Conference travel", when(14, "us"), text="Bob, the hotel is booked for 3 nights.\n")
m = mk(BOB, ALICE, "Fwd: Conference travel", when(13), text="FYI, forwarded below.\n\nBob\n")
m.add_attachment(inner, filename="Conference travel.eml")
put("alice/INBOX", m, "S")

d = when(4)
cal = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Heron//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
       "UID:heron-standup@example.org\r\nDTSTAMP:20240101T090000Z\r\nDTSTART:20240110T090000Z\r\n"
       "DTEND:20240110T091500Z\r\nSUMMARY:Heron stand-up\r\nORGANIZER:mailto:carol@example.org\r\n"
       "ATTENDEE;RSVP=TRUE:mailto:alice@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
m = mk(CAROL, ALICE, "Invitation: Heron stand-up", d, text="You are invited to the Heron stand-up.\n")
m.add_alternative(cal, subtype="calendar", params={"method": "REQUEST"})
put("alice/INBOX", m, "")

# ---------------------------------------------------------------- notifications, lists, misc
for i, (days, status) in enumerate([(33, "passed"), (27, "failed"), (16, "passed"), (1, "failed")]):
    m = mk(Address("Heron CI", "ci", "builds.example.com"), ALICE,
           "[heron] Pipeline #%d %s on main" % (1200 + i * 17, status), when(days, "utc"),
           text="Pipeline #%d %s.\n\nCommit: %07x\nDuration: %d min\n\nhttps://builds.example.com/heron/%d\n"
                % (1200 + i * 17, status, rnd.getrandbits(28), rnd.randint(4, 19), 1200 + i * 17))
    m["Auto-Submitted"] = "auto-generated"
    put("alice/INBOX", m, "S" if days > 2 else "")

lst = Address("heron-dev list", "heron-dev", "lists.example.org")
root = None
for i, (who, days, text) in enumerate([
        (DAVE, 45, "Has anyone tried Heron with a 100k-message mailbox?\n"),
        (BOB, 44, "> Has anyone tried Heron with a 100k-message mailbox?\n\nYes, loads in about two seconds here.\n"),
        (CAROL, 43, "> Yes, loads in about two seconds here.\n\nSame here, with CONDSTORE it resyncs instantly.\n")]):
    m = mk(who, lst, ("Re: " if i else "") + "Large mailboxes", when(days), reply_to_msg=root, text=text)
    m["List-Id"] = "Heron development <heron-dev.lists.example.org>"
    m["List-Post"] = "<mailto:heron-dev@lists.example.org>"
    put("alice/INBOX", m, "S")
    root = m

m = mk(DAVE, ALICE, None, when(22, "us"), text="(no subject, just a quick hello)\n")
put("alice/INBOX", m, "S")

m = mk(CAROL, [ALICE, BOB, DAVE], "A deliberately long subject line that goes on and on to test folding of "
       "header fields and elision in the message list of a mail client", when(11),
       cc=[JUERGEN, FRANCOIS], text="Long subject, many recipients.\n")
put("alice/INBOX", m, "S")

long_text = "\n\n".join(
    "Paragraph %d. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
    "ullamco laboris nisi ut aliquip ex ea commodo consequat." % (i + 1) for i in range(60))
m = mk(DAVE, ALICE, "Design document draft (long)", when(35, "us"), text=long_text + "\n")
put("alice/INBOX", m, "SF")

fillers = [
    (BOB, "Lunch tomorrow?", "Pizza or sushi?\n"),
    (CAROL, "Docs review", "I left comments on the user guide.\n"),
    (DAVE, "Question about folder sync", "Does Heron sync folders in the background?\n"),
    (Address("Bank Example", "noreply", "bank.example.com"), "Your monthly statement is ready", "Log in to view it.\n"),
    (Address("Calendar", "calendar", "example.org"), "Reminder: dentist at 10:00", "Don't forget.\n"),
    (BOB, "Build machine is back", "The build box is up again after the disk swap.\n"),
    (CAROL, "Holiday plans", "I am away the first two weeks of next month.\n"),
    (DAVE, "Keyboard shortcuts", "Could we get j/k navigation in the message list?\n"),
    (JUERGEN, "Übersetzung ins Deutsche", "Die deutsche Übersetzung ist zu 90 % fertig.\n"),
    (BOB, "Re: Lunch tomorrow?", "Sushi it is.\n"),
    (CAROL, "Bug: attachment names with umlauts", "Filenames like Übersicht.txt show as garbage in 0.0.9.\n"),
    (DAVE, "Thanks!", "Thanks for the quick fix.\n"),
    (Address("Security Team", "security", "example.org"), "Password policy update", "Please rotate your password.\n"),
    (BOB, "Coffee machine", "It's broken. Again.\n"),
]
for i, (who, subj, text) in enumerate(fillers):
    days = 58 - i * 4
    flags = "S" if days > 6 else ""
    if i % 5 == 2: flags += "F"
    put("alice/INBOX", mk(who, ALICE, subj, when(days), text=text), flags)

# today's unread mail
put("alice/INBOX", mk(BOB, ALICE, "Standup moved to 10:30", when(0), text="Moved by 30 minutes today.\n"), "")
put("alice/INBOX", mk(CAROL, ALICE, "Release notes draft", when(0), text="Draft is in the wiki.\n"), "F")

# ---------------------------------------------------------------- other folders of alice
put("alice/Archive", mk(BOB, ALICE, "Old: server migration done", when(59), text="All mail moved.\n"), "S")
put("alice/Archive", mk(CAROL, ALICE, "Old: team offsite photos", when(55), text="Photos are on the share.\n"), "S")
put("alice/Archive", mk(JUERGEN, ALICE, "Alte Rechnung März", when(50), text="Die Rechnung ist bezahlt.\n"), "SF")

p1 = mk(BOB, ALICE, "[Heron] IMAP IDLE design", when(38), text="Proposal: one IDLE connection per account, NOOP fallback.\n")
put("alice/Projects/Heron", p1, "S")
p2 = mk(ALICE, BOB, "Re: [Heron] IMAP IDLE design", when(37), reply_to_msg=p1,
        text="> Proposal: one IDLE connection per account, NOOP fallback.\n\nAgreed; reconnect with backoff.\n")
put("alice/Projects/Heron", p2, "S")
put("alice/Projects/Heron", mk(CAROL, ALICE, "[Heron] Icon ideas", when(21), text="A heron silhouette in blue?\n"), "SF")
put("alice/Projects/Heron", mk(DAVE, ALICE, "[Heron] Packaging for Fedora", when(7, "us"), text="Who owns the spec file?\n"), "")

put("alice/Sent", mk(ALICE, CAROL, "Docs review", when(26), text="Carol, could you review the user guide?\n"), "S")
dr = mk(ALICE, DAVE, "Draft: answer about background sync", when(1), text="Hi Dave,\n\nyes, Heron syncs\n")
put("alice/Drafts", dr, "SD")

# ---------------------------------------------------------------- bob
put("bob/INBOX", mk(ALICE, BOB, "Welcome to the team", when(57), text="Welcome aboard, Bob!\n"), "S")
put("bob/INBOX", t2, "S")
put("bob/INBOX", mk(CAROL, BOB, "Packaging checklist", when(16), text="1. lintian clean\n2. man page\n"), "F")
put("bob/INBOX", mk(JUERGEN, BOB, "Grüße", when(6), text="Schöne Grüße!\n"), "")
put("bob/INBOX", mk(DAVE, BOB, "Conference travel", when(14, "us"), text="Bob, the hotel is booked for 3 nights.\n"), "S")

print(counter)
PY
)

cmd_seed_demo() {
    local dir args=() spec user box n
    need_root
    dir=$(canon_dir "${1:-}")
    load_env "$dir"
    if [ -f "$dir/.seeded-demo" ]; then
        log "demo messages already seeded in $dir (remove $dir/.seeded-demo to seed again)"
        return 0
    fi
    for spec in alice/INBOX alice/Sent alice/Drafts alice/Archive alice/Projects/Heron bob/INBOX; do
        user=${spec%%/*}; box=${spec#*/}
        [ "$box" != Projects/Heron ] || mailbox_dir "$user" Projects >/dev/null
        args+=("$spec=$(mailbox_dir "$user" "$box")")
    done
    n=$(python3 -c "$SEED_PY" "$(id -u "$MAIL_OS_USER")" "$(id -g "$MAIL_OS_USER")" "${args[@]}")
    # Let Dovecot pick up the new files (assigns UIDs, updates index).
    dadm index -u alice '*'
    dadm index -u bob INBOX
    : >"$dir/.seeded-demo"
    log "seeded $n demo messages (alice: INBOX Sent Drafts Archive Projects/Heron; bob: INBOX)"
}

BULK_PY=$(cat <<'PY'
import base64, os, random, sys, time

uid, gid, folder, count, rcpt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
os.umask(0o077)   # files are fchown()ed to the mail user (see the note in SEED_PY)
rnd = random.Random(4711 + count)

def enc(s):  # RFC 2047 B-encoding, split so each encoded word stays short
    b = s.encode("utf-8")
    words, chunk = [], b""
    for ch in s:
        c = ch.encode("utf-8")
        if len(chunk) + len(c) > 39:
            words.append(chunk); chunk = b""
        chunk += c
    words.append(chunk)
    return "\n ".join("=?UTF-8?B?%s?=" % base64.b64encode(w).decode() for w in words)

first = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory",
         "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Zoe"]
last = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Walker", "Wright"]
intl = ["Jürgen Müller", "Zoë Æbelø", "山田太郎", "佐藤花子", "François Dupont", "Søren Kierkegård",
        "Łukasz Żółć", "Ελένη Παπαδοπούλου", "Иван Петров", "José Núñez"]
senders = []
for i in range(300):
    if i % 10 == 0:
        name = intl[(i // 10) % len(intl)]
        senders.append("%s <user%d@example.%s>" % (enc(name), i, ["de", "jp", "fr", "com"][i % 4]))
    else:
        f, l = first[i % len(first)], last[(i * 7) % len(last)]
        senders.append("%s %s <%s.%s%d@example.%s>" % (f, l, f.lower(), l.lower(), i, ["com", "net", "org"][i % 3]))

topics = ["release planning", "build failure on main", "lunch on Friday", "quarterly numbers",
          "server maintenance window", "design review", "travel booking", "bug #%d", "invoice %d",
          "meeting notes", "weekly report", "question about the API", "new office", "holiday schedule",
          "password reset", "conference talk", "code review request", "customer feedback"]
intl_topics = ["Grüße aus München", "会議の件について", "Réunion d'équipe", "Übersicht der Änderungen",
               "見積書送付のお知らせ", "Ελληνικά θέματα", "Отчёт за неделю", "Café ☕ et croissants", "🎉 Party!"]
words = ("the of and to in is that for it as with was on be at by this had not are but from or have an they "
         "which one you were all we when there can more if out so what up about into than them only some "
         "time could new two may first then do any like my now over such our man me even most made after "
         "also did many before must through back years where much your way well down should because each "
         "mail client folder message server thread index cache sync search heron flag draft inbox").split()
paras = [" ".join(rnd.choice(words) for _ in range(rnd.randint(20, 90))).capitalize() + "." for _ in range(400)]
blobs = [base64.encodebytes(os.urandom(n)).decode().replace("\n", "\n") for n in (3000, 8000, 20000, 60000)]

cur, tmp = os.path.join(folder, "cur"), os.path.join(folder, "tmp")
host = "heron-bulk"
pid = os.getpid()
now = int(time.time())
span = min(3 * 365 * 86400, max(86400, count * 600))   # spread over up to ~3 years
start = now - span
step = span / count
threads = []   # (subject, msgid, references)
seen_frac = 0.8
out = 0
for i in range(count):
    ts = int(start + i * step)
    frm = senders[rnd.randrange(len(senders))]
    mid = "<bulk.%d.%d@example.org>" % (ts, i)
    hdr_extra = ""
    if threads and rnd.random() < 0.35:
        subj, pmid, prefs = threads[rnd.randrange(max(0, len(threads) - 200), len(threads))]
        refs = (prefs + " " + pmid).strip().split()[-10:]
        hdr_extra = "In-Reply-To: %s\nReferences: %s\n" % (pmid, "\n ".join(refs))
        subject = subj if subj.startswith("Re: ") else "Re: " + subj
        threads.append((subj, mid, " ".join(refs)))
    else:
        if rnd.random() < 0.1:
            subject = enc(rnd.choice(intl_topics) + " %d" % i)
        else:
            t = rnd.choice(topics)
            subject = (t % rnd.randint(100, 99999) if "%d" in t else t).capitalize() + " (%d)" % i
        threads.append((subject, mid, ""))
    if len(threads) > 5000:
        del threads[:1000]
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))
    n = rnd.choice((1, 1, 2, 2, 3, 4, 6, 10, 25))
    text = "\n\n".join(paras[rnd.randrange(400)] for _ in range(n))
    r = rnd.random()
    if r < 0.08:       # HTML alternative
        html = "<html><body>" + "".join("<p>%s</p>" % paras[rnd.randrange(400)] for _ in range(n)) + \
               "<p><img src=\"http://tracker.example.invalid/pixel.png\" width=1 height=1></p></body></html>"
        body = ("MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary=\"alt-%d\"\n\n"
                "--alt-%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n"
                "--alt-%d\nContent-Type: text/html; charset=utf-8\n\n%s\n--alt-%d--\n") % (i, i, text, i, html, i)
    elif r < 0.11:     # attachment
        blob = blobs[rnd.randrange(len(blobs))]
        body = ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"mix-%d\"\n\n"
                "--mix-%d\nContent-Type: text/plain; charset=utf-8\n\n%s\n"
                "--mix-%d\nContent-Type: application/pdf; name=\"document-%d.pdf\"\n"
                "Content-Disposition: attachment; filename=\"document-%d.pdf\"\n"
                "Content-Transfer-Encoding: base64\n\n%s--mix-%d--\n") % (i, i, text, i, i, i, blob, i)
    else:
        body = "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n" % text
    raw = ("Return-Path: <bulk@example.org>\nFrom: %s\nTo: %s\nSubject: %s\nDate: %s\n"
           "Message-ID: %s\n%s%s" % (frm, rcpt, subject, date, mid, hdr_extra, body)).encode("utf-8")
    q = rnd.random()
    flags = ("S" if q < seen_frac else "") 
    if q < 0.03: flags = "FS"
    elif 0.03 <= q < 0.08: flags = "RS"
    base = "%d.M%dP%d.%s" % (ts, i, pid, host)
    tpath = os.path.join(tmp, base)
    with open(tpath, "wb") as f:
        f.write(raw)
        os.fchown(f.fileno(), uid, gid)
    os.utime(tpath, (ts, ts))
    # S= physical size, W= size with CRLF line ends (RFC822.SIZE, POP3 LIST) without reading files
    os.rename(tpath, os.path.join(cur, "%s,S=%d,W=%d:2,%s" % (base, len(raw), len(raw) + raw.count(b"\n"), flags)))
    out += 1
print(out)
PY
)

cmd_make_bulk() {
    local dir user count path t0 t1 t2 n
    need_root
    dir=$(canon_dir "${1:-}"); user=${2:-}; count=${3:-}
    [ -n "$user" ] && [[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -gt 0 ] || usage
    load_env "$dir"
    path=$(mailbox_dir "$user" INBOX)
    t0=$(date +%s.%N)
    n=$(python3 -c "$BULK_PY" "$(id -u "$MAIL_OS_USER")" "$(id -g "$MAIL_OS_USER")" "$path" "$count" "$user@$DOMAIN")
    t1=$(date +%s.%N)
    # Sync + index: assigns UIDs to the new files (ordered by the timestamp in their names).
    dadm index -u "$user" INBOX
    t2=$(date +%s.%N)
    local total
    total=$(dadm -f flow mailbox status -u "$user" messages INBOX)
    log "make-bulk: wrote $n files in $(python3 -c "print(round($t1-$t0,1))")s, indexed in" \
        "$(python3 -c "print(round($t2-$t1,1))")s; $user INBOX now: $total"
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case $cmd in
        start) [ $# -eq 1 ] || usage; cmd_start "$1" ;;
        stop) [ $# -eq 1 ] || usage; cmd_stop "$1" ;;
        status) [ $# -eq 1 ] || usage; cmd_status "$1" ;;
        deliver) [ $# -ge 3 ] || usage; cmd_deliver "$@" ;;
        seed-demo) [ $# -eq 1 ] || usage; cmd_seed_demo "$1" ;;
        make-bulk) [ $# -eq 3 ] || usage; cmd_make_bulk "$@" ;;
        *) usage ;;
    esac
}

main "$@"
