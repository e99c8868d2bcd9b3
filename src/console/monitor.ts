// The model behind the console (k9s-style): each source (probes, queue,
// discovery, issues, telemetry) is polled on its own clock, chained with
// setTimeout so polls never overlap (an in-flight guard skips a tick while
// the last load runs), with a timeout and exponential backoff on failure.
// A failed source KEEPS its last good data, marked stale with its age and the
// error, so a dead controller never shows as an empty, healthy-looking queue.
// It publishes immutable snapshots; the TUI reads them with
// useSyncExternalStore and never calls a backend itself.
// No Ink, no React here: CLI watchers and tests use the same monitor.

export interface SourceSpec<T> {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  /** Longest wait between attempts while failing. */
  maxBackoffMs?: number;
  /** Longest wait while loads bring nothing new: it doubles from intervalMs after each unchanged load, and new data resets it. */
  maxIdleMs?: number;
  /** Load again right after a load of this source brought new data (the issues join follows the queue). */
  follows?: string;
  /** What followers of this source depend on: they reload only when it changes (a running job's elapsed time is not news to the issues join). */
  followKey?(data: T): string;
  load(signal: AbortSignal): Promise<T>;
}

export interface SourceState<T> {
  data: T | null;
  /** When `data` was loaded (ms); null before the first success. */
  updatedAt: number | null;
  error: string | null;
  failures: number;
  loading: boolean;
  /** Data present but the latest load failed. */
  stale: boolean;
  /** When the current run of failures began (null while loads succeed): an alert's since-when. */
  failingSince: number | null;
  nextAt: number | null;
  loads: number;
}

export interface Snapshot {
  version: number;
  at: number;
  sources: Readonly<Record<string, Readonly<SourceState<unknown>>>>;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * Thrown by a loader that failed but has last-known data to offer, taken at `takenAt`
 * (the queue's copy in SQLite while the controller is down). A source with nothing
 * newer shows it, marked stale with its age and the error, instead of nothing: an
 * operator who opens the console during an outage sees the last known jobs.
 */
export class StaleData extends Error {
  constructor(
    message: string,
    readonly data: unknown,
    readonly takenAt: number,
  ) {
    super(message);
  }
}

const initial = (): SourceState<unknown> => ({ data: null, updatedAt: null, error: null, failures: 0, loading: false, stale: false, failingSince: null, nextAt: null, loads: 0 });

/**
 * Whether `b` shows the same as `a`. Rows are compared one by one, so the first
 * differing row ends the comparison and an identical row object costs nothing.
 */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !sameJson(a[i], b[i])) return false;
    return true;
  }
  return sameJson(a, b);
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false; // not serialisable: always treated as a change
  }
}

export function backoffDelay(intervalMs: number, failures: number, maxMs: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(maxMs, intervalMs * 2 ** Math.min(failures, 16));
}

/** The wait before the next poll: backing off while failing, stretching (up to maxIdleMs) while nothing changes. */
export function nextDelay(spec: Pick<SourceSpec<unknown>, 'intervalMs' | 'maxIdleMs'>, failures: number, unchanged: number, maxBackoffMs: number): number {
  if (failures > 0) return backoffDelay(spec.intervalMs, failures, maxBackoffMs);
  return backoffDelay(spec.intervalMs, unchanged, Math.max(spec.intervalMs, spec.maxIdleMs ?? spec.intervalMs));
}

export class Monitor {
  private snapshot: Snapshot;
  private listeners = new Set<() => void>();
  private timers = new Map<string, unknown>();
  private inFlight = new Set<string>();
  private followKeys = new Map<string, string>();
  /** Loads in a row that brought the same data, per source (for maxIdleMs). */
  private unchanged = new Map<string, number>();
  private running = false;
  private readonly specs: Map<string, SourceSpec<unknown>>;

  constructor(
    specs: SourceSpec<unknown>[],
    private readonly clock: Clock = realClock,
  ) {
    this.specs = new Map(specs.map((s) => [s.name, s]));
    this.snapshot = { version: 0, at: clock.now(), sources: Object.fromEntries(specs.map((s) => [s.name, initial()])) };
  }

