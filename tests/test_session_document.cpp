// SessionDocument: every edit is an undo command that calls the document; undo restores the
// exact cuts (a rate's tie split included); signals say what changed; a refused edit is
// reported, not pushed.

#include "app/gui/session_document.h"

#include <QSignalSpy>
#include <QUndoStack>
#include <QtTest>

using namespace prunelab;

class TestSessionDocument : public QObject
{
    Q_OBJECT
private slots:
    void editsAreUndoableAndSignalled()
    {
        SessionDocument document;
        QSignalSpy model(&document, &SessionDocument::modelChanged);
        QSignalSpy thresholds(&document, &SessionDocument::thresholdsChanged);
        QSignalSpy scores(&document, &SessionDocument::scoresChanged);
        document.adopt(Session::open("convnet"));
        QCOMPARE(model.count(), 1);
        QVERIFY(document.score("l1", "weight"));
        QCOMPARE(scores.count(), 1);
        Session& session = *document.session();
        const LayerCuts dense = session.cuts();
        QVERIFY(dense.empty());

        QVERIFY(document.setGlobalRate(0.5, false));
        QCOMPARE(thresholds.count(), 1);
        const LayerCuts global = session.cuts();
        QVERIFY(!global.empty());
        for (const auto& [layer, cut] : global)
            QVERIFY2(cut.count > 0, layer.c_str()); // a rate's cut is exact
        const double half = session.info().sparsity();
        QVERIFY(std::abs(half - 0.5) < 0.01);

        QVERIFY(document.setLayerRate("fc1", 0.9));
        QVERIFY(document.setLocked("fc1", true));
        QVERIFY(session.locked().count("fc1"));
        QCOMPARE(document.undoStack()->count(), 3);

        document.undoStack()->undo(); // unlock
        QVERIFY(!session.locked().count("fc1"));
        document.undoStack()->undo(); // fc1's rate
        QVERIFY(session.cuts() == global);
        document.undoStack()->undo(); // the global rate
        QVERIFY(session.cuts() == dense);
        QCOMPARE(session.info().sparsity(), 0.0);
        document.undoStack()->redo();
        QVERIFY(session.cuts() == global);
    }

    void aDragIsOneCommand()
    {
        SessionDocument document;
        document.adopt(Session::open("convnet"));
        QVERIFY(document.score("l1", "weight"));
        for (float t : {0.01f, 0.02f, 0.03f})
            document.setThreshold("conv2", t, true);
        document.closeMerging();
        QCOMPARE(document.undoStack()->count(), 1);
        QCOMPARE(document.session()->prune_state("conv2").threshold, 0.03f);
        document.setThreshold("conv2", 0.04f, true); // a new drag
        QCOMPARE(document.undoStack()->count(), 2);
        document.undoStack()->undo();
        document.undoStack()->undo();
        QVERIFY(document.session()->cuts().empty());
    }

    void refusedEditsAreReportedNotPushed()
    {
        SessionDocument document;
        QSignalSpy failed(&document, &SessionDocument::failed);
        document.adopt(Session::open("convnet"));
        QVERIFY(document.score("l1", "weight"));
        QVERIFY(!document.setLayerRate("fc1", 1.5));
        QVERIFY(!document.setLayerRate("nope", 0.5));
        QCOMPARE(failed.count(), 2);
        QVERIFY(failed.at(0).at(0).toString().contains("outside [0, 1]"));
        QVERIFY(failed.at(1).at(0).toString().contains("nope"));
        QCOMPARE(document.undoStack()->count(), 0);
    }

    void scoringAndAdoptingClearUndo()
    {
        SessionDocument document;
        document.adopt(Session::open("convnet"));
        QVERIFY(document.score("l1", "weight"));
        document.setGlobalRate(0.3, false);
        QVERIFY(document.score("l2", "weight"));
        QCOMPARE(document.undoStack()->count(), 0); // cuts of other scores mean nothing
        document.setGlobalRate(0.3, false);
        document.adopt(Session::open("lenet5"));
        QCOMPARE(document.undoStack()->count(), 0);
    }
};

QTEST_MAIN(TestSessionDocument)
#include "test_session_document.moc"
