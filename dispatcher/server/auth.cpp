#include "dispatcher/server/auth.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "dispatcher/core/command_args.hpp"

namespace huying::server {

namespace json = boost::json;
using core::Millis;

namespace {

std::string to_hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  return out;
}

// The key a session is kept under: a hash of its token.
std::string session_key(std::string_view token) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return to_hex(h, sizeof h);
}

std::string new_token() {
  unsigned char b[32];
  randombytes_buf(b, sizeof b);
  return to_hex(b, sizeof b);
}

// Constant-time comparison of two strings of any length.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char ha[32], hb[32];
  crypto_generichash(ha, sizeof ha, reinterpret_cast<const unsigned char*>(a.data()), a.size(),
                     nullptr, 0);
  crypto_generichash(hb, sizeof hb, reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                     nullptr, 0);
  return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

std::string hash_password(const std::string& pw) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, pw.data(), pw.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("out of memory while hashing a password");
  return out;
}

bool verify_hash(const std::string& hash, const std::string& pw) {
  return crypto_pwhash_str_verify(hash.c_str(), pw.data(), pw.size()) == 0;
}

// The value of cookie `name` in a Cookie header.
std::string cookie_value(std::string_view header, std::string_view name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    std::size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(pos, end - pos);
    std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name)
      return std::string(part.substr(eq + 1));
    pos = end + 1;
  }
  return {};
}

}  // namespace

struct Auth::Impl : std::enable_shared_from_this<Auth::Impl> {
  Impl(db::Store& s, const core::Clock& c, AuthOptions o) : store(s), clock(c), opts(o) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    worker = std::thread([this] { run(); });
  }
  ~Impl() {
    {
      std::lock_guard lk(jobs_mu);
      stopping = true;
    }
    jobs_cv.notify_all();
    worker.join();
  }

  struct User {
    UserInfo info;
    std::string password;       // config demo users only
    std::string password_hash;  // Argon2id
  };
  struct Session {
    Principal who;
    Millis created = 0;
    Millis last_seen = 0;
    Millis persisted_seen = 0;  // last_seen as last written to the store
    double tokens = 0;          // rate limit bucket
    Millis bucket_at = 0;
  };

  db::Store& store;
  const core::Clock& clock;
  AuthOptions opts;

  mutable std::mutex mu;
  std::unordered_map<std::string, User> config_users, db_users;
  std::function<bool(const std::string&)> dept_exists;
  std::unordered_map<std::string, Session> sessions;              // by session key
  std::unordered_map<std::string, std::deque<Millis>> fail_user;  // failure times
  std::unordered_map<std::string, std::deque<Millis>> fail_addr;
  std::string dummy_hash;  // verified for unknown users, so timing tells nothing

  // The hashing worker.
  std::mutex jobs_mu;
  std::condition_variable jobs_cv;
  std::deque<std::function<void()>> jobs;
  bool stopping = false;
  std::thread worker;

  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lk(jobs_mu);
        jobs_cv.wait(lk, [&] { return stopping || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      try {
        job();
      } catch (const std::exception& e) {
        spdlog::error("auth: {}", e.what());
      }
    }
  }
  void post(std::function<void()> job) {
    {
      std::lock_guard lk(jobs_mu);
      jobs.push_back(std::move(job));
    }
    jobs_cv.notify_one();
  }

  const User* find_user(const std::string& id) const {
    if (auto it = db_users.find(id); it != db_users.end()) return &it->second;
    if (auto it = config_users.find(id); it != config_users.end()) return &it->second;
    return nullptr;
  }

  static json::object session_json(const Session& s) {
    const auto& a = s.who.actor;
    return {{"user", a.user},          {"role", core::name(a.role)}, {"dept", a.dept},
            {"area", a.area},          {"name", s.who.name},         {"created", s.created},
            {"last_seen", s.last_seen}};
  }

  static json::object user_json(const User& u) {
    return {{"id", u.info.id},
            {"name", u.info.name},
            {"role", core::name(u.info.role)},
            {"dept", u.info.dept},
            {"area", u.info.area},
            {"disabled", u.info.disabled},
            {"password_hash", u.password_hash}};
  }

  // Drops failures older than the window; returns how many remain.
  std::size_t recent(std::deque<Millis>& q, Millis now) {
    while (!q.empty() && q.front() <= now - opts.failure_window) q.pop_front();
    return q.size();
  }

  bool expired(const Session& s, Millis now) const {
    return now - s.last_seen >= opts.idle || now - s.created >= opts.absolute;
  }

  void submit(db::Batch b, std::function<void()> done = {}) {
    store.submit(std::move(b), [done = std::move(done)](const db::CommitStatus&) {
      if (done) done();
    });
  }
};

