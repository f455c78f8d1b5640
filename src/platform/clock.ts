/** Time comes from here so that tests can move it (token expiry, sign-in throttling, job backoff). */
export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() };

export class FixedClock implements Clock {
  constructor(private current: Date = new Date()) {}
  now(): Date { return new Date(this.current); }
  advance(ms: number): void { this.current = new Date(this.current.getTime() + ms); }
}
