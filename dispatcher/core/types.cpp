#include "dispatcher/core/types.hpp"
// All of types.hpp is constexpr/inline; this TU proves the header stands alone.
