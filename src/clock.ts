// Time is injected so expiry can be tested without sleeping. In deployed Workers
// Date.now() only advances on I/O, which is fine for stamping rows and tokens.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