  getSnapshot = (): Snapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const name of this.specs.keys()) void this.poll(name);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }

  /** Poll now (the `r` key); resolves when those loads end. A source already loading is left alone. */
  refresh(name?: string): Promise<void> {
    const polls: Promise<void>[] = [];
    for (const n of name ? [name] : [...this.specs.keys()]) {
      const t = this.timers.get(n);
      if (t !== undefined) this.clock.clearTimeout(t);
      polls.push(this.poll(n));
    }
    return Promise.all(polls).then(() => undefined);
  }

  /** Count of loads started per source (tests and the poll-count benchmark). */
  loadsOf(name: string): number {
    return this.snapshot.sources[name]?.loads ?? 0;
  }

  /**
   * Publishes a new snapshot. Listeners (the console re-renders its whole
   * screen) are told only when something they show changed: the data, the
   * error or staleness. Bookkeeping (loading, nextAt, load counts) and a
   * reload that brought identical data update the snapshot silently: an idle
   * console then redraws only when the cluster changes.
   */
  private update(name: string, patch: Partial<SourceState<unknown>>, same?: boolean): void {
    const prev = this.snapshot.sources[name] ?? initial();
    let next = { ...prev, ...patch };
    let visible = next.error !== prev.error || next.stale !== prev.stale;
    if ('data' in patch) {
      // A reload with identical data is not a change, and keeps the previous object.
      if (same ?? (prev.updatedAt !== null && sameData(prev.data, next.data))) next = { ...next, data: prev.data };
      else visible = true;
    }
    this.snapshot = {
      version: this.snapshot.version + 1,
      at: this.clock.now(),
      sources: { ...this.snapshot.sources, [name]: next },
    };
    if (visible) for (const l of this.listeners) l();
  }

  /** True when `data` differs from the last data followers saw, by the spec's followKey (any change without one). */
  private followKeyChanged(spec: SourceSpec<unknown>, data: unknown): boolean {
    if (!spec.followKey) return true;
    const key = spec.followKey(data);
    if (this.followKeys.get(spec.name) === key) return false;
    this.followKeys.set(spec.name, key);
    return true;
  }

  private async poll(name: string): Promise<void> {
    const spec = this.specs.get(name);
    if (!spec || !this.running || this.inFlight.has(name)) return;
    this.inFlight.add(name);
    const prev = this.snapshot.sources[name]!;
    this.update(name, { loading: true, loads: prev.loads + 1 });
    const ac = new AbortController();
    let timer: unknown;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => {
        ac.abort();
        reject(new Error(`no answer in ${Math.round(spec.timeoutMs / 100) / 10} s`));
      }, spec.timeoutMs);
    });
    const maxBackoff = spec.maxBackoffMs ?? Math.max(spec.intervalMs * 8, 60_000);
    let failures = prev.failures;
    const followers: string[] = [];
    try {
      const data = await Promise.race([spec.load(ac.signal), timeout]);
      failures = 0;
      const same = prev.updatedAt !== null && sameData(prev.data, data);
      this.unchanged.set(name, same && !prev.stale ? (this.unchanged.get(name) ?? 0) + 1 : 0);
      const nextAt = this.clock.now() + nextDelay(spec, 0, this.unchanged.get(name)!, maxBackoff);
      this.update(name, { data, updatedAt: this.clock.now(), error: null, failures: 0, loading: false, stale: false, failingSince: null, nextAt }, same);
      // Sources built from this one's data need not wait for their own clock (first data within one load).
      if (this.snapshot.sources[name]!.data !== prev.data && this.followKeyChanged(spec, data)) {
        for (const dep of this.specs.values()) if (dep.follows === name) followers.push(dep.name);
      }
    } catch (e) {
      failures = prev.failures + 1;
      this.unchanged.set(name, 0);
      const cur = this.snapshot.sources[name]!;
      const nextAt = this.clock.now() + backoffDelay(spec.intervalMs, failures, maxBackoff);
      const error = (e as Error).message || String(e);
      const failingSince = cur.failingSince ?? this.clock.now();
      if (e instanceof StaleData && (cur.updatedAt === null || e.takenAt > cur.updatedAt)) {
        this.update(name, { data: e.data, updatedAt: e.takenAt, error, failures, loading: false, stale: true, failingSince, nextAt });
      } else this.update(name, { error, failures, loading: false, stale: cur.data !== null, failingSince, nextAt });
    } finally {
      this.clock.clearTimeout(timer);
      this.inFlight.delete(name);
    }
    if (!this.running) return;
    for (const f of followers) void this.refresh(f);
    const delay = nextDelay(spec, failures, this.unchanged.get(name) ?? 0, maxBackoff);
    this.timers.set(
      name,
      this.clock.setTimeout(() => void this.poll(name), delay),
    );
  }
}
