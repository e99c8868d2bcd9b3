// slurmstepd's death notices as the job's end state (issue 19) and the diagnose defects of
// issue 13 points 5–7, on logs in each profile's format (beefcake: tracing with ANSI
// colours; runbook: plain tracing), with and without ANSI colour codes and CRLF. Pure:
// diagnose() over split records, plus readJobLogTail on real files for point 5.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileOf } from '../../../src/config/profile.js';
import { diagnose, type DiagnoseInput } from '../../../src/recovery/diagnose.js';
import { splitLogRecords } from '../../../src/recovery/log-records.js';
import { readJobLogTail } from '../../../src/recovery/job-log.js';
import { signatureCatalogueSchema } from '../../../src/config/signatures.js';

const JOB = '2317';
const ISSUE = 'beefcake-wb42';
const FILE = `/share/ai/logs/swarm-orch-${JOB}.log`;
const profiles = { beefcake: profileOf({ swarm: { profile: 'beefcake' } }), runbook: profileOf({ swarm: { profile: 'runbook' } }) };
type Prof = keyof typeof profiles;
const gone = { ok: true, jobs: [] };

const esc = (s: string): string => `\x1b[${s}m`;
/** One tracing line in the profile's format (beefcake's job logs have colours on). */
function rec(p: Prof, ts: string, level: string, target: string, msg: string): string {
  if (p === 'runbook') return `${ts}  ${level.padStart(5)} ${target}: ${msg}`;
  return `${esc('2')}${ts}${esc('0')} ${esc('32')}${level.padStart(5)}${esc('0')} ${esc('2')}${target}${esc('0')}${esc('2')}:${esc('0')} ${msg}`;
}
/** A run that started, worked a little and stops mid-session (then `tail` is appended). */
function sessionLog(p: Prof, tail: string[] = []): string[] {
  const start = p === 'beefcake' ? `Processing CLI issue id=${ISSUE} title=Fix it mode=None` : `Processing issue: ${ISSUE}`;
  return [
    `swarm-job: issue ${ISSUE} job ${JOB} on node7 at 2026-04-16T14:00:00+00:00: run-swarm`,
    rec(p, '2026-04-16T14:02:11.042545Z', 'INFO', 'swarm_agents', 'Swarm orchestrator starting'),
    rec(p, '2026-04-16T14:02:13.068266Z', 'INFO', 'swarm_agents', start),
    rec(p, '2026-04-16T14:03:05.972156Z', 'INFO', 'swarm_agents::driver', 'Starting iteration (state driver) iteration=1 tier=Worker'),
    ...tail,
  ];
}
type Variant = 'plain' | 'ansi' | 'crlf' | 'ansi+crlf';
function render(lines: string[], v: Variant, noticeIdx: number[]): string {
  const out = lines.map((l, i) => (noticeIdx.includes(i) && v.startsWith('ansi') ? `${esc('31')}${l}${esc('0')}` : l));
  return out.join(v.endsWith('crlf') ? '\r\n' : '\n') + (v.endsWith('crlf') ? '\r\n' : '\n');
}
function input(p: Prof, text: string, extra: Partial<DiagnoseInput> = {}): DiagnoseInput {
  return {
    issueId: ISSUE,
    catalogue: profiles[p].catalogue,
    log: { path: FILE, records: splitLogRecords(text) },
    jobId: JOB,
    resume: { status: 'missing' },
    session: { status: 'missing' },
    queue: gone,
    attempts: 0,
    maxAttempts: 3,
    ...extra,
  };
}

