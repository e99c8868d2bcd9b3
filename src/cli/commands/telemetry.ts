// `swarmctl telemetry [--issue X] [-n N] [--follow] [--json]`: the last records of the
// swarm's telemetry JSONL (read backwards like tail), an issue's last records from the
// incremental index, or new lines as they are appended (NDJSON with --json).
import type { Command } from 'commander';
import { EXIT, examples, printJson, printJsonLine, say, usageError } from '../output.js';
import type { GlobalOptions } from '../context.js';

interface Opts {
  issue?: string;
  n: string;
  follow?: boolean;
  json?: boolean;
  file?: string;
}

export function register(program: Command): void {
  program
    .command('telemetry')
    .description('last telemetry records (all issues, or one issue from the index), or follow new ones')
    .option('--issue <id>', "only this issue's records, wherever they are in the file")
    .option('-n, --lines <n>', 'how many records', '20')
    .option('--follow', 'print records as they are appended (survives truncation and rotation)')
    .option('--file <path>', 'telemetry file (default: paths.telemetry_file)')
    .option('--json', 'one JSON document; NDJSON with --follow')
    .addHelpText(
      'after',
      examples('swarmctl telemetry -n 20', 'swarmctl telemetry --issue beefcake-7xjmj --json', 'swarmctl telemetry --follow --json') +
        '\nExit: 0 ok, 1 malformed lines were skipped, 2 the file cannot be read, 64 usage.\n',
    )
    .action(async (o: Omit<Opts, 'n'> & { lines: string }, cmd: Command) => {
      const opts: Opts = { ...o, n: o.lines };
      const n = Number(opts.n);
      if (!Number.isInteger(n) || n < 0 || n > 100_000) throw usageError(`-n ${opts.n}: give a whole number 0..100000`);
      const { loadConfigOrExit, openStoreFor } = await import('../context.js');
      const global = cmd.optsWithGlobals<GlobalOptions>();
      const cfg = await loadConfigOrExit(global);
      const file = opts.file ?? cfg.paths.telemetry_file;
      const { parseTelemetryLine } = await import('../../issues/telemetry-parse.js');
      if (opts.issue) {
        const { issueOrExit } = await import('../recovery-context.js');
        await issueOrExit(cfg, opts.issue);
      }
      const show = (r: { issueId: string; summary: string; timestamp?: string }): void => say(`${r.timestamp ?? ''}  ${r.issueId}  ${r.summary}`);

      if (opts.follow) {
        const { followFile } = await import('../../issues/telemetry-follow.js');
        // Runs until Ctrl-C, which ends it as it ends `tail -f`: exit 130 (main.ts's SIGINT handler).
        await followFile(file, (e) => {
          if (e.type !== 'line') {
            if (opts.json) printJsonLine({ event: e.type, ...e });
            say(`-- ${e.detail}`, true);
            return;
          }
          if (e.line.trim() === '') return;
          const p = parseTelemetryLine(e.line);
          if (!p.ok) {
            if (opts.json) printJsonLine({ event: 'malformed', offset: e.offset, error: p.error });
            return;
          }
          if (opts.issue && p.record.issueId !== opts.issue) return;
          if (opts.json) printJsonLine({ event: 'record', offset: e.offset, record: p.record.raw });
          else show(p.record);
        });
        return;
      }

      try {
        if (opts.issue) {
          const { issueRecords } = await import('../../issues/telemetry-index.js');
          const store = await openStoreFor(global, cfg);
          try {
            const r = await issueRecords(store, file, opts.issue, n);
            const code = r.malformed > 0 ? EXIT.DEGRADED : EXIT.OK;
            if (r.scan.reset && r.scan.reset !== 'new') say(`index reset: ${file} was ${r.scan.reset}; re-read from the start`, true);
            if (opts.json)
              printJson({ file, issue: opts.issue, total: r.total, malformed: r.malformed, limited: r.limited, latest: r.latest, scan: r.scan, records: r.records.map((x) => x.raw), exit_code: code });
            else {
              for (const rec of r.records) show(rec);
              say(`${r.records.length} of ${r.total} records for ${opts.issue}${r.limited ? ' (the index keeps the last 200)' : ''}${r.malformed ? `; ${r.malformed} malformed skipped` : ''}`);
            }
            process.exitCode = code;
          } finally {
            store.close();
          }
          return;
        }
        const { readLastLines } = await import('../../issues/telemetry-tail.js');
        const t = await readLastLines(file, n);
        const records = [];
        let malformed = t.overlongLines;
        for (const line of t.lines) {
          if (line.trim() === '') continue;
          const p = parseTelemetryLine(line);
          if (p.ok) records.push(p.record);
          else malformed++;
        }
        const code = malformed > 0 ? EXIT.DEGRADED : EXIT.OK;
        if (opts.json) printJson({ file, size: t.size, malformed, partial_last_line_bytes: t.partialBytes, records: records.map((x) => x.raw), exit_code: code });
        else {
          for (const rec of records) show(rec);
          if (malformed) say(`${malformed} malformed line(s) skipped`);
        }
        process.exitCode = code;
      } catch (e) {
        const { CliError } = await import('../output.js');
        if (e instanceof CliError) throw e;
        throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.FAILED, 'check paths.telemetry_file and that the share is mounted');
      }
    });
}
