#include "engine/core/zip_integrity.h"

#include "engine/core/error.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

namespace prunelab {
namespace {

// Reads `size` bytes at `offset` into `out`; false when the archive is shorter.
using ReadAt = std::function<bool(uint64_t offset, size_t size, unsigned char* out)>;

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;

uint64_t little(const unsigned char* bytes, int count)
{
    uint64_t value = 0;
    for (int i = count - 1; i >= 0; --i)
        value = (value << 8) | bytes[i];
    return value;
}

struct Entry
{
    std::string name;
    uint16_t method = 0;
    uint32_t crc = 0;
    uint64_t compressed = 0;
    uint64_t uncompressed = 0;
    uint64_t local_offset = 0;
};

class ZipChecker
{
public:
    ZipChecker(ReadAt read, uint64_t size, std::string label, std::string what)
        : m_read(std::move(read)), m_size(size), m_label(std::move(label)), m_what(std::move(what))
    {}

    void run()
    {
        unsigned char magic[4];
        // Anything else goes no further: LibTorch's reader read past the end of its buffer on
        // data that was not a well-formed zip archive (fuzz_project, under ASan).
        if (m_size < 22 || !m_read(0, 4, magic) || little(magic, 4) != kLocalHeader)
            throw damaged("not a zip archive, which every PyTorch file is");
        for (const Entry& entry : central_directory())
            check(entry);
    }

private:
    Error damaged(const std::string& what) const
    {
        return Error(m_label + ": not a readable " + m_what + " (corrupt or truncated: " + what +
                     ")");
    }

    std::vector<unsigned char> read(uint64_t offset, size_t size, const char* what) const
    {
        std::vector<unsigned char> bytes(size);
        if (offset > m_size || size > m_size - offset || !m_read(offset, size, bytes.data()))
            throw damaged(std::string(what) + " lies past the end of the file: truncated?");
        return bytes;
    }

    std::vector<Entry> central_directory() const
    {
        // The end-of-directory record sits in the last 22 bytes plus a comment of up to 64 KiB.
        const uint64_t tail_size = std::min<uint64_t>(m_size, 22 + 65535);
        const auto tail = read(m_size - tail_size, size_t(tail_size), "the archive's end");
        int64_t at = int64_t(tail.size()) - 22;
        while (at >= 0 && little(&tail[size_t(at)], 4) != kEndOfDirectory)
            --at;
        if (at < 0)
            throw damaged("no zip end-of-directory record: truncated?");
        const unsigned char* end = &tail[size_t(at)];
        uint64_t count = little(end + 10, 2);
        uint64_t directory_size = little(end + 12, 4);
        uint64_t directory_offset = little(end + 16, 4);
        const uint64_t end_offset = m_size - tail_size + uint64_t(at);
        // The record and its comment end the file: a "PK\5\6" met inside data is not it.
        if (end_offset + 22 + little(end + 20, 2) != m_size)
            throw damaged("the zip end-of-directory record does not end the file");
        // Everything LibTorch's reader will trust is checked here first: fuzz_checkpoint found
        // an archive whose directory fields made it read past the end of its buffer.
        uint64_t directory_end = end_offset; // the directory lies before the records that end it
        if (count == 0xFFFF || directory_offset == 0xFFFFFFFF || directory_size == 0xFFFFFFFF) {
            if (end_offset < 20)
                throw damaged("zip64 locator missing");
            const auto locator = read(end_offset - 20, 20, "the zip64 locator");
            if (little(locator.data(), 4) != kZip64Locator)
                throw damaged("zip64 locator missing");
            const uint64_t zip64_offset = little(&locator[8], 8);
            if (zip64_offset > end_offset - 20 || end_offset - 20 - zip64_offset < 56)
                throw damaged("the zip64 end-of-directory record is misplaced");
            const auto zip64 = read(zip64_offset, 56, "the zip64 directory end");
            if (little(zip64.data(), 4) != kZip64EndOfDirectory)
                throw damaged("zip64 end-of-directory record missing");
            count = little(&zip64[32], 8);
            directory_size = little(&zip64[40], 8);
            directory_offset = little(&zip64[48], 8);
            if (little(&zip64[24], 8) != count)
                throw damaged("the zip64 directory counts disagree");
            directory_end = zip64_offset;
        } else if (little(end + 8, 2) != count || little(end + 4, 2) != 0 ||
                   little(end + 6, 2) != 0) {
            throw damaged("a multi-part zip archive, or counts that disagree");
        }
        if (count == 0)
            throw damaged("the zip archive holds no records");
        if (directory_offset > directory_end || directory_size > directory_end - directory_offset ||
            count > directory_size / 46)
            throw damaged("the zip directory's size or place is implausible");
        const auto directory = read(directory_offset, size_t(directory_size), "the zip directory");
        std::vector<Entry> entries;
        size_t position = 0;
        for (uint64_t i = 0; i < count; ++i) {
            if (position + 46 > directory.size() ||
                little(&directory[position], 4) != kCentralHeader)
                throw damaged("zip directory entry " + std::to_string(i) + " is malformed");
            const unsigned char* header = &directory[position];
            Entry entry;
            entry.method = uint16_t(little(header + 10, 2));
            entry.crc = uint32_t(little(header + 16, 4));
            entry.compressed = little(header + 20, 4);
            entry.uncompressed = little(header + 24, 4);
            const size_t name_size = little(header + 28, 2);
            const size_t extra_size = little(header + 30, 2);
            const size_t comment_size = little(header + 32, 2);
            entry.local_offset = little(header + 42, 4);
            if (position + 46 + name_size + extra_size + comment_size > directory.size())
                throw damaged("zip directory entry " + std::to_string(i) + " is malformed");
            entry.name.assign(reinterpret_cast<const char*>(header + 46), name_size);
            read_zip64_sizes(header + 46 + name_size, extra_size, entry);
            position += 46 + name_size + extra_size + comment_size;
            entries.push_back(std::move(entry));
        }
        return entries;
    }

