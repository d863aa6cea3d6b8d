#include "app/gui/action_text.h"

#include <QMessageBox>

namespace prunelab {

QList<QKeySequence> redoShortcuts(const QList<QKeySequence>& platformRedo)
{
    QList<QKeySequence> keys = {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z),
                                QKeySequence(Qt::CTRL | Qt::Key_Y)};
    for (const QKeySequence& key : platformRedo)
        if (!key.isEmpty() && !keys.contains(key))
            keys << key;
    return keys;
}

QString plainActionText(const QString& menuText)
{
    QString text;
    for (int i = 0; i < menuText.size(); ++i) {
        if (menuText[i] == QLatin1Char('&') && i + 1 < menuText.size()) {
            ++i; // "&x" shows x; "&&" shows &
            text += menuText[i];
        } else if (menuText[i] != QLatin1Char('&')) {
            text += menuText[i];
        }
    }
    if (text.endsWith(QChar(0x2026)))
        text.chop(1);
    return text.trimmed();
}

QString percentText(double fraction, int decimals)
{
    return QString::number(fraction * 100.0, 'f', decimals) + QLatin1Char('%');
}

QString errorSummary(const QString& message, int maxLines, int maxColumns)
{
    const QStringList lines = message.trimmed().split(QLatin1Char('\n'));
    QStringList kept;
    for (const QString& line : lines.mid(0, maxLines)) {
        if (line.size() > maxColumns) {
            kept << line.left(maxColumns - 1) + QChar(0x2026);
        } else {
            kept << line;
        }
    }
    if (lines.size() > maxLines)
        kept << QString(QChar(0x2026));
    return kept.join(QLatin1Char('\n'));
}

void showErrorBox(QWidget* parent, const QString& message)
{
    const QString summary = errorSummary(message);
    QMessageBox box(QMessageBox::Critical, QStringLiteral("PruneLab"), summary, QMessageBox::Ok,
                    parent);
    if (summary != message.trimmed())
        box.setDetailedText(message);
    box.exec();
}

} // namespace prunelab
