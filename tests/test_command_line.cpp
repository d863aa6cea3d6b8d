#include "app/cli/command_line.h"
#include "app/cli/progress_printer.h"

#include <QtTest>

using namespace prunelab::cli;

namespace {
const std::vector<OptionSpec> kOptions = {
    {"epochs", "N", "epochs"}, {"json", "", "json"}, {"exclude", "NAME", "exclude", true}};
}

class TestCommandLine : public QObject
{
    Q_OBJECT
private slots:
    void parsesPositionalsValuesAndFlags()
    {
        const auto args = ParsedArgs::parse(
            {"convnet", "--epochs", "3", "--json", "--exclude=fc2", "--exclude", "conv1"}, kOptions,
            1);
        QCOMPARE(args.positionals().size(), size_t(1));
        QCOMPARE(args.integer_or("epochs", 10), 3LL);
        QVERIFY(args.has("json"));
        QCOMPARE(args.values("exclude"), (std::vector<std::string>{"fc2", "conv1"}));
        QCOMPARE(args.number_or("missing", 0.5), 0.5);
    }

    void rejectsMistakes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown") << QStringList{"--epoch", "3"} << "unknown option --epoch";
        QTest::newRow("missing value") << QStringList{"--epochs"} << "needs a value";
        QTest::newRow("flag value") << QStringList{"--json=yes"} << "takes no value";
        QTest::newRow("repeated") << QStringList{"--epochs", "1", "--epochs", "2"}
                                  << "more than once";
        QTest::newRow("extra positional") << QStringList{"a", "b"} << "unexpected argument 'b'";
    }

    void rejectsMistakes()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        std::vector<std::string> raw;
        for (const auto& a : args)
            raw.push_back(a.toStdString());
        try {
            ParsedArgs::parse(raw, kOptions, 1);
            QFAIL("accepted");
        } catch (const UsageError& e) {
            QVERIFY2(QString(e.what()).contains(expected), e.what());
        }
    }

    void convertsNumbersStrictly()
    {
        const auto args = ParsedArgs::parse({"--epochs", "3x"}, kOptions, 0);
        QVERIFY_THROWS_EXCEPTION(UsageError, args.integer_or("epochs", 1));
        const auto nan = ParsedArgs::parse({"--epochs", "nan"}, kOptions, 0);
        QVERIFY_THROWS_EXCEPTION(UsageError, nan.number_or("epochs", 1));
        QVERIFY_THROWS_EXCEPTION(UsageError, ParsedArgs::parse({}, kOptions, 0).required("epochs"));
    }

    void refusesWholeNumbersThatWouldWrap()
    {
        // Issue 16, item 10: --epochs 4294967297 trained 1 epoch (the int wrapped) and
        // --batch 2^63-1 took no step yet wrote a checkpoint marked trained.
        for (const char* big : {"4294967297", "9223372036854775807", "-4294967297"}) {
            const auto args = ParsedArgs::parse({"--epochs", big}, kOptions, 0);
            try {
                args.integer_or("epochs", 1);
                QFAIL(big);
            } catch (const UsageError& e) {
                QVERIFY2(QString(e.what()).contains("--epochs") &&
                             QString(e.what()).contains("2147483647"),
                         e.what());
            }
        }
        QCOMPARE(ParsedArgs::parse({"--epochs", "2147483647"}, kOptions, 0).integer_or("epochs", 1),
                 2147483647LL);
    }

    void formatsDurations()
    {
        QCOMPARE(format_duration(65), std::string("1:05"));
        QCOMPARE(format_duration(3725), std::string("1:02:05"));
        QCOMPARE(format_duration(-1), std::string("?"));
    }
};

QTEST_GUILESS_MAIN(TestCommandLine)
#include "test_command_line.moc"
