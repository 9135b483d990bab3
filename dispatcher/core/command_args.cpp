#include "dispatcher/core/command_args.hpp"

namespace huying::core {

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_phone(std::string_view s) {
  int digits = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9')
      ++digits;
    else if (c == '+' && i == 0)
      continue;
    else if (c == '-' || c == ' ')
      continue;
    else
      return false;
  }
  return digits >= 5 && digits <= 20;
}

std::string normalize_phone(std::string_view s) {
  std::string digits;
  for (char c : s)
    if (c >= '0' && c <= '9') digits += c;
  const bool plus = !s.empty() && s.find_first_not_of(" ") != std::string_view::npos &&
                    s[s.find_first_not_of(" ")] == '+';
  if (plus && digits.rfind("86", 0) == 0 && digits.size() > 11)
    digits.erase(0, 2);
  else if (digits.rfind("0086", 0) == 0 && digits.size() > 13)
    digits.erase(0, 4);
  return digits;
}

}  // namespace huying::core
