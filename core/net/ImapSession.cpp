#include "net/ImapSession.h"

#include "mime/Address.h"
#include "mime/HeaderDecoding.h"

#include <vmime/net/imap/IMAPConnection.hpp>
#include <vmime/net/imap/IMAPStore.hpp>

#include <algorithm>

namespace heron::net {

using mime::decodeHeader;

ImapSession::ImapSession(AccountConfig account, QString password, TrustPolicy trust, CancelFlag cancel)
    : m_account(std::move(account)), m_password(std::move(password)), m_trust(std::move(trust)),
      m_cancel(cancel ? std::move(cancel) : std::make_shared<std::atomic_bool>(false)), m_timeout(makeTimeout(30)),
      m_silenceLimit(*m_timeout * 2)
{
    // One response holds at most one message: the account's limit, plus room
    // for the rest of its FETCH line.
    ImapLimits limits;
    limits.maxLiteralBytes = m_account.maxMessageBytes() + 65536;
    limits.maxResponseBytes = m_account.maxMessageBytes() + (2 << 20);
    m_reader = ImapResponseReader(limits);
}

ImapSession::~ImapSession()
{
    try {
        if (m_store && m_store->isConnected())
            m_store->disconnect();
    } catch (...) {
    }
}

void ImapSession::fail(NetError::Kind kind, const QString &msg)
{
    if (kind != NetError::Server) {
        m_connected = false;
        try { if (m_socket) m_socket->disconnect(); } catch (...) {}
    }
    throw NetError(kind, msg);
}

void ImapSession::connect()
{
    ensureVmimePlatform();
    const ServerConfig &srv = m_account.incoming;
    const bool implicitTls = srv.security == Security::Tls;
    const std::string proto = implicitTls ? "imaps" : "imap";
    m_session = vmime::net::session::create();
    vmime::utility::url url(proto, srv.host.toStdString(), srv.port);
    auto auth = vmime::make_shared<PasswordAuthenticator>(m_account.username, m_password);
    m_store = m_session->getStore(url, auth);
    // vmime reads the greeting, STARTTLS, the login and CAPABILITY itself,
    // unbounded: our own bounded reader takes over only after that.
    m_budget->set(1 << 20, "the greeting and login");
    auto verifier = applyConnectionPolicy(*m_store, *m_session, "store." + proto + ".", srv, m_trust, m_cancel, m_timeout, false, m_budget);
    const TlsServerName sni(srv.host);
    try {
        m_store->connect();
        auto imapStore = vmime::dynamicCast<vmime::net::imap::IMAPStore>(m_store);
        auto conn = imapStore->getConnection();
        if (srv.security != Security::None && !conn->isSecuredConnection()) {
            try { m_store->disconnect(); } catch (...) {}
            m_store.reset();
            throw NetError(NetError::Tls, QStringLiteral("The connection to %1 is not encrypted.").arg(srv.host));
        }
        m_socket = vmime::constCast<vmime::net::socket>(conn->getSocket());
        m_caps.clear();
        // vmime 0.9.2 ignores the capabilities in the LOGIN answer and asks
        // again here: this talks to the server and can throw like the login.
        for (const auto &c : conn->getCapabilities())
            m_caps << QString::fromStdString(c).toUpper();
    } catch (const NetError &) {
        throw;
    } catch (const std::exception &e) {
        NetError err = translateVmimeError(e, verifier->problem(), *m_cancel, srv.host, srv.port);
        try { if (m_store && m_store->isConnected()) m_store->disconnect(); } catch (...) {}
        m_store.reset();
        m_socket.reset();
        throw err;
    }
    m_budget->unlimited();
    m_connected = true;
    m_condstore = hasCapability("CONDSTORE");
    // QRESYNC (RFC 7162): a re-sync in proportion to what changed. Enabled
    // once per connection; from then on the server reports expunges as
    // VANISHED, which every reader here treats like EXPUNGE.
    if (hasCapability("QRESYNC") && hasCapability("ENABLE")) {
        bool enabled = false;
        command("ENABLE QRESYNC", [&](const ImapResponse &r) {
            if (!r.items.empty() && r.items[0].atomIs("ENABLED"))
                for (size_t i = 1; i < r.items.size(); ++i) enabled = enabled || r.items[i].atomIs("QRESYNC");
        }, true);
        m_qresync = enabled;
        m_condstore = m_condstore || enabled; // QRESYNC implies CONDSTORE
    }
}

void ImapSelectInfo::normalizeVanished()
{
    // Sorted and merged: isVanished() looks at one neighbour only.
    std::sort(vanished.begin(), vanished.end());
    std::vector<std::pair<uint32_t, uint32_t>> merged;
    for (const auto &r : vanished) {
        if (!merged.empty() && uint64_t(r.first) <= uint64_t(merged.back().second) + 1)
            merged.back().second = std::max(merged.back().second, r.second);
        else
            merged.push_back(r);
    }
    vanished = std::move(merged);
}

bool ImapSelectInfo::isVanished(uint32_t uid) const
{
    // vanished is sorted by range start (select() sorts it).
    auto it = std::upper_bound(vanished.begin(), vanished.end(), uid,
                               [](uint32_t u, const std::pair<uint32_t, uint32_t> &r) { return u < r.first; });
    return it != vanished.begin() && uid <= std::prev(it)->second;
}

void ImapSession::logout()
{
    if (!m_connected) return;
    try {
        command("LOGOUT", {}, true);
    } catch (...) {
    }
    m_connected = false;
    try { m_socket->disconnect(); } catch (...) {}
    m_store.reset();
}

bool ImapSession::hasCapability(const char *cap) const { return m_caps.contains(QString::fromLatin1(cap)); }

QByteArray ImapSession::readRaw()
{
    QByteArray resp;
    readResponse(&resp, -1);
    return resp;
}

bool ImapSession::readRawFor(QByteArray *out, int waitMs) { return readResponse(out, waitMs); }

// waitMs < 0: until a whole response arrives (a minute of silence is a
// timeout, a cancel throws); else at most waitMs (false: nothing complete yet,
// partial data stays buffered).
bool ImapSession::readResponse(QByteArray *out, int waitMs)
{
    const auto start = std::chrono::steady_clock::now();
    auto lastData = start;
    std::string buf;
    try {
        while (!m_reader.take(out)) {
            if (*m_cancel) {
                if (waitMs >= 0) return false;
                fail(NetError::Cancelled, QStringLiteral("cancelled"));
            }
            if (waitMs >= 0 && std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(waitMs)) return false;
            buf.clear();
            m_socket->receive(buf);
            if (buf.empty()) {
                if (!m_socket->isConnected())
                    fail(NetError::Network, QStringLiteral("%1 closed the connection.").arg(m_account.incoming.host));
                if (waitMs < 0 && std::chrono::steady_clock::now() - lastData > std::chrono::seconds(m_silenceLimit))
                    fail(NetError::Timeout, QStringLiteral("%1 stopped answering.").arg(m_account.incoming.host));
                m_socket->waitForRead(waitMs < 0 ? 100 : 50);
                continue;
            }
            lastData = std::chrono::steady_clock::now();
            m_reader.feed(buf.data(), buf.size());
        }
    } catch (const ProtocolError &e) {
        fail(NetError::Protocol, QStringLiteral("%1 sent an invalid response: %2")
                                     .arg(m_account.incoming.host, QString::fromUtf8(e.what())));
    } catch (const NetError &) {
        throw;
    } catch (const std::exception &e) {
        fail(NetError::Network, QStringLiteral("Connection to %1 lost: %2")
                                    .arg(m_account.incoming.host, QString::fromUtf8(e.what())));
    }
    return true;
}

bool ImapSession::idle(const std::function<bool()> &stop, int maxSeconds, const std::function<void()> &accepted)
{
    if (!m_connected) throw NetError(NetError::Network, QStringLiteral("not connected"));
    if (!hasCapability("IDLE"))
        throw NetError(NetError::Server, QStringLiteral("%1 does not offer IDLE").arg(m_account.incoming.host));
    const QByteArray tag = "h" + QByteArray::number(++m_tag);
    auto parse = [this](const QByteArray &raw) {
        try {
            return parseImapResponse(raw);
        } catch (const ProtocolError &e) {
            fail(NetError::Protocol, QStringLiteral("%1 sent an invalid response: %2")
                                         .arg(m_account.incoming.host, QString::fromUtf8(e.what())));
        }
    };
    auto isChange = [](const ImapResponse &r) {
        return r.isUntagged() && r.items.size() >= 2 &&
               (r.items[1].atomIs("EXISTS") || r.items[1].atomIs("EXPUNGE") || r.items[1].atomIs("FETCH") ||
                r.items[0].atomIs("VANISHED"));
    };
    auto checkBye = [this](const ImapResponse &r) {
        if (r.isUntagged() && !r.items.empty() && r.items[0].atomIs("BYE"))
            fail(NetError::Network, QStringLiteral("%1 closed the connection: %2")
                                        .arg(m_account.incoming.host, QString::fromUtf8(r.humanText)));
    };
    try {
        m_socket->send((tag + " IDLE\r\n").toStdString());
    } catch (const std::exception &e) {
        fail(NetError::Network, QStringLiteral("Connection to %1 lost: %2").arg(m_account.incoming.host, QString::fromUtf8(e.what())));
    }
    bool changed = false;
    for (;;) { // until the server accepts the IDLE
        const ImapResponse r = parse(readRaw());
        checkBye(r);
        if (r.isContinuation()) break;
        if (r.tag == tag) {
            if (!r.items.empty() && r.items[0].atomIs("OK")) return false;
            fail(NetError::Server, QStringLiteral("%1 refused IDLE: %2").arg(m_account.incoming.host, QString::fromUtf8(r.humanText)));
        }
        changed |= isChange(r);
    }
    if (accepted) accepted();
    // Silence is what IDLE is for: no read timeout while waiting (the
    // socket's timeout is off, 0, until DONE). The connection is still checked:
    // DONE and the next IDLE every maxSeconds must be answered in time, and a
    // closed socket or a BYE ends the wait at once.
    const int normalTimeout = m_timeout->exchange(0);
    struct Restore {
        std::atomic_int &t;
        int v;
        ~Restore() { t = v; }
    } restore{*m_timeout, normalTimeout};
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(maxSeconds);
    while (!changed && !stop() && std::chrono::steady_clock::now() < until) {
        QByteArray raw;
        if (!readRawFor(&raw, 200)) continue;
        const ImapResponse r = parse(raw);
        checkBye(r);
        if (r.tag == tag) return changed; // the server ended it
        changed |= isChange(r);
    }
    *m_timeout = normalTimeout;
    if (*m_cancel) fail(NetError::Cancelled, QStringLiteral("cancelled"));
    try {
        m_socket->send("DONE\r\n");
    } catch (const std::exception &e) {
        fail(NetError::Network, QStringLiteral("Connection to %1 lost: %2").arg(m_account.incoming.host, QString::fromUtf8(e.what())));
    }
    for (;;) {
        const ImapResponse r = parse(readRaw());
        checkBye(r);
        if (r.tag == tag) return changed;
        changed |= isChange(r);
    }
}

QByteArray ImapSession::sendCommand(const QByteArray &cmd)
{
    if (!m_connected)
        throw NetError(NetError::Network, QStringLiteral("not connected"));
    const QByteArray tag = "h" + QByteArray::number(++m_tag);
    try {
        m_socket->send((tag + ' ' + cmd + "\r\n").toStdString());
    } catch (const std::exception &e) {
        fail(NetError::Network, QStringLiteral("Connection to %1 lost: %2")
                                    .arg(m_account.incoming.host, QString::fromUtf8(e.what())));
    }
    m_inFlight.push_back(tag);
    return tag;
}

ImapResponse ImapSession::finishCommand(const QByteArray &tag, const QByteArray &cmd,
                                        const std::function<void(const ImapResponse &)> &onUntagged, bool allowNo)
{
    // Commands are answered in order: only the oldest one in flight can be finished.
    if (m_inFlight.empty() || m_inFlight.front() != tag)
        fail(NetError::Protocol, QStringLiteral("internal error: IMAP commands finished out of order"));
    for (;;) {
        QByteArray raw = readRaw();
        ImapResponse r;
        try {
            r = parseImapResponse(raw);
        } catch (const ProtocolError &e) {
            fail(NetError::Protocol, QStringLiteral("%1 sent an invalid response: %2")
                                         .arg(m_account.incoming.host, QString::fromUtf8(e.what())));
        }
        if (r.isUntagged()) {
            if (!r.items.empty() && r.items[0].atomIs("BYE") && !cmd.startsWith("LOGOUT"))
                fail(NetError::Network, QStringLiteral("%1 closed the connection: %2")
                                            .arg(m_account.incoming.host, QString::fromUtf8(r.humanText)));
            if (onUntagged) onUntagged(r);
            continue;
        }
        if (r.isContinuation())
            fail(NetError::Protocol, QStringLiteral("%1 asked for data that was not announced").arg(m_account.incoming.host));
        if (r.tag != tag)
            fail(NetError::Protocol, QStringLiteral("%1 answered a command that was not sent").arg(m_account.incoming.host));
        m_inFlight.pop_front();
        if (r.items.empty() || !r.items[0].atomIs("OK")) {
            if (!allowNo) {
                // The command's name: "UID MOVE", not "UID"; never its arguments.
                const QList<QByteArray> words = cmd.split(' ');
                QByteArray name = words.value(0);
                if (name.toUpper() == "UID" && words.size() > 1) name += ' ' + words[1];
                fail(NetError::Server, QStringLiteral("%1 refused %2: %3")
                                           .arg(m_account.incoming.host, QString::fromUtf8(name),
                                                QString::fromUtf8(r.humanText)));
            }
        }
        return r;
    }
}

ImapResponse ImapSession::command(const QByteArray &cmd, const std::function<void(const ImapResponse &)> &onUntagged,
                                  bool allowNo)
{
    const QByteArray tag = sendCommand(cmd);
    return finishCommand(tag, cmd, onUntagged, allowNo);
}

std::vector<uint32_t> ImapSession::searchText(const QStringList &words)
{
    if (words.isEmpty()) return {};
    QByteArray criteria;
    for (const QString &w : words) {
        const QByteArray utf8 = w.toUtf8();
        bool ascii = true;
        for (char c : utf8) ascii &= uchar(c) >= 0x20 && uchar(c) < 0x7f;
        QByteArray arg;
        if (ascii) {
            arg = quoteImapString(utf8);
        } else if (hasCapability("LITERAL+")) {
            // 8-bit text cannot be quoted (RFC 3501); a non-synchronising literal can.
            arg = "{" + QByteArray::number(utf8.size()) + "+}\r\n" + utf8;
        } else {
            throw NetError(NetError::Server, QStringLiteral("%1 cannot search for non-ASCII text").arg(m_account.incoming.host));
        }
        criteria += (criteria.isEmpty() ? "TEXT " : " TEXT ") + arg;
    }
    std::vector<uint32_t> uids;
    command("UID SEARCH CHARSET UTF-8 " + criteria, [&](const ImapResponse &r) {
        if (r.items.empty() || !r.items[0].atomIs("SEARCH")) return;
        for (size_t i = 1; i < r.items.size(); ++i) {
            bool ok = false;
            const uint64_t uid = r.items[i].number(&ok);
            if (ok && uid > 0 && uid <= 0xffffffffu) uids.push_back(uint32_t(uid));
        }
    });
    return uids;
}

std::vector<ImapFolderInfo> ImapSession::listFolders()
{
    std::vector<ImapFolderInfo> out;
    // RETURN (SPECIAL-USE) lists every folder and adds the role attributes.
    const QByteArray cmd = hasCapability("SPECIAL-USE") && hasCapability("LIST-EXTENDED")
                               ? QByteArray("LIST \"\" \"*\" RETURN (SPECIAL-USE)")
                               : QByteArray("LIST \"\" \"*\"");
    command(cmd, [&](const ImapResponse &r) {
        if (r.items.size() < 4 || !r.items[0].atomIs("LIST") || !r.items[1].isList())
            return;
        ImapFolderInfo f;
        for (const ImapValue &a : r.items[1].items) {
            QString attr = QString::fromLatin1(a.text);
            f.attributes << attr;
            QString l = attr.toLower();
            if (l == QLatin1String("\\noselect") || l == QLatin1String("\\nonexistent"))
                f.selectable = false;
            static const char *uses[] = {"\\sent", "\\drafts", "\\trash", "\\junk", "\\archive", "\\all", "\\flagged"};
            for (const char *u : uses)
                if (l == QLatin1String(u)) {
                    f.specialUse = attr.left(2).toUpper() + attr.mid(2).toLower();
                }
        }
        f.delimiter = r.items[2].isNil() ? QString() : QString::fromLatin1(r.items[2].text);
        f.rawName = r.items[3].text;
        f.name = decodeMailboxName(f.rawName);
        if (f.rawName.toUpper() == "INBOX") {
            f.rawName = "INBOX";
            f.name = QStringLiteral("INBOX");
            f.specialUse = QStringLiteral("\\Inbox");
        }
        out.push_back(f);
    });
    return out;
}

ImapSelectInfo ImapSession::select(const QByteArray &rawName, uint32_t knownValidity, uint64_t knownModSeq)
{
    ImapSelectInfo info;
    QByteArray cmd = "SELECT " + quoteImapString(rawName);
    const bool qresync = m_qresync && knownValidity > 0 && knownModSeq > 0;
    if (qresync)
        cmd += " (QRESYNC (" + QByteArray::number(knownValidity) + ' ' + QByteArray::number(qulonglong(knownModSeq)) + "))";
    else if (m_condstore)
        cmd += " (CONDSTORE)";
    constexpr size_t kMaxRanges = 1'000'000;
    m_selected.clear();
    auto readCode = [&](const QByteArray &code) {
        QList<QByteArray> parts = code.split(' ');
        if (parts.size() < 2) return;
        QByteArray key = parts[0].toUpper();
        if (key == "UIDVALIDITY") info.uidvalidity = parts[1].toUInt();
        else if (key == "UIDNEXT") info.uidnext = parts[1].toUInt();
        else if (key == "HIGHESTMODSEQ") info.highestModSeq = parts[1].toULongLong();
    };
    ImapResponse done = command(cmd, [&](const ImapResponse &r) {
        if (!r.code.isEmpty()) readCode(r.code);
        if (r.items.size() >= 2 && r.items[1].atomIs("EXISTS"))
            info.exists = uint32_t(std::min<uint64_t>(r.items[0].number(), kMaxFolderMessages));
        if (!qresync || r.items.empty()) return;
        if (r.items[0].atomIs("VANISHED")) {
            // "* VANISHED (EARLIER) 41,43:116": ranges kept as ranges.
            const ImapValue &set = r.items.back();
            if (set.isList()) return;
            for (const QByteArray &part : set.text.split(',')) {
                const qsizetype colon = part.indexOf(':');
                bool okA = false, okB = true;
                uint32_t a = (colon < 0 ? part : part.left(colon)).toUInt(&okA);
                uint32_t b = colon < 0 ? a : part.mid(colon + 1).toUInt(&okB);
                // Only numbers: "5:*" or garbage must not be read as 1:5 (or
                // anything else) and make messages vanish here.
                if (!okA || !okB)
                    fail(NetError::Protocol, QStringLiteral("%1 sent a malformed list of expunged messages").arg(m_account.incoming.host));
                if (a > b) std::swap(a, b);
                if (b == 0) continue;
                if (info.vanished.size() >= kMaxRanges)
                    fail(NetError::Protocol, QStringLiteral("%1 reported an implausible list of expunged messages").arg(m_account.incoming.host));
                info.vanished.emplace_back(std::max(a, 1u), b);
            }
        } else if (r.items.size() >= 3 && r.items[1].atomIs("FETCH") && r.items[2].isList()) {
            uint32_t uid = 0;
            int flags = -1;
            const auto &kv = r.items[2].items;
            for (size_t i = 0; i + 1 < kv.size(); i += 2) {
                if (kv[i].atomIs("UID")) uid = uint32_t(kv[i + 1].number());
                else if (kv[i].atomIs("FLAGS")) flags = parseFlags(kv[i + 1]);
            }
            if (uid && flags >= 0) {
                if (info.changed.size() >= kMaxFolderMessages)
                    fail(NetError::Protocol, QStringLiteral("%1 reported more changes than a folder can hold").arg(m_account.incoming.host));
                info.changed.emplace_back(uid, flags);
            }
        }
    });
    if (qresync) {
        info.qresync = true;
        info.normalizeVanished();
    }
    if (done.code.toUpper().startsWith("READ-ONLY"))
        info.readOnly = true;
    if (info.uidvalidity == 0)
        fail(NetError::Protocol, QStringLiteral("%1 did not report UIDVALIDITY for %2")
                                     .arg(m_account.incoming.host, decodeMailboxName(rawName)));
    m_selected = rawName;
    m_selectedExists = info.exists;
    return info;
}

// A server's UID set ("1:5,9") as the UIDs it names. The total is bounded by
// what the folder can hold (its EXISTS, at most kMaxFolderMessages), checked
// before a range is expanded: "1:4294967295" repeated cannot allocate more
// than that, whatever the numbers in it say.
static void appendSequenceSet(const QByteArray &set, std::vector<uint32_t> *out, size_t maxTotal)
{
    auto tooMany = [] { throw NetError(NetError::Protocol, QStringLiteral("the server listed more messages than the folder holds")); };
    for (const QByteArray &part : set.split(',')) {
        qsizetype colon = part.indexOf(':');
        if (colon < 0) {
            if (out->size() >= maxTotal) tooMany();
            out->push_back(part.toUInt());
        } else {
            uint32_t a = part.left(colon).toUInt(), b = part.mid(colon + 1).toUInt();
            if (a > b) std::swap(a, b);
            if (a == 0) a = 1;
            if (uint64_t(b) - a + 1 > maxTotal - out->size()) tooMany();
            for (uint64_t u = a; u <= b; ++u) out->push_back(uint32_t(u));
        }
    }
}

std::vector<uint32_t> ImapSession::searchAllUids() { return searchUids("UNDELETED"); }

std::vector<uint32_t> ImapSession::searchUidsFrom(uint32_t first)
{
    std::vector<uint32_t> uids = searchUids("UID " + QByteArray::number(std::max(first, 1u)) + ":* UNDELETED");
    // "n:*" also names the highest UID when it is below n (RFC 3501).
    uids.erase(std::remove_if(uids.begin(), uids.end(), [first](uint32_t u) { return u < first; }), uids.end());
    return uids;
}

std::vector<uint32_t> ImapSession::searchUids(const QByteArray &criteria)
{
    std::vector<uint32_t> uids;
    // New mail may arrive between SELECT and SEARCH: some room above EXISTS.
    const size_t maxTotal = std::min<size_t>(size_t(m_selectedExists) + 100000, kMaxFolderMessages);
    const bool esearch = hasCapability("ESEARCH");
    // UNDELETED (in the criteria): a message flagged \Deleted is on its way
    // out (a move on a server without UIDPLUS, another client's "mark as
    // deleted"): not shown.
    command(esearch ? "UID SEARCH RETURN (ALL) " + criteria : "UID SEARCH " + criteria, [&](const ImapResponse &r) {
        if (r.items.empty()) return;
        if (r.items[0].atomIs("SEARCH")) {
            if (r.items.size() - 1 > maxTotal - uids.size())
                fail(NetError::Protocol, QStringLiteral("%1 listed more messages than the folder holds").arg(m_account.incoming.host));
            for (size_t i = 1; i < r.items.size(); ++i)
                uids.push_back(uint32_t(r.items[i].number()));
        } else if (r.items[0].atomIs("ESEARCH")) {
            for (size_t i = 1; i + 1 < r.items.size(); ++i)
                if (r.items[i].atomIs("ALL"))
                    appendSequenceSet(r.items[i + 1].text, &uids, maxTotal);
        }
    });
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

QByteArray ImapSession::uidSet(std::vector<uint32_t> uids)
{
    std::sort(uids.begin(), uids.end());
    QByteArray out;
    size_t i = 0;
    while (i < uids.size()) {
        size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] <= uids[j] + 1) ++j;
        if (!out.isEmpty()) out += ',';
        out += QByteArray::number(uids[i]);
        if (uids[j] != uids[i]) out += ':' + QByteArray::number(uids[j]);
        i = j + 1;
    }
    return out;
}

