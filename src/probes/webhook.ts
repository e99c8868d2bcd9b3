// Transition webhook: a JSON POST per transition, signed with
// `X-Swarmctl-Signature: sha256=<hex HMAC-SHA256 of the body>` (secret read from
// secret_file at send time). Sending is off the probe path: enqueue() returns at
// once; one background sender drains a bounded queue (oldest dropped when full)
// with a per-try timeout and retries with backoff. A dead or hanging webhook
// never slows a sweep. Only the process that recorded a transition sends it, so
// close() lets it wait before exit while the receiver keeps accepting. Every
// transition not delivered (queue full, refused, retries used up, given up at
// exit) is reported through `warn`, one line each: never silent.
import { createHmac } from 'node:crypto';
import { KiB, readRegularFile } from '../core/safe-read.js';
import { httpRequest } from '../io/http.js';

export interface WebhookConfig {
  url: string;
  secret_file?: string;
  timeout_s: number;
  queue_max: number;
}

export interface WebhookEvent {
  service: string;
  kind: string;
  from: string | null;
  to: string;
  reason: string;
  at: string;
  cluster?: string;
}

export function sign(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Pure: the event as an operator reads it in a warning (never the URL: it may hold a token). */
export function describeEvent(ev: WebhookEvent): string {
  return `${ev.service} ${ev.from ?? '(new)'}→${ev.to} at ${ev.at}`;
}

export class WebhookSender {
  private readonly queue: WebhookEvent[] = [];
  private running: Promise<void> | undefined;
  private inFlight: WebhookEvent | undefined;
  private stopped = false;
  private wakeClose: (() => void) | undefined;
  private readonly warn: (line: string) => void;
  dropped = 0;
  sent = 0;
  failed = 0;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly opts: { retries?: number; retryBaseMs?: number; warn?: (line: string) => void } = {},
  ) {
    this.warn = opts.warn ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Queue an event; never waits. */
  enqueue(ev: WebhookEvent): void {
    if (this.stopped) {
      this.lost(ev, 'sender already closed');
      return;
    }
    if (this.queue.length >= this.cfg.queue_max) {
      this.dropped++;
      this.lost(this.queue.shift()!, `queue full (queue_max ${this.cfg.queue_max}), oldest dropped`);
    }
    this.queue.push(ev);
    this.running ??= this.drain();
  }

  /** Drop what is queued (each reported) and stop after the send in flight (bounded by timeout_s). */
  stop(): void {
    this.abandon('sender stopped');
  }

  pending(): number {
    return this.queue.length;
  }

  /** Wait for the queue to drain, at most `maxMs`. */
  async flush(maxMs: number): Promise<void> {
    if (!this.running) return;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.running, new Promise<void>((r) => (t = setTimeout(r, maxMs)))]);
    clearTimeout(t);
  }

  /**
   * Before exit: send what is queued as long as the receiver keeps accepting, and
   * give up (reporting each event left) after `idleMs` without a delivery, or when
   * abandon() is called (a second signal). Bounded by the queue, not by a clock:
   * a busy host may need longer than one timeout to POST a long queue.
   */
  async close(idleMs: number): Promise<void> {
    while (this.draining() && !this.stopped) {
      const before = this.sent;
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise<void>((r) => ((this.wakeClose = r), (t = setTimeout(r, idleMs))))]);
      clearTimeout(t);
      this.wakeClose = undefined;
      if (this.draining() && this.sent === before) break; // nothing delivered for idleMs: the receiver is not keeping up at all
    }
    this.abandon(`not delivered before exit (nothing accepted for ${Math.round(idleMs / 100) / 10} s)`);
  }

  /** Give up now: report the event in flight and every queued one, send nothing more. */
  abandon(why = 'given up at exit'): void {
    if (this.inFlight && !this.stopped) this.lost(this.inFlight, `${why}; delivery not confirmed`);
    this.stopped = true;
    for (const ev of this.queue.splice(0)) this.lost(ev, why);
    this.wakeClose?.();
  }

  private draining(): boolean {
    return this.running !== undefined;
  }

  private lost(ev: WebhookEvent, why: string): void {
    this.warn(`swarmctl: webhook: transition not delivered: ${describeEvent(ev)}: ${why}`);
  }

  private async drain(): Promise<void> {
    try {
      for (let ev = this.queue.shift(); ev !== undefined; ev = this.queue.shift()) {
        this.inFlight = ev;
        const why = await this.deliver(ev);
        this.inFlight = undefined;
        if (why === undefined) this.sent++;
        else {
          this.failed++;
          if (!this.stopped) this.lost(ev, why);
        }
      }
    } finally {
      // Cleared in the same step that saw the queue empty: a `.finally()` callback
      // ran a step later, and an event queued in between was never sent.
      this.running = undefined;
      this.inFlight = undefined;
    }
  }

  /** undefined when delivered, else why not. */
  private async deliver(ev: WebhookEvent): Promise<string | undefined> {
    const body = JSON.stringify({ event: 'transition', ...ev });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cfg.secret_file !== undefined) {
      try {
        headers['x-swarmctl-signature'] = sign(body, (await readRegularFile(this.cfg.secret_file, { what: 'webhook secret file', limit: 64 * KiB })).toString('utf8').trim());
      } catch (e) {
        return `secret file unreadable (${(e as Error).message}); never sent unsigned`;
      }
    }
    const tries = 1 + (this.opts.retries ?? 3);
    let last = 'not tried';
    for (let i = 0; i < tries && !this.stopped; i++) {
      const r = await httpRequest({ url: this.cfg.url, method: 'POST', body, headers, timeoutMs: this.cfg.timeout_s * 1000, maxBodyBytes: 4096 });
      if (r.status !== null && r.status >= 200 && r.status < 300) return undefined;
      if (r.status !== null && r.status >= 400 && r.status < 500 && r.status !== 429) return `refused with HTTP ${r.status}`;
      last = r.status !== null ? `HTTP ${r.status}` : (r.error?.code ?? 'no answer');
      if (i + 1 < tries) await new Promise((res) => setTimeout(res, (this.opts.retryBaseMs ?? 1000) * 2 ** i).unref());
    }
    return `${tries} tries failed, last: ${last}`;
  }
}
