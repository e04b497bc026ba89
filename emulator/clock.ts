/**
 * The emulated services' clock. `--clock-offset SECONDS` makes it run ahead (or behind)
 * of the machine's, to test what a client does against a service whose clock differs
 * (signature expiry, token lifetimes) without touching the client's clock.
 */
let offsetSeconds = 0;

export function setClockOffset(seconds: number): void {
  offsetSeconds = seconds;
}

export function serverNowSeconds(): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

export function serverNow(): Date {
  return new Date((serverNowSeconds() + (Date.now() % 1000) / 1000) * 1000);
}
