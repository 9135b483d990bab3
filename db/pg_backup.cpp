#include "db/pg_backup.hpp"

#include <libpq-fe.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace huying::db {

namespace fs = std::filesystem;

namespace {

// A connection and its queries, for the few this file needs.
class Pg {
 public:
  explicit Pg(const std::string& url) : c_(PQconnectdb(url.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) {
      std::string why = PQerrorMessage(c_);
      PQfinish(c_);
      throw std::runtime_error("cannot connect to PostgreSQL: " + trim(why));
    }
    value("SET client_min_messages = warning");
  }
  ~Pg() { PQfinish(c_); }
  std::string password() const { return PQpass(c_) ? PQpass(c_) : ""; }
  // This connection's settings as a conninfo string for pg_dump and
  // pg_restore: the server actually reached (one host of a multi-host URL),
  // every other option kept (sslmode and the like), and no password (that
  // goes through the environment, not the command line `ps` shows).
  std::string conninfo() const {
    std::string out;
    PQconninfoOption* opts = PQconninfo(c_);
    for (PQconninfoOption* o = opts; o && o->keyword; ++o) {
      const std::string key = o->keyword;
      if (!o->val || key == "password" || key == "host" || key == "hostaddr" || key == "port")
        continue;
      out += key + "='" + quote(o->val) + "' ";
    }
    PQconninfoFree(opts);
    out += "host='" + quote(PQhost(c_)) + "' port='" + quote(PQport(c_)) + "'";
    return out;
  }
  Pg(const Pg&) = delete;
  Pg& operator=(const Pg&) = delete;
  // The first column of the first row ("" when none); throws on an error.
  std::string value(const std::string& sql, const std::vector<std::string>& params = {}) {
    std::vector<const char*> v;
    for (const auto& p : params) v.push_back(p.c_str());
    PGresult* r = PQexecParams(c_, sql.c_str(), static_cast<int>(v.size()), nullptr, v.data(),
                               nullptr, nullptr, 0);
    const auto st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
      std::string why = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error(trim(why));
    }
    std::string out = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
    PQclear(r);
    return out;
  }

 private:
  static std::string quote(const char* v) {
    std::string q;
    for (const char* p = v; p && *p; ++p) {
      if (*p == '\'' || *p == '\\') q += '\\';
      q += *p;
    }
    return q;
  }
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  PGconn* c_;
};

// Runs a program (found on PATH) and waits; throws unless it exits 0. Its
// messages go to our stderr.
void run(const std::vector<std::string>& args, const std::string& password = {}) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // Our environment, and the password for the child alone.
  std::vector<std::string> env_store;
  std::vector<char*> envp;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "PGPASSWORD=", 11) != 0 || password.empty()) envp.push_back(*e);
  if (!password.empty()) {
    env_store.push_back("PGPASSWORD=" + password);
    envp.push_back(env_store.back().data());
  }
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()); rc != 0)
    throw std::runtime_error("cannot run " + args[0] +
                             " (Debian's postgresql-client-15): " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(args[0] + " failed (its messages are above)");
}

std::string schema_of(const std::string& schema) { return schema.empty() ? "public" : schema; }

void check_schema(const std::string& s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      throw std::runtime_error("schema '" + s + "': use lower-case letters, digits and _");
}

}  // namespace

