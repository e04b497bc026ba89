/**
 * Reading small files a user points at (credentials, the tenants file) without letting
 * the path decide how long or how much: only regular files, never more than a cap.
 * A FIFO would block a plain read forever (and Terraform's SIGTERM with it), /dev/zero
 * never ends, and a directory or a 20 GB file is a mistake to say so, not to read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

export class FileReadError extends Error {
  constructor(
    readonly path: string,
    /** What is wrong, e.g. "is a FIFO (named pipe), not a regular file". */
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'FileReadError';
  }
}

const KIB = 1024;
export const formatBytes = (n: number): string => (n >= KIB * KIB ? `${Math.round((n / KIB / KIB) * 10) / 10} MiB` : n >= KIB ? `${Math.round(n / KIB)} KiB` : `${n} bytes`);

function kind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

const ERRNO: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'is not readable by this user',
  EPERM: 'is not readable by this user',
  ELOOP: 'is a symbolic link loop',
  ENOTDIR: 'has a path component that is not a directory',
  ENAMETOOLONG: 'is too long a path',
  EISDIR: 'is a directory',
  ENXIO: 'is a socket (or a device with nothing behind it), not a regular file',
};

/**
 * The bytes of a regular file of at most `maxBytes`. Opening is non-blocking, so a FIFO
 * is seen for what it is instead of waiting for a writer; the size is checked before
 * reading, and reading stops one byte past the cap in case the file grows meanwhile.
 */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new FileReadError(path, `${ERRNO[code] ?? 'cannot be opened'} (${code})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new FileReadError(path, `is ${kind(stats)}, not a regular file`);
    if (stats.size > maxBytes) throw new FileReadError(path, `is ${formatBytes(stats.size)}; expected at most ${formatBytes(maxBytes)}`);
    // Read to the end, whatever st_size said: /proc files report 0 and still have content.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > maxBytes) throw new FileReadError(path, `grew past ${formatBytes(maxBytes)} while being read`);
    }
    return Buffer.concat(chunks, length);
  } finally {
    closeSync(fd);
  }
}

/** readRegularFile as UTF-8 text; invalid UTF-8 is an error naming the line, not a silent U+FFFD. */
export function readRegularTextFile(path: string, maxBytes: number): string {
  const bytes = readRegularFile(path, maxBytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1;
    throw new FileReadError(path, `is not valid UTF-8 text (line ${line}, byte ${offset}); save it as UTF-8`);
  }
}

/** Where UTF-8 decoding fails: a lead byte that cannot start a character, or a bad continuation. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) return i;
    const second = b[i + 1] ?? 0;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if ((c === 0xe0 && second < 0xa0) || (c === 0xed && second > 0x9f) || (c === 0xf0 && second < 0x90) || (c === 0xf4 && second > 0x8f)) return i;
    for (let k = 1; k <= extra; k++) if (i + k >= b.length || (b[i + k]! & 0xc0) !== 0x80) return i;
    i += extra + 1;
  }
  return b.length;
}
