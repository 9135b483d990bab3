// Asio and Beast compiled once for the whole program (STYLE.md §6). The
// SEPARATE_COMPILATION macros are PUBLIC definitions of the huying_asio target.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
