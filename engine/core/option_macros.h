#pragma once

/// Declares an option with a default value, a getter `name()` and a chainable setter
/// `name(value)`, in the manner of LibTorch's TORCH_ARG.
#define PRUNELAB_OPTION(T, name, default_value)                                                    \
public:                                                                                            \
    auto& name(const T& new_value)                                                                 \
    {                                                                                              \
        m_##name = new_value;                                                                      \
        return *this;                                                                              \
    }                                                                                              \
    const T& name() const noexcept                                                                 \
    {                                                                                              \
        return m_##name;                                                                           \
    }                                                                                              \
                                                                                                   \
private:                                                                                           \
    T m_##name = default_value