int ImapSession::parseFlags(const ImapValue &list)
{
    int f = 0;
    for (const ImapValue &v : list.items) {
        const QByteArray &t = v.text;
        if (t.isEmpty()) continue;
        if (qstricmp(t, "\\Seen") == 0) f |= Flag::Seen;
        else if (qstricmp(t, "\\Answered") == 0) f |= Flag::Answered;
        else if (qstricmp(t, "\\Flagged") == 0) f |= Flag::Flagged;
        else if (qstricmp(t, "\\Deleted") == 0) f |= Flag::Deleted;
        else if (qstricmp(t, "\\Draft") == 0) f |= Flag::Draft;
        else if (qstricmp(t, "$Forwarded") == 0) f |= Flag::Forwarded;
        else if (qstricmp(t, "$Junk") == 0 || qstricmp(t, "Junk") == 0) f |= Flag::Junk;
    }
    return f;
}

QByteArray ImapSession::flagList(int flags)
{
    QList<QByteArray> l;
    if (flags & Flag::Seen) l << "\\Seen";
    if (flags & Flag::Answered) l << "\\Answered";
    if (flags & Flag::Flagged) l << "\\Flagged";
    if (flags & Flag::Deleted) l << "\\Deleted";
    if (flags & Flag::Draft) l << "\\Draft";
    if (flags & Flag::Forwarded) l << "$Forwarded";
    if (flags & Flag::Junk) l << "$Junk";
    return "(" + l.join(' ') + ")";
}

