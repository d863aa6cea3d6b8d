#include "app/gui/action_text.h"

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

} // namespace prunelab