BackupReport backup_pg(const std::string& url, const std::string& schema,
                       const std::string& to_path) {
  const std::string s = schema_of(schema);
  check_schema(s);
  if (fs::exists(to_path))
    throw std::runtime_error(to_path + " exists: a backup never overwrites a file");
  const std::string partial = to_path + ".partial";
  fs::remove(partial);
  BackupReport r;
  try {
    Pg pg(url);
    pg.value("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const std::string snapshot = pg.value("SELECT pg_export_snapshot()");
    if (pg.value("SELECT to_regclass($1)::text", {s + ".orders"}).empty())
      throw std::runtime_error("no store in schema " + s);
    r.orders = std::stoll(pg.value("SELECT count(*) FROM " + s + ".orders"));
    r.open_orders = std::stoll(pg.value("SELECT count(*) FROM " + s + ".orders WHERE open"));
    r.events = std::stoll(pg.value("SELECT count(*) FROM " + s + ".events"));
    r.schema_version = std::stoi(pg.value("SELECT max(version) FROM " + s + ".huying_schema"));
    // The same server as ours (pg_dump reads our exported snapshot there).
    run({"pg_dump", "--format=custom", "--no-owner", "--schema=" + s, "--snapshot=" + snapshot,
         "--file=" + partial, "--dbname=" + pg.conninfo()},
        pg.password());
    pg.value("COMMIT");
    // Readable as a whole before it counts as a backup.
    run({"pg_restore", "--list", "--file=/dev/null", partial});
    r.integrity = "ok";
    fs::rename(partial, to_path);
  } catch (...) {
    fs::remove(partial);
    throw;
  }
  std::error_code ec;
  r.bytes = fs::file_size(to_path, ec);
  return r;
}

BackupReport restore_pg(const std::string& from_path, const std::string& url,
                        const std::string& schema, bool force) {
  const std::string s = schema_of(schema);
  check_schema(s);
  if (!fs::exists(from_path)) throw std::runtime_error("no backup at " + from_path);
  // The backup must be of this schema: pg_restore puts it back where it was.
  const std::string list =
      (fs::temp_directory_path() / ("huying-restore-" + std::to_string(::getpid()) + ".list"))
          .string();
  run({"pg_restore", "--list", "--file=" + list, from_path});
  {
    std::ifstream in(list);
    std::string line;
    bool found = false;
    // public exists in every database: its CREATE SCHEMA (and comment) left
    // out of what is restored, or pg_restore stops at "already exists".
    std::ofstream keep(list + ".use");
    while (std::getline(in, line)) {
      if (line.find(" TABLE " + s + " orders ") != std::string::npos) found = true;
      if (s == "public" && (line.find(" SCHEMA - public ") != std::string::npos ||
                            line.find(" COMMENT - SCHEMA public ") != std::string::npos))
        continue;
      keep << line << "\n";
    }
    fs::remove(list);
    if (!found)
      throw std::runtime_error(from_path + " holds no store of schema " + s +
                               " (a backup restores into the schema it was taken from)");
  }
  // The district's lease, held until the end: no dispatcher starts on the
  // schema while it is set aside or half restored.
  Pg lock(url);
  if (lock.value("SELECT pg_is_in_recovery()") == "t")
    throw std::runtime_error("the database is a standby (read-only): restore into the primary");
  if (lock.value("SELECT pg_try_advisory_lock(7262613, hashtext($1))", {"huying:" + s}) != "t")
    throw std::runtime_error("a dispatcher holds the lease huying:" + s + ": stop it first");
  const bool replace = !lock.value("SELECT to_regclass($1)::text", {s + ".orders"}).empty();
  if (replace && !force)
    throw std::runtime_error("schema " + s +
                             " already holds a store: restore into another database, or stop "
                             "the dispatchers and add --force to replace it");
  // --force: the old schema is set aside (renamed) and dropped only once the
  // backup is in; if the restore fails, it is put back.
  const std::string aside = s + "_replaced";
  if (replace) {
    lock.value("DROP SCHEMA IF EXISTS " + aside + " CASCADE");
    lock.value("ALTER SCHEMA " + s + " RENAME TO " + aside);
    if (s == "public") lock.value("CREATE SCHEMA public");  // left out of the list above
  }
  try {
    // One transaction: the whole backup or nothing.
    run({"pg_restore", "--single-transaction", "--exit-on-error", "--no-owner",
         "--use-list=" + list + ".use", "--dbname=" + lock.conninfo(), from_path},
        lock.password());
    fs::remove(list + ".use");
    if (lock.value("SELECT to_regclass($1)::text", {s + ".orders"}).empty())
      throw std::runtime_error("the restore left no " + s + ".orders");
  } catch (...) {
    fs::remove(list + ".use");
    if (replace) {
      lock.value("DROP SCHEMA IF EXISTS " + s + " CASCADE");
      lock.value("ALTER SCHEMA " + aside + " RENAME TO " + s);
    }
    throw;
  }
  if (replace) lock.value("DROP SCHEMA " + aside + " CASCADE");
  BackupReport r;
  Pg pg(url);
  r.orders = std::stoll(pg.value("SELECT count(*) FROM " + s + ".orders"));
  r.open_orders = std::stoll(pg.value("SELECT count(*) FROM " + s + ".orders WHERE open"));
  r.events = std::stoll(pg.value("SELECT count(*) FROM " + s + ".events"));
  r.schema_version = std::stoi(pg.value("SELECT max(version) FROM " + s + ".huying_schema"));
  r.integrity = "ok";
  std::error_code ec;
  r.bytes = fs::file_size(from_path, ec);
  return r;
}

}  // namespace huying::db