    // Sizes and offsets that do not fit 32 bits live in the zip64 extra field (id 1), in order.
    static void read_zip64_sizes(const unsigned char* extra, size_t size, Entry& entry)
    {
        size_t at = 0;
        while (at + 4 <= size) {
            const uint64_t id = little(extra + at, 2);
            const size_t length = little(extra + at + 2, 2);
            if (at + 4 + length > size)
                return;
            if (id == 1) {
                const unsigned char* field = extra + at + 4;
                const unsigned char* stop = field + length;
                for (uint64_t* value :
                     {&entry.uncompressed, &entry.compressed, &entry.local_offset})
                    if (*value == 0xFFFFFFFF && field + 8 <= stop) {
                        *value = little(field, 8);
                        field += 8;
                    }
            }
            at += 4 + length;
        }
    }

    void check(const Entry& entry) const
    {
        const auto local = read(entry.local_offset, 30, ("the header of " + entry.name).c_str());
        if (little(local.data(), 4) != kLocalHeader)
            throw damaged("entry " + entry.name + " has no local header where the directory says");
        const uint64_t data_offset =
            entry.local_offset + 30 + little(&local[26], 2) + little(&local[28], 2);
        if (data_offset > m_size || entry.compressed > m_size - data_offset)
            throw damaged("entry " + entry.name + " runs past the end of the file: truncated?");
        uint32_t crc = 0;
        if (entry.method == 0) {
            if (entry.compressed != entry.uncompressed)
                throw damaged("stored entry " + entry.name + " has two different sizes");
            crc = stored_crc(entry, data_offset);
        } else if (entry.method == 8) {
            crc = inflated_crc(entry, data_offset);
        } else {
            throw damaged("entry " + entry.name + " uses unsupported compression method " +
                          std::to_string(entry.method));
        }
        if (crc != entry.crc)
            throw damaged("entry " + entry.name + " fails its CRC-32 check");
    }

    uint32_t stored_crc(const Entry& entry, uint64_t offset) const
    {
        std::vector<unsigned char> chunk(size_t(std::min<uint64_t>(entry.compressed, 1 << 20)));
        uLong crc = crc32(0L, Z_NULL, 0);
        for (uint64_t done = 0; done < entry.compressed;) {
            const size_t piece = size_t(std::min<uint64_t>(entry.compressed - done, chunk.size()));
            if (!m_read(offset + done, piece, chunk.data()))
                throw damaged("entry " + entry.name + " cannot be read");
            crc = crc32(crc, chunk.data(), uInt(piece));
            done += piece;
        }
        return uint32_t(crc);
    }

    uint32_t inflated_crc(const Entry& entry, uint64_t offset) const
    {
        z_stream stream{};
        if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
            throw Error(m_label + ": cannot start zlib");
        std::vector<unsigned char> in(1 << 16);
        std::vector<unsigned char> out(1 << 16);
        uLong crc = crc32(0L, Z_NULL, 0);
        uint64_t consumed = 0;
        uint64_t produced = 0;
        int status = Z_OK;
        while (status != Z_STREAM_END) {
            if (stream.avail_in == 0) {
                const size_t piece =
                    size_t(std::min<uint64_t>(entry.compressed - consumed, in.size()));
                if (piece == 0 || !m_read(offset + consumed, piece, in.data())) {
                    inflateEnd(&stream);
                    throw damaged("entry " + entry.name + " ends before its compressed data does");
                }
                consumed += piece;
                stream.next_in = in.data();
                stream.avail_in = uInt(piece);
            }
            stream.next_out = out.data();
            stream.avail_out = uInt(out.size());
            status = inflate(&stream, Z_NO_FLUSH);
            if (status != Z_OK && status != Z_STREAM_END) {
                inflateEnd(&stream);
                throw damaged("entry " + entry.name + " holds corrupt compressed data");
            }
            const size_t made = out.size() - stream.avail_out;
            produced += made;
            if (produced > entry.uncompressed) {
                inflateEnd(&stream);
                throw damaged("entry " + entry.name + " inflates past its recorded size");
            }
            crc = crc32(crc, out.data(), uInt(made));
        }
        inflateEnd(&stream);
        return uint32_t(crc);
    }

    ReadAt m_read;
    uint64_t m_size;
    std::string m_label;
    std::string m_what;
};

} // namespace

void verify_zip_bytes(const char* data, size_t size, const std::string& label,
                      const std::string& what)
{
    ZipChecker(
        [data, size](uint64_t offset, size_t count, unsigned char* out) {
            if (offset > size || count > size - offset)
                return false;
            if (count > 0) // an empty read may come with no buffer at all
                std::memcpy(out, data + offset, count);
            return true;
        },
        size, label, what)
        .run();
}

void verify_zip_file(const std::string& path, const std::string& what)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(path + ": cannot open for reading");
    struct Closer
    {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 0)
        throw Error(path + ": cannot be read");
    ZipChecker(
        [fd](uint64_t offset, size_t count, unsigned char* out) {
            size_t done = 0;
            while (done < count) {
                const ssize_t got = ::pread(fd, out + done, count - done, off_t(offset + done));
                if (got <= 0)
                    return false;
                done += size_t(got);
            }
            return true;
        },
        uint64_t(size), path, what)
        .run();
}

} // namespace prunelab