namespace {
// The same rules as for raw headers (mime/Address.h): the server split the
// address; the name is decoded on its own, the address never.
mime::Mailbox envelopeMailbox(const ImapValue &addr)
{
    if (!addr.isList() || addr.items.size() < 4) return {};
    return mime::mailboxFromParts(addr.items[0].text, addr.items[2].text, addr.items[3].text);
}

QString formatAddressList(const ImapValue &list)
{
    QList<mime::Mailbox> out;
    if (list.isList())
        for (const ImapValue &a : list.items)
            if (a.isList() && a.items.size() >= 4 && !a.items[3].isNil()) // NIL host: group start or end
                out << envelopeMailbox(a);
    return mime::formatMailboxList(out);
}

// Returns the unfolded value of a header field in a block of header lines.
// The first field of that name when first is set (as ENVELOPE and our raw
// parser read it), else the last.
QByteArray headerValue(const QByteArray &block, const char *name, bool first = false)
{
    QByteArray out;
    const QByteArray key = QByteArray(name) + ':';
    const QList<QByteArray> lines = block.split('\n');
    bool in = false;
    bool seen = false;
    for (QByteArray line : lines) {
        if (line.endsWith('\r')) line.chop(1);
        if (in && !line.isEmpty() && (line[0] == ' ' || line[0] == '\t')) {
            out += ' ' + line.trimmed();
            continue;
        }
        in = false;
        if (line.size() >= key.size() && qstrnicmp(line.constData(), key.constData(), uint(key.size())) == 0) {
            if (first && seen) break;
            out = line.mid(key.size()).trimmed();
            in = true;
            seen = true;
        }
    }
    return out;
}
} // namespace

