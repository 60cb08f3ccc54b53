#include "BodyEditor.h"

#include "MailRichText.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocumentFragment>
#include <QTextList>
#include <QVBoxLayout>

namespace heron::ui {

namespace {
QFont plainFont(const QFont &base)
{
    return QFont(QStringLiteral("DejaVu Sans Mono"), base.pointSize());
}

// Every block the cursor's selection touches (the cursor's block without one).
std::vector<QTextBlock> selectedBlocks(const QTextCursor &c)
{
    std::vector<QTextBlock> out;
    const QTextDocument *doc = c.document();
    QTextBlock b = doc->findBlock(c.selectionStart());
    const QTextBlock last = doc->findBlock(c.selectionEnd());
    for (; b.isValid(); b = b.next()) {
        out.push_back(b);
        if (b == last) break;
    }
    return out;
}
} // namespace

BodyEditor::BodyEditor(QWidget *parent) : QTextEdit(parent)
{
    setAcceptRichText(false);
    setLineWrapMode(QTextEdit::WidgetWidth);
    setFont(plainFont(font()));

    auto make = [this](Format f, const char *icon, const QString &text, const QKeySequence &key, bool checkable) {
        auto *a = new QAction(QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(icon))), text, this);
        a->setCheckable(checkable);
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
            a->setToolTip(QStringLiteral("%1 (%2)").arg(text, key.toString(QKeySequence::NativeText)));
        }
        a->setEnabled(false);
        addAction(a); // shortcuts work while typing
        m_actions[f] = a;
        return a;
    };
    connect(make(Bold, "format-bold", tr("Bold"), QKeySequence::Bold, true), &QAction::triggered, this,
            [this](bool on) {
                QTextCharFormat f;
                f.setFontWeight(on ? QFont::Bold : QFont::Normal);
                mergeCurrentCharFormat(f);
            });
    connect(make(Italic, "format-italic", tr("Italic"), QKeySequence::Italic, true), &QAction::triggered, this,
            [this](bool on) {
                QTextCharFormat f;
                f.setFontItalic(on);
                mergeCurrentCharFormat(f);
            });
    connect(make(Underline, "format-underline", tr("Underline"), QKeySequence::Underline, true), &QAction::triggered,
            this, [this](bool on) {
                QTextCharFormat f;
                f.setFontUnderline(on);
                mergeCurrentCharFormat(f);
            });
    connect(make(BulletList, "list-bulleted", tr("Bulleted List"), QKeySequence(), true), &QAction::triggered, this,
            [this] { toggleList(QTextListFormat::ListDisc); });
    connect(make(NumberedList, "list-numbered", tr("Numbered List"), QKeySequence(), true), &QAction::triggered, this,
            [this] { toggleList(QTextListFormat::ListDecimal); });
    connect(make(Link, "link", tr("Link…"), QKeySequence(), false), &QAction::triggered, this, [this] { editLink(); });
    connect(make(ClearFormatting, "format-clear", tr("Remove Formatting"), QKeySequence(), false), &QAction::triggered,
            this, [this] { clearFormatting(); });
    connect(this, &QTextEdit::currentCharFormatChanged, this, [this] { updateActions(); });
    connect(this, &QTextEdit::cursorPositionChanged, this, [this] { updateActions(); });
}

void BodyEditor::setRich(bool rich)
{
    if (rich == m_rich) return;
    if (rich) {
        const QString text = toPlainText();
        m_rich = true;
        setAcceptRichText(true);
        setFont(QFont());
        setAutoFormatting(QTextEdit::AutoBulletList); // "* " at the start of a line begins a list
        richtext::setFromPlainText(document(), text);
    } else {
        const QString text = mailPlainText();
        m_rich = false;
        setAcceptRichText(false);
        setFont(plainFont(QFont()));
        setAutoFormatting(QTextEdit::AutoNone);
        setPlainText(text);
    }
    setCurrentCharFormat(QTextCharFormat());
    moveCursor(QTextCursor::Start);
    for (QAction *a : m_actions)
        a->setEnabled(m_rich);
    updateActions();
}

void BodyEditor::setMailHtml(const QString &html)
{
    setRich(true);
    richtext::setFromHtml(document(), html);
    moveCursor(QTextCursor::Start);
}

