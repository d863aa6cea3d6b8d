#pragma once

#include <QKeySequence>
#include <QList>
#include <QString>

namespace prunelab {

/// Redo's keys: Ctrl+Shift+Z and Ctrl+Y, then the platform's other Redo bindings, each once.
/// A key listed twice on one action is an "ambiguous shortcut overload" that Qt ignores — what
/// happened on X11, whose Redo binding is Ctrl+Shift+Z.
QList<QKeySequence> redoShortcuts(const QList<QKeySequence>& platformRedo);

/// A menu text as a dialog title: "Co&mpacted Model…" -> "Compacted Model" (mnemonic markers
/// and the trailing ellipsis dropped, "&&" kept as "&").
QString plainActionText(const QString& menuText);

} // namespace prunelab
