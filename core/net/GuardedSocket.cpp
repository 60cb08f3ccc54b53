#include "net/GuardedSocket.h"

#include <vmime/exception.hpp>

#include <cstring>

namespace heron::net {

void GuardedSocket::receive(vmime::string &buffer)
{
    if (m_tls) {
        m_inner->receive(buffer);
        if (m_budget) m_budget->consume(buffer.size());
        return;
    }
    if (m_pending.find('\n') == std::string::npos) {
        std::string more;
        m_inner->receive(more);
        if (m_budget) m_budget->consume(more.size());
        m_pending += more;
    }
    size_t nl = m_pending.find('\n');
    if (nl == std::string::npos) {
        // No complete line yet: hand out what we have only if it is large (no
        // line to protect), otherwise wait for the rest of the line.
        if (m_pending.size() < 65536) {
            buffer.clear();
            return;
        }
        nl = m_pending.size() - 1;
    }
    buffer.assign(m_pending, 0, nl + 1);
    m_pending.erase(0, nl + 1);
}

size_t GuardedSocket::receiveRaw(vmime::byte_t *buffer, const size_t count)
{
    if (m_tls && m_pending.empty()) {
        const size_t n = m_inner->receiveRaw(buffer, count);
        if (m_budget) m_budget->consume(n);
        return n;
    }
    if (m_tls) {
        // Cannot happen: the handshake is refused while bytes are pending.
        throw vmime::exceptions::tls_exception("unexpected plaintext data before TLS");
    }
    std::string line;
    receive(line);
    size_t n = std::min(count, line.size());
    memcpy(buffer, line.data(), n);
    if (n < line.size()) m_pending.insert(0, line, n, std::string::npos);
    return n;
}

void GuardedSocket::checkHandshakeStart(const vmime::byte_t *buffer, size_t count)
{
    // A TLS record carrying a handshake message starts with 0x16 0x03.
    if (!m_tls && count >= 2 && buffer[0] == 0x16 && buffer[1] == 0x03) {
        if (!m_pending.empty())
            throw vmime::exceptions::tls_exception(
                "the server sent data before the TLS handshake (possible STARTTLS injection); connection aborted");
        m_tls = true;
    }
}

void GuardedSocket::sendRaw(const vmime::byte_t *buffer, const size_t count)
{
    checkHandshakeStart(buffer, count);
    m_inner->sendRaw(buffer, count);
}

size_t GuardedSocket::sendRawNonBlocking(const vmime::byte_t *buffer, const size_t count)
{
    checkHandshakeStart(buffer, count);
    return m_inner->sendRawNonBlocking(buffer, count);
}

} // namespace heron::net
