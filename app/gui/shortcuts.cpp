#include "app/gui/shortcuts.h"

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

} // namespace prunelab
