// heron-bench: measurements for tests/bench/run-bench.sh. Each subcommand runs in
// its own process so peak RSS is its own. Prints one line of key=value pairs.
//   heron-bench sync PROFILE ACCOUNT           Heron's header sync (first screen, total, RSS)
//   heron-bench vmime-batched PROFILE ACCOUNT N  peer: vmime's fetchMessages in batches of N
//   heron-bench gui-open PROFILE               offline start: window with the 100k folder painted
//   heron-bench bodies PROFILE ACCOUNT [noindex]  offline body download (all messages), with or without indexing
//   heron-bench vmime-bodies PROFILE ACCOUNT N    peer: N whole messages the vmime way (extract(), one by one)
//   heron-bench search PROFILE                 queries against the index; index and text sizes
//   heron-bench threads PROFILE                conversations: placing every message, threaded list open, expand;
//                                              peer: JWZ over the whole folder at once (a rebuild on open)
//   heron-bench gui-open PROFILE threads       offline start with View > Threads on
//   heron-bench extract PROFILE                the text the index is given, extracted from every cached body (one core)
#include "MainWindow.h"
#include "MessageListModel.h"
#include "ItemRoles.h"

#include "account/Profile.h"
#include "account/SecretStore.h"
#include "net/VmimeSupport.h"
#include "net/GuardedSocket.h"
#include "store/MailStore.h"
#include "search/SearchIndex.h"
#include "threads/Threads.h"
#include "sync/AccountSync.h"
#include "sync/BodySync.h"

#include <vmime/utility/outputStreamStringAdapter.hpp>

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QTreeView>
#include <QTest>

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

using namespace heron;

static long peakRssKb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

static int syncBench(const QString &profileDir, const QString &accountName)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    SecretStore secrets(profile.secretsPath());
    auto acc = st.accountByName(accountName);
    if (!acc) return 2;
    QElapsedTimer t;
    t.start();
    qint64 firstScreen = -1;
    sync::AccountSync s(st, profile, *acc, secrets.password(acc->name).value_or(QString()));
    s.setProgress([&](int64_t, int, int) { if (firstScreen < 0) firstScreen = t.elapsed(); });
    sync::AccountSyncReport r = s.run(QStringLiteral("INBOX"));
    const qint64 total = t.elapsed();
    s.disconnect();
    std::printf("first_screen_ms=%lld total_ms=%lld added=%d removed=%d flags=%d peak_rss_kb=%ld\n",
                (long long)firstScreen, (long long)total, r.added, r.removed, r.flagsChanged, peakRssKb());
    return 0;
}

// The peer: what a straightforward vmime client does (vmime folder objects,
// fetchMessages with ENVELOPE/FLAGS/SIZE/UID, in batches).
static int vmimeBatched(const QString &profileDir, const QString &accountName, int batch)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    SecretStore secrets(profile.secretsPath());
    auto acc = st.accountByName(accountName);
    if (!acc) return 2;
    net::ensureVmimePlatform();
    QElapsedTimer t;
    t.start();
    auto session = vmime::net::session::create();
    vmime::utility::url url("imaps", acc->incoming.host.toStdString(), acc->incoming.port);
    auto auth = vmime::make_shared<net::PasswordAuthenticator>(acc->username, secrets.password(acc->name).value_or(QString()));
    auto store = session->getStore(url, auth);
    session->getProperties()["store.imaps.options.sasl"] = false;
    store->setCertificateVerifier(vmime::make_shared<net::CertificateVerifier>(profile.trustPolicy(), acc->incoming.host, acc->incoming.port));
    store->connect();
    auto folder = store->getFolder(vmime::net::folder::path("INBOX"));
    folder->open(vmime::net::folder::MODE_READ_ONLY);
    const size_t count = folder->getMessageCount();
    vmime::net::fetchAttributes attrs(vmime::net::fetchAttributes::ENVELOPE | vmime::net::fetchAttributes::FLAGS |
                                      vmime::net::fetchAttributes::SIZE | vmime::net::fetchAttributes::UID);
    qint64 firstScreen = -1;
    size_t fetched = 0;
    for (size_t hi = count; hi >= 1;) {
        size_t lo = hi > size_t(batch) ? hi - size_t(batch) + 1 : 1;
        auto msgs = folder->getMessages(vmime::net::messageSet::byNumber(lo, hi));
        folder->fetchMessages(msgs, attrs);
        fetched += msgs.size();
        if (firstScreen < 0) firstScreen = t.elapsed();
        if (lo == 1) break;
        hi = lo - 1;
    }
    const qint64 total = t.elapsed();
    folder->close(false);
    store->disconnect();
    std::printf("first_screen_ms=%lld total_ms=%lld fetched=%zu peak_rss_kb=%ld\n", (long long)firstScreen,
                (long long)total, fetched, peakRssKb());
    return 0;
}

