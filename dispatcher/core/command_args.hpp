// Reading a command's arguments (JSON, as the API receives them) with a
// precise rejection for the first bad field: its name and why.
#pragma once

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dispatcher/core/types.hpp"

namespace huying::core {

inline constexpr std::size_t kMaxText = 4000;
inline constexpr std::size_t kMaxShort = 200;

class Args {
 public:
  explicit Args(const boost::json::object& a) : a_(a) {}

  const std::optional<Rejection>& error() const { return err_; }

  // A string field. Required ones must be non-blank.
  std::string str(std::string_view key, bool required, std::size_t max_len = kMaxShort) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return {};
    }
    if (!v->is_string()) {
      fail(RejectCode::invalid_field, key, "must be a string");
      return {};
    }
    std::string s(v->get_string());
    if (required && s.find_first_not_of(" \t\r\n") == std::string::npos) {
      fail(RejectCode::missing_field, key, "must not be empty");
      return {};
    }
    if (s.size() > max_len) {
      fail(RejectCode::invalid_field, key,
           "is too long (at most " + std::to_string(max_len) + " bytes)");
      return {};
    }
    return s;
  }

  template <class E>
  std::optional<E> enumeration(std::string_view key, bool required) {
    auto s = str(key, required);
    if (s.empty()) return std::nullopt;
    auto e = parse<E>(s);
    if (!e) fail(RejectCode::invalid_field, key, "must be one of " + choices<E>());
    return e;
  }

  std::optional<bool> boolean(std::string_view key, bool required) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return std::nullopt;
    }
    if (!v->is_bool()) {
      fail(RejectCode::invalid_field, key, "must be true or false");
      return std::nullopt;
    }
    return v->get_bool();
  }

  std::optional<std::int64_t> integer(std::string_view key, bool required) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return std::nullopt;
    }
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
      return static_cast<std::int64_t>(v->get_uint64());
    fail(RejectCode::invalid_field, key, "must be an integer");
    return std::nullopt;
  }

  std::optional<double> number(std::string_view key, double lo, double hi) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (!v->is_number()) {
      fail(RejectCode::invalid_field, key, "must be a number");
      return std::nullopt;
    }
    double d = v->to_number<double>();
    if (d < lo || d > hi) {
      fail(RejectCode::invalid_field, key,
           "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return std::nullopt;
    }
    return d;
  }

  // An array of non-empty, distinct strings.
  std::vector<std::string> str_list(std::string_view key, bool required) {
    std::vector<std::string> out;
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return out;
    }
    if (!v->is_array()) {
      fail(RejectCode::invalid_field, key, "must be an array of strings");
      return out;
    }
    for (const auto& e : v->get_array()) {
      if (!e.is_string() || e.get_string().empty()) {
        fail(RejectCode::invalid_field, key, "must be an array of non-empty strings");
        return {};
      }
      std::string s(e.get_string());
      if (std::find(out.begin(), out.end(), s) != out.end()) {
        fail(RejectCode::invalid_field, key, "lists " + s + " twice");
        return {};
      }
      out.push_back(std::move(s));
    }
    if (required && out.empty()) fail(RejectCode::missing_field, key, "must not be empty");
    return out;
  }

  const boost::json::object* object(std::string_view key, bool required) {
    auto* v = a_.if_contains(key);
    if (!v || v->is_null()) {
      if (required) fail(RejectCode::missing_field, key, "is required");
      return nullptr;
    }
    if (!v->is_object()) {
      fail(RejectCode::invalid_field, key, "must be an object");
      return nullptr;
    }
    return &v->get_object();
  }

  void fail(RejectCode code, std::string_view field, std::string reason) {
    if (!err_) err_ = Rejection{code, std::string(field), std::string(field) + " " + reason};
  }

 private:
  const boost::json::object& a_;
  std::optional<Rejection> err_;
};

// The fields a command's arguments may carry (what decide() reads). The API
// refuses any other, so a misspelt field is an error, not silently ignored.
const std::vector<std::string_view>& command_fields(CommandType t);
// The first field of `args` that `t` does not know (nested: the citizen's
// and the origin's fields too), as a rejection; nullopt when all are known.
std::optional<Rejection> unknown_field(CommandType t, const boost::json::object& args);

// True for a non-empty string of ASCII digits.
bool is_digits(std::string_view s);
// True for a well-formed area (division) code: 12 ASCII digits. The one
// check of its kind, for commands, intake and the config.
inline bool valid_area_code(std::string_view s) { return s.size() == 12 && is_digits(s); }
// Phone: digits with an optional leading + and inner '-' or spaces, 5..20 digits.
bool valid_phone(std::string_view s);
// The phone number as callers' history finds it: digits only, without a
// +86 / 0086 country prefix ("+86 138-1234-5678" -> "13812345678").
std::string normalize_phone(std::string_view s);

}  // namespace huying::core
