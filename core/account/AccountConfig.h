#pragma once
#include <QString>
#include <algorithm>
#include <cstdint>

namespace heron {

// How a connection is protected. None is only ever used when the user chose it
// explicitly for that account (the CLI and the dialog both warn).
enum class Security { Tls, StartTls, None };

QString securityName(Security s);
bool parseSecurity(const QString &text, Security *out);

struct ServerConfig {
    QString host;
    int port = 0;
    Security security = Security::Tls;
};

struct AccountConfig {
    int64_t id = 0;
    QString name;
    QString email;
    QString protocol; // "imap" or "pop3"
    ServerConfig incoming;
    QString username;
    ServerConfig smtp;
    int checkIntervalSeconds = 300;
    // POP3 only: what happens on the server after download.
    //   "leave" (default), "delete" (after download), "days" (after pop3KeepDays days),
    //   "mirror" (when deleted for good locally).
    QString pop3Policy = QStringLiteral("leave");
    int pop3KeepDays = 0;
    // The largest message downloaded (sizes a server announces are claims; the
    // download stops at this many MB and the message is marked too large).
    int maxMessageMB = 100;
    // Messages kept for offline use (IMAP; POP3 keeps everything): -1 all,
    // 0 headers only, N those of the last N days.
    int offlineDays = 90;
    int64_t maxMessageBytes() const { return int64_t(std::max(1, maxMessageMB)) << 20; }
    bool isPop3() const { return protocol == QLatin1String("pop3"); }
};

} // namespace heron
