#include "app/gui/help.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QMap>
#include <QMenu>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace prunelab {

QString shortcutTableHtml(const QList<QAction*>& actions)
{
    // Menu title -> rows, in the order the actions come.
    QStringList menus;
    QMap<QString, QStringList> rows;
    for (const QAction* action : actions) {
        if (action->shortcuts().isEmpty() || action->isSeparator())
            continue;
        QStringList keys;
        for (const QKeySequence& key : action->shortcuts())
            keys << key.toString(QKeySequence::NativeText).toHtmlEscaped();
        QString menu = action->property("pruneMenu").toBool() ? QObject::tr("Prune") : QString();
        for (const QObject* widget : action->associatedObjects())
            if (const auto* owner = qobject_cast<const QMenu*>(widget); owner && menu.isEmpty())
                menu = owner->title();
        menu.remove(QLatin1Char('&'));
        if (menu.isEmpty())
            menu = QObject::tr("Window");
        if (!menus.contains(menu))
            menus << menu;
        QString text = action->text();
        text.remove(QLatin1Char('&'));
        rows[menu] << QStringLiteral("<tr><td>%1</td><td><b>%2</b></td></tr>")
                          .arg(text.toHtmlEscaped(), keys.join(QStringLiteral(", ")));
    }
    QString html = QStringLiteral("<table cellpadding=3>");
    for (const QString& menu : menus)
        html += QStringLiteral("<tr><th colspan=2 align=left>%1</th></tr>").arg(menu) +
                rows[menu].join(QString());
    html += QStringLiteral("</table><p>") +
            QObject::tr("In the histogram: drag the red line to move that layer's threshold. In "
                        "the Curves: wheel zooms, drag pans, double-click resets.") +
            QStringLiteral("</p>");
    return html;
}

QString dockWhatsThis(const QString& dockName)
{
    static const QMap<QString, const char*> texts = {
        {QStringLiteral("importanceDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Importance</b>: the selected layer's importance scores as "
                                   "a histogram. Drag the red line to prune everything left of "
                                   "it (one undo step per drag). Below, every layer's histogram "
                                   "small: click one to select it.")},
        {QStringLiteral("headsDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Heads</b>: at head granularity, a transformer's attention "
                                   "layers × heads coloured by importance. Click a kept head to "
                                   "prune it and every weaker one of its layer; click a pruned "
                                   "head to restore it; drag along a row.")},
        {QStringLiteral("curvesDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Curves</b>: accuracy against sparsity (or parameters or "
                                   "FLOPs kept) for sweeps, sensitivity runs, fine-tunes and "
                                   "distillation, with the dense model's line and a floor 5 "
                                   "points below it. Hover a point for its values.")},
        {QStringLiteral("trainingDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Training</b>: loss per batch and accuracy per epoch of "
                                   "the fine-tune, iterative run or distillation in progress.")},
        {QStringLiteral("compactionDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Compaction</b>: the dense, masked and compacted models "
                                   "side by side (parameters, multiply-accumulates, measured "
                                   "time) after Compact removes pruned channels for real.")},
        {QStringLiteral("criterionDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Criterion</b>: the formula and the idea of the chosen "
                                   "importance criterion at the chosen granularity.")},
        {QStringLiteral("logDock"),
         QT_TRANSLATE_NOOP("Help", "<b>Log</b>: what PruneLab did, with warnings, as the CLI "
                                   "would print it.")},
    };
    const auto it = texts.find(dockName);
    return it == texts.end() ? QString() : QObject::tr(it.value());
}

QDialog* makeHelpDialog(QWidget* parent, const QString& title, const QString& text, bool markdown)
{
    auto* dialog = new QDialog(parent);
    dialog->setWindowTitle(title);
    auto* layout = new QVBoxLayout(dialog);
    auto* browser = new QTextBrowser(dialog);
    browser->setObjectName(QStringLiteral("helpBrowser"));
    browser->setOpenExternalLinks(true);
    if (markdown)
        browser->setMarkdown(text);
    else
        browser->setHtml(text);
    layout->addWidget(browser);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->resize(760, 600);
    return dialog;
}

QString userGuideMarkdown()
{
    QFile guide(QStringLiteral(":/docs/workbench.md"));
    if (!guide.open(QIODevice::ReadOnly))
        return QObject::tr("# PruneLab\n\nThe user guide is missing from this build.");
    return QString::fromUtf8(guide.readAll());
}

} // namespace prunelab