// The notices as each SLURM release prints them (src/slurmd/slurmstepd/req.c, task/cgroup;
// the 22.05 lines were printed by the test cluster).
const NOTICES: Array<{ name: string; line: string; kind: string; cause: string; node?: string; incident: boolean }> = [
  {
    name: 'time limit (22.05, slurmstepd-<node>)',
    line: `slurmstepd-vm: error: *** JOB ${JOB} ON vm CANCELLED AT 2026-12-04T14:48:14 DUE TO TIME LIMIT ***`,
    kind: 'job_died',
    cause: 'TIMEOUT',
    node: 'vm',
    incident: true,
  },
  { name: 'time limit (before 17.11, no ON)', line: `slurmstepd: error: *** JOB ${JOB} CANCELLED AT 2016-03-01T10:00:00 DUE TO TIME LIMIT ***`, kind: 'job_died', cause: 'TIMEOUT', incident: true },
  {
    name: 'node failure (17.11+)',
    line: `slurmstepd: error: *** JOB ${JOB} ON node7 CANCELLED AT 2026-04-16T15:10:00 DUE TO NODE FAILURE, SEE SLURMCTLD LOG FOR DETAILS ***`,
    kind: 'job_died',
    cause: 'NODE_FAIL',
    node: 'node7',
    incident: true,
  },
  { name: 'node failure (old)', line: `slurmstepd: error: *** JOB ${JOB} CANCELLED AT 2016-03-01T10:00:00 DUE TO NODE FAILURE ***`, kind: 'job_died', cause: 'NODE_FAIL', incident: true },
  {
    name: 'preemption',
    line: `slurmstepd-node7: error: *** JOB ${JOB} ON node7 CANCELLED AT 2026-04-16T15:10:00 DUE TO PREEMPTION ***`,
    kind: 'job_died',
    cause: 'PREEMPTED',
    node: 'node7',
    incident: true,
  },
  { name: 'scancel (22.05)', line: `slurmstepd-vm: error: *** JOB ${JOB} ON vm CANCELLED AT 2026-12-04T14:46:53 ***`, kind: 'job_died', cause: 'CANCELLED', node: 'vm', incident: false },
  { name: 'scancel (old)', line: `slurmstepd: error: *** JOB ${JOB} CANCELLED AT 2016-03-01T10:00:00 ***`, kind: 'job_died', cause: 'CANCELLED', incident: false },
  {
    name: 'oom-kill (21.08+)',
    line: `slurmstepd: error: Detected 1 oom-kill event(s) in StepId=${JOB}.batch. Some of your processes may have been killed by the cgroup out-of-memory handler.`,
    kind: 'out_of_memory',
    cause: 'OUT_OF_MEMORY',
    incident: true,
  },
  {
    name: 'oom-kill (20.11)',
    line: `slurmstepd-node7: error: Detected 3 oom-kill event(s) in StepId=${JOB}.batch cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.`,
    kind: 'out_of_memory',
    cause: 'OUT_OF_MEMORY',
    incident: true,
  },
  {
    name: 'oom-kill (17.x–20.02)',
    line: `slurmstepd: error: Detected 593060 oom-kill event(s) in step ${JOB}.batch cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.`,
    kind: 'out_of_memory',
    cause: 'OUT_OF_MEMORY',
    incident: true,
  },
  {
    name: 'memory limit (jobacct_gather)',
    line: `slurmstepd: error: Job ${JOB} exceeded memory limit (8388608 > 4194304), being killed`,
    kind: 'out_of_memory',
    cause: 'OUT_OF_MEMORY',
    incident: true,
  },
];

