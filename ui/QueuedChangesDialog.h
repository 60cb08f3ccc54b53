#pragma once
// Changes the user made that wait for a server (flags, moves, deletions,
// folder changes), and above all the ones a server refused, with the reason:
// "Retry" queues a refused change again, "Discard" gives it up (the next sync
// shows the server's state). Opened from View → Queued Changes… and from the
// status bar's "changes not applied" button.
// Thread: GUI. Reads the store on the GUI thread: a handful of rows.
#include <QDialog>
#include <QList>
#include <QPair>

class QPushButton;
class QTreeWidget;

namespace heron::store { class MailStore; }

namespace heron::ui {

class QueuedChangesDialog : public QDialog {
    Q_OBJECT
public:
    QueuedChangesDialog(store::MailStore *store, QWidget *parent = nullptr);
    void refresh();
    QTreeWidget *list() const { return m_list; }

public Q_SLOTS:
    void retrySelected();
    void discardSelected();

Q_SIGNALS:
    // Something changed in the queue of this account (retry: replay it now).
    void changed(qint64 accountId, bool replayNow);

private:
    void updateButtons();
    QList<QPair<qint64, qint64>> selectedOps() const; // refused ones: (operation id, account id)
    void apply(const QList<QPair<qint64, qint64>> &ops, bool retry);
    store::MailStore *m_store;
    QTreeWidget *m_list;
    QPushButton *m_retry;
    QPushButton *m_discard;
};

} // namespace heron::ui
