/**
 * How the plugin process ends (go-plugin's rules for a plugin): it exits when its
 * parent goes away, and every way out removes its socket directory.
 *
 * Terraform stops a provider with the GRPCController/Shutdown RPC or SIGTERM (SIGKILL
 * after a grace period, which leaves the directory behind: nothing runs after a
 * SIGKILL). When Terraform itself is SIGKILLed, nobody stops the provider: the
 * process is re-parented (to init or a subreaper), which is what the watch sees.
 */

/** Exit code when the parent is gone: nobody reads it, but it is not a clean stop. */
export const PARENT_GONE_EXIT_CODE = 1;

export interface ParentWatchOptions {
  /** How often to look; a getppid call each time. */
  intervalMs?: number;
  /** The current parent pid (a test seam). */
  ppid?: () => number;
}

/**
 * Calls `onGone` once when the parent pid differs from the one at start. The timer
 * does not keep the process alive. Returns a function that stops watching.
 */
export function watchParent(onGone: (parentPid: number, nowPid: number) => void, options: ParentWatchOptions = {}): () => void {
  const ppid = options.ppid ?? (() => process.ppid);
  const parent = ppid();
  const timer = setInterval(() => {
    const now = ppid();
    if (now === parent) return;
    clearInterval(timer);
    onGone(parent, now);
  }, options.intervalMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs `cleanup` (synchronously) on every exit that runs code: process.exit from
 * anywhere, an uncaught exception or unhandled rejection, and SIGTERM / SIGHUP, which
 * would otherwise end the process without running anything.
 */
export function onEveryExit(cleanup: () => void): void {
  let done = false;
  process.on('exit', () => {
    if (done) return;
    done = true;
    try {
      cleanup();
    } catch {
      // Exiting anyway; a failed clean-up must not turn into a different exit code.
    }
  });
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGHUP', () => process.exit(128 + 1));
}

const startParent = process.ppid;

/**
 * Whether the process that started the provider is still its parent — checked now,
 * not at the watch's next tick. A resource asks before a last step that only makes
 * sense if Terraform will record its answer (a claim: see docs/api/ownership.md).
 */
export const callerPresent = (): boolean => process.ppid === startParent;