namespace {
const char kHeaderItems[] = " (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODY.PEEK[HEADER.FIELDS (FROM REFERENCES CONTENT-TYPE)])";
}

void ImapSession::fetchHeaders(const std::vector<uint32_t> &uids, const std::function<void(MessageRecord &&)> &sink)
{
    if (uids.empty()) return;
    finishFetchHeaders(startFetchHeaders(uids), sink);
}

QByteArray ImapSession::startFetchHeaders(const std::vector<uint32_t> &uids)
{
    return sendCommand("UID FETCH " + uidSet(uids) + kHeaderItems);
}

void ImapSession::finishFetchHeaders(const QByteArray &tag, const std::function<void(MessageRecord &&)> &sink)
{
    finishCommand(tag, "UID FETCH", [&](const ImapResponse &r) {
        if (r.items.size() < 3 || !r.items[1].atomIs("FETCH") || !r.items[2].isList())
            return;
        const auto &kv = r.items[2].items;
        MessageRecord m;
        int64_t internalDate = 0;
        QByteArray rawFrom;
        const ImapValue *envelopeFrom = nullptr;
        for (size_t i = 0; i + 1 < kv.size(); i += 2) {
            const ImapValue &k = kv[i];
            const ImapValue &v = kv[i + 1];
            if (k.atomIs("UID")) {
                m.uid = uint32_t(v.number());
            } else if (k.atomIs("FLAGS")) {
                m.flags = parseFlags(v);
            } else if (k.atomIs("RFC822.SIZE")) {
                m.size = int64_t(v.number());
            } else if (k.atomIs("INTERNALDATE")) {
                internalDate = mime::parseInternalDate(v.text);
            } else if (k.atomIs("ENVELOPE") && v.isList() && v.items.size() >= 10) {
                const auto &e = v.items;
                m.date = mime::parseRfc5322Date(e[0].text);
                m.subject = decodeHeader(e[1].text);
                if (e[2].isList() && !e[2].items.empty()) envelopeFrom = &e[2].items[0]; // used if no raw From
                m.to = formatAddressList(e[5]);
                m.cc = formatAddressList(e[6]);
                m.inReplyTo = QString::fromUtf8(e[8].text).trimmed();
                m.messageId = QString::fromUtf8(e[9].text).trimmed();
            } else if (k.type == ImapValue::Atom && k.text.toUpper().startsWith("BODY[HEADER.FIELDS")) {
                m.references = QString::fromUtf8(headerValue(v.text, "References")).simplified();
                rawFrom = headerValue(v.text, "From", true);
                QByteArray ct = headerValue(v.text, "Content-Type").toLower();
                m.hasAttachment = ct.startsWith("multipart/mixed");
            }
        }
        if (m.uid == 0)
            return; // unsolicited FETCH (flag update of another message)
        // The sender from the bytes as written, parsed the way raw (POP3)
        // headers are: servers split odd addresses differently (Dovecot makes
        // "a@b@evil.example" into "a@b"). The ENVELOPE's is the fallback.
        QList<mime::Mailbox> from = rawFrom.isEmpty() ? QList<mime::Mailbox>() : mime::parseAddressList(rawFrom);
        if (from.isEmpty() && envelopeFrom) from << envelopeMailbox(*envelopeFrom);
        if (!from.isEmpty()) {
            m.fromName = from.first().name;
            m.fromAddr = from.first().address;
        }
        if (m.date == 0)
            m.date = internalDate;
        sink(std::move(m));
    });
}

