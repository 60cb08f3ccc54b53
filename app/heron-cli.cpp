// heron-cli: the Heron core from a terminal, for scripts, tests and benchmarks.
// Exit codes (stable): 0 ok, 1 usage, 2 not found, 3 offline/network,
// 4 authentication, 5 certificate not trusted, 6 TLS, 7 server refused or
// broke the protocol, 8 local storage.
#include "account/AccountCheck.h"
#include "account/AutoDiscovery.h"
#include "account/Profile.h"
#include "account/SecretStore.h"
#include "compose/MessageComposer.h"
#include "compose/Outbox.h"
#include "mime/Address.h"
#include "mime/MessageContent.h"
#include "net/ImapResponse.h"
#include "net/NetError.h"
#include "ops/LocalOps.h"
#include "store/MailStore.h"
#include "util/ErrorText.h"
#include "util/ProcessHardening.h"
#include "sync/AccountSync.h"
#include "sync/BodySync.h"
#include "sync/Pop3Fetch.h"
#include "search/SearchIndex.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

using namespace heron;

namespace {

enum Exit { Ok = 0, Usage = 1, NotFound = 2, Offline = 3, AuthFailed = 4, CertFailed = 5, TlsFailed = 6, ServerFailed = 7, StorageFailed = 8 };

QTextStream &out() { static QTextStream s(stdout); return s; }
QTextStream &err() { static QTextStream s(stderr); return s; }

const char *kUsage =
    "usage: heron-cli [--profile DIR] COMMAND ...\n"
    "  account add --name N --email E --protocol imap|pop3 --host H --port P --security tls|starttls|none\n"
    "              --user U [--smtp-host H --smtp-port P --smtp-security tls|starttls|none]\n"
    "              [--store-password-in-keyring | --store-password-in-profile]\n"
    "              (password: HERON_PASSWORD or one line on stdin)\n"
    "              [--pop3-policy leave|delete|mirror|days --pop3-keep-days N]\n"
    "              [--max-message-mb N]   largest message downloaded (default 100)\n"
    "              [--offline all|headers|DAYS]   bodies kept for offline use (IMAP; default 90 days)\n"
    "  account list | account remove --name N\n"
    "  account discover EMAIL [--check [--accept-outside-domain]] [--nameserver IP]   find the server settings (autoconfig,\n"
    "              DNS SRV, guessing); --check logs in (password: HERON_PASSWORD or stdin)\n"
    "  trust add-ca FILE | trust pin --host H --port P --sha256 FINGERPRINT\n"
    "  sync [--account N] [--folder F] [--headers-only]   headers, then the bodies of the offline window\n"
    "  offline [--account N] [--folder F] [all|headers|DAYS|default]   show or set what is kept offline\n"
    "  search [--account N] [--folder F] [--limit N] QUERY...   from: to: cc: subject: filename: has:attachment\n"
    "              is:unread|read|flagged|answered before:/after:YYYY-MM-DD in:FOLDER account:NAME \"phrase\" OR -not\n"
    "  folders [--account N]\n"
    "  ls [--account N] [--limit N] FOLDER\n"
    "  show [--raw] ID\n"
    "  mark (--read|--unread|--flag|--unflag) ID...\n"
    "  move --to FOLDER ID...\n"
    "  delete [--yes] ID...\n"
    "  queue [--account N]\n"
    "  send [--account N] --to ADDRS [--cc ADDRS] [--bcc ADDRS] --subject S [--attach FILE]... < BODY\n"
    "  outbox [--account N] | outbox send [--account N] | outbox retry ID | outbox discard ID\n";

struct Args {
    QStringList positional;
    QHash<QString, QString> options;
    QSet<QString> flags;
    QString opt(const QString &k, const QString &def = QString()) const { return options.value(k, def); }
    bool has(const QString &k) const { return flags.contains(k) || options.contains(k); }
};

const QSet<QString> kBooleanFlags = {"--store-password-in-profile", "--store-password-in-keyring", "--raw", "--read", "--unread", "--flag",
                                     "--unflag", "--yes", "--check", "--accept-outside-domain", "--headers-only"};

Args parse(const QStringList &argv, int from)
{
    Args a;
    for (int i = from; i < argv.size(); ++i) {
        const QString &s = argv[i];
        if (s.startsWith(QLatin1String("--"))) {
            if (kBooleanFlags.contains(s) || i + 1 >= argv.size()) a.flags.insert(s);
            else a.options.insert(s, argv[++i]);
        } else {
            a.positional << s;
        }
    }
    return a;
}

int exitFor(const net::NetError &e)
{
    switch (e.kind()) {
    case net::NetError::Network:
    case net::NetError::Timeout: return Offline;
    case net::NetError::Auth: return AuthFailed;
    case net::NetError::Certificate: return CertFailed;
    case net::NetError::Tls: return TlsFailed;
    case net::NetError::Cancelled: return Offline;
    default: return ServerFailed;
    }
}

void reportNetError(const net::NetError &e)
{
    err() << "error: " << e.message() << "\n";
    if (e.kind() == net::NetError::Certificate && e.info().isValid()) {
        const auto &i = e.info();
        err() << "  subject:  " << i.subject << "\n  issuer:   " << i.issuer << "\n  valid:    " << i.notBefore
              << " to " << i.notAfter << "\n  SHA-256:  " << i.sha256 << "\n"
              << (i.pinnedSha256.isEmpty() ? QString() : QStringLiteral("  trusted before: %1 (the certificate changed)\n").arg(i.pinnedSha256))
              << "  reason:   " << i.reason << "\n"
              << "To trust this certificate for this server: heron-cli trust pin --host " << i.host << " --port "
              << i.port << " --sha256 " << i.sha256 << "\n";
    }
    err().flush();
}

// HERON_PASSWORD, taken out of the environment at start (children and
// /proc/PID/environ never see it).
QString &environmentPassword()
{
    static QString pw;
    return pw;
}

std::optional<QString> readPassword(SecretStore &secrets, const QString &account)
{
    if (auto p = secrets.password(account)) return p;
    if (!environmentPassword().isEmpty()) return environmentPassword();
    std::string line;
    if (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return QString::fromStdString(line);
    }
    return std::nullopt;
}

std::optional<AccountConfig> pickAccount(store::MailStore &store, const Args &a)
{
    if (a.options.contains("--account")) {
        auto acc = store.accountByName(a.opt("--account"));
        if (!acc) err() << "error: no account named " << a.opt("--account") << "\n";
        return acc;
    }
    auto all = store.accounts();
    if (all.empty()) {
        err() << "error: no account configured (heron-cli account add ...)\n";
        return std::nullopt;
    }
    return all.front();
}

QString flagWords(int f)
{
    QStringList w;
    if (f & Flag::Seen) w << "seen";
    if (f & Flag::Flagged) w << "flagged";
    if (f & Flag::Answered) w << "answered";
    if (f & Flag::Forwarded) w << "forwarded";
    if (f & Flag::Draft) w << "draft";
    if (f & Flag::Deleted) w << "deleted";
    return w.isEmpty() ? QStringLiteral("-") : w.join(QLatin1Char(','));
}

// "all" -1, "headers" 0, N days; "default" (a folder following its account)
// only where allowed.
std::optional<int> parseOfflineDays(const QString &v, bool allowDefault)
{
    if (v == QLatin1String("all")) return -1;
    if (v == QLatin1String("headers") || v == QLatin1String("none")) return 0;
    if (allowDefault && v == QLatin1String("default")) return int(store::MailStore::kInheritOffline);
    bool ok = false;
    const int n = v.toInt(&ok);
    if (ok && n > 0 && n <= 100000) return n;
    return std::nullopt;
}

QString offlineWords(int days)
{
    if (days < 0) return QStringLiteral("all messages");
    if (days == 0) return QStringLiteral("headers only");
    return QStringLiteral("the last %1 days").arg(days);
}

std::optional<MailboxRecord> findFolder(store::MailStore &store, int64_t accountId, const QString &name)
{
    for (const MailboxRecord &m : store.mailboxes(accountId)) {
        if (m.name == name || net::decodeMailboxName(m.name.toLatin1()) == name ||
            (name.compare(QLatin1String("inbox"), Qt::CaseInsensitive) == 0 && m.specialUse == QLatin1String("\\Inbox")))
            return m;
    }
    return std::nullopt;
}

// Prints what was tried (stderr) and what was found with its source (stdout);
// with --check, logs in to both servers and names the failing stage.
int cmdDiscover(const Profile &profile, const Args &a)
{
    const QString email = a.positional.value(2);
    if (email.isEmpty()) { err() << kUsage; return Usage; }
    DiscoveryOptions options;
    options.extraAnchorsFile = profile.extraAnchorsPath();
    if (a.options.contains("--nameserver")) {
        options.nameserver = QHostAddress(a.opt("--nameserver"));
        if (options.nameserver.isNull()) { err() << "error: --nameserver needs an IP address\n"; return Usage; }
    }
    AutoDiscovery discovery(options);
    DiscoveryResult result;
    QEventLoop loop;
    QObject::connect(&discovery, &AutoDiscovery::step, [](const QString &s) { err() << "# " << s << "\n"; err().flush(); });
    QObject::connect(&discovery, &AutoDiscovery::finished, [&](const DiscoveryResult &r) { result = r; loop.quit(); });
    discovery.start(email);
    if (discovery.isRunning()) loop.exec();
    auto show = [](const char *what, const std::optional<DiscoveredServer> &d) {
        if (!d) { out() << what << ": not found\n"; return; }
        out() << what << ": " << d->protocol << " " << d->server.host << ":" << d->server.port << " "
              << securityName(d->server.security) << " user=" << d->usernames.value(0) << "\t(from " << d->source << ")\n";
        if (!d->trust.isEmpty()) out() << "  trust: " << d->trust << "\n";
    };
    show("incoming", result.incoming);
    show("outgoing", result.outgoing);
    if (!result.complete()) return NotFound;
    if (!a.flags.contains("--check")) return Ok;
    // RFC 6186 section 6: DNS named a host outside the domain; no password
    // goes there unless the user says so.
    const bool outside = result.incoming->needsConfirmation || result.outgoing->needsConfirmation;
    if (outside && !a.flags.contains("--accept-outside-domain")) {
        err() << "error: DNS names a server outside " << email.section(QLatin1Char('@'), 1)
              << "; DNS can be forged, so no password is sent. If your provider told you to use it, run again with "
                 "--accept-outside-domain\n";
        return Usage;
    }
    QString password = environmentPassword();
    if (password.isEmpty()) {
        std::string line;
        if (std::getline(std::cin, line)) password = QString::fromStdString(line).trimmed();
    }
    AccountConfig c;
    c.email = email;
    c.name = email;
    c.protocol = result.incoming->protocol;
    c.incoming = result.incoming->server;
    c.smtp = result.outgoing->server;
    const net::TrustPolicy trust = profile.trustPolicy();
    int code = Ok;
    for (bool outgoing : {false, true}) {
        const CheckOutcome o = checkServer(c, outgoing, outgoing ? result.outgoing->usernames : result.incoming->usernames, password, trust);
        out() << (outgoing ? "outgoing" : "incoming") << " login: " << (o.ok() ? QStringLiteral("ok") : QStringLiteral("failed (%1)").arg(stageName(o.stage)))
              << ": " << o.message << "\n";
        if (!o.ok() && code == Ok)
            code = o.stage == CheckOutcome::Password ? AuthFailed : o.stage == CheckOutcome::Certificate ? CertFailed
                 : o.stage == CheckOutcome::Tls ? TlsFailed : Offline;
    }
    return code;
}

int cmdAccount(const Profile &profile, store::MailStore &store, SecretStore &secrets, const Args &a)
{
    const QString sub = a.positional.value(1);
    if (sub == QLatin1String("list")) {
        for (const AccountConfig &c : store.accounts())
            out() << c.name << "\t" << c.email << "\t" << c.protocol << "\t" << c.incoming.host << ":" << c.incoming.port
                  << "\t" << securityName(c.incoming.security) << "\n";
        return Ok;
    }
    if (sub == QLatin1String("remove")) {
        auto acc = store.accountByName(a.opt("--name"));
        if (!acc) { err() << "error: no account named " << a.opt("--name") << "\n"; return NotFound; }
        store.removeAccount(acc->id);
        secrets.forget(acc->name);
        return Ok;
    }
    if (sub == QLatin1String("discover")) return cmdDiscover(profile, a);
    if (sub != QLatin1String("add")) { err() << kUsage; return Usage; }
    AccountConfig c;
    c.name = a.opt("--name");
    c.email = a.opt("--email");
    c.protocol = a.opt("--protocol", "imap");
    c.incoming.host = a.opt("--host");
    c.incoming.port = a.opt("--port").toInt();
    c.username = a.opt("--user", c.email);
    if (c.name.isEmpty() || c.email.isEmpty() || c.incoming.host.isEmpty() || c.incoming.port <= 0 ||
        (c.protocol != QLatin1String("imap") && c.protocol != QLatin1String("pop3")) ||
        !parseSecurity(a.opt("--security", "tls"), &c.incoming.security)) {
        err() << "error: account add needs --name, --email, --protocol imap|pop3, --host, --port and a valid --security\n";
        return Usage;
    }
    if (c.isPop3()) {
        c.pop3Policy = a.opt("--pop3-policy", "leave");
        c.pop3KeepDays = a.opt("--pop3-keep-days", "0").toInt();
        if (c.pop3Policy != QLatin1String("leave") && c.pop3Policy != QLatin1String("delete") &&
            c.pop3Policy != QLatin1String("mirror") &&
            !(c.pop3Policy == QLatin1String("days") && c.pop3KeepDays > 0)) {
            err() << "error: --pop3-policy is leave, delete, mirror, or days with --pop3-keep-days N\n";
            return Usage;
        }
    }
    if (a.options.contains("--offline")) {
        const auto days = parseOfflineDays(a.opt("--offline"), false);
        if (!days) { err() << "error: --offline is all, headers, or a number of days\n"; return Usage; }
        c.offlineDays = *days;
    }
    bool sizeOk = true;
    c.maxMessageMB = a.opt("--max-message-mb", "100").toInt(&sizeOk);
    if (!sizeOk || c.maxMessageMB < 1 || c.maxMessageMB > 4096) {
        err() << "error: --max-message-mb is a number of MB from 1 to 4096\n";
        return Usage;
    }
    if (a.options.contains("--smtp-host")) {
        c.smtp.host = a.opt("--smtp-host");
        c.smtp.port = a.opt("--smtp-port", "465").toInt();
        if (!parseSecurity(a.opt("--smtp-security", "tls"), &c.smtp.security)) { err() << kUsage; return Usage; }
    }
    if (c.incoming.security == Security::None || (!c.smtp.host.isEmpty() && c.smtp.security == Security::None))
        err() << "warning: this account uses an UNENCRYPTED connection; the password and all mail cross the network "
                 "in clear text.\n";
    if (store.accountByName(c.name)) { err() << "error: an account named " << c.name << " exists already\n"; return Usage; }
    std::optional<QString> pw;
    if (a.has("--store-password-in-profile") || a.has("--store-password-in-keyring")) {
        pw = readPassword(secrets, c.name);
        if (!pw) { err() << "error: no password given (HERON_PASSWORD or one line on stdin)\n"; return Usage; }
    }
    c.id = store.addAccount(c);
    if (pw && a.has("--store-password-in-keyring")) {
        QString e;
        if (!secrets.storeInKeyring(c.name, *pw, &e)) {
            err() << "error: the password could not be stored in the system keyring (" << e
                  << "); the account was added without it. Use --store-password-in-profile to keep it in the "
                     "profile instead (unencrypted), or give it with each command.\n";
            return StorageFailed;
        }
    } else if (pw) {
        QString e;
        if (!secrets.storeInProfile(c.name, *pw, &e)) {
            err() << "error: cannot store the password: " << e << "\n";
            return StorageFailed;
        }
        err() << "warning: the password is stored unencrypted in the profile (secrets.ini, readable only by you).\n";
    }
    out() << "added account " << c.name << "\n";
    return Ok;
}

int cmdTrust(const Profile &profile, store::MailStore &store, const Args &a)
{
    const QString sub = a.positional.value(1);
    if (sub == QLatin1String("add-ca")) {
        QFile in(a.positional.value(2));
        if (!in.open(QIODevice::ReadOnly)) { err() << "error: cannot read " << in.fileName() << "\n"; return NotFound; }
        QByteArray pem = in.readAll();
        if (!pem.contains("BEGIN CERTIFICATE")) { err() << "error: not a PEM certificate\n"; return Usage; }
        QFile outFile(profile.extraAnchorsPath());
        if (!outFile.open(QIODevice::Append)) { err() << "error: cannot write " << outFile.fileName() << "\n"; return StorageFailed; }
        outFile.write(pem);
        if (!pem.endsWith('\n')) outFile.write("\n");
        out() << "added a trusted certificate authority to the profile\n";
        return Ok;
    }
    if (sub == QLatin1String("pin")) {
        if (a.opt("--host").isEmpty() || a.opt("--port").toInt() <= 0 || a.opt("--sha256").isEmpty()) {
            err() << kUsage;
            return Usage;
        }
        store.pin(a.opt("--host"), a.opt("--port").toInt(), a.opt("--sha256").toUpper());
        out() << "pinned\n";
        return Ok;
    }
    err() << kUsage;
    return Usage;
}

int cmdSync(const Profile &profile, store::MailStore &store, SecretStore &secrets, const Args &a)
{
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    auto pw = readPassword(secrets, acc->name);
    if (!pw) { err() << "error: no password for " << acc->name << " (set HERON_PASSWORD or give it on stdin)\n"; return AuthFailed; }
    if (acc->isPop3()) {
        sync::Pop3Fetch fetch(store, profile, *acc, *pw);
        fetch.setProgress([](int64_t, int done, int total) {
            err() << "  " << done << "/" << total << "\n";
            err().flush();
        });
        const qint64 started = QDateTime::currentMSecsSinceEpoch();
        sync::Pop3Report r = fetch.run();
        while (search::indexPending(store, 5000) > 0) {}
        for (const QString &p : r.problems) err() << "note: " << p << "\n";
        out() << "synced " << acc->name << ": " << r.downloaded << " new, " << r.deletedOnServer
              << " deleted on the server, " << r.onServer << " on the server, in "
              << (QDateTime::currentMSecsSinceEpoch() - started) << " ms\n";
        return Ok;
    }
    sync::AccountSync s(store, profile, *acc, *pw);
    if (a.options.contains("--batch")) s.setBatchSizes(std::max(1, a.opt("--batch").toInt()), std::max(1, a.opt("--batch").toInt()));
    s.setLog([](const QString &line) { err() << line << "\n"; err().flush(); });
    s.setProgress([](int64_t, int cached, int total) {
        err() << "  " << cached << "/" << total << "\n";
        err().flush();
    });
    const qint64 started = QDateTime::currentMSecsSinceEpoch();
    sync::AccountSyncReport r = s.run(a.opt("--folder"));
    out() << "synced " << acc->name << ": " << r.mailboxes << " folders, " << r.added << " new, " << r.removed
          << " removed, " << r.flagsChanged << " flag changes, " << r.opsReplayed << " queued changes sent, in "
          << (QDateTime::currentMSecsSinceEpoch() - started) << " ms\n";
    out().flush();
    if (!a.has("--headers-only")) {
        // After every header: the bodies the offline policy keeps.
        const qint64 bodiesStarted = QDateTime::currentMSecsSinceEpoch();
        sync::BodySync bodies(store, *acc);
        bodies.setSession(s.session());
        if (a.options.contains("--batch")) bodies.setBatch(std::max(1, a.opt("--batch").toInt()), 64 << 20);
        bodies.setProgress([](int64_t done, int64_t total) {
            err() << "  bodies " << done << "/" << total << "\n";
            err().flush();
        });
        const sync::BodySyncReport b = bodies.run();
        out() << "offline " << acc->name << ": " << b.downloaded << " bodies downloaded (" << (b.bytes + 1023) / 1024
              << " KB), " << b.evicted << " evicted, in " << (QDateTime::currentMSecsSinceEpoch() - bodiesStarted) << " ms\n";
    }
    s.disconnect();
    return Ok;
}

int cmdOffline(store::MailStore &store, const Args &a)
{
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    std::optional<MailboxRecord> folder;
    if (a.options.contains("--folder")) {
        folder = findFolder(store, acc->id, a.opt("--folder"));
        if (!folder) { err() << "error: no folder named " << a.opt("--folder") << "\n"; return NotFound; }
    }
    const QString value = a.positional.value(1);
    if (!value.isEmpty()) {
        if (acc->isPop3()) { err() << "error: a POP3 account keeps every message it downloads\n"; return Usage; }
        const auto days = parseOfflineDays(value, folder.has_value());
        if (!days) { err() << "error: the setting is all, headers, a number of days" << (folder ? ", or default" : "") << "\n"; return Usage; }
        if (folder) store.setMailboxOfflineDays(folder->id, *days);
        else store.setAccountOfflineDays(acc->id, *days);
        out() << "offline " << (folder ? net::decodeMailboxName(folder->name.toLatin1()) : acc->name) << ": "
              << (*days == store::MailStore::kInheritOffline ? QStringLiteral("as the account") : offlineWords(*days))
              << " (applied at the next sync)\n";
        return Ok;
    }
    acc = store.account(acc->id);
    const auto usage = store.offlineUsage(acc->id);
    out() << acc->name << ": " << (acc->isPop3() ? QStringLiteral("all messages (POP3)") : offlineWords(acc->offlineDays)) << ", "
          << usage.first << " messages kept offline, " << (usage.second + 1023) / 1024 << " KB\n";
    const int64_t now = QDateTime::currentSecsSinceEpoch();
    for (const MailboxRecord &m : store.mailboxes(acc->id)) {
        const int own = store.mailboxOfflineDays(m.id);
        if (own != store::MailStore::kInheritOffline)
            out() << "  " << net::decodeMailboxName(m.name.toLatin1()) << ": " << offlineWords(own) << "\n";
    }
    if (!acc->isPop3()) out() << "  still to download: " << store.bodiesWantedCount(acc->id, acc->maxMessageBytes(), now) << "\n";
    return Ok;
}

int cmdSearch(store::MailStore &store, const Args &a)
{
    QStringList words;
    for (int i = 1; i < a.positional.size(); ++i) words << a.positional[i];
    const QString query = words.join(QLatin1Char(' ')).trimmed();
    if (query.isEmpty()) { err() << kUsage; return Usage; }
    search::Scope scope;
    if (a.options.contains("--account")) {
        auto acc = pickAccount(store, a);
        if (!acc) return NotFound;
        scope.accountId = acc->id;
        if (a.options.contains("--folder")) {
            auto mb = findFolder(store, acc->id, a.opt("--folder"));
            if (!mb) { err() << "error: no folder named " << a.opt("--folder") << "\n"; return NotFound; }
            scope.mailboxIds.push_back(mb->id);
        }
    }
    // What was synced (or downloaded over POP3) since the index last caught up.
    while (search::indexPending(store, 5000) > 0) {}
    const search::Result r = search::find(store, query, scope, a.opt("--limit", "100000").toInt());
    if (!r.error.isEmpty()) err() << "note: " << r.error << "\n";
    std::vector<MessageRecord> hits = store.messagesByIds(r.ids);
    std::map<int64_t, size_t> pos;
    for (size_t i = 0; i < r.ids.size(); ++i) pos[r.ids[i]] = i;
    std::sort(hits.begin(), hits.end(), [&](const MessageRecord &x, const MessageRecord &y) { return pos[x.id] < pos[y.id]; });
    std::map<int64_t, QString> where;
    for (const MessageRecord &m : hits) {
        if (!where.count(m.mailboxId)) {
            auto mb = store.mailbox(m.mailboxId);
            auto acc = mb ? store.account(mb->accountId) : std::nullopt;
            where[m.mailboxId] = mb && acc ? acc->name + QLatin1Char('/') + net::decodeMailboxName(mb->name.toLatin1()) : QString();
        }
        out() << m.id << "\t" << QDateTime::fromSecsSinceEpoch(m.date, Qt::UTC).toString(Qt::ISODate) << "\t"
              << mime::senderLabel(m.fromName, m.fromAddr) << "\t" << m.subject << "\t" << flagWords(m.flags) << "\t"
              << where[m.mailboxId] << "\n";
    }
    return Ok;
}

int cmdFolders(store::MailStore &store, const Args &a)
{
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    for (const MailboxRecord &m : store.mailboxes(acc->id))
        out() << net::decodeMailboxName(m.name.toLatin1()) << "\t" << (m.specialUse.isEmpty() ? "-" : m.specialUse)
              << "\t" << m.totalCount << "\t" << m.unreadCount << "\n";
    return Ok;
}

int cmdLs(store::MailStore &store, const Args &a)
{
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    const QString folder = a.positional.value(1, QStringLiteral("INBOX"));
    auto mb = findFolder(store, acc->id, folder);
    if (!mb) { err() << "error: no folder named " << folder << "\n"; return NotFound; }
    const int limit = a.opt("--limit", "1000000").toInt();
    for (const MessageRecord &m : store.messages(mb->id, limit)) {
        QString from = mime::senderLabel(m.fromName, m.fromAddr);
        out() << m.id << "\t" << QDateTime::fromSecsSinceEpoch(m.date, Qt::UTC).toString(Qt::ISODate) << "\t" << from
              << "\t" << m.subject << "\t" << flagWords(m.flags) << "\n";
    }
    return Ok;
}

int cmdShow(const Profile &profile, store::MailStore &store, SecretStore &secrets, const Args &a)
{
    const int64_t id = a.positional.value(1).toLongLong();
    auto m = store.message(id);
    if (!m) { err() << "error: no message " << a.positional.value(1) << "\n"; return NotFound; }
    auto raw = store.body(id);
    if (!raw) {
        auto mb = store.mailbox(m->mailboxId);
        auto acc = store.account(mb->accountId);
        auto pw = readPassword(secrets, acc->name);
        if (!pw) { err() << "error: the message is not cached and no password is available\n"; return AuthFailed; }
        sync::AccountSync s(store, profile, *acc, *pw);
        net::ImapSession &session = s.session();
        net::ImapSelectInfo info = session.select(mb->name.toLatin1());
        if (info.uidvalidity != m->uidvalidity) { err() << "error: the folder changed on the server; sync first\n"; return NotFound; }
        QByteArray body = session.fetchMessage(m->uid, m->size);
        if (body.isEmpty()) { err() << "error: the server no longer has this message\n"; return NotFound; }
        store.storeBody(id, body);
        raw = body;
    }
    if (a.has("--raw")) {
        std::fwrite(raw->constData(), 1, size_t(raw->size()), stdout);
        return Ok;
    }
    mime::MessageContent c = mime::parseMessage(*raw);
    out() << "From: " << mime::fullLabel(m->fromName, m->fromAddr) << "\n";
    out() << "To: " << mime::displayMailboxList(m->to) << "\n";
    if (!m->cc.isEmpty()) out() << "Cc: " << mime::displayMailboxList(m->cc) << "\n";
    if (!c.problem.isEmpty()) err() << "note: " << c.problem << "\n";
    out() << "Date: " << QDateTime::fromSecsSinceEpoch(m->date).toString(Qt::RFC2822Date) << "\n";
    out() << "Subject: " << m->subject << "\n\n";
    out() << (c.plainText.isEmpty() ? mime::htmlToPlainText(c.html) : c.plainText) << "\n";
    for (const mime::Attachment &att : c.attachments)
        out() << "[attachment: " << att.fileName << ", " << att.mimeType << ", " << att.data.size() << " bytes]\n";
    if (!c.problem.isEmpty()) err() << "note: " << c.problem << "\n";
    return Ok;
}

std::vector<int64_t> ids(const Args &a, int from)
{
    std::vector<int64_t> v;
    for (int i = from; i < a.positional.size(); ++i) v.push_back(a.positional[i].toLongLong());
    return v;
}

int cmdMark(store::MailStore &store, const Args &a)
{
    auto list = ids(a, 1);
    if (list.empty()) { err() << kUsage; return Usage; }
    if (a.has("--read")) ops::setFlags(store, list, Flag::Seen, true);
    else if (a.has("--unread")) ops::setFlags(store, list, Flag::Seen, false);
    else if (a.has("--flag")) ops::setFlags(store, list, Flag::Flagged, true);
    else if (a.has("--unflag")) ops::setFlags(store, list, Flag::Flagged, false);
    else { err() << kUsage; return Usage; }
    out() << "queued\n";
    return Ok;
}

int cmdMove(store::MailStore &store, const Args &a)
{
    auto list = ids(a, 1);
    if (list.empty() || a.opt("--to").isEmpty()) { err() << kUsage; return Usage; }
    auto m = store.message(list.front());
    if (!m) { err() << "error: no message " << list.front() << "\n"; return NotFound; }
    auto mb = store.mailbox(m->mailboxId);
    auto dest = findFolder(store, mb->accountId, a.opt("--to"));
    if (!dest) { err() << "error: no folder named " << a.opt("--to") << "\n"; return NotFound; }
    ops::moveMessages(store, list, dest->id);
    out() << "queued\n";
    return Ok;
}

int cmdDelete(store::MailStore &store, const Args &a)
{
    auto list = ids(a, 1);
    if (list.empty()) { err() << kUsage; return Usage; }
    if (ops::deleteIsPermanent(store, list) && !a.has("--yes")) {
        err() << "error: this deletes the messages permanently; repeat with --yes\n";
        return Usage;
    }
    ops::deleteMessages(store, list);
    out() << "queued\n";
    return Ok;
}

int cmdQueue(store::MailStore &store, const Args &a)
{
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    for (const store::PendingOp &op : store.pendingOps(acc->id, true))
        out() << op.id << "\t" << op.state << "\t" << op.kind << "\t" << net::decodeMailboxName(op.mailbox.toLatin1())
              << "\t" << store::MailStore::encodeUids(op.uids) << "\t" << op.arg << "\t" << op.error << "\n";
    return Ok;
}

// --attach may be given several times; the option parser keeps the last, so collect them here.
QStringList attachArgs(const QStringList &argv)
{
    QStringList out;
    for (int i = 0; i + 1 < argv.size(); ++i)
        if (argv[i] == QLatin1String("--attach")) out << argv[i + 1];
    return out;
}

int cmdSend(const Profile &profile, store::MailStore &store, SecretStore &secrets, const Args &a, const QStringList &argv)
{
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    compose::OutgoingMessage m;
    m.fromAddress = acc->email;
    m.to = compose::splitAddressField(a.opt("--to"));
    m.cc = compose::splitAddressField(a.opt("--cc"));
    m.bcc = compose::splitAddressField(a.opt("--bcc"));
    m.subject = a.opt("--subject");
    if (m.to.isEmpty() && m.cc.isEmpty() && m.bcc.isEmpty()) { err() << "error: send needs --to, --cc or --bcc\n"; return Usage; }
    for (const QString &path : attachArgs(argv)) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) { err() << "error: cannot read " << path << "\n"; return NotFound; }
        m.attachments.push_back({QFileInfo(path).fileName(), QString(), f.readAll()});
    }
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly)) { err() << "error: cannot read the body from stdin\n"; return Usage; }
    m.body = QString::fromUtf8(in.readAll());
    compose::BuiltMessage built;
    try {
        built = compose::buildMessage(m, acc->email.section(QLatin1Char('@'), 1));
    } catch (const std::invalid_argument &e) {
        err() << "error: " << e.what() << "\n";
        return Usage;
    }
    compose::Outbox outbox(store);
    const int64_t id = outbox.enqueue(acc->id, built, m.subject); // durable before anything else
    auto pw = readPassword(secrets, acc->name);
    if (!pw) { err() << "queued as " << id << "; no password to send it now\n"; return AuthFailed; }
    compose::OutboxResult r = outbox.process(*acc, *pw, profile);
    for (const QString &e : r.errors) err() << "note: " << e << "\n";
    for (const compose::OutboxEntry &e : outbox.entries(acc->id)) {
        if (e.id != id) continue;
        if (e.state == QLatin1String("queued")) { out() << "queued " << id << " (will be sent when the server is reachable)\n"; return Offline; }
        if (e.state == QLatin1String("failed")) { err() << "error: " << e.error << "\n"; out() << "failed " << id << "\n"; return ServerFailed; }
        if (e.state == QLatin1String("unknown")) { err() << "error: " << e.error << "\n"; out() << "unknown " << id << "\n"; return Offline; }
        if (e.state == QLatin1String("claimed") || e.state == QLatin1String("sending")) {
            out() << "sending " << id << " (by another Heron process on this profile)\n";
            return Ok;
        }
        out() << "sent " << id << " (copy in Sent pending)\n";
        return Ok;
    }
    out() << "sent " << id << "\n";
    return Ok;
}

