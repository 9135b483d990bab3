// huying: command line.
//   huying serve [--config DIR] [--db FILE] [--address A] [--port N] [--threads N]
//   huying init --db FILE        create or migrate the store, then exit
//   huying backup --db FILE --to BACKUP       a consistent copy, while the server runs
//   huying restore --from BACKUP --db FILE    a backup back into a store file
//   (--db postgresql://… [--db-schema S]: pg_dump and pg_restore)
//   huying check-config DIR      validate a deployment folder and summarise it
//   huying simulate ...          a month of traffic on a simulated clock (see --help)
//   huying route --config DIR    dry run: route JSON-line requests from stdin
//   huying replay --config DIR --db FILE --from DATE --to DATE [--all]
//   huying report --db FILE --from DATE --to DATE [--by department|street|category] [--json]
//   huying board --db FILE [--db-schema A,B] [--json] [--watch S]   the board now (roll-up)
//   huying version
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>

#include "db/backup.hpp"
#include "db/pg_backup.hpp"
#include "db/pg_store.hpp"
#include "db/store.hpp"
#include "dispatcher/app/dry_run.hpp"
#include "dispatcher/app/load.hpp"
#include "dispatcher/app/log_sink.hpp"
#include "dispatcher/app/report.hpp"
#include "dispatcher/app/rules.hpp"
#include "dispatcher/app/serve.hpp"
#include "dispatcher/config/config_load.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/server/auth.hpp"

