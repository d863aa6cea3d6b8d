#pragma once

#include <QKeySequence>
#include <QList>
#include <QString>

class QWidget;

namespace prunelab {

/// Redo's keys: Ctrl+Shift+Z and Ctrl+Y, then the platform's other Redo bindings, each once.
/// A key listed twice on one action is an "ambiguous shortcut overload" that Qt ignores — what
/// happened on X11, whose Redo binding is Ctrl+Shift+Z.
QList<QKeySequence> redoShortcuts(const QList<QKeySequence>& platformRedo);

/// A menu text as a dialog title: "Co&mpacted Model…" -> "Compacted Model" (mnemonic markers
/// and the trailing ellipsis dropped, "&&" kept as "&").
QString plainActionText(const QString& menuText);

/// A fraction as a percentage: 0.8765 -> "87.7%" (or "87.65%" with two decimals, as accuracies
/// are shown: a tenth of a point matters when comparing criteria).
QString percentText(double fraction, int decimals = 1);

/// An error message fit for a message box: at most `maxLines` lines of at most `maxColumns`
/// characters (a model's whole graph or a path list made boxes taller than the screen), ending in
/// "…" when cut. The full text goes to the box's details and the log.
QString errorSummary(const QString& message, int maxLines = 8, int maxColumns = 160);

/// The window's error box: errorSummary() of `message`, the whole of it under Details.
void showErrorBox(QWidget* parent, const QString& message);

} // namespace prunelab