void ImapSession::fetchFlags(uint64_t changedSince, const std::function<void(uint32_t, int)> &sink)
{
    QByteArray cmd = "UID FETCH 1:* (UID FLAGS)";
    if (m_condstore && changedSince > 0)
        cmd += " (CHANGEDSINCE " + QByteArray::number(qulonglong(changedSince)) + ")";
    command(cmd, [&](const ImapResponse &r) {
        if (r.items.size() < 3 || !r.items[1].atomIs("FETCH") || !r.items[2].isList())
            return;
        uint32_t uid = 0;
        int flags = -1;
        const auto &kv = r.items[2].items;
        for (size_t i = 0; i + 1 < kv.size(); i += 2) {
            if (kv[i].atomIs("UID")) uid = uint32_t(kv[i + 1].number());
            else if (kv[i].atomIs("FLAGS")) flags = parseFlags(kv[i + 1]);
        }
        if (uid && flags >= 0) sink(uid, flags);
    });
}

QByteArray ImapSession::fetchMessage(uint32_t uid, int64_t claimedSize)
{
    if (claimedSize > m_account.maxMessageBytes())
        throw NetError(NetError::TooLarge, QStringLiteral("This message is %1 MB, over this account's limit of %2 MB; it stays on the server.")
                                               .arg((claimedSize + (1 << 20) - 1) >> 20).arg(m_account.maxMessageMB));
    QByteArray body;
    finishFetchBodies(startFetchBodies({uid}), [&](uint32_t got, QByteArray &&raw) {
        if (got == uid) body = std::move(raw);
    });
    return body;
}

