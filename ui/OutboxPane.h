#pragma once
// The Outbox of one account: messages waiting to be sent, refused by the
// server, or of unknown fate after an interruption, with "Send Again" and
// "Discard". Nothing here is resent without the user asking.
// Thread: GUI.
#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace heron::store { class MailStore; }

namespace heron::ui {

class OutboxPane : public QWidget {
    Q_OBJECT
public:
    OutboxPane(store::MailStore *store, QWidget *parent = nullptr);
    void setAccount(qint64 accountId);
    void refresh();
    QTreeWidget *list() const { return m_list; }

public Q_SLOTS:
    void retrySelected();
    void discardSelected();

Q_SIGNALS:
    void changed(qint64 accountId, bool sendNow);

private:
    store::MailStore *m_store;
    qint64 m_account = 0;
    QLabel *m_title;
    QTreeWidget *m_list;
    QPushButton *m_retry;
    QPushButton *m_discard;
};

} // namespace heron::ui