static int guiOpen(const QString &profileDir, bool threaded)
{
    {
        QSettings settings(Profile(profileDir).settingsPath(), QSettings::IniFormat);
        settings.setValue(QStringLiteral("view/threads"), threaded);
    }
    QElapsedTimer t;
    t.start();
    ui::MainWindow w(Profile(profileDir), true);
    w.show();
    (void)QTest::qWaitForWindowExposed(&w);
    ui::MessageListModel *m = w.messageModel();
    while (m->rowCount() == 0 && t.elapsed() < 10000) QCoreApplication::processEvents();
    // One full paint of the list with its rows.
    (void)w.messageListView()->viewport()->grab();
    const qint64 firstPaint = t.elapsed();
    // Scroll through the whole list page by page, as fast as the view renders.
    QElapsedTimer s;
    s.start();
    QTreeView *v = w.messageListView();
    const int rows = m->rowCount();
    int pages = 0;
    qint64 worstPageMs = 0;
    for (int r = 0; r < rows; r += 500) {
        QElapsedTimer p;
        p.start();
        v->scrollTo(m->index(r, 0), QAbstractItemView::PositionAtTop);
        (void)v->viewport()->grab();
        worstPageMs = std::max(worstPageMs, p.elapsed());
        ++pages;
    }
    const qint64 scroll = s.elapsed();
    QElapsedTimer f;
    f.start();
    m->setFilter(QStringLiteral("(4242)"));
    const qint64 filterMs = f.elapsed();
    const int hits = m->rowCount();
    m->setFilter(QString());
    std::printf("rows=%d first_paint_ms=%lld scroll_pages=%d scroll_total_ms=%lld worst_page_ms=%lld filter_ms=%lld "
                "filter_hits=%d peak_rss_kb=%ld\n",
                rows, (long long)firstPaint, pages, (long long)scroll, (long long)worstPageMs, (long long)filterMs, hits,
                peakRssKb());
    return 0;
}

static int bodiesBench(const QString &profileDir, const QString &accountName, bool index)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    SecretStore secrets(profile.secretsPath());
    auto acc = st.accountByName(accountName);
    if (!acc) return 2;
    st.setAccountOfflineDays(acc->id, -1);
    acc = st.account(acc->id);
    sync::AccountSync s(st, profile, *acc, secrets.password(acc->name).value_or(QString()));
    QElapsedTimer t;
    t.start();
    sync::BodySync b(st, *acc);
    b.setSession(s.session());
    b.setIndexing(index);
    const sync::BodySyncReport r = b.run();
    const qint64 total = t.elapsed();
    s.disconnect();
    const qint64 dbBytes = QFileInfo(profile.databasePath()).size();
    std::printf("total_ms=%lld downloaded=%d bytes=%lld db_bytes=%lld peak_rss_kb=%ld\n", (long long)total, r.downloaded,
                (long long)r.bytes, (long long)dbBytes, peakRssKb());
    return 0;
}

static int vmimeBodies(const QString &profileDir, const QString &accountName, int n)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    SecretStore secrets(profile.secretsPath());
    auto acc = st.accountByName(accountName);
    if (!acc) return 2;
    net::ensureVmimePlatform();
    auto session = vmime::net::session::create();
    vmime::utility::url url("imaps", acc->incoming.host.toStdString(), acc->incoming.port);
    auto auth = vmime::make_shared<net::PasswordAuthenticator>(acc->username, secrets.password(acc->name).value_or(QString()));
    auto store = session->getStore(url, auth);
    session->getProperties()["store.imaps.options.sasl"] = false;
    store->setCertificateVerifier(vmime::make_shared<net::CertificateVerifier>(profile.trustPolicy(), acc->incoming.host, acc->incoming.port));
    store->connect();
    auto folder = store->getFolder(vmime::net::folder::path("INBOX"));
    folder->open(vmime::net::folder::MODE_READ_ONLY);
    const size_t count = folder->getMessageCount();
    QElapsedTimer t;
    t.start();
    size_t bytes = 0;
    auto msgs = folder->getMessages(vmime::net::messageSet::byNumber(count - size_t(n) + 1, count));
    for (auto &m : msgs) {
        std::string out;
        vmime::utility::outputStreamStringAdapter os(out);
        m->extract(os, nullptr, 0, -1, true); // peek: \Seen untouched
        bytes += out.size();
    }
    const qint64 total = t.elapsed();
    folder->close(false);
    store->disconnect();
    std::printf("total_ms=%lld messages=%d bytes=%zu\n", (long long)total, n, bytes);
    return 0;
}

