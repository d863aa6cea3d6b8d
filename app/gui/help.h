#pragma once

#include <QList>
#include <QString>

class QAction;
class QDialog;
class QWidget;

namespace prunelab {

/// Help ▸ Keyboard Shortcuts: every action that has keys, grouped under its menu, as an HTML
/// table ("Edit", "Redo", "Ctrl+Shift+Z, Ctrl+Y"). Actions without keys are left out.
QString shortcutTableHtml(const QList<QAction*>& actions);

/// What a dock is for (its What's This text), by the dock's object name; empty for others.
QString dockWhatsThis(const QString& dockName);

/// A dialog that shows `text` (Markdown when `markdown`, else HTML) in a scrollable browser
/// with a Close button; the caller runs it.
QDialog* makeHelpDialog(QWidget* parent, const QString& title, const QString& text, bool markdown);

/// The workbench guide shipped inside the program (docs/workbench.md), as Markdown.
QString userGuideMarkdown();

} // namespace prunelab