namespace {

void usage() {
  std::fprintf(
      stderr,
      "usage: huying serve [--config DIR] [--db FILE|postgresql://…] [--db-schema S] [--address A] "
      "[--port N] "
      "[--threads N]\n"
      "                    [--simulate-speed N] [--simulate-per-day N] [--simulate-epoch "
      "UNIX_SECONDS]\n"
      "                    [--rate-per-session N]\n"
      "                    [--session-idle SECONDS] [--session-max SECONDS] [--read-timeout "
      "SECONDS]\n"
      "                    [--ws-idle SECONDS] [--ws-queue-limit BYTES] [--web DIR]\n"
      "                    [--lease-poll-ms N]  (PostgreSQL: a standby's tries for the lease)\n"
      "                    [--read-only]        (reads only, e.g. on a hot standby's URL)\n"
      "       huying hash-password < password   (an Argon2id hash for users.yaml)\n"
      "       huying load [--url http://127.0.0.1:8080] [--config DIR] [--rate N] [--duration S]\n"
      "                   [--connections N] [--delay-scale X] [--admin USER:PASS] [--acked FILE]\n"
      "                   [--seed N]\n"
      "       huying init --db FILE\n"
      "       huying backup --db FILE|postgresql://… [--db-schema S] --to BACKUP\n"
      "                                               (online: the server may run; pg_dump on "
      "PostgreSQL)\n"
      "       huying restore --from BACKUP --db FILE|postgresql://… [--db-schema S] [--force]\n"
      "       huying migrate --from FILE --to postgresql://… [--schema S]\n"
      "       huying check-config DIR\n"
      "       huying simulate [--config DIR] [--db FILE] [--from YYYY-MM-DD] [--days N]\n"
      "                       [--per-day N] [--speed N] [--seed N]\n"
      "       huying route --config DIR < requests.jsonl\n"
      "       huying replay --config DIR --db FILE --from YYYY-MM-DD --to YYYY-MM-DD [--all]\n"
      "       huying report --db FILE --from YYYY-MM-DD --to YYYY-MM-DD\n"
      "                     [--by department|street|category] [--json]\n"
      "       huying board --db FILE|postgresql://… [--db-schema S[,S...]] [--json] [--watch "
      "SECONDS]\n"
      "       (replay, report and board read only: --db may be a PostgreSQL standby's URL, with\n"
      "        --db-schema S; report/board --db-schema A,B,C: several districts and their "
      "roll-up)\n"
      "       huying version\n");
}

// Reads the flags from argv[first..]: "--name value" pairs, and the bare
// switches listed in `switches` (passed to `set` with an empty value). `set`
// returns false for an unknown flag and may throw on a bad value. Prints why
// and returns false on a bad one.
bool read_flags(int argc, char** argv, int first, std::initializer_list<std::string_view> switches,
                const std::function<bool(std::string_view, const std::string&)>& set) {
  for (int i = first; i < argc; ++i) {
    std::string_view f = argv[i];
    const bool is_switch = std::find(switches.begin(), switches.end(), f) != switches.end();
    if (!is_switch && i + 1 >= argc) {
      std::fprintf(stderr, "huying: %s needs a value\n", argv[i]);
      return false;
    }
    std::string v = is_switch ? std::string() : argv[++i];
    try {
      if (!set(f, v)) {
        std::fprintf(stderr, "huying: unknown flag %s\n", std::string(f).c_str());
        return false;
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "huying: bad value for %s: %s\n", std::string(f).c_str(), v.c_str());
      return false;
    }
  }
  return true;
}

// The flags of serve and init. Returns false (after printing why) on a bad one.
bool parse_flags(int argc, char** argv, int first, huying::app::ServeOptions& o) {
  return read_flags(argc, argv, first, {"--read-only"},
                    [&](std::string_view f, const std::string& v) {
                      if (f == "--config")
                        o.config_dir = v;
                      else if (f == "--db")
                        o.db_path = v;
                      else if (f == "--db-schema")
                        o.db_schema = v;
                      else if (f == "--read-only")
                        o.read_only = true;
                      else if (f == "--lease-poll-ms") {
                        o.lease_poll_ms = std::stoi(v);
                        if (o.lease_poll_ms < 50 || o.lease_poll_ms > 60000)
                          throw std::out_of_range("lease poll");
                      } else if (f == "--address")
                        o.address = v;
                      else if (f == "--port") {
                        int p = std::stoi(v);
                        if (p < 0 || p > 65535) throw std::out_of_range("port");
                        o.port = static_cast<unsigned short>(p);
                      } else if (f == "--simulate-epoch") {
                        o.simulate_epoch_ms = std::stoll(v) * 1000;
                        if (o.simulate_epoch_ms < 0) throw std::out_of_range("epoch");
                      } else if (f == "--simulate-speed") {
                        o.simulate_speed = std::stod(v);
                        if (o.simulate_speed < 0 || o.simulate_speed > 1e6)
                          throw std::out_of_range("speed");
                      } else if (f == "--simulate-per-day") {
                        o.simulate_per_day = std::stoi(v);
                        if (o.simulate_per_day < 0 || o.simulate_per_day > 100000)
                          throw std::out_of_range("per-day");
                      } else if (f == "--threads") {
                        o.threads = std::stoi(v);
                        if (o.threads < 1 || o.threads > 64) throw std::out_of_range("threads");
                      } else if (f == "--web") {
                        o.web_dir = v;
                      } else if (f == "--ws-idle") {
                        o.ws_idle_seconds = std::stoi(v);
                        if (o.ws_idle_seconds < 2 || o.ws_idle_seconds > 3600)
                          throw std::out_of_range("ws-idle");
                      } else if (f == "--ws-queue-limit") {
                        o.ws_queue_bytes = std::stol(v);
                        if (o.ws_queue_bytes < 1024 || o.ws_queue_bytes > (1L << 30))
                          throw std::out_of_range("ws-queue-limit");
                      } else if (f == "--read-timeout") {
                        o.read_timeout_seconds = std::stoi(v);
                        if (o.read_timeout_seconds < 1 || o.read_timeout_seconds > 3600)
                          throw std::out_of_range("read-timeout");
                      } else if (f == "--session-idle") {
                        o.session_idle_seconds = std::stoi(v);
                        if (o.session_idle_seconds < 1) throw std::out_of_range("session-idle");
                      } else if (f == "--session-max") {
                        o.session_max_seconds = std::stoi(v);
                        if (o.session_max_seconds < 1) throw std::out_of_range("session-max");
                      } else if (f == "--rate-per-session") {
                        o.requests_per_session = std::stod(v);
                        if (o.requests_per_session < 0 || o.requests_per_session > 1e9)
                          throw std::out_of_range("rate-per-session");
                      } else {
                        return false;
                      }
                      return true;
                    });
}

}  // namespace

namespace {
int run(int argc, char** argv);
}

// Whatever a command throws that it did not handle (a database gone
// mid-report, say) ends it with its reason and exit 1, never a core dump.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "huying %s: %s\n", argc > 1 ? argv[1] : "", e.what());
    return 1;
  }
}