QString BodyEditor::mailPlainText() const
{
    return m_rich ? richtext::toMailPlainText(*document()) : toPlainText();
}

QString BodyEditor::mailHtml() const
{
    return m_rich ? richtext::toMailHtml(*document()) : QString();
}

bool BodyEditor::hasFormatting() const
{
    return m_rich && richtext::hasFormatting(*document());
}

QString BodyEditor::makeLink(const QString &address, const QString &text)
{
    QString why;
    const QString target = richtext::linkTarget(address, &why);
    if (target.isEmpty()) return why;
    QTextCursor c = textCursor();
    QTextCharFormat f = c.charFormat();
    f.merge(richtext::linkFormat(target));
    c.beginEditBlock();
    const QString shown =
        text.trimmed().isEmpty() ? (c.hasSelection() ? QString() : address.trimmed()) : text.trimmed();
    if (!shown.isEmpty() && shown != c.selectedText())
        c.insertText(shown, f);
    else
        c.mergeCharFormat(f);
    c.endEditBlock();
    // What is typed next is no longer part of the link.
    c.clearSelection();
    QTextCharFormat after = c.charFormat();
    after.setAnchor(false);
    after.setAnchorHref(QString());
    after.clearForeground();
    after.setFontUnderline(false);
    c.setCharFormat(after);
    setTextCursor(c);
    return QString();
}

void BodyEditor::replaceText(const QString &from, const QString &to, bool atStart)
{
    QTextCursor c(document());
    c.beginEditBlock();
    const qsizetype at = from.isEmpty() ? -1 : toPlainText().indexOf(from);
    int start = atStart ? 0 : document()->characterCount() - 1;
    if (at >= 0) {
        start = int(at);
        c.setPosition(start);
        c.setPosition(start + int(from.size()), QTextCursor::KeepAnchor);
        c.removeSelectedText();
    }
    c.setPosition(start);
    const int first = c.blockNumber();
    c.insertText(to, QTextCharFormat());
    if (m_rich) {
        // New paragraphs would otherwise continue the list or quote they split.
        for (QTextBlock b = document()->findBlockByNumber(first + 1); b.isValid() && b.blockNumber() <= c.blockNumber();
             b = b.next()) {
            if (b.textList()) b.textList()->remove(b);
            QTextCursor bc(b);
            bc.setBlockFormat(QTextBlockFormat());
        }
    }
    c.endEditBlock();
}

namespace {
QStringList localFiles(const QMimeData *source)
{
    QStringList files;
    if (!source->hasUrls()) return files;
    for (const QUrl &u : source->urls()) {
        if (!u.isLocalFile()) return {};
        files << u.toLocalFile();
    }
    return files;
}
} // namespace

bool BodyEditor::canInsertFromMimeData(const QMimeData *source) const
{
    return !localFiles(source).isEmpty() || QTextEdit::canInsertFromMimeData(source);
}

void BodyEditor::insertFromMimeData(const QMimeData *source)
{
    const QStringList files = localFiles(source);
    if (!files.isEmpty()) {
        Q_EMIT filesDropped(files);
        return;
    }
    if (!m_rich || !source->hasHtml()) {
        QTextEdit::insertFromMimeData(source);
        return;
    }
    QTextDocument pasted;
    richtext::setFromHtml(&pasted, source->html());
    textCursor().insertFragment(QTextDocumentFragment(&pasted));
    ensureCursorVisible();
}

void BodyEditor::toggleList(int style)
{
    QTextCursor c = textCursor();
    QTextList *list = c.currentList();
    c.beginEditBlock();
    if (list && list->format().style() == style) {
        for (const QTextBlock &b : selectedBlocks(c)) {
            if (QTextList *l = b.textList()) l->remove(b);
            QTextCursor bc(b);
            QTextBlockFormat bf = b.blockFormat();
            bf.setIndent(0);
            bc.setBlockFormat(bf);
        }
    } else if (list) {
        QTextListFormat f = list->format();
        f.setStyle(QTextListFormat::Style(style));
        list->setFormat(f);
    } else {
        QTextListFormat f;
        f.setStyle(QTextListFormat::Style(style));
        f.setIndent(1);
        c.createList(f);
    }
    c.endEditBlock();
    updateActions();
}

