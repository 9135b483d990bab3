// Sign-in: users (the config's users.yaml and those made through the admin
// API), sessions, and the limits around them.
//
// - Passwords of API-made users are stored as Argon2id hashes (libsodium's
//   crypto_pwhash_str); users.yaml may give `password_hash` (the same form)
//   or, for a demo, a plain `password`. Hashing and verifying run on one
//   worker thread, never on the I/O threads.
// - A session is a random 256-bit token. Only a hash of it is kept (memory
//   and store), so a copy of the database signs nobody in. Sessions end
//   after an idle time and an absolute time, and survive a restart.
// - Failed sign-ins are limited per user and per address; signed-in
//   requests are limited per session (token bucket).
//
// Thread-safe. No Beast or Asio types.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "db/store.hpp"
#include "dispatcher/core/clock.hpp"
#include "dispatcher/core/config.hpp"
#include "dispatcher/server/router.hpp"

namespace huying::server {

struct AuthOptions {
  core::Millis idle = 30 * core::kMinute;    // a session unused this long ends
  core::Millis absolute = 12 * core::kHour;  // ... and every session ends after this
  int max_failures_per_user = 5;             // failed sign-ins in `failure_window`
  int max_failures_per_address = 20;         // ... from one address
  core::Millis failure_window = 15 * core::kMinute;
  double requests_per_second = 50;  // per session, sustained (0 = no limit)
  double request_burst = 200;       // per session, burst
};

struct UserInfo {
  std::string id;
  std::string name;
  core::Role role = core::Role::operator_;
  std::string dept;
  std::string area;
  bool disabled = false;
  bool from_config = false;  // users.yaml: read-only through the API
};

struct LoginResult {
  unsigned status = 200;  // 200, 400, 401 or 429
  std::string code;       // error code when status != 200
  std::string message;
  std::string token;  // 200 only: the session token (shown once)
  core::Millis expires_at = 0;
  core::Millis retry_after = 0;  // 429: milliseconds until another try is allowed
  std::optional<Principal> who;
};

// What the admin API sends to create or change a user.
struct UserSpec {
  std::string id;
  std::optional<std::string> name;
  std::optional<core::Role> role;
  std::optional<std::string> dept;
  std::optional<std::string> area;
  std::optional<std::string> password;
  std::optional<bool> disabled;
};

struct AdminResult {
  unsigned status = 200;
  std::string code, message, field;
  std::optional<UserInfo> user;
};

class Auth {
 public:
  Auth(db::Store& store, const core::Clock& clock, AuthOptions opts = {});
  ~Auth();
  Auth(const Auth&) = delete;
  Auth& operator=(const Auth&) = delete;

  // The users of users.yaml (replaced on a config reload) and the check a
  // department id must pass (null accepts any).
  void set_config_users(const std::vector<core::UserConfig>& users,
                        std::function<bool(const std::string&)> dept_exists);
  // Loads API-made users and live sessions from the store (at start).
  void load();

  // Verifies on the worker thread; `done` runs there.
  void login(const std::string& user, const std::string& password, const std::string& address,
             std::function<void(LoginResult)> done);
  // The session a request carries (Authorization: Bearer, else the cookie),
  // or nullopt when none, unknown or expired. Counts as activity.
  std::optional<Principal> authenticate(const HttpRequest& req);
  // True while the session lives (not logged out, not expired). An open
  // WebSocket asks now and then: that counts as activity, so a screen left
  // open is not idle; the absolute expiry still ends it.
  bool alive(const std::string& session_id);
  // False when the session is over its request rate.
  bool admit(const std::string& session_id);
  // Ends a session; `done` runs after the store committed it.
  void logout(const Principal& who, std::function<void()> done);

  std::vector<UserInfo> users() const;
  // Create (the id must be new) or update (the id must exist and not be a
  // config user). `done` runs after the store committed (on the worker or
  // writer thread).
  void put_user(const UserSpec& spec, bool create, const core::Actor& by,
                std::function<void(AdminResult)> done);

  std::size_t open_sessions() const;
  // An Argon2id hash of `password` (for users.yaml's password_hash).
  static std::string hash(const std::string& password);
  static constexpr const char* kCookie = "huying_session";

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace huying::server