QByteArray ImapSession::startFetchBodies(const std::vector<uint32_t> &uids)
{
    return sendCommand("UID FETCH " + uidSet(uids) + " (UID BODY.PEEK[])");
}

void ImapSession::finishFetchBodies(const QByteArray &tag, const std::function<void(uint32_t, QByteArray &&)> &sink)
{
    finishCommand(tag, "UID FETCH", [&](const ImapResponse &r) {
        if (r.items.size() < 3 || !r.items[1].atomIs("FETCH") || !r.items[2].isList())
            return;
        const auto &kv = r.items[2].items;
        uint32_t uid = 0;
        const ImapValue *content = nullptr;
        for (size_t i = 0; i + 1 < kv.size(); i += 2) {
            if (kv[i].atomIs("UID")) uid = uint32_t(kv[i + 1].number());
            else if (kv[i].atomIs("BODY[]")) content = &kv[i + 1];
        }
        if (uid && content && !content->isNil()) sink(uid, QByteArray(content->text));
    }, true); // NO ("some messages could not be fetched", EXPUNGEISSUED): keep what came
}

std::vector<QByteArray> ImapSession::uidSets(std::vector<uint32_t> uids, int maxBytes)
{
    std::vector<QByteArray> out;
    const QByteArray all = uidSet(std::move(uids));
    qsizetype pos = 0;
    while (pos < all.size()) {
        if (all.size() - pos <= maxBytes) {
            out.push_back(all.mid(pos));
            break;
        }
        // Cut at the last comma within the limit: ranges stay whole.
        qsizetype cut = all.lastIndexOf(',', pos + maxBytes);
        if (cut <= pos) cut = all.indexOf(',', pos + 1);
        if (cut < 0) cut = all.size();
        out.push_back(all.mid(pos, cut - pos));
        pos = cut + 1;
    }
    return out;
}

