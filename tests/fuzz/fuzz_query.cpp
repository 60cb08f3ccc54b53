// libFuzzer target: the search language (quick filter, Search All Mail,
// heron-cli search), compiled and run against a small real store, FTS5 MATCH
// strings included. Whatever is typed gives an answer: an SQL or FTS5 error
// (a StoreError) is a finding, as is a crash or a hang.
#include "search/SearchIndex.h"
#include "store/MailStore.h"

#include <QDir>

#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace heron;

namespace {
store::MailStore &fixture()
{
    static std::unique_ptr<store::MailStore> s = [] {
        char dir[] = "/tmp/heron-fuzz-query-XXXXXX";
        if (!mkdtemp(dir)) std::abort();
        auto st = std::make_unique<store::MailStore>(QString::fromLatin1(dir) + QStringLiteral("/heron.db"));
        AccountConfig a;
        a.name = QStringLiteral("Work");
        a.email = QStringLiteral("me@example.org");
        a.protocol = QStringLiteral("imap");
        a.incoming = {QStringLiteral("imap.example.org"), 993, Security::Tls};
        const int64_t acc = st->addAccount(a);
        store::FolderUpdate in;
        in.rawName = "INBOX";
        in.delimiter = QStringLiteral("/");
        in.specialUse = QStringLiteral("\\Inbox");
        st->updateFolders(acc, {in});
        const int64_t inbox = st->mailboxByName(acc, QStringLiteral("INBOX"))->id;
        MessageRecord m;
        m.uid = 1;
        m.date = 1780000000;
        m.fromName = QStringLiteral("Jürgen Müller");
        m.fromAddr = QStringLiteral("jm@example.de");
        m.subject = QStringLiteral("Quarterly report (42)");
        st->insertMessages(inbox, 1, {m});
        st->storeBody(st->idsForUids(inbox, {1}).front(),
                      "From: jm@example.de\r\nSubject: q\r\n\r\nThe meeting about the budget.\r\n");
        while (search::indexPending(*st, 100) > 0) {}
        // The directory goes when the process ends (the replay runs in the suite).
        static struct Cleanup {
            QString path;
            ~Cleanup() { QDir(path).removeRecursively(); }
        } cleanup{QString::fromLatin1(dir)};
        return st;
    }();
    return *s;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0; // a query, not a document
    const QString q = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    (void)search::plainWords(q);
    const search::Result r = search::find(fixture(), q, {}, 20);
    if (r.error.startsWith(QLatin1String("the search could not be run"))) {
        std::fprintf(stderr, "query gave an SQL error: %s\n", qPrintable(r.error));
        std::abort();
    }
    return 0;
}
