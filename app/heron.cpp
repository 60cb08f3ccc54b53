// heron: the desktop mail client. Wiring only; see ui/MainWindow.
#include "Application.h"
#include "MainWindow.h"
#include "PlainText.h"
#include "MessageListModel.h"
#include "account/ProfileOwner.h"
#include "util/ErrorText.h"
#include "util/ProcessHardening.h"

#include <QTreeView>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QMessageBox>
#include <QTimer>

#include "store/Database.h"

static int run(heron::ui::Application &app);

int main(int argc, char **argv)
{
    heron::util::disableCoreDumps();
    heron::ui::Application app(argc, argv);
    try {
        return run(app);
    } catch (...) {
        // Before the event loop (profile, database, first window): say why and stop cleanly.
        const QString why = heron::util::describeCurrentException().message;
        heron::ui::plainMessageBox(QMessageBox::Critical, nullptr, QStringLiteral("Heron"), QStringLiteral("Heron could not start:\n%1").arg(why));
        return 1;
    }
}

static int run(heron::ui::Application &app)
{
    QApplication::setApplicationName(QStringLiteral("heron"));
    QApplication::setApplicationDisplayName(QStringLiteral("Heron"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/heron.svg")));
    QCommandLineParser args;
    args.setApplicationDescription(QStringLiteral("Heron mail client"));
    args.addHelpOption();
    QCommandLineOption profileOpt(QStringLiteral("profile"), QStringLiteral("Use the profile in DIR."), QStringLiteral("DIR"));
    QCommandLineOption offlineOpt(QStringLiteral("offline"), QStringLiteral("Start without connecting."));
    QCommandLineOption shotOpt(QStringLiteral("screenshot"), QStringLiteral("Save a screenshot to FILE after --screenshot-delay ms, then quit."), QStringLiteral("FILE"));
    QCommandLineOption delayOpt(QStringLiteral("screenshot-delay"), QStringLiteral("Delay before the screenshot."), QStringLiteral("MS"), QStringLiteral("4000"));
    args.addOptions({profileOpt, offlineOpt, shotOpt, delayOpt});
    args.process(app);

    heron::Profile profile(args.value(profileOpt));
    QString error;
    if (!profile.ensureExists(&error)) {
        heron::ui::plainMessageBox(QMessageBox::Critical, nullptr, QStringLiteral("Heron"), error);
        return 1;
    }
    // One window per profile: a second start raises the first one's window.
    heron::ProfileOwner owner(profile.dir());
    if (!owner.acquire()) {
        if (owner.sendToOwner({QStringLiteral("raise")})) {
            qInfo("heron: already running on %s; its window was raised", qPrintable(profile.dir()));
            return 0;
        }
        heron::ui::plainMessageBox(QMessageBox::Critical, nullptr, QStringLiteral("Heron"),
                              QStringLiteral("Heron is already running with the profile in %1, but does not answer.\n"
                                             "Close it (or end the process), then start Heron again.").arg(profile.dir()));
        return 1;
    }
    std::unique_ptr<heron::ui::MainWindow> window;
    try {
        window = std::make_unique<heron::ui::MainWindow>(profile, args.isSet(offlineOpt));
    } catch (const heron::store::StoreError &e) {
        heron::ui::plainMessageBox(QMessageBox::Critical, nullptr, QStringLiteral("Heron"),
                              QStringLiteral("Cannot open the profile in %1:\n%2").arg(profile.dir(), QString::fromUtf8(e.what())));
        return 1;
    }
    window->show();
    QObject::connect(&owner, &heron::ProfileOwner::requestReceived, window.get(), [&window](const QStringList &request) {
        if (request.value(0) != QLatin1String("raise")) return;
        qInfo("heron: another start on this profile raised this window");
        window->setWindowState((window->windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
        window->show();
        window->raise();
        window->activateWindow();
    });
    if (args.isSet(shotOpt)) {
        const QString file = args.value(shotOpt);
        const int delay = args.value(delayOpt).toInt();
        // Open the newest message shortly before the picture, as a user would.
        QTimer::singleShot(std::max(0, delay - 2500), window.get(), [&window] {
            QTreeView *list = window->messageListView();
            if (list->model()->rowCount() > 0)
                list->setCurrentIndex(list->model()->index(0, heron::ui::MessageListModel::SubjectColumn));
        });
        QTimer::singleShot(delay, window.get(), [&window, file] {
            window->grab().save(file);
            QApplication::quit();
        });
    }
    return app.exec();
}
