/**
 * Shared pieces of the hostile-input suite: small misbehaving servers (http or https),
 * and a watch on the provider processes' memory, from /proc while they run and from
 * their own report when they exit.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServerCertificate, type ServerCertificate } from '../../providers/runtime/tls';
import { tempDir } from '../helpers/workdir';

export interface Seen {
  method: string;
  path: string;
  authorization: boolean;
}

export interface HostileServer {
  url: string;
  seen: Seen[];
  /** Requests with a method that writes. */
  writes(): Seen[];
  close(): Promise<void>;
}

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A server that answers each request with the first route whose key the path
 * contains. Sockets are tracked so close() ends endless answers at once.
 */
export async function hostileServer(routes: Record<string, Route>, tls?: ServerCertificate, host = '127.0.0.1'): Promise<HostileServer> {
  const seen: Seen[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization !== undefined });
    req.resume();
    const key = Object.keys(routes).find((k) => (req.url ?? '').includes(k));
    if (key) routes[key]!(req, res);
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no such thing"}}');
  };
  const server: Server = tls ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, handler) : createHttpServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A TLS handshake the client refuses is not a request: it must not end up in `seen`.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://${tls ? 'localhost' : host}:${port}`,
    seen,
    writes: () => seen.filter((s) => !['GET', 'HEAD'].includes(s.method)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export const certificate = (): ServerCertificate => createServerCertificate();

/** An answer that never ends: 64 KiB of JSON-looking text every few milliseconds. */
export const endless: Route = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.write('{"padding":"');
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(chunk);
  }, 2);
  res.on('close', () => clearInterval(timer));
};

/** A complete answer of `bytes`, announced in Content-Length (or chunked, without it). */
export const huge =
  (bytes: number, announce: boolean): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...(announce ? { 'content-length': String(bytes) } : {}) });
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let left = bytes;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };

/** Headers at once, then one byte every `everyMs`: alive, but never done in time. */
export const slow =
  (everyMs: number): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{');
    const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), everyMs);
    res.on('close', () => clearInterval(timer));
  };

export const json =
  (status: number, body: unknown): Route =>
  (_req, res) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

/**
 * Peak memory of the provider processes started under a directory: sampled from
 * /proc (VmHWM) while they run, and their own peak-RSS report at exit
 * (QIANFAN_REPORT_MAXRSS_DIR, written by the launcher, also from VmHWM). A process past `killAboveMb`
 * is killed, so a regression fails the test instead of exhausting the machine.
 */
export class ProviderMemory {
  readonly reportDir = tempDir('maxrss');
  private peakKb = 0;
  private readonly timer: NodeJS.Timeout;
  killed: number[] = [];

  constructor(
    private readonly marker: string,
    private readonly killAboveMb = 1024,
  ) {
    mkdirSync(this.reportDir, { recursive: true });
    this.timer = setInterval(() => this.sample(), 50);
  }

  private sample(): void {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      // The single executable, or the launcher form's node running provider.cjs.
      if (!cmdline.includes(this.marker) || !/terraform-provider-qianfan_v|provider\.cjs/.test(cmdline)) continue;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        this.peakKb = Math.max(this.peakKb, hwm);
        if (hwm > this.killAboveMb * 1024) {
          process.kill(Number(pid), 'SIGKILL');
          this.killed.push(Number(pid));
        }
      } catch {
        // exited meanwhile
      }
    }
  }

  /** The environment that makes each provider report its peak RSS at exit. */
  get env(): Record<string, string> {
    return { QIANFAN_REPORT_MAXRSS_DIR: this.reportDir };
  }

  /** Peak RSS in MB of every provider process seen, and how many reported. */
  stop(): { peakMb: number; processes: number } {
    clearInterval(this.timer);
    let processes = 0;
    for (const f of readdirSync(this.reportDir)) {
      const { maxRssKb } = JSON.parse(readFileSync(join(this.reportDir, f), 'utf8')) as { maxRssKb: number };
      this.peakKb = Math.max(this.peakKb, maxRssKb);
      processes++;
    }
    return { peakMb: Math.round(this.peakKb / 1024), processes };
  }
}

/** Terraform's diagnostics without the configuration lines it quotes ("│   12:   \"url\": …"). */
export const withoutSourceLines = (stderr: string): string =>
  stderr
    .split('\n')
    .filter((line) => !/^[│\s]*\d+:\s/.test(line))
    .join('\n');

/** One diagnostic block per address it is about, whitespace folded. */
export function diagnosticAbout(stderr: string, address: string): string {
  return stderr
    .split(/\n(?=(?:│ )?(?:Error|Warning): )/)
    .filter((block) => block.includes(address))
    .join('\n')
    .replace(/[│\s]+/g, ' ');
}

/** A line for the suite's summary table (printed at the end of each file). */
export interface CaseReport {
  category: string;
  what: string;
  message: string;
  ms: number;
  peakMb?: number;
}

export function printReport(title: string, rows: CaseReport[]): void {
  const lines = rows.map((r) => `| ${r.category} | ${r.what} | ${r.ms} ms | ${r.peakMb === undefined ? '-' : `${r.peakMb} MB`} | ${r.message.replace(/\|/g, '\\|').slice(0, 220)} |`);
  process.stderr.write(`\n${title}\n| category | case | time | provider peak RSS | message |\n|---|---|---|---|---|\n${lines.join('\n')}\n`);
}