void ImapSession::storeFlags(const std::vector<uint32_t> &uids, int flags, bool add)
{
    if (uids.empty() || flags == 0) return;
    for (const QByteArray &set : uidSets(uids))
        command("UID STORE " + set + (add ? " +FLAGS.SILENT " : " -FLAGS.SILENT ") + flagList(flags));
}

void ImapSession::copyMessages(const std::vector<uint32_t> &uids, const QByteArray &destRaw)
{
    if (uids.empty()) return;
    for (const QByteArray &set : uidSets(uids))
        command("UID COPY " + set + ' ' + quoteImapString(destRaw));
}

void ImapSession::moveMessages(const std::vector<uint32_t> &uids, const QByteArray &destRaw)
{
    if (uids.empty()) return;
    if (hasCapability("MOVE")) {
        for (const QByteArray &set : uidSets(uids))
            command("UID MOVE " + set + ' ' + quoteImapString(destRaw));
        return;
    }
    copyMessages(uids, destRaw);
    expungeUids(uids);
}

bool ImapSession::expungeUids(const std::vector<uint32_t> &uids)
{
    if (uids.empty()) return true;
    storeFlags(uids, Flag::Deleted, true);
    // Never a bare EXPUNGE: it would also remove what another client marked
    // \Deleted. Without UIDPLUS the messages stay flagged (hidden by every
    // client that honours the flag, Heron included) until the server or a
    // user's "compact" removes them.
    if (!hasCapability("UIDPLUS")) return false;
    for (const QByteArray &set : uidSets(uids))
        command("UID EXPUNGE " + set);
    return true;
}

