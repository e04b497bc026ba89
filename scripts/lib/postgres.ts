/**
 * A throwaway PostgreSQL server (Debian's postgresql package) for the state-backend
 * tests: initdb into a temporary directory, listen on a free loopback port, stop
 * afterwards. PostgreSQL refuses to run as root, so as root it runs as `postgres`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningPostgres {
  url: string;
  stop(): void;
}

export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function userIds(name: string): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  return r.status === 0 && g.status === 0 ? { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) } : null;
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (Debian package postgresql: apt-get install postgresql; .ci/run installs it)');
  const isRoot = process.getuid?.() === 0;
  const owner = isRoot ? userIds('postgres') : null;
  if (isRoot && !owner) throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as');
  const dir = mkdtempSync(join(tmpdir(), 'qianfan-pg-'));
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    execFileSync(isRoot ? 'runuser' : join(bin, cmd), isRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...args] : args, { stdio: 'pipe' });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, 'qianfan\n');
  if (owner) chownSync(pwfile, owner.uid, owner.gid);
  run('initdb', ['-D', data, '-U', 'qianfan', '--pwfile', pwfile, '-A', 'scram-sha-256', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  const url = `postgres://qianfan:qianfan@127.0.0.1:${port}/postgres?sslmode=disable`;
  return {
    url,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
