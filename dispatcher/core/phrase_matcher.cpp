#include "dispatcher/core/phrase_matcher.hpp"

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace huying::core {

std::int32_t PhraseMatcher::child(std::int32_t node, unsigned char c) const {
  const auto& next = nodes_[static_cast<std::size_t>(node)].next;
  auto it = std::lower_bound(next.begin(), next.end(), c,
                             [](const auto& p, unsigned char b) { return p.first < b; });
  return it != next.end() && it->first == c ? it->second : -1;
}

void PhraseMatcher::add(std::string_view phrase, std::uint32_t id) {
  if (built_) throw std::logic_error("PhraseMatcher::add after build");
  if (phrase.empty()) return;
  std::int32_t node = 0;
  for (char ch : phrase) {
    auto c = static_cast<unsigned char>(ch);
    std::int32_t n = child(node, c);
    if (n < 0) {
      n = static_cast<std::int32_t>(nodes_.size());
      auto& next = nodes_[static_cast<std::size_t>(node)].next;
      next.insert(std::lower_bound(next.begin(), next.end(), c,
                                   [](const auto& p, unsigned char b) { return p.first < b; }),
                  {c, n});
      nodes_.emplace_back();
    }
    node = n;
  }
  nodes_[static_cast<std::size_t>(node)].ends.emplace_back(
      id, static_cast<std::uint32_t>(phrase.size()));
  ++phrases_;
}

std::int32_t PhraseMatcher::step(std::int32_t node, unsigned char c) const {
  for (;;) {
    std::int32_t n = child(node, c);
    if (n >= 0) return n;
    if (node == 0) return 0;
    node = nodes_[static_cast<std::size_t>(node)].fail;
  }
}

void PhraseMatcher::build() {
  // Breadth first: a node's failure link points to a shallower node, whose
  // own links are already set.
  std::deque<std::int32_t> queue;
  for (const auto& [c, n] : nodes_[0].next) {
    nodes_[static_cast<std::size_t>(n)].fail = 0;
    queue.push_back(n);
  }
  while (!queue.empty()) {
    std::int32_t u = queue.front();
    queue.pop_front();
    for (const auto& [c, v] : nodes_[static_cast<std::size_t>(u)].next) {
      std::int32_t f = nodes_[static_cast<std::size_t>(u)].fail;
      std::int32_t target = step(f, c);
      auto& node = nodes_[static_cast<std::size_t>(v)];
      node.fail = target == v ? 0 : target;
      const auto& fail_node = nodes_[static_cast<std::size_t>(node.fail)];
      node.out_link = !fail_node.ends.empty() ? node.fail : fail_node.out_link;
      queue.push_back(v);
    }
  }
  built_ = true;
}

std::vector<PhraseMatcher::Hit> PhraseMatcher::find_all(std::string_view text) const {
  std::vector<Hit> hits;
  if (!built_) throw std::logic_error("PhraseMatcher::find_all before build");
  std::int32_t node = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    node = step(node, static_cast<unsigned char>(text[i]));
    for (std::int32_t n = node; n > 0;) {
      const Node& at = nodes_[static_cast<std::size_t>(n)];
      for (const auto& [id, len] : at.ends) hits.push_back({i + 1 - len, i + 1, id});
      n = at.out_link;
    }
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    if (a.begin != b.begin) return a.begin < b.begin;
    if (a.end != b.end) return a.end > b.end;
    return a.id < b.id;
  });
  return hits;
}

}  // namespace huying::core
