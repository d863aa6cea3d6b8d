#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace prunelab {

/// SHA-256 (FIPS 180-4), fed in pieces. Used to seal a checkpoint's tensors: a zip CRC catches
/// a flipped byte, the digest also catches tensors swapped or edited by another tool.
class Sha256
{
public:
    Sha256();
    void update(const void* data, size_t size);
    /// The digest as 64 lowercase hex digits; the object is spent afterwards.
    std::string hex_digest();

private:
    void compress(const unsigned char* block);

    std::array<uint32_t, 8> m_state;
    std::array<unsigned char, 64> m_buffer{};
    size_t m_buffered = 0;
    uint64_t m_length = 0; ///< bytes so far
};

} // namespace prunelab
