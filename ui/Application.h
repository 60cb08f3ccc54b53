#pragma once
// The window's QApplication, with the last safety net for exceptions: an
// exception thrown by an event handler or a slot called from one (vmime, the
// standard library and the store all throw) must not end the process. It is
// caught in notify(), logged, and shown once as a non-modal warning; the event
// counts as not handled and the program goes on.
// Handlers that can expect an error catch it themselves and say something
// more precise; this is for the ones nobody foresaw.
// Thread: GUI.
#include <QApplication>

#include <atomic>

namespace heron::ui {

class Application : public QApplication {
    Q_OBJECT
public:
    Application(int &argc, char **argv);
    bool notify(QObject *receiver, QEvent *event) override;
    // How many exceptions notify() caught (for tests).
    int caughtExceptions() const { return m_caught; }

Q_SIGNALS:
    void unexpectedError(const QString &message);

private:
    void report(const QString &message);
    std::atomic_int m_caught{0}; // notify() runs on every thread with an event loop
    bool m_showing = false;      // GUI thread only
};

} // namespace heron::ui
