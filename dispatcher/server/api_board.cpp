// The leaders' board over plain HTTP: the live snapshot, or the board as it
// was at a past instant (replay), rebuilt from the event log with the live
// board's own code. The live stream is /ws/board (ws_session).
#include <boost/json.hpp>

#include "dispatcher/engine/reports.hpp"
#include "dispatcher/server/api.hpp"

namespace huying::server {

namespace json = boost::json;

void Api::add_board_routes() {
  router_.add(
      "GET", "/api/v1/board",
      roles({core::Role::leader, core::Role::admin, core::Role::dispatcher}), [this](Call c) {
        const std::string* at_s = c.req->param("at");
        if (!at_s) {
          s_.engine.board_snapshot([c](std::shared_ptr<const std::string> frame, std::uint64_t) {
            HttpResponse res;
            res.body = *frame;
            c.respond(std::move(res));
          });
          return;
        }
        auto at = api::time_param(*at_s);
        if (!at)
          return c.respond(error_response(400, "invalid_field",
                                          "at must be an instant (2025-10-08T10:00+08:00)", "at"));
        if (*at > s_.clock.now())
          return c.respond(
              error_response(400, "invalid_field", "at must not be in the future", "at"));
        json::object board = engine::board_at(s_.store, *at);
        board["replay"] = true;
        c.respond(json_response(200, std::move(board)));
      });
}

}  // namespace huying::server
