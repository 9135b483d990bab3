// The writer every Store shares: batches queue up, ONE thread drains them,
// writes everything queued in one transaction (group commit) and only then
// calls each caller's completion. A failed commit is fail-stop: on_fatal
// (by default: log at critical and end the process) and no completion is
// ever called with success for an uncommitted change.
//
// A store derives from it, opens its connections, then calls
// start_writer(); its destructor calls stop_writer() first. It implements
// write_group(): one transaction over the group, throwing on any failure.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "db/store.hpp"

namespace huying::db {

struct WriterOptions {
  std::size_t max_group = 4096;   // most batches in one transaction
  std::size_t max_queue = 65536;  // submit() blocks past this many queued batches
  // Under load, wait this long before a commit so more batches share it,
  // only when the previous transaction carried at least `commit_siblings`
  // batches (a quiet system never waits). 0 disables it.
  std::chrono::microseconds commit_delay{200};
  std::size_t commit_siblings = 4;
  std::function<void(const std::string& what)> on_fatal;  // empty: log and _Exit(70)
  // > 0: when no batch came for this long, the writer calls idle_check()
  // (a store's liveness or lease check); a throw is fatal, as a failed commit.
  std::chrono::milliseconds idle_check{0};
};

class GroupCommitStore : public Store {
 public:
  void submit(Batch batch, Completion done) final;
  void flush() final;
  StoreStats stats() const final;

 protected:
  explicit GroupCommitStore(WriterOptions opts);
  void start_writer();
  void stop_writer();
  // A store opened for reads only: no writer; every submit is refused with `why`.
  void refuse_writes(std::string why);

  // A batch and, once the writer took it, its JSON serialised (on the
  // writer, before the transaction: the submitting thread is usually the
  // engine's strand, the scarcer lane).
  struct Job {
    Batch batch;
    Completion done;
    std::vector<std::string> docs;        // one per change
    std::vector<std::string> event_data;  // one per event, in order
  };
  // All of the group in one transaction; throws when it did not commit.
  virtual void write_group(const std::vector<Job>& group) = 0;
  // See WriterOptions::idle_check; on the writer thread, throws on failure.
  virtual void idle_check() {}

 private:
  void run_writer();
  void commit_group(std::vector<Job>& group);
  static void serialise(Job& j);

  WriterOptions wopts_;
  std::mutex mu_;
  std::condition_variable cv_work_, cv_space_;
  std::deque<Job> queue_;
  bool stop_ = false;
  bool failed_ = false;
  std::string refused_;         // refuse_writes()
  std::size_t last_group_ = 0;  // writer thread only
  std::thread writer_;
  std::atomic<std::uint64_t> transactions_{0}, batches_{0}, events_{0};
};

}  // namespace huying::db