Auth::Auth(db::Store& store, const core::Clock& clock, AuthOptions opts)
    : impl_(std::make_shared<Impl>(store, clock, opts)) {}

Auth::~Auth() = default;

void Auth::set_config_users(const std::vector<core::UserConfig>& users,
                            std::function<bool(const std::string&)> dept_exists) {
  std::unordered_map<std::string, Impl::User> m;
  for (const auto& u : users) {
    Impl::User x;
    x.info = {u.id, u.name, u.role, u.dept, u.area, false, true};
    x.password = u.password;
    x.password_hash = u.password_hash;
    m[u.id] = std::move(x);
  }
  std::size_t demo = 0;
  for (const auto& [id, u] : m) demo += u.password.empty() ? 0 : 1;
  if (demo)
    spdlog::warn(
        "auth: {} user(s) in users.yaml have a plain demo password; give real deployments "
        "password_hash",
        demo);
  auto& im = *impl_;
  db::Batch ended;
  std::lock_guard lk(im.mu);
  im.config_users = std::move(m);
  im.dept_exists = std::move(dept_exists);
  // A reload that removed a user or changed their role, department or street
  // ends their sessions: nobody keeps acting with rights they no longer have.
  for (auto it = im.sessions.begin(); it != im.sessions.end();) {
    const auto& a = it->second.who.actor;
    const Impl::User* u = im.find_user(a.user);
    const bool same = u && !u->info.disabled && u->info.role == a.role && u->info.dept == a.dept &&
                      u->info.area == a.area;
    if (same) {
      ++it;
      continue;
    }
    spdlog::info("auth: {}'s session ended: the user changed in the config", a.user);
    ended.records.push_back({"session", it->first, std::nullopt});
    it = im.sessions.erase(it);
  }
  if (!ended.records.empty()) im.submit(std::move(ended));
}

void Auth::load() {
  auto& im = *impl_;
  const Millis now = im.clock.now();
  db::Batch cleanup;
  std::lock_guard lk(im.mu);
  for (const auto& [key, value] : im.store.list_records("user")) {
    try {
      auto j = json::parse(value).as_object();
      Impl::User u;
      u.info.id = key;
      u.info.name = core::str_at(j, "name");
      u.info.role =
          core::parse<core::Role>(core::str_at(j, "role")).value_or(core::Role::operator_);
      u.info.dept = core::str_at(j, "dept");
      u.info.area = core::str_at(j, "area");
      u.info.disabled = core::bool_at(j, "disabled");
      u.password_hash = core::str_at(j, "password_hash");
      im.db_users[key] = std::move(u);
    } catch (const std::exception& e) {
      spdlog::error("auth: stored user {} is unreadable: {}", key, e.what());
    }
  }
  for (const auto& [key, value] : im.store.list_records("session")) {
    Impl::Session s;
    try {
      auto j = json::parse(value).as_object();
      s.who.actor.user = core::str_at(j, "user");
      s.who.actor.role =
          core::parse<core::Role>(core::str_at(j, "role")).value_or(core::Role::operator_);
      s.who.actor.dept = core::str_at(j, "dept");
      s.who.actor.area = core::str_at(j, "area");
      s.who.name = core::str_at(j, "name");
      s.who.session_id = key;
      s.created = core::int_at(j, "created");
      s.last_seen = s.persisted_seen = core::int_at(j, "last_seen");
      s.tokens = im.opts.request_burst;
      s.bucket_at = now;
    } catch (const std::exception&) {
      s.created = 0;  // unreadable: treated as expired
    }
    if (im.expired(s, now) || !im.find_user(s.who.actor.user)) {
      cleanup.records.push_back({"session", key, std::nullopt});
      continue;
    }
    im.sessions[key] = std::move(s);
  }
  if (!cleanup.records.empty()) im.submit(std::move(cleanup));
  spdlog::info("auth: {} users from the store, {} live sessions", im.db_users.size(),
               im.sessions.size());
}

