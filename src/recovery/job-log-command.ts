// A job log that is a command's output, not a file: the python worker's dogfood loop runs
// under systemd and logs to the journal, so its "job log" is `journalctl -u dogfood-loop
// --since … -o cat` on the loop's host (FORMATS.md §0.1(a)). Run as an argv (over SSH when a
// host is named), bounded in time and bytes; the output is split into records like a file's,
// and evidence cites `journal:<host>:<line>` within what was read. The loop runs several
// issues at once, so only records that name the issue are kept (another issue's `resolved`
// must not rule this one's failure out); their line numbers stay those of the output.
import type { ResolvedConfig } from '../config/resolve.js';
import { renderTemplate, type JobLogCommand } from '../config/profile.js';
import { describeFailure, runLocal, runOnHost } from '../io/run.js';
import { splitLogRecords, type LogRecord } from './log-records.js';

export interface CommandLog {
  ok: boolean;
  /** What evidence lines cite as their file (`journal:<host>`). */
  source: string;
  records: LogRecord[];
  /** The output hit the byte cap: the newest part may be missing. */
  truncated: boolean;
  error?: string;
}

export const COMMAND_LOG_MAX_BYTES = 32 * 1024 * 1024;

export async function readCommandLog(
  cfg: Pick<ResolvedConfig, 'hosts' | 'thresholds'>,
  cmd: JobLogCommand,
  vars: { issue: string; since: string },
  opts: { timeoutMs?: number; maxBytes?: number } = {},
): Promise<CommandLog> {
  const where = cmd.host ?? 'local';
  const source = `journal:${where}`;
  const argv: string[] = [];
  for (const w of cmd.argv) {
    if (!/\{[a-z_]+\}/.test(w)) {
      argv.push(w);
      continue;
    }
    const r = renderTemplate(w, vars);
    if (!r.ok) return { ok: false, source, records: [], truncated: false, error: r.error };
    argv.push(r.value);
  }
  const timeoutMs = opts.timeoutMs ?? cfg.thresholds.probe_timeout_s * 4000;
  const maxBuffer = opts.maxBytes ?? COMMAND_LOG_MAX_BYTES;
  let r;
  if (cmd.host !== null) {
    const host = cfg.hosts[cmd.host];
    if (!host) return { ok: false, source, records: [], truncated: false, error: `job_log_command.host ${cmd.host} is not in hosts:` };
    r = await runOnHost(host, { argv, timeoutMs, maxBuffer }, { connectTimeoutS: cfg.thresholds.probe_timeout_s });
  } else r = await runLocal({ argv, timeoutMs, maxBuffer });
  // A cut output is refused, not guessed from: the runner flags it (stdoutTruncated, never ok).
  if (!r.ok) return { ok: false, source, records: [], truncated: r.stdoutTruncated === true, error: `${describeFailure(r)}${r.stdoutTruncated ? ' (narrow the command, e.g. --since)' : ''}` };
  const truncated = false;
  const records = splitLogRecords(r.stdout).filter((rec) => rec.message.includes(vars.issue));
  return { ok: true, source, records, truncated };
}
