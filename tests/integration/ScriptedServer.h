#pragma once
// A scripted TCP server on a free loopback port, for faults a real server will
// not produce (missing STARTTLS, injected bytes, malformed replies, drops).
// Runs one connection on its own thread; records every line the client sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace heron::test {

class ScriptedServer {
public:
    // reply(line) returns the bytes to send back; "" sends nothing; a reply ending
    // in "<close>" sends what precedes it, then closes the connection.
    ScriptedServer(std::string greeting, std::function<std::string(const std::string &)> reply)
        : m_greeting(std::move(greeting)), m_reply(std::move(reply))
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        ::bind(m_listen, reinterpret_cast<sockaddr *>(&a), sizeof a);
        ::listen(m_listen, 1);
        socklen_t len = sizeof a;
        getsockname(m_listen, reinterpret_cast<sockaddr *>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { run(); });
    }
    ~ScriptedServer()
    {
        m_stop = true;
        ::shutdown(m_listen, SHUT_RDWR);
        ::close(m_listen);
        if (m_thread.joinable()) m_thread.join();
    }
    int port() const { return m_port; }
    std::vector<std::string> received()
    {
        std::lock_guard<std::mutex> l(m_mutex);
        return m_lines;
    }
    bool receivedContaining(const std::string &needle)
    {
        for (const std::string &l : received())
            if (l.find(needle) != std::string::npos) return true;
        return false;
    }

private:
    void run()
    {
        int c = ::accept(m_listen, nullptr, nullptr);
        if (c < 0) return;
        timeval tv{10, 0};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::send(c, m_greeting.data(), m_greeting.size(), MSG_NOSIGNAL);
        std::string buf;
        char chunk[4096];
        while (!m_stop) {
            ssize_t n = ::recv(c, chunk, sizeof chunk, 0);
            if (n <= 0) break;
            buf.append(chunk, size_t(n));
            size_t nl;
            bool closed = false;
            while ((nl = buf.find('\n')) != std::string::npos) {
                std::string line = buf.substr(0, nl + 1);
                buf.erase(0, nl + 1);
                {
                    std::lock_guard<std::mutex> l(m_mutex);
                    m_lines.push_back(line);
                }
                std::string out = m_reply(line);
                const std::string marker = "<close>";
                if (out.size() >= marker.size() && out.compare(out.size() - marker.size(), marker.size(), marker) == 0) {
                    out.resize(out.size() - marker.size());
                    closed = true;
                }
                if (!out.empty()) ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
                if (closed) break;
            }
            if (closed) break;
        }
        ::close(c);
    }
    std::string m_greeting;
    std::function<std::string(const std::string &)> m_reply;
    int m_listen = -1;
    int m_port = 0;
    std::atomic_bool m_stop{false};
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<std::string> m_lines;
};

// The tag of an IMAP command line ("a001 LOGIN ..." -> "a001").
inline std::string imapTag(const std::string &line) { return line.substr(0, line.find(' ')); }
inline bool imapIs(const std::string &line, const char *cmd)
{
    std::string rest = line.substr(line.find(' ') + 1);
    return rest.compare(0, strlen(cmd), cmd) == 0;
}

} // namespace heron::test