describe('slurmstepd death notices are the job end state without accounting (issue 19)', () => {
  for (const p of ['beefcake', 'runbook'] as const) {
    for (const v of ['plain', 'ansi', 'crlf', 'ansi+crlf'] as const) {
      it.each(NOTICES)(`${p} / ${v}: $name`, (n) => {
        const lines = sessionLog(p, [n.line]);
        const r = diagnose(input(p, render(lines, v, [lines.length - 1])));
        const d = r.diagnoses.find((x) => x.kind === n.kind);
        expect(d, JSON.stringify(r)).toBeDefined();
        expect(d).toMatchObject({ cause: n.cause, incident: n.incident });
        if (n.node) expect(d?.node ?? d?.details['node']).toBe(n.node);
        // evidence `file:line text`, the text clean of colour codes and CR
        expect(d?.evidence).toContainEqual({ file: FILE, line: lines.length, text: n.line });
        expect(r.diagnoses.filter((x) => x.kind === 'job_died' && x.cause === 'unknown')).toEqual([]);
        expect(r.status).toBe(n.incident ? 'diagnosed' : 'ok');
      });
    }
  }

  it('TIMEOUT: retryable, evidence includes the wrapper’s USR2 warning; NODE_FAIL names the node; OOM proposes --mem and is not retryable', () => {
    const t = diagnose(input('beefcake', sessionLog('beefcake', ['swarm-job: got SIGUSR2 at 2026-04-16T15:08:00+00:00, forwarding to pid 4242', NOTICES[0]!.line]).join('\n')));
    const td = t.diagnoses[0]!;
    expect(td).toMatchObject({ kind: 'job_died', cause: 'TIMEOUT', retryable: true });
    expect(td.evidence.map((e) => e.line)).toEqual([5, 6]);
    expect(td.details['remedy']).toMatch(/same or a longer time limit/);
    const nf = diagnose(input('beefcake', sessionLog('beefcake', [NOTICES[2]!.line]).join('\n'))).diagnoses[0]!;
    expect(nf.summary).toMatch(/node7/);
    expect(nf.details['remedy']).toMatch(/--exclude=node7/);
    const oom = diagnose(input('beefcake', sessionLog('beefcake', [NOTICES[7]!.line]).join('\n'))).diagnoses;
    expect(oom.map((d) => d.kind)).toEqual(['out_of_memory']);
    expect(oom[0]).toMatchObject({ retryable: false, cause: 'OUT_OF_MEMORY' });
    expect(oom[0]?.details['remedy']).toMatch(/--mem.*never applied blindly/);
  });

  it('sacct’s state wins when accounting has one; the notice is corroborating evidence', () => {
    const lines = sessionLog('beefcake', [NOTICES[0]!.line]);
    const r = diagnose(input('beefcake', lines.join('\n'), { endState: { jobId: JOB, state: 'TIMEOUT' } }));
    expect(r.diagnoses[0]).toMatchObject({ kind: 'job_died', cause: 'TIMEOUT', details: { end_state_from: 'sacct' } });
    expect(r.diagnoses[0]?.evidence).toContainEqual({ file: FILE, line: lines.length, text: NOTICES[0]!.line });
  });

  it('a log that stops without the session completing and without a notice, job gone: job_died cause unknown, never "nothing wrong"', () => {
    for (const p of ['beefcake', 'runbook'] as const) {
      const lines = sessionLog(p);
      const r = diagnose(input(p, lines.join('\n')));
      expect(r.status).toBe('diagnosed');
      expect(r.diagnoses).toHaveLength(1);
      expect(r.diagnoses[0]).toMatchObject({ kind: 'job_died', cause: 'unknown', retryable: true, incident: true });
      expect(r.diagnoses[0]?.evidence).toContainEqual(expect.objectContaining({ file: FILE, line: lines.length }));
      // the same log while the job still runs: nothing wrong
      expect(diagnose(input(p, lines.join('\n'), { queue: { ok: true, jobs: [{ jobId: JOB, state: 'RUNNING', active: true }] } })).status).toBe('ok');
      // queue unreadable: cannot tell
      expect(diagnose(input(p, lines.join('\n'), { queue: { ok: false, error: 'slurm_load_jobs error', jobs: [] } })).status).toBe('unknown');
    }
  });

  describe('negatives', () => {
    it('a job that completed (wrapper exit line / session resolved) is not job_died', () => {
      for (const end of [
        'swarm-job: command exited with 0 at 2026-04-16T15:00:00+00:00',
        rec('beefcake', '2026-04-16T14:59:00.000000Z', 'INFO', 'swarm_agents::driver', `Issue resolved (state driver) id=${ISSUE}`),
      ]) {
        const r = diagnose(input('beefcake', sessionLog('beefcake', [end]).join('\n')));
        expect(r.diagnoses).toEqual([]);
        expect(r.status).toBe('ok');
      }
      const rb = diagnose(input('runbook', sessionLog('runbook', ['swarm-job: command exited with 0 at 2026-04-16T15:00:00+00:00']).join('\n')));
      expect(rb.diagnoses).toEqual([]);
    });

    it('a notice quoted inside a tool’s output does not match (in-line, another job at column 0, this job with the run going on)', () => {
      const toolHead = rec('beefcake', '2026-04-16T14:04:00.000000Z', 'INFO', 'rig::agent::prompt_request', 'executed tool run_command with args {"cmd":"tail old.log"}. result: exit 0');
      const cases: string[][] = [
        // in a span field / JSON string on one line
        [rec('beefcake', '2026-04-16T14:04:00.000000Z', 'INFO', 'rig::agent::prompt_request', `executed tool read_file with args {}. result: "${NOTICES[0]!.line}"`)],
        [rec('beefcake', '2026-04-16T14:04:00.000000Z', 'WARN', 'swarm_agents::driver', `Worker note: saw "${NOTICES[7]!.line.replace(JOB, '99')}" in the logs`)],
        // the multi-line output of a tool quoting another job's log at column 0
        [toolHead, NOTICES[0]!.line.replace(`JOB ${JOB}`, 'JOB 1999'), NOTICES[7]!.line.replace(`${JOB}.batch`, '1999.batch')],
        // this job's id, but the run logged again afterwards: a quote
        [toolHead, NOTICES[2]!.line, rec('beefcake', '2026-04-16T14:05:00.000000Z', 'INFO', 'swarm_agents::driver', 'Starting iteration (state driver) iteration=2')],
      ];
      for (const tail of cases) {
        for (const v of ['plain', 'ansi+crlf'] as const) {
          const lines = sessionLog('beefcake', [...tail, 'swarm-job: command exited with 1 at 2026-04-16T15:00:00+00:00']);
          const r = diagnose(input('beefcake', render(lines, v, [])));
          expect(r.diagnoses, JSON.stringify(tail)).toEqual([]);
        }
      }
      // ...while the real notice right after a tool's output (the run never logged again) counts
      const real = diagnose(input('beefcake', sessionLog('beefcake', [toolHead, 'line of output', NOTICES[0]!.line]).join('\n')));
      expect(real.diagnoses[0]).toMatchObject({ kind: 'job_died', cause: 'TIMEOUT' });
    });
  });

  it('the catalogues validate; job_end patterns must be anchored (data a site can override)', () => {
    for (const p of Object.values(profiles)) expect(signatureCatalogueSchema.safeParse(p.catalogue).success).toBe(true);
    const bad = { ...profiles.beefcake.catalogue, job_end: [{ id: 'x', pattern: 'DUE TO TIME LIMIT', cause: 'TIMEOUT' }] };
    expect(signatureCatalogueSchema.safeParse(bad).success).toBe(false);
  });
});