static int searchBench(const QString &profileDir)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    auto one = [&](const char *sql) {
        store::Statement q = st.db().prepare(sql);
        return q.step() ? q.int64(0) : int64_t(-1);
    };
    const int64_t indexBytes = one("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search%'");
    const int64_t textBytes = one("SELECT SUM(length(CAST(body AS BLOB)) + length(CAST(attachments AS BLOB))) FROM message_text") +
                              one("SELECT SUM(length(CAST(from_name AS BLOB)) + length(from_addr) + length(CAST(to_list AS BLOB)) + "
                                  "length(CAST(cc_list AS BLOB)) + length(CAST(subject AS BLOB))) FROM messages");
    std::printf("index_bytes=%lld text_bytes=%lld messages=%lld bodies=%lld\n", (long long)indexBytes, (long long)textBytes,
                (long long)one("SELECT COUNT(*) FROM messages"), (long long)one("SELECT COUNT(*) FROM bodies"));
    const char *queries[] = {"xyzzy", "quarterly", "heron", "the", "\"release planning\"", "from:alice", "from:müller",
                             "subject:invoice is:unread", "sync OR cache -draft", "filename:document", "has:attachment server",
                             "after:2026-06-01 meeting", "mee", "Grüße"};
    for (const char *q : queries) {
        std::vector<qint64> times;
        size_t hits = 0;
        for (int i = 0; i < 5; ++i) {
            QElapsedTimer t;
            t.start();
            hits = search::find(st, QString::fromUtf8(q), {}, 500).ids.size();
            times.push_back(t.nsecsElapsed() / 1000);
        }
        std::sort(times.begin(), times.end());
        std::printf("query=%s median_us=%lld worst_us=%lld hits=%zu\n", q, (long long)times[2], (long long)times[4], hits);
    }
    return 0;
}

