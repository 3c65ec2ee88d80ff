#ifndef DRYAD_SQLITE_SETTINGS_H
#define DRYAD_SQLITE_SETTINGS_H

/// Turns off SQLite's memory statistics, which take a global mutex on every allocation.
///
/// `sqlite3_config` is variadic, so Swift cannot call it; it only works before SQLite is
/// initialized (the first connection opened), and returns SQLITE_MISUSE after that.
int dryad_sqlite_disable_memory_statistics(void);

#endif
