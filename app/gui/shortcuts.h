#pragma once

#include <QKeySequence>
#include <QList>

namespace prunelab {

/// Redo's keys: Ctrl+Shift+Z and Ctrl+Y, then the platform's other Redo bindings, each once.
/// A key listed twice on one action is an "ambiguous shortcut overload" that Qt ignores — what
/// happened on X11, whose Redo binding is Ctrl+Shift+Z.
QList<QKeySequence> redoShortcuts(const QList<QKeySequence>& platformRedo);

} // namespace prunelab
