// PhraseMatcher: finds every occurrence of many phrases in a text in one pass
// (Aho–Corasick over UTF-8 bytes). Used for gazetteer names in addresses and
// for emergency cue words in call texts: the cost per text no longer grows
// with the number of names in the config.
//
// Phrases are whole UTF-8 strings, so a hit always starts and ends on a
// character boundary. Immutable after build(); safe to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace huying::core {

class PhraseMatcher {
 public:
  struct Hit {
    std::size_t begin = 0;  // byte offsets into the text, [begin, end)
    std::size_t end = 0;
    std::uint32_t id = 0;  // the id given to add()
  };

  // Adds a phrase under an id of the caller's (several phrases may share an
  // id, one phrase may be added under several ids). Empty phrases are
  // ignored. REQUIRES: build() not called yet.
  void add(std::string_view phrase, std::uint32_t id);
  // Prepares the automaton. Call once after the last add().
  void build();

  // Every occurrence of every phrase, ordered by begin, then longest first.
  std::vector<Hit> find_all(std::string_view text) const;

  std::size_t phrases() const { return phrases_; }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, std::int32_t>> next;  // sorted by byte
    std::int32_t fail = 0;
    std::int32_t out_link = -1;  // nearest suffix node that ends a phrase
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ends;  // (id, phrase length)
  };
  std::int32_t child(std::int32_t node, unsigned char c) const;
  std::int32_t step(std::int32_t node, unsigned char c) const;

  std::vector<Node> nodes_{Node{}};
  std::size_t phrases_ = 0;
  bool built_ = false;
};

}  // namespace huying::core
