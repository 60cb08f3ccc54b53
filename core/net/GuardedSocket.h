#pragma once
// A socket layer under vmime's TLS that closes the STARTTLS injection hole
// (shared/notes/vmime.md): before TLS starts, it hands vmime one line at a time,
// so bytes a server sends after its "begin TLS" answer are not swallowed into
// vmime's parser buffer (where they would later be read as if they had come
// over TLS). If any such bytes are pending when the TLS handshake starts, the
// connection is aborted.
#include <vmime/net/socket.hpp>

#include <cstring>

namespace heron::net {

class GuardedSocket : public vmime::net::socket {
public:
    explicit GuardedSocket(vmime::shared_ptr<vmime::net::socket> inner) : m_inner(std::move(inner)) {}

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
    std::string m_pending;    // received but not yet handed to vmime (plaintext phase only)
    bool m_tls = false;       // a TLS handshake has started: pass bytes through untouched
};

class GuardedSocketFactory : public vmime::net::socketFactory {
public:
    explicit GuardedSocketFactory(vmime::shared_ptr<vmime::net::socketFactory> inner) : m_inner(std::move(inner)) {}
    vmime::shared_ptr<vmime::net::socket> create() override { return vmime::make_shared<GuardedSocket>(m_inner->create()); }
    vmime::shared_ptr<vmime::net::socket> create(vmime::shared_ptr<vmime::net::timeoutHandler> th) override
    {
        return vmime::make_shared<GuardedSocket>(m_inner->create(th));
    }
private:
    vmime::shared_ptr<vmime::net::socketFactory> m_inner;
};

} // namespace heron::net