static int threadsBench(const QString &profileDir)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    auto one = [&](const char *sql) {
        store::Statement q = st.db().prepare(sql);
        return q.step() ? q.int64(0) : int64_t(-1);
    };
    // 1. Placing every message in its conversation, from nothing (what the
    // worker does in slices after a first sync).
    st.db().exec("UPDATE messages SET thread=0");
    st.db().exec("DELETE FROM thread_ids");
    QElapsedTimer t;
    t.start();
    int placed = 0;
    for (int n; (n = threads::assignPending(st, 5000)) > 0;) placed += n;
    const qint64 placeMs = t.elapsed();
    const int64_t conversations = one("SELECT COUNT(DISTINCT thread) FROM messages");
    const int64_t multi = one("SELECT COUNT(*) FROM (SELECT thread FROM messages GROUP BY thread HAVING COUNT(*) > 1)");
    const int64_t largest = one("SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM messages GROUP BY thread)");
    const int64_t inbox = one("SELECT id FROM mailboxes WHERE name='INBOX' LIMIT 1");
    // 2. New mail: 1,000 messages placed one batch at a time.
    st.db().exec("UPDATE messages SET thread=0 WHERE id IN (SELECT id FROM messages ORDER BY id DESC LIMIT 1000)");
    t.restart();
    while (threads::assignPending(st, 1000) > 0) {}
    const qint64 newMs = t.elapsed();
    // 3. Opening the folder: the plain list (the floor here: ids in date
    // order), the threaded list, and the largest conversation expanded.
    std::vector<qint64> flat, threaded, expand;
    int rows = 0, threadedRows = 0;
    for (int i = 0; i < 3; ++i) {
        ui::MessageListModel m(&st);
        t.restart();
        m.setMailbox(inbox);
        flat.push_back(t.elapsed());
        rows = m.rowCount();
        ui::MessageListModel tm(&st);
        tm.setThreaded(true);
        t.restart();
        tm.setMailbox(inbox);
        threaded.push_back(t.elapsed());
        threadedRows = tm.rowCount();
        int big = -1, bigSize = 0;
        for (int r = 0; r < tm.rowCount(); ++r) {
            const int size = tm.data(tm.index(r, 0), ui::ThreadSizeRole).toInt();
            if (size > bigSize) { bigSize = size; big = r; }
        }
        t.restart();
        if (big >= 0) tm.setExpanded(big, true);
        expand.push_back(t.elapsed());
    }
    std::sort(flat.begin(), flat.end());
    std::sort(threaded.begin(), threaded.end());
    std::sort(expand.begin(), expand.end());
    // 4. Peer: JWZ over the whole folder at once, as a client without kept
    // conversations does on open (read every Message-ID and References, build).
    t.restart();
    std::vector<MessageRecord> all;
    {
        store::Statement q = st.db().prepare("SELECT id, message_id, in_reply_to, refs, date FROM messages WHERE mailbox_id=?");
        q.bind(1, inbox);
        while (q.step()) {
            MessageRecord m;
            m.id = q.int64(0);
            m.messageId = q.text(1);
            m.inReplyTo = q.text(2);
            m.references = q.text(3);
            m.date = q.int64(4);
            all.push_back(std::move(m));
        }
    }
    const size_t arranged = threads::arrange(all).size();
    const qint64 rebuildMs = t.elapsed();
    std::printf("messages=%d place_ms=%lld conversations=%lld multi=%lld largest=%lld new1000_ms=%lld rows=%d flat_open_ms=%lld "
                "threaded_rows=%d threaded_open_ms=%lld expand_largest_ms=%lld rebuild_ms=%lld rebuild_placed=%zu "
                "thread_ids_bytes=%lld peak_rss_kb=%ld\n",
                placed, (long long)placeMs, (long long)conversations, (long long)multi, (long long)largest, (long long)newMs,
                rows, (long long)flat[1], threadedRows, (long long)threaded[1], (long long)expand[1], (long long)rebuildMs,
                arranged, (long long)one("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'thread_ids%' OR name LIKE 'messages_by_thread' OR name LIKE 'messages_unthreaded'"),
                peakRssKb());
    return 0;
}

static int extractBench(const QString &profileDir)
{
    Profile profile(profileDir);
    store::MailStore st(profile.databasePath());
    std::vector<int64_t> ids;
    {
        store::Statement q = st.db().prepare("SELECT message_id FROM bodies");
        while (q.step()) ids.push_back(q.int64(0));
    }
    qint64 readNs = 0, parseNs = 0;
    int64_t chars = 0;
    QElapsedTimer t;
    for (int64_t id : ids) {
        t.restart();
        const auto raw = st.body(id);
        readNs += t.nsecsElapsed();
        if (!raw) continue;
        t.restart();
        const store::BodyText text = search::textForIndex(*raw);
        parseNs += t.nsecsElapsed();
        chars += text.body.size() + text.attachments.size();
    }
    std::printf("bodies=%zu read_ms=%lld extract_ms=%lld chars=%lld\n", ids.size(), (long long)(readNs / 1000000),
                (long long)(parseNs / 1000000), (long long)chars);
    return 0;
}

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList a = app.arguments();
    const QString cmd = a.value(1);
    if (cmd == QLatin1String("sync") && a.size() >= 4) return syncBench(a[2], a[3]);
    if (cmd == QLatin1String("vmime-batched") && a.size() >= 5) return vmimeBatched(a[2], a[3], a[4].toInt());
    if (cmd == QLatin1String("gui-open") && a.size() >= 3) return guiOpen(a[2], a.value(3) == QLatin1String("threads"));
    if (cmd == QLatin1String("bodies") && a.size() >= 4) return bodiesBench(a[2], a[3], a.value(4) != QLatin1String("noindex"));
    if (cmd == QLatin1String("vmime-bodies") && a.size() >= 5) return vmimeBodies(a[2], a[3], a[4].toInt());
    if (cmd == QLatin1String("search") && a.size() >= 3) return searchBench(a[2]);
    if (cmd == QLatin1String("threads") && a.size() >= 3) return threadsBench(a[2]);
    if (cmd == QLatin1String("extract") && a.size() >= 3) return extractBench(a[2]);
    std::fprintf(stderr, "usage: heron-bench sync|vmime-batched|gui-open ...\n");
    return 1;
}