uint32_t ImapSession::append(const QByteArray &rawName, const QByteArray &message, int flags)
{
    if (!m_connected)
        throw NetError(NetError::Network, QStringLiteral("not connected"));
    const QByteArray tag = "h" + QByteArray::number(++m_tag);
    const bool literalPlus = hasCapability("LITERAL+");
    QByteArray head = tag + " APPEND " + quoteImapString(rawName) + ' ' + flagList(flags) + " {" +
                      QByteArray::number(message.size()) + (literalPlus ? "+}\r\n" : "}\r\n");
    try {
        m_socket->send(head.toStdString());
        if (!literalPlus) {
            for (;;) {
                ImapResponse r = parseImapResponse(readRaw());
                if (r.isContinuation()) break;
                if (r.tag == tag)
                    fail(NetError::Server, QStringLiteral("%1 refused to store the message: %2")
                                               .arg(m_account.incoming.host, QString::fromUtf8(r.humanText)));
            }
        }
        m_socket->sendRaw(reinterpret_cast<const vmime::byte_t *>(message.constData()), size_t(message.size()));
        m_socket->send("\r\n");
    } catch (const NetError &) {
        throw;
    } catch (const std::exception &e) {
        fail(NetError::Network, QStringLiteral("Connection to %1 lost: %2").arg(m_account.incoming.host, QString::fromUtf8(e.what())));
    }
    for (;;) {
        ImapResponse r;
        try {
            r = parseImapResponse(readRaw());
        } catch (const ProtocolError &e) {
            fail(NetError::Protocol, QString::fromUtf8(e.what()));
        }
        if (r.tag != tag) continue;
        if (r.items.empty() || !r.items[0].atomIs("OK"))
            fail(NetError::Server, QStringLiteral("%1 refused to store the message: %2")
                                       .arg(m_account.incoming.host, QString::fromUtf8(r.humanText)));
        QList<QByteArray> code = r.code.split(' ');
        if (code.size() >= 3 && code[0].toUpper() == "APPENDUID") return code[2].toUInt();
        return 0;
    }
}

void ImapSession::createFolder(const QByteArray &rawName) { command("CREATE " + quoteImapString(rawName)); }
void ImapSession::renameFolder(const QByteArray &from, const QByteArray &to)
{
    command("RENAME " + quoteImapString(from) + ' ' + quoteImapString(to));
}
void ImapSession::deleteFolder(const QByteArray &rawName)
{
    if (m_selected == rawName) {
        command("UNSELECT", {}, true);
        m_selected.clear();
    }
    command("DELETE " + quoteImapString(rawName));
}
void ImapSession::noop() { command("NOOP"); }

} // namespace heron::net
