#pragma once
// Text from a server or a message shown where Qt would guess its format (a
// QMessageBox, a tooltip, a label left on Qt::AutoText): markup in it would
// be rendered (restyled dialogs, fetched images). These show it literally.
#include <QMessageBox>
#include <QString>

namespace heron::ui {

// A message box whose text is plain text whatever it contains.
QMessageBox::StandardButton plainMessageBox(QMessageBox::Icon icon, QWidget *parent, const QString &title, const QString &text,
                                            QMessageBox::StandardButtons buttons = QMessageBox::Ok,
                                            QMessageBox::StandardButton defaultButton = QMessageBox::NoButton);

// A tooltip that shows text literally (tooltips are rich text when they look
// like it): escaped, in a paragraph that keeps line breaks.
QString plainToolTip(const QString &text);

// For desktop notifications, which may interpret markup: no '<' or '>' left.
QString notificationText(const QString &text);

} // namespace heron::ui
