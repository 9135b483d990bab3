// `huying simulate`: a month of hotline traffic against the real engine and
// store, on a simulated clock, so SLA and escalation rules can be tried in
// seconds. Operators log orders (through the example's gazetteer), the desk
// dispatches what routing could not, clerks claim, sometimes return, reply
// (a few late), the hotline calls back (a few unsatisfied), orders close.
//
// speed 0 runs as fast as the engine commits (a FakeClock jumps from one
// action or timer to the next); speed N runs the clock N times faster than
// real time.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/routing.hpp"
#include "dispatcher/engine/engine.hpp"

namespace huying::app {

using engine::Engine;

struct SimOptions {
  core::Millis from = 0;   // simulated start (UTC ms)
  int days = 30;
  int per_day = 200;       // orders logged per day
  double speed = 0;        // 0 = as fast as possible
  unsigned seed = 12345;
  bool progress = true;    // a line per simulated day on stderr
  // Checked between actions; set it to end the simulation early.
  const std::atomic<bool>* stop = nullptr;
};

struct SimReport {
  long created = 0, closed = 0, open = 0, transferred = 0;
  long claimed = 0, claimed_on_time = 0;
  long replied = 0, replied_on_time = 0;
  long rated = 0, satisfied = 0;  // satisfied + basically satisfied
  long returned = 0, reopened = 0;
  std::map<std::string, std::int64_t> events;  // stored events by type
  double real_seconds = 0;
  std::string to_string() const;
};

// REQUIRES: engine started with `rules`; `clock` is the engine's clock: a
// FakeClock when opts.speed == 0, else a SimClock; the io_context running.
SimReport simulate(Engine& engine, db::Store& store, core::Clock& clock,
                   std::shared_ptr<const core::RuleSet> rules, const SimOptions& opts);

}  // namespace huying::app