namespace {

int run(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  std::string_view cmd = argv[1];
  // Logs go to stderr; stdout carries only what the command prints for people
  // and scripts (e.g. the "listening on" line).
  spdlog::set_default_logger(huying::app::stderr_logger("huying"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v");
  // SPDLOG_LEVEL=warn (or debug, ...) sets the log level; info by default.
  spdlog::cfg::load_env_levels();
  huying::app::ServeOptions opts;
  if (cmd == "version" || cmd == "--version") {
    std::printf("huying 0.1.0 (schema %d)\n", huying::db::sqlite_schema_version());
    return 0;
  }
  if (cmd == "check-config") {
    if (argc != 3) {
      usage();
      return 2;
    }
    auto res = huying::app::load_rules(argv[2]);
    for (const auto& e : res.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    if (!res.ok()) {
      std::fprintf(stderr, "%s: %zu error(s)\n", argv[2], res.errors.size());
      return 1;
    }
    std::printf("%s: ok\n%s", argv[2], huying::core::summarize(*res.deployment).c_str());
    for (const auto& w :
         huying::core::coverage_warnings(*res.deployment, huying::core::SystemClock().now()))
      std::printf("warning: %s\n", w.c_str());
    return 0;
  }
  if (cmd == "simulate") {
    huying::app::SimulateOptions so;
    bool ok = read_flags(argc, argv, 2, {}, [&](std::string_view f, const std::string& v) {
      if (f == "--config")
        so.config_dir = v;
      else if (f == "--db")
        so.db_path = v;
      else if (f == "--from")
        so.from = v;
      else if (f == "--days")
        so.days = std::stoi(v);
      else if (f == "--per-day")
        so.per_day = std::stoi(v);
      else if (f == "--speed")
        so.speed = std::stod(v);
      else if (f == "--seed")
        so.seed = static_cast<unsigned>(std::stoul(v));
      else
        return false;
      return true;
    });
    if (!ok) return 2;
    if (so.days < 1 || so.days > 366 || so.per_day < 1 || so.per_day > 100000 || so.speed < 0) {
      std::fprintf(stderr, "huying: --days 1..366, --per-day 1..100000, --speed >= 0\n");
      return 2;
    }
    // Tens of thousands of state changes: keep the log to warnings.
    spdlog::set_level(spdlog::level::warn);
    return huying::app::simulate(so);
  }
  if (cmd == "report") {
    huying::app::ReportOptions ro;
    bool ok = read_flags(argc, argv, 2, {"--json"}, [&](std::string_view f, const std::string& v) {
      if (f == "--json")
        ro.json = true;
      else if (f == "--db")
        ro.db_path = v;
      else if (f == "--db-schema")
        ro.db_schema = v;
      else if (f == "--from")
        ro.from = v;
      else if (f == "--to")
        ro.to = v;
      else if (f == "--by")
        ro.by = v;
      else
        return false;
      return true;
    });
    if (!ok) return 2;
    spdlog::set_level(spdlog::level::warn);
    return huying::app::report(ro);
  }
  if (cmd == "board") {
    huying::app::BoardCliOptions bo;
    bool ok = read_flags(argc, argv, 2, {"--json"}, [&](std::string_view f, const std::string& v) {
      if (f == "--json")
        bo.json = true;
      else if (f == "--db")
        bo.db_path = v;
      else if (f == "--db-schema")
        bo.db_schema = v;
      else if (f == "--watch") {
        bo.watch_seconds = std::stod(v);
        if (bo.watch_seconds < 0.5 || bo.watch_seconds > 86400) throw std::out_of_range("watch");
      } else
        return false;
      return true;
    });
    if (!ok || bo.db_path.empty()) {
      usage();
      return 2;
    }
    static std::atomic<bool> stop{false};
    std::signal(SIGINT, [](int) { stop = true; });
    std::signal(SIGTERM, [](int) { stop = true; });
    bo.stop = &stop;
    spdlog::set_level(spdlog::level::warn);
    return huying::app::board(bo);
  }
  if (cmd == "replay") {
    huying::app::ReplayOptions ro;
    bool ok = read_flags(argc, argv, 2, {"--all"}, [&](std::string_view f, const std::string& v) {
      if (f == "--all")
        ro.all = true;
      else if (f == "--config")
        ro.config_dir = v;
      else if (f == "--db")
        ro.db_path = v;
      else if (f == "--db-schema")
        ro.db_schema = v;
      else if (f == "--from")
        ro.from = v;
      else if (f == "--to")
        ro.to = v;
      else
        return false;
      return true;
    });
    if (!ok) return 2;
    if (ro.config_dir.empty() || ro.db_path.empty()) {
      usage();
      return 2;
    }
    spdlog::set_level(spdlog::level::warn);
    return huying::app::replay(ro, std::cout);
  }
  if (cmd == "route") {
    if (argc != 4 || std::string_view(argv[2]) != "--config") {
      usage();
      return 2;
    }
    return huying::app::route_lines(argv[3], std::cin, std::cout);
  }
  if (cmd == "load") {
    huying::app::LoadOptions lo;
    bool ok = read_flags(argc, argv, 2, {"--quiet"}, [&](std::string_view f, const std::string& v) {
      if (f == "--quiet")
        lo.quiet = true;
      else if (f == "--url")
        lo.url = v;
      else if (f == "--config")
        lo.config_dir = v;
      else if (f == "--rate")
        lo.rate = std::stod(v);
      else if (f == "--duration")
        lo.duration = std::stod(v);
      else if (f == "--connections")
        lo.connections = std::stoi(v);
      else if (f == "--delay-scale")
        lo.delay_scale = std::stod(v);
      else if (f == "--admin")
        lo.admin = v;
      else if (f == "--acked")
        lo.acked_path = v;
      else if (f == "--seed")
        lo.seed = static_cast<unsigned>(std::stoul(v));
      else
        return false;
      return true;
    });
    if (!ok || lo.rate <= 0 || lo.connections < 1 || lo.connections > 1024 || lo.duration < 0) {
      usage();
      return 2;
    }
    static std::atomic<bool> stop{false};
    std::signal(SIGINT, [](int) { stop = true; });
    std::signal(SIGTERM, [](int) { stop = true; });
    lo.stop = &stop;
    return huying::app::load(lo);
  }
  if (cmd == "hash-password") {
    std::string pw;
    if (!std::getline(std::cin, pw) || pw.size() < 8) {
      std::fprintf(stderr, "huying hash-password: give a password of 8 or more bytes on stdin\n");
      return 2;
    }
    std::printf("%s\n", huying::server::Auth::hash(pw).c_str());
    return 0;
  }
  if (cmd == "serve") {
    if (!parse_flags(argc, argv, 2, opts)) return 2;
    return huying::app::serve(opts);
  }
  if (cmd == "migrate") {
    std::string from, to, schema;
    bool ok = read_flags(argc, argv, 2, {}, [&](std::string_view f, const std::string& v) {
      if (f == "--from")
        from = v.rfind("sqlite:", 0) == 0 ? v.substr(7) : v;
      else if (f == "--to")
        to = v;
      else if (f == "--schema")
        schema = v;
      else
        return false;
      return true;
    });
    if (!ok || from.empty() || !huying::db::is_pg_url(to)) {
      usage();
      return 2;
    }
    try {
      const auto t0 = std::chrono::steady_clock::now();
      auto r = huying::db::migrate_sqlite_to_pg(from, {.url = to, .schema = schema});
      std::printf("migrate %s -> %s:", from.c_str(), huying::db::db_label(to).c_str());
      for (const auto& [table, n] : r.rows)
        std::printf(" %s %lld,", table.c_str(), static_cast<long long>(n));
      std::printf(" checksum %s (read back: the same), %.2f s\n", r.checksum.c_str(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "huying migrate: %s\n", e.what());
      return 1;
    }
  }
  if (cmd == "backup" || cmd == "restore") {
    std::string db, other, schema;
    bool force = false;
    const bool backup = cmd == "backup";
    bool ok = read_flags(argc, argv, 2, {"--force"}, [&](std::string_view f, const std::string& v) {
      if (f == "--db")
        db = v;
      else if (f == "--db-schema")
        schema = v;
      else if (backup && f == "--to")
        other = v;
      else if (!backup && f == "--from")
        other = v;
      else if (!backup && f == "--force")
        force = true;
      else
        return false;
      return true;
    });
    if (!ok || db.empty() || other.empty()) {
      usage();
      return 2;
    }
    try {
      const auto t0 = std::chrono::steady_clock::now();
      const bool pg = huying::db::is_pg_url(db);
      auto r = backup ? (pg ? huying::db::backup_pg(db, schema, other)
                            : huying::db::backup_sqlite(db, other))
                      : (pg ? huying::db::restore_pg(other, db, schema, force)
                            : huying::db::restore_sqlite(other, db, force));
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf(
          "%s %s -> %s: %lld orders (%lld open), %lld events, schema v%d, %.1f MB, "
          "integrity %s, %.2f s\n",
          backup ? "backup" : "restore", backup ? huying::db::db_label(db).c_str() : other.c_str(),
          backup ? other.c_str() : huying::db::db_label(db).c_str(),
          static_cast<long long>(r.orders), static_cast<long long>(r.open_orders),
          static_cast<long long>(r.events), r.schema_version, static_cast<double>(r.bytes) / 1e6,
          r.integrity.c_str(), secs);
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "huying %s: %s\n", backup ? "backup" : "restore", e.what());
      return 1;
    }
  }
  if (cmd == "init") {
    if (!parse_flags(argc, argv, 2, opts)) return 2;
    try {
      auto store = huying::db::open_sqlite_store({.path = opts.db_path});
      std::printf("%s: schema version %d, %s\n", opts.db_path.c_str(),
                  huying::db::sqlite_schema_version(), store->integrity_check().c_str());
      return 0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "huying: %s\n", e.what());
      return 1;
    }
  }
  usage();
  return 2;
}

}  // namespace
