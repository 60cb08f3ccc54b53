#pragma once
// General preferences, kept in the profile's settings.ini:
//   general/markReadDelayMs   -1 never, 0 at once, else milliseconds (default 1500)
//   privacy/remoteContent     "never", "ask" (default) or "known" (load it for
//                             people you wrote to and senders you allowed)
//   privacy/allowedSenders    addresses whose remote content always loads
//   general/startOffline      start in Work Offline mode
//   compose/richText          new messages start in rich text
// Per-account settings live in the account dialog (File → Account Settings…).
// Thread: GUI.
#include <QDialog>

class QCheckBox;
class QComboBox;
class QSettings;
class QDoubleSpinBox;

namespace heron::ui {

enum class RemoteContentPolicy { Never, Ask, KnownSenders };
RemoteContentPolicy remoteContentPolicy(const QSettings &settings);

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(QSettings *settings, QWidget *parent = nullptr);

    QCheckBox *markReadBox() const { return m_markRead; }
    QDoubleSpinBox *markReadDelay() const { return m_delay; }
    QComboBox *remoteContentBox() const { return m_remote; }
    QCheckBox *startOfflineBox() const { return m_offline; }
    QCheckBox *richTextBox() const { return m_rich; }

public Q_SLOTS:
    void accept() override;

private:
    QSettings *m_settings;
    QCheckBox *m_markRead, *m_offline, *m_rich;
    QDoubleSpinBox *m_delay;
    QComboBox *m_remote;
};

} // namespace heron::ui
