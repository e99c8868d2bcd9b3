// Transition webhook: a JSON POST per transition, signed with
// `X-Swarmctl-Signature: sha256=<hex HMAC-SHA256 of the body>` (secret read from
// secret_file at send time). Sending is off the probe path: enqueue() returns at
// once; one background sender drains a bounded queue (oldest dropped when full)
// with a per-try timeout and retries with backoff. A dead or hanging webhook
// never slows a sweep. flush() lets a one-shot CLI wait (bounded) before exit.
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

export class WebhookSender {
  private readonly queue: WebhookEvent[] = [];
  private running: Promise<void> | undefined;
  dropped = 0;
  sent = 0;
  failed = 0;

  constructor(
    private readonly cfg: WebhookConfig,
    private readonly opts: { retries?: number; retryBaseMs?: number } = {},
  ) {}

  /** Queue an event; never waits. */
  enqueue(ev: WebhookEvent): void {
    if (this.queue.length >= this.cfg.queue_max) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(ev);
    this.running ??= this.drain();
  }

  /** Drop what is queued and stop after the send in flight (bounded by timeout_s). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }
  private stopped = false;

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

  private async drain(): Promise<void> {
    try {
      for (let ev = this.queue.shift(); ev !== undefined; ev = this.queue.shift()) {
        if (await this.deliver(ev)) this.sent++;
        else this.failed++;
      }
    } finally {
      // Cleared in the same step that saw the queue empty: a `.finally()` callback
      // ran a step later, and an event queued in between was never sent.
      this.running = undefined;
    }
  }

  private async deliver(ev: WebhookEvent): Promise<boolean> {
    const body = JSON.stringify({ event: 'transition', ...ev });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.cfg.secret_file !== undefined) {
      try {
        headers['x-swarmctl-signature'] = sign(body, (await readRegularFile(this.cfg.secret_file, { what: 'webhook secret file', limit: 64 * KiB })).toString('utf8').trim());
      } catch {
        return false; // no secret, no unsigned send
      }
    }
    const tries = 1 + (this.opts.retries ?? 3);
    for (let i = 0; i < tries && !this.stopped; i++) {
      const r = await httpRequest({ url: this.cfg.url, method: 'POST', body, headers, timeoutMs: this.cfg.timeout_s * 1000, maxBodyBytes: 4096 });
      if (r.status !== null && r.status >= 200 && r.status < 300) return true;
      if (r.status !== null && r.status >= 400 && r.status < 500 && r.status !== 429) return false;
      if (i + 1 < tries) await new Promise((res) => setTimeout(res, (this.opts.retryBaseMs ?? 1000) * 2 ** i).unref());
    }
    return false;
  }
}
