#pragma once
// The composer's body: plain text (monospaced, what you type is what is sent)
// or rich text (bold, italic, underline, lists, links; see MailRichText.h for
// what is sent). Switching modes converts the text and never asks: the
// composer asks before formatting would be lost. Pasted rich content is
// reduced to what the toolbar offers, so the editor shows what will be sent.
// Thread: GUI.
#include <QTextEdit>

class QAction;

namespace heron::ui {

class BodyEditor : public QTextEdit {
    Q_OBJECT
public:
    enum Format { Bold, Italic, Underline, BulletList, NumberedList, Link, ClearFormatting, FormatCount };

    explicit BodyEditor(QWidget *parent = nullptr);

    bool isRich() const { return m_rich; }
    void setRich(bool rich);
    // Rich mode with the content of an HTML document (a reopened draft).
    void setMailHtml(const QString &html);
    // What is sent: the text (for rich text, its faithful plain rendering) and,
    // in rich mode only, the HTML document.
    QString mailPlainText() const;
    QString mailHtml() const;
    bool hasFormatting() const;

    // The format toolbar's actions (enabled in rich mode only).
    QAction *formatAction(Format f) const { return m_actions[f]; }
    // Makes the selection (or, without one, the text inserted) a link; returns
    // why not when the address is not a web or mail address.
    QString makeLink(const QString &address, const QString &text = QString());

    // Replaces the first occurrence of `from` (plain text, "\n" between
    // paragraphs) by `to`; without `from` (or when it is not found) inserts
    // `to` at the start when atStart, else at the end. Inserted paragraphs
    // have no formatting. Used to swap signatures.
    void replaceText(const QString &from, const QString &to, bool atStart);

Q_SIGNALS:
    // Files dropped or pasted onto the text: they are attachments, not text.
    void filesDropped(const QStringList &paths);

protected:
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void insertFromMimeData(const QMimeData *source) override;

private:
    void toggleList(int style);
    void editLink();
    void clearFormatting();
    void updateActions();

    bool m_rich = false;
    QAction *m_actions[FormatCount] = {};
};

} // namespace heron::ui
