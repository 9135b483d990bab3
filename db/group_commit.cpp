#include "db/group_commit.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdlib>

#include "dispatcher/core/order.hpp"

namespace huying::db {

namespace json = boost::json;

GroupCommitStore::GroupCommitStore(WriterOptions opts) : wopts_(std::move(opts)) {
  if (!wopts_.on_fatal) {
    wopts_.on_fatal = [](const std::string& what) {
      spdlog::critical("store: commit failed, stopping the process (fail-stop): {}", what);
      spdlog::shutdown();
      std::_Exit(70);
    };
  }
}

void GroupCommitStore::start_writer() {
  writer_ = std::thread([this] { run_writer(); });
}

void GroupCommitStore::stop_writer() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_work_.notify_all();
  writer_.join();
}

void GroupCommitStore::refuse_writes(std::string why) {
  std::lock_guard lk(mu_);
  refused_ = std::move(why);
  stop_ = true;
}

void GroupCommitStore::submit(Batch batch, Completion done) {
  Job job{std::move(batch), std::move(done), {}, {}};
  std::unique_lock lk(mu_);
  cv_space_.wait(lk, [&] { return queue_.size() < wopts_.max_queue || failed_ || stop_; });
  if (failed_ || stop_) {
    const std::string why = refused_.empty() ? "store is stopped" : refused_;
    lk.unlock();
    if (job.done) job.done({false, why});
    return;
  }
  queue_.push_back(std::move(job));
  lk.unlock();
  cv_work_.notify_one();
}

void GroupCommitStore::flush() {
  std::mutex m;
  std::condition_variable cv;
  bool fired = false;
  submit({}, [&](const CommitStatus&) {
    std::lock_guard lk(m);
    fired = true;
    cv.notify_one();
  });
  std::unique_lock lk(m);
  cv.wait(lk, [&] { return fired; });
}

StoreStats GroupCommitStore::stats() const {
  return {transactions_.load(), batches_.load(), events_.load()};
}

void GroupCommitStore::serialise(Job& j) {
  j.docs.reserve(j.batch.changes.size());
  for (const auto& c : j.batch.changes) {
    // The order's DOM lives only to be serialised: from a buffer on the
    // stack, not the heap (a third of this call was allocation).
    unsigned char buf[16384];
    json::monotonic_resource mr(buf, sizeof buf);
    j.docs.push_back(json::serialize(core::to_json(c.order, &mr)));
    for (const auto& e : c.events) j.event_data.push_back(json::serialize(e.data));
  }
}

void GroupCommitStore::run_writer() {
  std::vector<Job> group;
  for (;;) {
    group.clear();
    {
      std::unique_lock lk(mu_);
      if (wopts_.idle_check.count() > 0) {
        while (
            !cv_work_.wait_for(lk, wopts_.idle_check, [&] { return stop_ || !queue_.empty(); })) {
          lk.unlock();
          try {
            idle_check();
          } catch (const std::exception& e) {
            {
              std::lock_guard fl(mu_);
              failed_ = true;
            }
            wopts_.on_fatal(e.what());
            lk.lock();
            break;
          }
          lk.lock();
        }
        if (failed_) break;
      } else {
        cv_work_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      }
      if (queue_.empty()) break;  // stop_ and drained
      if (wopts_.commit_delay.count() > 0 && last_group_ >= wopts_.commit_siblings &&
          queue_.size() < wopts_.max_group) {
        // Busy: let the callers just acknowledged submit again and join this commit.
        cv_work_.wait_for(lk, wopts_.commit_delay,
                          [&] { return stop_ || queue_.size() >= wopts_.max_group; });
      }
      std::size_t n = std::min(queue_.size(), wopts_.max_group);
      for (std::size_t i = 0; i < n; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    cv_space_.notify_all();
    last_group_ = group.size();
    commit_group(group);
    if (failed_) break;
  }
  // After a failure (only when on_fatal returned), refuse what is left.
  std::deque<Job> rest;
  {
    std::lock_guard lk(mu_);
    rest.swap(queue_);
  }
  cv_space_.notify_all();
  for (auto& j : rest)
    if (j.done) j.done({false, "store is stopped"});
}

void GroupCommitStore::commit_group(std::vector<Job>& group) {
  std::size_t events = 0;
  bool any = false;
  for (const auto& j : group) {
    any = any || !j.batch.changes.empty() || !j.batch.idempotency_key.empty() ||
          !j.batch.records.empty() || !j.batch.audit.empty();
    for (const auto& c : j.batch.changes) events += c.events.size();
  }
  if (any) {
    for (auto& j : group) serialise(j);
    try {
      write_group(group);
    } catch (const std::exception& e) {
      {
        std::lock_guard lk(mu_);
        failed_ = true;
      }
      wopts_.on_fatal(e.what());
      // on_fatal returned (tests): nobody gets an ack.
      for (auto& j : group)
        if (j.done) j.done({false, e.what()});
      return;
    }
    transactions_.fetch_add(1);
  }
  batches_.fetch_add(group.size());
  events_.fetch_add(events);
  for (auto& j : group) {
    if (!j.done) continue;
    // Destroyed right after the call: whatever it holds (an engine's state)
    // is released before the next completion runs, not when the writer
    // next wakes up, perhaps after its owner is gone.
    Completion done = std::move(j.done);
    j.done = nullptr;
    try {
      done({true, {}, &j.docs, &j.batch});
    } catch (const std::exception& e) {
      spdlog::error("store: a completion threw: {}", e.what());
    }
  }
  group.clear();
}

}  // namespace huying::db