int cmdOutbox(const Profile &profile, store::MailStore &store, SecretStore &secrets, const Args &a)
{
    compose::Outbox outbox(store);
    const QString sub = a.positional.value(1);
    if (sub == QLatin1String("retry") || sub == QLatin1String("discard")) {
        const int64_t id = a.positional.value(2).toLongLong();
        const bool ok = sub == QLatin1String("retry") ? outbox.retry(id) : outbox.discard(id);
        if (!ok) { err() << "error: no failed or unknown outbox entry " << id << "\n"; return NotFound; }
        out() << (sub == QLatin1String("retry") ? "queued " : "discarded ") << id << "\n";
        return Ok;
    }
    auto acc = pickAccount(store, a);
    if (!acc) return NotFound;
    if (sub == QLatin1String("send")) {
        // Sends what is queued (each message at most once, whoever else is
        // sending from this profile at the same time) and files the copies.
        auto pw = readPassword(secrets, acc->name);
        if (!pw) { err() << "error: no password to send with\n"; return AuthFailed; }
        const compose::OutboxResult r = outbox.process(*acc, *pw, profile);
        for (const QString &e : r.errors) err() << "note: " << e << "\n";
        out() << "sent " << r.sent << ", failed " << r.failed << ", still queued " << r.stillQueued << "\n";
        return r.stillQueued > 0 ? Offline : r.failed > 0 ? ServerFailed : Ok;
    }
    for (const compose::OutboxEntry &e : outbox.entries(acc->id))
        out() << e.id << "\t" << e.state << "\t" << e.recipients.join(QLatin1Char(',')) << "\t" << e.subject << "\t" << e.error << "\n";
    return Ok;
}

} // namespace

