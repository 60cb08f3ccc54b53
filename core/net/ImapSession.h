#pragma once
// One authenticated IMAP connection. vmime does the connection, TLS/STARTTLS,
// certificate check (through our CertificateVerifier) and login; every command
// after that is ours, over vmime's socket, parsed by our bounded parser, so the
// bulk paths run near protocol speed and the extensions vmime lacks (MOVE,
// CONDSTORE CHANGEDSINCE, ESEARCH, UID EXPUNGE) are available.
//
// Thread: an ImapSession lives and is used on one thread only (vmime objects
// are not thread-safe). cancel() may be called from any thread through the flag.
// Errors: every method throws NetError; after Network/Timeout/Protocol errors
// the session is dead (isConnected() false) and must be recreated.
#include "account/AccountConfig.h"
#include "net/CertificateVerifier.h"
#include "net/ImapResponse.h"
#include "net/VmimeSupport.h"
#include "store/MessageRecord.h"

#include <QStringList>

#include <deque>
#include <functional>
#include <vector>

namespace heron::net {

struct ImapFolderInfo {
    QString name;       // decoded
    QByteArray rawName; // as on the wire (modified UTF-7)
    QString delimiter;
    QString specialUse; // "\\Inbox", "\\Sent", ... or ""
    bool selectable = true;
    QStringList attributes;
};

struct ImapSelectInfo {
    uint32_t uidvalidity = 0;
    uint32_t uidnext = 0;
    uint64_t highestModSeq = 0;
    uint32_t exists = 0;
    bool readOnly = false;
    // With QRESYNC (RFC 7162) and a known UIDVALIDITY and MODSEQ: what
    // changed since, as the server reported it in the SELECT: expunged UIDs
    // (VANISHED (EARLIER), as ranges: never expanded, a server may name
    // billions) and messages whose flags changed (new ones included).
    bool qresync = false;
    std::vector<std::pair<uint32_t, uint32_t>> vanished; // inclusive ranges
    std::vector<std::pair<uint32_t, int>> changed;       // uid, flags
    bool isVanished(uint32_t uid) const;
    // Sorts and merges vanished (overlapping or adjacent ranges become one).
    void normalizeVanished();
    // "Still selected, with this UIDVALIDITY" (no new SELECT was sent).
    static ImapSelectInfo alreadySelected(uint32_t uidvalidity)
    {
        ImapSelectInfo i;
        i.uidvalidity = uidvalidity;
        return i;
    }
};

class ImapSession {
public:
    ImapSession(AccountConfig account, QString password, TrustPolicy trust, CancelFlag cancel = {});
    ~ImapSession();

    void connect();
    void logout();
    bool isConnected() const { return m_connected; }
    bool hasCapability(const char *cap) const;