void Auth::login(const std::string& user, const std::string& password, const std::string& address,
                 std::function<void(LoginResult)> done) {
  auto im = impl_;
  im->post([im, user, password, address, done = std::move(done)] {
    const Millis now = im->clock.now();
    LoginResult r;
    std::optional<Impl::User> u;
    {
      std::lock_guard lk(im->mu);
      auto& fu = im->fail_user[user];
      auto& fa = im->fail_addr[address];
      const bool user_locked =
          im->recent(fu, now) >= static_cast<std::size_t>(im->opts.max_failures_per_user);
      const bool addr_locked =
          im->recent(fa, now) >= static_cast<std::size_t>(im->opts.max_failures_per_address);
      if (user_locked || addr_locked) {
        r.status = 429;
        r.code = "too_many_attempts";
        r.message = user_locked ? "too many failed sign-ins for this user; try again later"
                                : "too many failed sign-ins from this address; try again later";
        const auto& q = user_locked ? fu : fa;
        r.retry_after = q.front() + im->opts.failure_window - now;
        spdlog::warn("auth: sign-in refused for {} (rate limit)", user);
        return done(std::move(r));
      }
      // Names and addresses that failed long ago are forgotten, so a flood of
      // made-up names cannot grow these tables without bound.
      for (auto* m : {&im->fail_user, &im->fail_addr})
        if (m->size() > 10000)
          for (auto it = m->begin(); it != m->end();)
            it = im->recent(it->second, now) == 0 ? m->erase(it) : std::next(it);
      if (const auto* found = im->find_user(user)) u = *found;
      if (im->dummy_hash.empty()) im->dummy_hash = hash_password("not a password");
    }
    bool ok;
    if (!u) {
      verify_hash(im->dummy_hash, password);  // the same work as for a real user
      ok = false;
    } else if (!u->password_hash.empty()) {
      ok = verify_hash(u->password_hash, password);
    } else {
      ok = !u->password.empty() && same_secret(u->password, password);
    }
    if (ok && u->info.disabled) ok = false;
    if (!ok) {
      std::lock_guard lk(im->mu);
      im->fail_user[user].push_back(now);
      im->fail_addr[address].push_back(now);
      r.status = 401;
      r.code = "bad_credentials";
      r.message = "unknown user or wrong password";
      spdlog::info("auth: sign-in failed for {}", user);
      return done(std::move(r));
    }
    Impl::Session s;
    s.who.actor = {u->info.id, u->info.role, u->info.dept, u->info.area};
    s.who.name = u->info.name;
    std::string token = new_token();
    s.who.session_id = session_key(token);
    s.created = s.last_seen = s.persisted_seen = now;
    s.tokens = im->opts.request_burst;
    s.bucket_at = now;
    db::Batch b;
    b.records.push_back({"session", s.who.session_id, json::serialize(Impl::session_json(s))});
    b.audit.push_back({now, s.who.actor, "login", u->info.id, "{}"});
    {
      std::lock_guard lk(im->mu);
      im->fail_user.erase(user);
      im->sessions[s.who.session_id] = s;
    }
    r.token = std::move(token);
    r.expires_at = now + im->opts.absolute;
    r.who = s.who;
    spdlog::info("auth: {} signed in ({})", u->info.id, core::name(u->info.role));
    // Answer once the session is durable: a restart right after keeps it.
    im->submit(std::move(b), [r = std::move(r), done]() mutable { done(std::move(r)); });
  });
}

std::optional<Principal> Auth::authenticate(const HttpRequest& req) {
  std::string token;
  std::string_view a = req.authorization;
  if (a.size() > 7 && (a.substr(0, 7) == "Bearer " || a.substr(0, 7) == "bearer "))
    token = std::string(a.substr(7));
  else if (!req.cookie.empty())
    token = cookie_value(req.cookie, kCookie);
  if (token.size() != 64) return std::nullopt;
  const std::string key = session_key(token);
  auto& im = *impl_;
  const Millis now = im.clock.now();
  std::lock_guard lk(im.mu);
  auto it = im.sessions.find(key);
  if (it == im.sessions.end()) return std::nullopt;
  if (im.expired(it->second, now)) {
    db::Batch b;
    b.records.push_back({"session", key, std::nullopt});
    im.sessions.erase(it);
    im.submit(std::move(b));
    return std::nullopt;
  }
  auto& s = it->second;
  s.last_seen = now;
  // Write the activity back now and then, not on every request.
  if (now - s.persisted_seen >= core::kMinute) {
    s.persisted_seen = now;
    db::Batch b;
    b.records.push_back({"session", key, json::serialize(Impl::session_json(s))});
    im.submit(std::move(b));
  }
  return s.who;
}

bool Auth::alive(const std::string& session_id) {
  auto& im = *impl_;
  const Millis now = im.clock.now();
  std::lock_guard lk(im.mu);
  auto it = im.sessions.find(session_id);
  if (it == im.sessions.end() || im.expired(it->second, now)) return false;
  it->second.last_seen = now;
  return true;
}

