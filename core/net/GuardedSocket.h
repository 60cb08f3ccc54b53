#pragma once
// A socket layer under vmime's TLS that closes the STARTTLS injection hole
// (shared/notes/vmime.md): before TLS starts, it hands vmime one line at a time,
// so bytes a server sends after its "begin TLS" answer are not swallowed into
// vmime's parser buffer (where they would later be read as if they had come
// over TLS). If any such bytes are pending when the TLS handshake starts, the
// connection is aborted.
#include <vmime/exception.hpp>
#include <vmime/net/socket.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

namespace heron::net {

// The server sent more than the budget allowed (see ReadBudget).
class ReadBudgetExceeded : public vmime::exceptions::socket_exception {
public:
    explicit ReadBudgetExceeded(const std::string &what) : vmime::exceptions::socket_exception(what) {}
    vmime::exception *clone() const override { return new ReadBudgetExceeded(*this); }
    const char *name() const noexcept override { return "read_budget_exceeded"; }
};

// How many more bytes a server may send for what is being read now. Counted
// below TLS (what vmime's parsers buffer is never more than what arrived), so
// a greeting, a STARTTLS reply, a SASL exchange or a POP3 RETR that never
// ends cannot make vmime buffer without bound, TLS or not. One per connection,
// used by the connection's thread only; negative means unlimited (the phase
// where our own bounded parser reads).
class ReadBudget {
public:
    // Once exceeded, it stays exceeded: every later read on the connection
    // throws too (vmime may still try to read, e.g. a QUIT reply).
    void set(int64_t bytes, std::string what)
    {
        if (m_exceeded) return;
        m_left = bytes;
        m_limit = bytes;
        m_what = std::move(what);
        m_unlimited = false;
    }
    void unlimited()
    {
        if (!m_exceeded) m_unlimited = true;
    }
    void consume(size_t n)
    {
        if (m_exceeded) throw ReadBudgetExceeded("the connection was closed after an oversized reply");
        m_received += int64_t(n);
        if (m_unlimited) return;
        m_left -= int64_t(n);
        if (m_left < 0) {
            m_exceeded = true;
            throw ReadBudgetExceeded("the server sent more than " + std::to_string(m_limit >> 10) + " KB for " + m_what);
        }
    }
    bool exceeded() const { return m_exceeded; }
    int64_t limit() const { return m_limit; }
    // Every byte read on the connection so far (TLS records included): what
    // a sync cost on the wire.
    int64_t received() const { return m_received; }
private:
    int64_t m_received = 0;
    int64_t m_left = 0;
    int64_t m_limit = 0;
    bool m_unlimited = true;
    bool m_exceeded = false;
    std::string m_what;
};
using ReadBudgetPtr = std::shared_ptr<ReadBudget>;

class GuardedSocket : public vmime::net::socket {
public:
    GuardedSocket(vmime::shared_ptr<vmime::net::socket> inner, ReadBudgetPtr budget)
        : m_inner(std::move(inner)), m_budget(std::move(budget)) {}

    void connect(const vmime::string &address, const vmime::port_t port) override { m_inner->connect(address, port); }
    void disconnect() override { m_inner->disconnect(); }
    bool isConnected() const override { return m_inner->isConnected(); }
    bool waitForRead(const int msecs) override { return m_pending.find('\n') != std::string::npos || m_inner->waitForRead(msecs); }
    bool waitForWrite(const int msecs) override { return m_inner->waitForWrite(msecs); }
    void receive(vmime::string &buffer) override;
    size_t receiveRaw(vmime::byte_t *buffer, const size_t count) override;
    void send(const vmime::string &buffer) override { sendRaw(reinterpret_cast<const vmime::byte_t *>(buffer.data()), buffer.size()); }
    void send(const char *str) override { sendRaw(reinterpret_cast<const vmime::byte_t *>(str), strlen(str)); }
    void sendRaw(const vmime::byte_t *buffer, const size_t count) override;
    size_t sendRawNonBlocking(const vmime::byte_t *buffer, const size_t count) override;
    size_t getBlockSize() const override { return m_inner->getBlockSize(); }
    unsigned int getStatus() const override { return m_inner->getStatus(); }
    const vmime::string getPeerName() const override { return m_inner->getPeerName(); }
    const vmime::string getPeerAddress() const override { return m_inner->getPeerAddress(); }
    vmime::shared_ptr<vmime::net::timeoutHandler> getTimeoutHandler() override { return m_inner->getTimeoutHandler(); }
    void setTracer(vmime::shared_ptr<vmime::net::tracer> tracer) override { m_inner->setTracer(tracer); }
    vmime::shared_ptr<vmime::net::tracer> getTracer() override { return m_inner->getTracer(); }

private:
    void checkHandshakeStart(const vmime::byte_t *buffer, size_t count);
    vmime::shared_ptr<vmime::net::socket> m_inner;
    ReadBudgetPtr m_budget;
    std::string m_pending;    // received but not yet handed to vmime (plaintext phase only)
    bool m_tls = false;       // a TLS handshake has started: pass bytes through untouched
};

class GuardedSocketFactory : public vmime::net::socketFactory {
public:
    GuardedSocketFactory(vmime::shared_ptr<vmime::net::socketFactory> inner, ReadBudgetPtr budget)
        : m_inner(std::move(inner)), m_budget(std::move(budget)) {}
    vmime::shared_ptr<vmime::net::socket> create() override { return vmime::make_shared<GuardedSocket>(m_inner->create(), m_budget); }
    vmime::shared_ptr<vmime::net::socket> create(vmime::shared_ptr<vmime::net::timeoutHandler> th) override
    {
        return vmime::make_shared<GuardedSocket>(m_inner->create(th), m_budget);
    }
private:
    vmime::shared_ptr<vmime::net::socketFactory> m_inner;
    ReadBudgetPtr m_budget;
};

} // namespace heron::net
