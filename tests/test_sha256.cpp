#include "engine/core/sha256.h"

#include <QtTest>

#include <string>

using namespace prunelab;

namespace {

std::string digestOf(const std::string& text, size_t piece)
{
    Sha256 sha;
    for (size_t at = 0; at < text.size(); at += piece)
        sha.update(text.data() + at, std::min(piece, text.size() - at));
    return sha.hex_digest();
}

} // namespace

class TestSha256 : public QObject
{
    Q_OBJECT
private slots:
    void matchesTheStandardsTestVectors()
    {
        // FIPS 180-4 examples; fed whole and in odd pieces that straddle the 64-byte blocks.
        const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        for (size_t piece : {size_t(1), size_t(7), size_t(64), size_t(1000)}) {
            QCOMPARE(
                digestOf("", piece),
                std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
            QCOMPARE(
                digestOf("abc", piece),
                std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
            QCOMPARE(
                digestOf(two_blocks, piece),
                std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        }
        QCOMPARE(digestOf(std::string(1000000, 'a'), 4096),
                 std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "test_sha256.moc"
