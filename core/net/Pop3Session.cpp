#include "net/Pop3Session.h"


#include <vmime/net/pop3/POP3Connection.hpp>
#include <vmime/net/pop3/POP3Store.hpp>

namespace heron::net {

Pop3Session::Pop3Session(AccountConfig account, QString password, TrustPolicy trust, CancelFlag cancel)
    : m_account(std::move(account)), m_password(std::move(password)), m_trust(std::move(trust)),
      m_cancel(cancel ? std::move(cancel) : std::make_shared<std::atomic_bool>(false)) {}

void Pop3Session::dropConnection()
{
    try {
        if (auto pop = vmime::dynamicCast<vmime::net::pop3::POP3Store>(m_store))
            if (auto conn = pop->getConnection())
                if (auto sock = conn->getSocket()) sock->disconnect();
    } catch (...) {
    }
}

Pop3Session::~Pop3Session()
{
    // Ended without quit(): drop the connection without QUIT, so the server
    // applies no deletion (POP3 deletes only at QUIT). The folder must outlive
    // the store's disconnect (vmime calls back into it).
    if (m_store && !m_quit) {
        try {
            if (auto pop = vmime::dynamicCast<vmime::net::pop3::POP3Store>(m_store))
                if (auto conn = pop->getConnection())
                    if (auto sock = conn->getSocket()) sock->disconnect();
        } catch (...) {
        }
        try {
            if (m_store->isConnected()) m_store->disconnect();
        } catch (...) {
        }
    }
    m_messages.clear();
    m_inbox.reset();
    m_store.reset();
}

void Pop3Session::fail(const std::exception &e, const char *what)
{
    if (auto ne = dynamic_cast<const NetError *>(&e)) throw *ne;
    const QString where = QStringLiteral("%1:%2").arg(m_account.incoming.host).arg(m_account.incoming.port);
    if (*m_cancel) throw NetError(NetError::Cancelled, QStringLiteral("cancelled"));
    if (dynamic_cast<const vmime::exceptions::socket_exception *>(&e) ||
        dynamic_cast<const vmime::exceptions::operation_timed_out *>(&e) ||
        dynamic_cast<const vmime::exceptions::not_connected *>(&e))
        throw NetError(NetError::Network, QStringLiteral("Connection to %1 lost while %2: %3").arg(where, QLatin1String(what), QString::fromUtf8(e.what())));
    throw NetError(NetError::Server, QStringLiteral("%1 failed while %2: %3").arg(where, QLatin1String(what), QString::fromUtf8(e.what())));
}

void Pop3Session::connect()
{
    ensureVmimePlatform();
    const ServerConfig &srv = m_account.incoming;
    const std::string proto = srv.security == Security::Tls ? "pop3s" : "pop3";
    m_session = vmime::net::session::create();
    // SASL (AUTH) where the server offers it, else USER/PASS; both only after TLS
    // unless the user chose an unencrypted account. APOP (MD5) is not used.
    auto auth = vmime::make_shared<SaslPasswordAuthenticator>(m_account.username, m_password);
    m_store = m_session->getStore(vmime::utility::url(proto, srv.host.toStdString(), srv.port), auth);
    auto verifier = applyConnectionPolicy(*m_store, *m_session, "store." + proto + ".", srv, m_trust, m_cancel, makeTimeout(30), true, m_budget);
    m_budget->set(1 << 20, "the greeting and login");
    m_session->getProperties()["store." + proto + ".options.apop"] = false;
    m_session->getProperties()["store." + proto + ".options.apop.fallback"] = false;
    // sasl.fallback stays on: servers without SASL know only USER/PASS. (A
    // wrong password therefore costs two attempts here, one elsewhere.)
    const TlsServerName sni(srv.host);
    try {
        m_store->connect();
        if (srv.security != Security::None && !m_store->isSecuredConnection())
            throw NetError(NetError::Tls, QStringLiteral("The connection to %1 is not encrypted.").arg(srv.host));
        m_inbox = m_store->getDefaultFolder();
        m_inbox->open(vmime::net::folder::MODE_READ_WRITE);
    } catch (const NetError &) {
        m_store.reset();
        throw;
    } catch (const std::exception &e) {
        NetError err = translateVmimeError(e, verifier->problem(), *m_cancel, srv.host, srv.port);
        m_store.reset();
        throw err;
    }
}

std::vector<Pop3Entry> Pop3Session::list()
{
    std::vector<Pop3Entry> out;
    m_budget->set(64 << 20, "the message list");
    try {
        const size_t count = m_inbox->getMessageCount();
        if (count == 0) return out;
        // vmime makes an object per message before reading the list: the
        // count in STAT is bounded first.
        if (count > kMaxMessages)
            throw NetError(NetError::Protocol, QStringLiteral("%1 claims %2 messages, more than Heron accepts (%3)")
                                                   .arg(m_account.incoming.host).arg(count).arg(kMaxMessages));
        m_messages = m_inbox->getMessages(vmime::net::messageSet::byNumber(1, count));
        m_inbox->fetchMessages(m_messages, vmime::net::fetchAttributes(vmime::net::fetchAttributes::UID |
                                                                       vmime::net::fetchAttributes::SIZE));
        for (const auto &m : m_messages) {
            Pop3Entry e;
            e.number = m->getNumber();
            e.uidl = QString::fromStdString(static_cast<std::string>(m->getUID()));
            e.size = m->getSize();
            out.push_back(e);
        }
    } catch (const std::exception &e) {
        fail(e, "listing messages");
    }
    return out;
}

namespace {
// Collects a download straight into the QByteArray it ends up in (one copy of
// the message in memory, not two).
class ByteArrayOutput : public vmime::utility::outputStream {
public:
    explicit ByteArrayOutput(QByteArray &out) : m_out(out) {}
    void flush() override {}
protected:
    void writeImpl(const vmime::byte_t *data, const size_t count) override
    {
        m_out.append(reinterpret_cast<const char *>(data), qsizetype(count));
    }
private:
    QByteArray &m_out;
};
} // namespace

QByteArray Pop3Session::retrieve(size_t number, int64_t maxBytes)
{
    if (number == 0 || number > m_messages.size())
        throw NetError(NetError::Server, QStringLiteral("no message %1 on the server").arg(number));
    QByteArray data;
    // The claim in LIST is a hint for the buffer, never trusted beyond the cap.
    data.reserve(qsizetype(std::min<int64_t>(int64_t(m_messages[number - 1]->getSize()), maxBytes) + 4096));
    // Dot-stuffing, line ends and the status line: a little over the message.
    m_budget->set(maxBytes + maxBytes / 16 + 65536, "message " + std::to_string(number));
    try {
        ByteArrayOutput os(data);
        m_messages[number - 1]->extract(os);
    } catch (const ReadBudgetExceeded &) {
        // The rest of the message is still on the wire: the connection is cut
        // (no QUIT, so none of this session's DELEs apply) and the session is
        // finished; the destructor does that.
        dropConnection();
        throw NetError(NetError::TooLarge, QStringLiteral("message %1 is larger than this account's limit of %2 MB")
                                               .arg(number).arg(maxBytes >> 20));
    } catch (const std::exception &e) {
        fail(e, "downloading a message");
    }
    if (data.size() > maxBytes)
        throw NetError(NetError::TooLarge, QStringLiteral("message %1 is larger than this account's limit of %2 MB")
                                               .arg(number).arg(maxBytes >> 20));
    m_budget->set(1 << 20, "a reply");
    return data;
}

void Pop3Session::markDeleted(size_t number)
{
    m_budget->set(1 << 20, "a reply");
    try {
        m_inbox->deleteMessages(vmime::net::messageSet::byNumber(number));
    } catch (const std::exception &e) {
        fail(e, "deleting a message");
    }
}

void Pop3Session::quit()
{
    m_budget->set(1 << 20, "a reply");
    try {
        m_inbox->close(true);
        m_store->disconnect();
        m_quit = true;
    } catch (const std::exception &e) {
        fail(e, "closing the session");
    }
}

} // namespace heron::net
