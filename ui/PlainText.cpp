#include "PlainText.h"

namespace heron::ui {

QMessageBox::StandardButton plainMessageBox(QMessageBox::Icon icon, QWidget *parent, const QString &title, const QString &text,
                                            QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton)
{
    QMessageBox box(icon, title, text, buttons, parent);
    box.setTextFormat(Qt::PlainText);
    if (defaultButton != QMessageBox::NoButton) box.setDefaultButton(defaultButton);
    const int r = box.exec();
    return box.clickedButton() ? box.standardButton(box.clickedButton()) : QMessageBox::StandardButton(r);
}

QString plainToolTip(const QString &text)
{
    if (text.isEmpty()) return QString();
    return QStringLiteral("<p style=\"white-space:pre-wrap\">") + text.toHtmlEscaped() + QStringLiteral("</p>");
}

QString notificationText(const QString &text)
{
    QString t = text;
    t.replace(QLatin1Char('<'), QChar(0x2039)).replace(QLatin1Char('>'), QChar(0x203a)).replace(QLatin1Char('&'), QChar(0xff06));
    return t;
}

} // namespace heron::ui