int main(int argc, char **argv)
{
    util::disableCoreDumps();
    if (char *pw = std::getenv("HERON_PASSWORD")) {
        environmentPassword() = QString::fromLocal8Bit(pw);
        // Overwritten where it lies (the original environment block, which
        // /proc/PID/environ shows even after unsetenv), then removed.
        std::memset(pw, 0, std::strlen(pw));
        unsetenv("HERON_PASSWORD");
    }
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("heron"));
    QStringList argvList = app.arguments();
    QString profileDir;
    int first = 1;
    if (argvList.size() > 2 && argvList[1] == QLatin1String("--profile")) {
        profileDir = argvList[2];
        first = 3;
    }
    Args a = parse(argvList, first);
    const QString cmd = a.positional.value(0);
    if (cmd.isEmpty() || cmd == QLatin1String("help") || a.flags.contains("--help")) {
        (cmd.isEmpty() ? err() : out()) << kUsage;
        return cmd.isEmpty() ? Usage : Ok;
    }
    Profile profile(profileDir);
    QString perr;
    if (!profile.ensureExists(&perr)) { err() << "error: " << perr << "\n"; return StorageFailed; }
    try {
        store::MailStore store(profile.databasePath());
        SecretStore secrets(profile.secretsPath());
        compose::Outbox(store).recoverAfterCrash();
        if (cmd == QLatin1String("account")) return cmdAccount(profile, store, secrets, a);
        if (cmd == QLatin1String("trust")) return cmdTrust(profile, store, a);
        if (cmd == QLatin1String("sync")) return cmdSync(profile, store, secrets, a);
        if (cmd == QLatin1String("folders")) return cmdFolders(store, a);
        if (cmd == QLatin1String("offline")) return cmdOffline(store, a);
        if (cmd == QLatin1String("search")) return cmdSearch(store, a);
        if (cmd == QLatin1String("ls")) return cmdLs(store, a);
        if (cmd == QLatin1String("show")) return cmdShow(profile, store, secrets, a);
        if (cmd == QLatin1String("mark")) return cmdMark(store, a);
        if (cmd == QLatin1String("move")) return cmdMove(store, a);
        if (cmd == QLatin1String("delete")) return cmdDelete(store, a);
        if (cmd == QLatin1String("queue")) return cmdQueue(store, a);
        if (cmd == QLatin1String("send")) return cmdSend(profile, store, secrets, a, argvList);
        if (cmd == QLatin1String("outbox")) return cmdOutbox(profile, store, secrets, a);
        err() << "error: unknown command " << cmd << "\n" << kUsage;
        return Usage;
    } catch (const net::NetError &e) {
        reportNetError(e);
        return exitFor(e);
    } catch (const store::StoreError &e) {
        err() << "error: local storage: " << e.what() << (e.isDiskFull() ? " (is the disk full?)" : "") << "\n";
        return StorageFailed;
    } catch (...) {
        // vmime and the standard library throw too: a clear line and an exit
        // code, never "terminate called after throwing".
        const util::ErrorText t = util::describeCurrentException();
        reportNetError(net::NetError(t.kind, t.message, t.info));
        return exitFor(net::NetError(t.kind, t.message, t.info));
    }
}
