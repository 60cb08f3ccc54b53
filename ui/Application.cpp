#include "Application.h"

#include "util/ErrorText.h"

#include <QMessageBox>
#include <QPointer>
#include <QThread>
#include <QTimer>

namespace heron::ui {

Application::Application(int &argc, char **argv) : QApplication(argc, argv) {}

bool Application::notify(QObject *receiver, QEvent *event)
{
    try {
        return QApplication::notify(receiver, event);
    } catch (...) {
        ++m_caught;
        report(util::describeCurrentException().message);
        return false;
    }
}

void Application::report(const QString &message)
{
    if (QThread::currentThread() != thread()) {
        // Caught on a worker thread's event loop: told on the GUI thread.
        QMetaObject::invokeMethod(this, [this, message] { report(message); }, Qt::QueuedConnection);
        return;
    }
    qWarning("heron: an error was caught before it could end the program: %s", qPrintable(message));
    Q_EMIT unexpectedError(message);
    if (m_showing || qEnvironmentVariableIsSet("HERON_NO_ERROR_DIALOGS")) return;
    m_showing = true;
    // Shown from the event loop, not from inside the failing handler.
    QTimer::singleShot(0, this, [this, message] {
        auto *box = new QMessageBox(QMessageBox::Warning, QStringLiteral("Heron"),
                                    tr("Something went wrong, and Heron stopped what it was doing. Nothing was lost; "
                                       "you can go on working."),
                                    QMessageBox::Ok, activeWindow());
        box->setTextFormat(Qt::PlainText);
        box->setDetailedText(message);
        box->setAttribute(Qt::WA_DeleteOnClose);
        connect(box, &QObject::destroyed, this, [this] { m_showing = false; });
        box->open();
    });
}

} // namespace heron::ui