bool Auth::admit(const std::string& session_id) {
  auto& im = *impl_;
  if (im.opts.requests_per_second <= 0) return true;
  const Millis now = im.clock.now();
  std::lock_guard lk(im.mu);
  auto it = im.sessions.find(session_id);
  if (it == im.sessions.end()) return true;
  auto& s = it->second;
  double elapsed = static_cast<double>(std::max<Millis>(0, now - s.bucket_at)) / 1000.0;
  s.bucket_at = now;
  s.tokens = std::min(im.opts.request_burst, s.tokens + elapsed * im.opts.requests_per_second);
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

void Auth::logout(const Principal& who, std::function<void()> done) {
  auto& im = *impl_;
  db::Batch b;
  b.records.push_back({"session", who.session_id, std::nullopt});
  b.audit.push_back({im.clock.now(), who.actor, "logout", who.actor.user, "{}"});
  {
    std::lock_guard lk(im.mu);
    im.sessions.erase(who.session_id);
  }
  spdlog::info("auth: {} signed out", who.actor.user);
  im.submit(std::move(b), std::move(done));
}

std::vector<UserInfo> Auth::users() const {
  std::lock_guard lk(impl_->mu);
  std::vector<UserInfo> out;
  for (const auto& [id, u] : impl_->config_users)
    if (!impl_->db_users.count(id)) out.push_back(u.info);
  for (const auto& [id, u] : impl_->db_users) out.push_back(u.info);
  std::sort(out.begin(), out.end(),
            [](const UserInfo& a, const UserInfo& b) { return a.id < b.id; });
  return out;
}

void Auth::put_user(const UserSpec& spec, bool create, const core::Actor& by,
                    std::function<void(AdminResult)> done) {
  auto im = impl_;
  im->post([im, spec, create, by, done = std::move(done)] {
    AdminResult r;
    auto fail = [&](unsigned st, std::string code, std::string field, std::string msg) {
      r.status = st;
      r.code = std::move(code);
      r.field = std::move(field);
      r.message = std::move(msg);
      done(std::move(r));
    };
    Impl::User u;
    {
      std::lock_guard lk(im->mu);
      const bool in_config = im->config_users.count(spec.id) > 0;
      auto it = im->db_users.find(spec.id);
      if (create && (in_config || it != im->db_users.end()))
        return fail(409, "conflict", "id", "a user " + spec.id + " already exists");
      if (!create && it == im->db_users.end())
        return in_config ? fail(409, "conflict", "id",
                                "user " + spec.id + " is defined in users.yaml; change it there")
                         : fail(404, "not_found", "id", "no user " + spec.id);
      if (!create) u = it->second;
      u.info.id = spec.id;
      u.info.from_config = false;
      if (spec.name) u.info.name = *spec.name;
      if (spec.role) u.info.role = *spec.role;
      if (spec.dept) u.info.dept = *spec.dept;
      if (spec.area) u.info.area = *spec.area;
      if (spec.disabled) u.info.disabled = *spec.disabled;
      const auto role = u.info.role;
      const bool dept_role = role == core::Role::clerk || role == core::Role::coordinator;
      if (dept_role && u.info.dept.empty())
        return fail(400, "missing_field", "dept",
                    "a " + std::string(core::name(role)) + " needs a department");
      if (!u.info.dept.empty() && im->dept_exists && !im->dept_exists(u.info.dept))
        return fail(400, "invalid_field", "dept", "no department " + u.info.dept);
      if (role == core::Role::coordinator && !core::valid_area_code(u.info.area))
        return fail(400, "invalid_field", "area",
                    "a coordinator needs their street's 12-digit code");
      if (role == core::Role::system)
        return fail(400, "invalid_field", "role", "the system role is not for people");
    }
    if (create && !spec.password)
      return fail(400, "missing_field", "password", "password is required");
    if (spec.password) {
      if (spec.password->size() < 8 || spec.password->size() > 200)
        return fail(400, "invalid_field", "password", "password must be 8 to 200 bytes");
      u.password_hash = hash_password(*spec.password);
    }
    const Millis now = im->clock.now();
    db::Batch b;
    b.records.push_back({"user", u.info.id, json::serialize(Impl::user_json(u))});
    json::object detail{{"role", core::name(u.info.role)},
                        {"dept", u.info.dept},
                        {"disabled", u.info.disabled},
                        {"password_changed", spec.password.has_value()}};
    b.audit.push_back(
        {now, by, create ? "user.create" : "user.update", u.info.id, json::serialize(detail)});
    {
      std::lock_guard lk(im->mu);
      im->db_users[u.info.id] = u;
      // A changed user signs in again: their sessions end now.
      if (!create)
        for (auto it = im->sessions.begin(); it != im->sessions.end();) {
          if (it->second.who.actor.user == u.info.id) {
            b.records.push_back({"session", it->first, std::nullopt});
            it = im->sessions.erase(it);
          } else {
            ++it;
          }
        }
    }
    spdlog::info("auth: user {} {} by {}", u.info.id, create ? "created" : "changed", by.user);
    r.user = u.info;
    im->submit(std::move(b), [r = std::move(r), done]() mutable { done(std::move(r)); });
  });
}

std::string Auth::hash(const std::string& password) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  return hash_password(password);
}

std::size_t Auth::open_sessions() const {
  std::lock_guard lk(impl_->mu);
  return impl_->sessions.size();
}

}  // namespace huying::server
