// Shared SQLite store for every emulated service (Yufu now; aPaaS and E-HR later).
// One file per data dir so a restart brings back the whole tenant at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export function openDatabase(dataDir: string): Db {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'emulator.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  // The emulator is the only writer; a short busy timeout covers a CLI inspecting the file.
  db.pragma('busy_timeout = 2000');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (component, version)
  );
  CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );`);
  return db;
}

/**
 * Applies the not-yet-applied migrations of one component (e.g. "yufu"). Each slice
 * owns its list and only ever appends to it, so old data dirs upgrade in place.
 */
export function migrate(db: Db, component: string, migrations: readonly string[]): void {
  const row = db
    .prepare('SELECT MAX(version) AS v FROM schema_migrations WHERE component = ?')
    .get(component) as { v: number | null };
  const current = row.v ?? 0;
  const apply = db.transaction((version: number, sql: string) => {
    db.exec(sql);
    db.prepare('INSERT INTO schema_migrations (component, version, applied_at) VALUES (?, ?, ?)').run(
      component,
      version,
      new Date().toISOString(),
    );
  });
  for (let i = current; i < migrations.length; i++) {
    apply(i + 1, migrations[i]!);
  }
}

export function getSetting(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setSetting(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}
