// Backups of a PostgreSQL store (issue 11), with PostgreSQL's own tools:
// pg_dump (custom format) of the store's schema, and pg_restore.
//
// A backup exports a snapshot from one REPEATABLE READ transaction, counts
// the orders and events in it and has pg_dump copy that very snapshot, so
// the counts are the dump's (every commit before that instant, none
// after); the primary keeps taking writes meanwhile. The file is written as
// "<to>.partial", listed back with pg_restore --list, and only then renamed.
//
// A restore refuses a schema that already holds a store unless `force`
// (then that schema is replaced: set aside, dropped once the backup is in,
// put back if the restore fails), and refuses while a dispatcher holds the
// district's lease on it. pg_restore runs in one transaction: all or nothing.
#pragma once

#include <string>

#include "db/backup.hpp"

namespace huying::db {

// `schema`: the store's schema (empty: public).
BackupReport backup_pg(const std::string& url, const std::string& schema,
                       const std::string& to_path);
BackupReport restore_pg(const std::string& from_path, const std::string& url,
                        const std::string& schema, bool force);

}  // namespace huying::db
