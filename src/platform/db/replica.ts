/**
 * How far a PostgreSQL streaming replica is behind its primary, checked every few seconds (never per request),
 * so that public reads go to it only while it keeps up.
 *
 * The lag is measured in time without trusting either server's clock or pg_last_xact_replay_timestamp (which
 * grows while the primary is idle, a standby that is up to date looking late): each check notes the primary's
 * WAL position and when it was seen, and the replica is as late as the oldest noted position it has not yet
 * replayed. That under-reads the true lag by at most one check's interval, which is why a visitor who has just
 * written reads the primary for the bound plus one interval (see WROTE_COOKIE).
 */

export type ReplicaStatus = 'ok' | 'lagging' | 'down';

export interface ReplicaProbe {
  /** The primary's current WAL position, such as 0/3000148. */
  primaryPosition(): Promise<string>;
  /** Whether the replica is a standby, and the WAL position it has replayed up to. */
  replicaPosition(): Promise<{ standby: boolean; replayed: string | null }>;
}

/** A WAL position ("16/B374D848") as a number that orders as the positions do. */
export function walPosition(lsn: string): bigint {
  const [high = '', low = ''] = lsn.split('/');
  if (!/^[0-9A-F]{1,8}$/i.test(high) || !/^[0-9A-F]{1,8}$/i.test(low)) throw new Error('not a WAL position');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/** Positions noted beyond this are merged into the oldest ones: only the oldest unreplayed one sets the lag. */
const MAX_NOTED = 64;

export class ReplicaHealth {
  private status: ReplicaStatus = 'down';
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** Primary positions the replica had not replayed when last checked, oldest first, with when each was seen. */
  private unreplayed: { at: number; position: bigint }[] = [];
  private checking: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly probe: ReplicaProbe,
    private readonly bounds: { maxLagMs: number; checkMs: number },
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Checks now, then every checkMs until stop(). */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.check(), this.bounds.checkMs);
    // The checks alone never keep the process running.
    this.timer.unref();
    await this.check();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The replica as last checked. */
  current(): ReplicaStatus {
    return this.status;
  }

  /**
   * Whether public reads may go to the replica: it kept up at the last check, and that check is recent (a
   * stalled event loop or a hung check must not leave an old "ok" standing).
   */
  usable(): boolean {
    return this.status === 'ok' && this.now() - this.checkedAt < 3 * this.bounds.checkMs;
  }

  /** A read on the replica failed as a lost connection does: read the primary until a check finds it back. */
  lost(): void {
    this.status = 'down';
    void this.check();
  }

  /** One check; a check asked for while one runs shares it. */
  check(): Promise<void> {
    this.checking ??= this.run().finally(() => { this.checking = null; });
    return this.checking;
  }

  private async run(): Promise<void> {
    const seenAt = this.now();
    // A server that does not answer (a host gone from the network) must not hold the checks up for ever.
    const inTime = <T>(asked: Promise<T>) => within(asked, Math.max(this.bounds.checkMs, 1000));
    let primary: bigint;
    try {
      primary = walPosition(await inTime(this.probe.primaryPosition()));
    } catch {
      // Without the primary's position nothing can be said of the replica; the primary's own trouble shows in
      // /readyz's database check, and an old result stops being trusted (usable) after a few intervals.
      return;
    }
    const last = this.unreplayed.at(-1);
    if (!last || primary > last.position) this.unreplayed.push({ at: seenAt, position: primary });
    if (this.unreplayed.length > MAX_NOTED) this.unreplayed.splice(1, 1);
    try {
      const replica = await inTime(this.probe.replicaPosition());
      // A server that is not in recovery is no copy of the primary (a promoted standby goes its own way).
      if (!replica.standby || replica.replayed === null) {
        this.status = 'down';
      } else {
        const replayed = walPosition(replica.replayed);
        this.unreplayed = this.unreplayed.filter((p) => p.position > replayed);
        const oldest = this.unreplayed[0];
        const lag = oldest ? this.now() - oldest.at : 0;
        this.status = lag > this.bounds.maxLagMs ? 'lagging' : 'ok';
      }
    } catch {
      this.status = 'down';
    }
    this.checkedAt = this.now();
  }
}

function within<T>(asked: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('no answer in time')), ms); });
  return Promise.race([asked, late]).finally(() => clearTimeout(timer));
}

/** Errors that mean the replica could not answer at all (rather than that the query was wrong). */
export function isLostConnection(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // 08: connection exception; 57P01-03: shut down or starting up; 40001 on a standby: cancelled by replay.
    if (code.startsWith('08') || ['57P01', '57P02', '57P03', '40001', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(code)) return true;
  }
  return typeof message === 'string' && /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(message);
}