describe('issue 13 points 5–7', () => {
  const running = { queue: { ok: true, jobs: [{ jobId: JOB, state: 'RUNNING', active: true }] } };

  it('5: missing, empty and binary logs and a failure beyond the window read are "cannot tell", saying what was not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmctl-diag5-'));
    const base = (log: DiagnoseInput['log'], logError?: string): DiagnoseInput => ({
      issueId: ISSUE,
      catalogue: profiles.beefcake.catalogue,
      log,
      ...(logError ? { logError } : {}),
      jobId: '4242',
      resume: { status: 'missing' },
      session: { status: 'missing' },
      queue: gone,
      attempts: 0,
      maxAttempts: 3,
    });
    const missing = diagnose(base(null, `${dir}/swarm-orch-4242.log does not exist`));
    expect(missing.status).toBe('unknown');
    expect(missing.not_read[0]).toMatch(/does not exist/);

    writeFileSync(join(dir, 'empty.log'), '');
    const e = await readJobLogTail(join(dir, 'empty.log'));
    const empty = diagnose(base({ path: e.path, records: e.records, size: e.size }));
    expect(empty.status).toBe('unknown');
    expect(empty.not_read[0]).toMatch(/is empty/);

    const bin = Buffer.alloc(64 * 1024);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919) % 256;
    writeFileSync(join(dir, 'bin.log'), bin);
    const b = await readJobLogTail(join(dir, 'bin.log'));
    expect(b.binary).toBe(true);
    const binary = diagnose(base({ path: b.path, records: b.records, size: b.size, binary: b.binary, windowBytes: b.windowBytes }));
    expect(binary.status).toBe('unknown');
    expect(binary.not_read[0]).toMatch(/not text/);

    // the failure is at the top; the window (4 KiB) holds only filler of the same session
    const filler = Array.from({ length: 200 }, (_, i) => rec('beefcake', '2026-04-16T14:10:00.000000Z', 'INFO', 'swarm_agents::runtime_adapter', `LLM turn started agent=Qwen turn=${i}`));
    const big = sessionLog('beefcake', [
      rec(
        'beefcake',
        '2026-04-16T14:04:00.000000Z',
        'ERROR',
        'swarm_agents::driver',
        'Agent failed (state driver): Invalid status code 500 Internal Server Error with message: {"error":{"code":500,"message":"Failed to parse input at pos 18234"}}',
      ),
      ...filler,
    ]);
    writeFileSync(join(dir, 'big.log'), big.join('\n') + '\n');
    const t = await readJobLogTail(join(dir, 'big.log'), 4096);
    expect(t.truncated).toBe(true);
    const window = diagnose({ ...base({ path: t.path, records: t.records, size: t.size, truncated: t.truncated, startLine: t.startLine, windowBytes: t.windowBytes }), ...running });
    expect(window.status).toBe('unknown');
    expect(window.not_read[0]).toMatch(new RegExp(`only the last 4\\d{3} bytes of .*big\\.log.*from line ${t.startLine}.*lines 1–${t.startLine - 1}`));
    // the whole file read: the failure is found
    const whole = await readJobLogTail(join(dir, 'big.log'));
    expect(diagnose({ ...base({ path: whole.path, records: whole.records }), ...running }).diagnoses.map((d) => d.kind)).toEqual(['output_parse_failure']);
  });

  it('6: a transient parse retry the run survived is not output_parse_failure (per record, not per substring)', () => {
    const retry = rec(
      'beefcake',
      '2026-04-16T14:04:00.000000Z',
      'WARN',
      'swarm_agents::orchestrator',
      'Transient error — retrying (with hook) attempt=1 max_retries=2 error=CompletionError: ProviderError: Invalid status code 500 Internal Server Error with message: {"error":{"code":500,"message":"Failed to parse input at pos 18234: <tool_call>","type":"server_error"}} category=parse_failure',
    );
    const edit = rec('beefcake', '2026-04-16T14:05:00.000000Z', 'INFO', 'swarm_agents::runtime_adapter', 'Tool call completed tool=edit_file outcome=Success duration_ms=12');
    for (const tail of [
      [retry, edit],
      [retry.replace(' category=parse_failure', ''), edit],
      [retry.replace('category=parse_failure', 'category=parse_failure\nCaused by:\n    Failed to parse input at pos 18234'), edit],
    ]) {
      const r = diagnose(input('beefcake', sessionLog('beefcake', tail).join('\n'), running));
      expect(r.diagnoses).toEqual([]);
      expect(r.status).toBe('ok');
      expect(r.matches.find((m) => m.kind === 'output_parse_failure')).toMatchObject({ fired: false });
    }
    // the real failure after the retries still fires
    const failed = rec(
      'beefcake',
      '2026-04-16T14:06:00.000000Z',
      'ERROR',
      'swarm_agents::driver',
      'Agent failed (state driver): CompletionError: ProviderError: Invalid status code 500 Internal Server Error with message: {"error":{"code":500,"message":"Failed to parse input at pos 18234"}}',
    );
    expect(diagnose(input('beefcake', sessionLog('beefcake', [retry, failed]).join('\n'), running)).diagnoses.map((d) => d.kind)).toEqual(['output_parse_failure']);
  });

  it('7: the sbatch script’s echo lines before the session start are matched', () => {
    for (const echo of ['Cloud model claude-opus-4 unavailable (http=429); falling back to qwen-coder', 'Cloud model gpt-5 is owned_by=someone-else; falling back to qwen-coder']) {
      const lines = [echo, ...sessionLog('beefcake')];
      const r = diagnose(input('beefcake', lines.join('\n'), running));
      const d = r.diagnoses.find((x) => x.kind === 'cloud_escalation_failed');
      expect(d?.evidence[0]).toEqual({ file: FILE, line: 1, text: echo });
    }
    // plain lines of an earlier session of the same job log stay out
    const two = [
      ...sessionLog('beefcake'),
      'Cloud model x unavailable (http=429); falling back to y',
      rec('beefcake', '2026-04-16T15:00:00.000000Z', 'INFO', 'swarm_agents', `Processing CLI issue id=${ISSUE} title=again`),
    ];
    expect(diagnose(input('beefcake', two.join('\n'), running)).diagnoses).toEqual([]);
  });
});
