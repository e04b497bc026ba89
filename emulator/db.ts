// Shared SQLite store for every emulated service (Yufu, aPaaS, E-HR).
// One file per data dir so a restart brings back the whole tenant at once.
// The file holds the aPaaS SecretKey, every client secret and the IdP signing keys:
// the data dir is 0700 and the database files 0600, also in a data dir made by an
// older emulator (docs/api/emulator-faults.md, "Data dir").
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

export const DB_FILE = 'emulator.sqlite';

/**
 * Makes the data dir private: created 0700, or tightened to 0700 when it already is an
 * emulator's data dir. A directory the emulator did not make (say --data-dir /tmp) keeps
 * its mode: tightening it could break whatever else lives there.
 */
export function privateDataDir(dataDir: string): void {
  const existed = fs.existsSync(dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const ours = !existed || fs.existsSync(path.join(dataDir, DB_FILE)) || fs.existsSync(path.join(dataDir, 'emulator.json'));
  if (!ours) return;
  if ((fs.statSync(dataDir).mode & 0o077) !== 0) fs.chmodSync(dataDir, 0o700);
  // Every file an older emulator left (database, key files, info file).
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true })) {
    const file = path.join(dataDir, entry.name);
    if (entry.isFile() && (fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  }
}

/** Creates the file 0600, or tightens an existing one (SQLite gives -wal and -shm the same mode). */
function privateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f) && (fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
  }
}

export function openDatabase(dataDir: string): Db {
  privateDataDir(dataDir);
  const file = path.join(dataDir, DB_FILE);
  privateFile(file);
  const db = new Database(file);
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