void BodyEditor::editLink()
{
    QTextCursor c = textCursor();
    QString href;
    if (c.charFormat().isAnchor() && !c.hasSelection()) {
        // Inside a link: edit all of it.
        href = c.charFormat().anchorHref();
        QTextBlock b = c.block();
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            if (f.position() <= c.position() && c.position() <= f.position() + f.length() &&
                f.charFormat().anchorHref() == href) {
                c.setPosition(f.position());
                c.setPosition(f.position() + f.length(), QTextCursor::KeepAnchor);
                break;
            }
        }
        setTextCursor(c);
    }
    QDialog dlg(this);
    dlg.setWindowTitle(tr("Link"));
    dlg.setMinimumWidth(440);
    auto *layout = new QVBoxLayout(&dlg);
    auto *form = new QFormLayout;
    auto *text = new QLineEdit(c.selectedText().replace(QChar::ParagraphSeparator, QLatin1Char(' ')), &dlg);
    auto *address = new QLineEdit(href, &dlg);
    address->setPlaceholderText(tr("https://example.org or name@example.org"));
    text->setPlaceholderText(tr("the address itself"));
    form->addRow(tr("Text:"), text);
    form->addRow(tr("Address:"), address);
    layout->addLayout(form);
    auto *problem = new QLabel(&dlg);
    problem->setStyleSheet(QStringLiteral("QLabel { color: #c53030; }"));
    problem->setWordWrap(true);
    problem->hide();
    layout->addWidget(problem);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dlg);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dlg, [&] {
        if (address->text().trimmed().isEmpty() && !href.isEmpty()) {
            // Emptied: the text stays, the link goes.
            QTextCursor sel = textCursor();
            QTextCharFormat f;
            f.setAnchor(false);
            f.setAnchorHref(QString());
            f.setFontUnderline(false);
            sel.mergeCharFormat(f);
            QTextCharFormat plain = sel.charFormat();
            plain.clearForeground();
            sel.setCharFormat(plain);
            dlg.accept();
            return;
        }
        const QString why = makeLink(address->text(), text->text());
        if (why.isEmpty()) {
            dlg.accept();
            return;
        }
        problem->setText(why);
        problem->show();
        dlg.adjustSize(); // room for the reason
        address->setFocus();
    });
    (href.isEmpty() && !text->text().isEmpty() ? address : text)->setFocus();
    dlg.exec();
}

void BodyEditor::clearFormatting()
{
    QTextCursor c = textCursor();
    if (!c.hasSelection()) {
        c.movePosition(QTextCursor::StartOfBlock);
        c.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
    }
    c.beginEditBlock();
    c.setCharFormat(QTextCharFormat());
    for (const QTextBlock &b : selectedBlocks(c)) {
        if (QTextList *l = b.textList()) l->remove(b);
        QTextCursor bc(b);
        QTextBlockFormat bf;
        richtext::setQuoteLevel(&bf, richtext::quoteLevel(b)); // a quote is content, not formatting
        bc.setBlockFormat(bf);
    }
    c.endEditBlock();
    setCurrentCharFormat(QTextCharFormat());
    updateActions();
}

void BodyEditor::updateActions()
{
    if (!m_actions[Bold]) return;
    const QTextCharFormat f = currentCharFormat();
    m_actions[Bold]->setChecked(m_rich && f.fontWeight() >= QFont::DemiBold);
    m_actions[Italic]->setChecked(m_rich && f.fontItalic());
    m_actions[Underline]->setChecked(m_rich && f.fontUnderline() && !f.isAnchor());
    const QTextList *list = textCursor().currentList();
    const auto style = list ? list->format().style() : QTextListFormat::ListStyleUndefined;
    const bool bulleted = style == QTextListFormat::ListDisc || style == QTextListFormat::ListCircle ||
                          style == QTextListFormat::ListSquare;
    m_actions[BulletList]->setChecked(m_rich && list && bulleted);
    m_actions[NumberedList]->setChecked(m_rich && list && !bulleted);
}

} // namespace heron::ui
