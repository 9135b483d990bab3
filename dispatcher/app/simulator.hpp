// `huying simulate`: weeks of hotline traffic against the real engine and
// store on a simulated clock, to test the rules rather than confirm them.
// Callers phone all day (fewer at weekends and holidays, fewest at 春节)
// about realistic matters in real places, some hard to place or outside the
// district; operators log, answer consults on the call, merge repeat calls
// and transfer emergencies; the desk confirms places, corrects orders,
// dispatches, 改派s, arbitrates returns, decides extensions and waives
// missing 协办意见; departments work only in their working hours, each with
// its own pace and queue (a diligent one, a slow one, one that returns too
// much), claim, note, ask for extensions, call others in (吹哨), reply;
// leaders 督办 late orders; the hotline calls every caller back (some never
// answer); departments open orders themselves (主动办). Deadlines, overdue
// rates and satisfaction come out of that behaviour, not from fixed odds.
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
  core::Millis from = 0;  // simulated start (UTC ms)
  int days = 30;
  int per_day = 200;  // orders logged per day
  double speed = 0;   // 0 = as fast as possible
  unsigned seed = 12345;
  bool progress = true;  // a line per simulated day on stderr
  // Checked between actions; set it to end the simulation early.
  const std::atomic<bool>* stop = nullptr;
};

struct SimReport {
  long created = 0, closed = 0, open = 0;
  // Commands the simulated staff issued: accepted and refused, by name.
  std::map<std::string, long> accepted, refused;
  std::map<std::string, std::int64_t> events;  // stored events by type
  double real_seconds = 0;
  std::string to_string() const;
  // The commands of the lifecycle never accepted in this run ("" = none).
  std::string unused_commands() const;
};

// REQUIRES: engine started with `rules`; `clock` is the engine's clock: a
// FakeClock when opts.speed == 0, else a SimClock; the io_context running.
SimReport simulate(Engine& engine, db::Store& store, core::Clock& clock,
                   std::shared_ptr<const core::RuleSet> rules, const SimOptions& opts);

}  // namespace huying::app