    std::vector<ImapFolderInfo> listFolders();
    // SELECT; with QRESYNC enabled and the folder's last UIDVALIDITY and
    // HIGHESTMODSEQ given, the server also says what changed since (see
    // ImapSelectInfo::qresync).
    ImapSelectInfo select(const QByteArray &rawName, uint32_t knownValidity = 0, uint64_t knownModSeq = 0);
    bool qresyncEnabled() const { return m_qresync; }
    // Every byte received on this connection so far.
    int64_t bytesReceived() const { return m_budget->received(); }
    const QByteArray &selected() const { return m_selected; }
    // All UIDs of the selected mailbox that are not flagged \Deleted, ascending.
    std::vector<uint32_t> searchAllUids();
    // The UIDs from first up that are not flagged \Deleted, ascending (new
    // mail since a known UIDNEXT).
    std::vector<uint32_t> searchUidsFrom(uint32_t first);
    // UIDs of the selected mailbox whose headers or text contain every one
    // of these words or phrases (UTF-8, case-insensitive on the server's terms).
    std::vector<uint32_t> searchText(const QStringList &words);
    // Envelope data for the given UIDs (any order); calls sink for each message.
    void fetchHeaders(const std::vector<uint32_t> &uids, const std::function<void(MessageRecord &&)> &sink);
    // The same in two halves, so the next batch can be asked for before this
    // one is stored (pipelining): start returns the tag to finish, in order.
    QByteArray startFetchHeaders(const std::vector<uint32_t> &uids);
    void finishFetchHeaders(const QByteArray &tag, const std::function<void(MessageRecord &&)> &sink);
    // Flags of every message (changed since modseq when CONDSTORE is on and modseq > 0).
    void fetchFlags(uint64_t changedSince, const std::function<void(uint32_t uid, int flags)> &sink);
    // The whole raw message; empty if the server no longer has it.
    // The whole message; NetError::TooLarge without asking the server when
    // the size it announced is over the account's limit (and a literal over
    // the limit ends the connection: the reader refuses it unread).
    QByteArray fetchMessage(uint32_t uid, int64_t claimedSize);
    // Whole messages of the selected mailbox in one command (BODY.PEEK[]:
    // \Seen is left alone), pipelined like the headers: start sends, finish
    // reads in order and calls sink(uid, raw) for each message the server
    // still has (a NO answer is not an error: what came is kept, the
    // caller sees which UIDs are missing). Callers keep the sum of the sizes moderate (a few MB) and
    // leave out messages over the account's limit; a literal over it ends
    // the connection unread.
    QByteArray startFetchBodies(const std::vector<uint32_t> &uids);
    void finishFetchBodies(const QByteArray &tag, const std::function<void(uint32_t uid, QByteArray &&raw)> &sink);
    void storeFlags(const std::vector<uint32_t> &uids, int flags, bool add);
    void copyMessages(const std::vector<uint32_t> &uids, const QByteArray &destRaw);
    // MOVE where offered; otherwise COPY, \Deleted and UID EXPUNGE of exactly these UIDs.
    void moveMessages(const std::vector<uint32_t> &uids, const QByteArray &destRaw);
    // Removes exactly these UIDs (flags them \Deleted first, then UID
    // EXPUNGE). Without UIDPLUS they are only flagged (false): no bare EXPUNGE, ever.
    bool expungeUids(const std::vector<uint32_t> &uids);
    // Appends a message; returns its UID when the server reports it (UIDPLUS), else 0.
    uint32_t append(const QByteArray &rawName, const QByteArray &message, int flags);
    void createFolder(const QByteArray &rawName);
    void renameFolder(const QByteArray &from, const QByteArray &to);
    void deleteFolder(const QByteArray &rawName);
    void noop();
    // RFC 2177 IDLE on the selected mailbox: waits until the server reports a
    // change (new, expunged or changed messages: returns true), stop() says so
    // or maxSeconds pass (false); then ends the IDLE with DONE. Needs IDLE.
    // accepted is called once the server has accepted the IDLE ("+ idling").
    // No read timeout applies while idling (see the body).
    bool idle(const std::function<bool()> &stop, int maxSeconds, const std::function<void()> &accepted = {});

    static QByteArray uidSet(std::vector<uint32_t> uids);
    // The same split into sets of at most maxBytes each, so that no command
    // passes a server's line limit (RFC 7162 asks servers for 8,192 octets;
    // some stop at 1,000): a "select all, delete" in a big folder is several
    // commands, never one that the server refuses.
    static std::vector<QByteArray> uidSets(std::vector<uint32_t> uids, int maxBytes = 4000);
    static QByteArray flagList(int flags);
    static int parseFlags(const ImapValue &list);

    // Sends one command; untagged responses go to onUntagged. Returns the tagged
    // response; throws NetError(Server) on NO/BAD unless allowNo.
    ImapResponse command(const QByteArray &cmd, const std::function<void(const ImapResponse &)> &onUntagged = {},
                         bool allowNo = false);

    // Pipelining: sendCommand() returns the tag; finishCommand() reads up to
    // its tagged response. Several may be in flight, finished oldest first.
    QByteArray sendCommand(const QByteArray &cmd);
    ImapResponse finishCommand(const QByteArray &tag, const QByteArray &cmd,
                               const std::function<void(const ImapResponse &)> &onUntagged = {}, bool allowNo = false);

private:
    QByteArray readRaw();
    // One response if it is complete within waitMs; false (and nothing lost) otherwise.
    bool readRawFor(QByteArray *out, int waitMs);
    bool readResponse(QByteArray *out, int waitMs);
    [[noreturn]] void fail(NetError::Kind kind, const QString &msg);

    AccountConfig m_account;
    QString m_password;
    uint32_t m_selectedExists = 0;
    static constexpr uint32_t kMaxFolderMessages = 10'000'000; // far above any real folder
    ReadBudgetPtr m_budget = std::make_shared<ReadBudget>();
    TrustPolicy m_trust;
    CancelFlag m_cancel;
    TimeoutSeconds m_timeout; // the socket's; 0 while idling
    int m_silenceLimit;       // seconds without a byte before a command is given up
    vmime::shared_ptr<vmime::net::session> m_session;
    vmime::shared_ptr<vmime::net::store> m_store;
    vmime::shared_ptr<vmime::net::socket> m_socket;
    ImapResponseReader m_reader;
    QStringList m_caps;
    QByteArray m_selected;
    int m_tag = 0;
    std::deque<QByteArray> m_inFlight; // tags sent and not yet answered, oldest first
    bool m_connected = false;
    bool m_condstore = false;
    bool m_qresync = false;
    std::vector<uint32_t> searchUids(const QByteArray &criteria);
};

} // namespace heron::net
