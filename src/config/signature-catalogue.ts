// The three default signature catalogues, as data: `runbook` (the strings seed 001 §3
// wrote down, plus llama-server's own messages), `beefcake` (what the Rust orchestrator
// prints, plus every runbook string) and `python-worker` (signatures-pyworker.ts), each
// with SLURM's own death notices. Their shape and the merge with a site's override are in
// signatures.ts.
import type { EvidenceSignature, JobEndSignature, SignatureCatalogue, SignaturePattern } from './signatures.js';
import { PYTHON_WORKER_CATALOGUE } from './signatures-pyworker.js';
import { LLAMA_EXCEEDS_CONTEXT, LLAMA_PARSE_INPUT_POS } from './signatures-llama.js';
// ---------------------------------------------------------------------------
// Default entries
// ---------------------------------------------------------------------------

// Optional trailing field captures: `(?:.*?\bname=(?<cap>...))?` finds a field if present.
const field = (name: string, cap: string, value = '\\d+'): string => `(?:.*?\\b${name}=(?<${cap}>${value}))?`;

// -- stuck loop --------------------------------------------------------------

const RUNBOOK_NO_CHANGE: EvidenceSignature = {
  id: 'runbook_no_change',
  pattern: `No file changes after agent response${field('consecutive_no_change', 'consecutive')}`,
  min_count: 2,
  capture_min: { capture: 'consecutive', min: 2 },
  group: 'no_change',
  source: 'runbook',
  captures: ['consecutive'],
  description: 'runbook §3.2 symptom (also the legacy orchestrator path); repeated, or consecutive_no_change >= 2',
};

const STUCK_BEEFCAKE: EvidenceSignature[] = [
  {
    id: 'no_change',
    pattern: `No file changes \\(state driver\\)${field('iteration', 'iteration')}${field('consecutive_no_change', 'consecutive')}${field('agent_terminated_without_writing', 'terminated_without_writing', 'true|false')}`,
    min_count: 2,
    capture_min: { capture: 'consecutive', min: 2 },
    group: 'no_change',
    source: 'beefcake',
    captures: ['iteration', 'consecutive', 'terminated_without_writing'],
    description: 'since 2026-03: one WARN per no-change iteration; fires when repeated or consecutive_no_change >= 2',
  },
  {
    id: 'no_meaningful_change',
    pattern: `No meaningful changes after agent response${field('consecutive_no_change', 'consecutive')}`,
    min_count: 2,
    capture_min: { capture: 'consecutive', min: 2 },
    group: 'no_change',
    source: 'beefcake',
    captures: ['consecutive'],
    description: 'sandbox jobs 2026-03-06 .. 2026-04-08',
  },
  {
    id: 'circuit_breaker',
    pattern: `No-change circuit breaker(?: \\(state driver\\))?${field('iteration', 'iteration')}`,
    group: 'circuit_breaker',
    source: 'beefcake',
    captures: ['iteration'],
    description: 'ERROR at consecutive_no_change = max (3): fires alone',
  },
  {
    id: 'write_deadline_exceeded',
    pattern: `Anti-stall: write deadline exceeded${field('agent', 'agent', '\\S+')}${field('turn', 'turn')}${field('max_turns', 'max_turns')}`,
    role: 'support',
    group: 'write_deadline',
    source: 'beefcake',
    captures: ['agent', 'turn', 'max_turns'],
  },
  {
    id: 'write_deadline_cancelled',
    pattern: 'PromptCancelled:.*?write deadline exceeded(?:: (?<turns>\\d+) turns)?(?:.*?\\(limit: (?<limit>\\d+)\\))?',
    requires: ['write_deadline_exceeded'],
    group: 'write_deadline',
    source: 'beefcake',
    captures: ['turns', 'limit'],
    description: 'with the Anti-stall line: the worker used all its turns without edit_file/write_file',
  },
  {
    id: 'write_deadline_terminated',
    pattern: 'Agent terminated early \\(state driver\\).*?reason=write deadline exceeded',
    role: 'support',
    group: 'write_deadline',
    source: 'beefcake',
  },
  {
    id: 'write_deadline_escalation',
    pattern: 'Write-deadline escalation \\(state driver\\)',
    role: 'support',
    group: 'write_deadline',
    source: 'beefcake',
  },
];

/** A later iteration that produced changes (the verifier only runs on changes). */
const STUCK_RULE_OUT_BEEFCAKE: SignaturePattern[] = [
  { id: 'verifier_report', pattern: 'Verifier report \\(state driver\\)', source: 'beefcake', description: 'agent produced changes (no-change counter reset)' },
  { id: 'verifier_passed', pattern: 'Verifier passed', source: 'beefcake' },
];

// -- output parse failure ------------------------------------------------------

const PARSE_GENERIC: EvidenceSignature[] = [
  LLAMA_PARSE_INPUT_POS,
  {
    id: 'peg_native_format',
    pattern: 'does not match the expected peg-native format',
    source: 'llama-server',
    description: 'newer llama.cpp wording of the same parser failure',
  },
];

const PARSE_RUNBOOK: EvidenceSignature = {
  id: 'runbook_http500_parse',
  pattern: 'HTTP 500\\b.*?Failed to parse input at pos (?<pos>\\d+)',
  source: 'runbook',
  captures: ['pos'],
  description: 'runbook §3.3 symptom (it calls this a context overflow; it is the output parser)',
};

/** A retry quotes the error it retries; the retry itself is not the failure (the final one says `Agent failed`). */
const TRANSIENT_RETRY: EvidenceSignature = {
  id: 'transient_retry',
  pattern: 'Transient error — retrying\\b',
  role: 'support',
  claims_record: true,
  source: 'beefcake',
  description: 'any transient retry record: the error body it carries is support, not a trigger',
};

const PARSE_BEEFCAKE: EvidenceSignature[] = [
  {
    id: 'invalid_status_500',
    pattern: 'Invalid status code 500 Internal Server Error with message:',
    role: 'support',
    source: 'beefcake',
  },
  {
    id: 'transient_parse_retry',
    pattern: `Transient error — retrying \\(with hook\\)${field('attempt', 'attempt')}.*?\\bcategory=parse_failure`,
    role: 'support',
    claims_record: true,
    source: 'beefcake',
    captures: ['attempt'],
  },
  TRANSIENT_RETRY,
];

const ITERATION_SUCCESS_RULE_OUT: SignaturePattern[] = [
  { id: 'verifier_passed', pattern: 'Verifier passed', source: 'beefcake' },
  { id: 'all_green', pattern: 'Verifier report \\(state driver\\).*?\\ball_green=true', source: 'beefcake' },
];

// -- context overflow ----------------------------------------------------------

const CONTEXT_GENERIC: EvidenceSignature[] = [
  LLAMA_EXCEEDS_CONTEXT,
  {
    id: 'exceed_context_size_error',
    pattern: `exceed_context_size_error(?:.*?"n_prompt_tokens"\\s*:\\s*(?<requested>\\d+))?(?:.*?"n_ctx"\\s*:\\s*(?<available>\\d+))?`,
    source: 'llama-server',
    captures: ['requested', 'available'],
  },
  {
    id: 'exceeds_context_size_old',
    pattern: 'the request exceeds the available context size',
    source: 'llama-server',
  },
];

// -- cloud escalation ----------------------------------------------------------

const CLOUD_RUNBOOK: EvidenceSignature[] = [
  { id: 'runbook_cloud_preflight', pattern: 'Cloud preflight failed', source: 'runbook', description: 'runbook §3.4 symptom' },
  {
    id: 'http_auth_quota',
    pattern: 'Invalid status code (?<http>401|403|429)\\b',
    source: 'beefcake',
    captures: ['http'],
    description: 'the proxy rejected the key (401/403) or the quota (429)',
  },
];

const CLOUD_BEEFCAKE: EvidenceSignature[] = [
  {
    id: 'cloud_model_unavailable',
    pattern: 'Cloud model (?<model>\\S+) unavailable \\(http=(?<http>\\d+)\\); falling back to (?<fallback>\\S+)',
    source: 'beefcake',
    captures: ['model', 'http', 'fallback'],
    description: 'sbatch script echo (no timestamp); the job carries on with the fallback',
  },
  {
    id: 'cloud_model_owned_by',
    pattern: 'Cloud model (?<model>\\S+) is owned_by=(?<owner>\\S+); falling back to (?<fallback>\\S+)',
    source: 'beefcake',
    captures: ['model', 'owner', 'fallback'],
  },
  {
    id: 'cloud_validation_error',
    pattern: 'Cloud validation error:(?:.*?\\bmodel="(?<model>[^"]*)")?',
    source: 'beefcake',
    captures: ['model'],
  },
  {
    id: 'harness_judgment_rejected',
    pattern: `Harness judgment rejected resolution after external review${field('iteration', 'iteration')}${field('required', 'required')}${field('observed', 'observed')}`,
    source: 'beefcake',
    captures: ['iteration', 'required', 'observed'],
  },
  {
    id: 'fallback_failed',
    pattern: `Fallback failed \\(state driver\\)${field('model', 'model', '\\S+')}`,
    source: 'beefcake',
    captures: ['model'],
  },
  {
    id: 'cloud_only_unreachable',
    pattern: `Cloud endpoint not reachable — aborting \\(cloud-only mode\\)${field('url', 'url', '\\S+')}`,
    source: 'beefcake',
    captures: ['url'],
  },
];

// -- budget ----------------------------------------------------------------------

const BUDGET_RUNBOOK: EvidenceSignature[] = [{ id: 'max_iterations', pattern: 'Max iterations reached', source: 'beefcake', description: 'also printed by other orchestrators' }];

const BUDGET_BEEFCAKE: EvidenceSignature[] = [
  {
    id: 'budget_exhausted_state',
    pattern: `Budget exhausted \\(state driver\\)${field('state', 'state', '\\S+')}(?:.*?\\breason=(?<reason>.+))?`,
    source: 'beefcake',
    captures: ['state', 'reason'],
  },
  {
    id: 'global_budget_exhausted',
    pattern: 'Global budget exhausted: (?<used>\\d+)/(?<limit>\\d+) iterations',
    source: 'beefcake',
    captures: ['used', 'limit'],
  },
];

// -- shared ----------------------------------------------------------------------

const RESOLVED_RUNBOOK: SignaturePattern[] = [
  { id: 'issue_resolved', pattern: '\\bIssue resolved\\b', description: '"Issue NOT resolved" does not match' },
  { id: 'session_completed_resolved', pattern: '"type"\\s*:\\s*"session_completed".*?"resolved"\\s*:\\s*true' },
  { id: 'outcome_resolved', pattern: '"outcome"\\s*:\\s*"(?:resolved|merged|success)"', source: 'runbook' },
];

const RESOLVED_BEEFCAKE: SignaturePattern[] = [...RESOLVED_RUNBOOK, { id: 'issue_closed', pattern: 'Issue closed \\(state driver\\)', source: 'beefcake' }];

const PAYLOAD: SignaturePattern[] = [
  { id: 'wrapper_diagnose_json', pattern: '^swarm-job: diagnose: ', description: "the failure hook's own diagnosis, quoted in the job log (slurm/swarm-job.sbatch)" },
  {
    id: 'executed_tool',
    pattern: '\\bexecuted tool [\\w.-]+',
    description: 'rig: "executed tool T with args {json}. result: …" — args and result are payload',
  },
  { id: 'response_preview', pattern: '\\bresponse_preview=', description: "the model's answer" },
  { id: 'tool_call_fields', pattern: '\\bgen_ai\\.tool\\.call\\.(?:arguments|result)=', description: 'span fields when not parsed as spans' },
  { id: 'tool_result_field', pattern: '\\btool_(?:result|output)[=:]', source: 'runbook' },
];

const WRITE_SIGNALS_BEEFCAKE: SignaturePattern[] = [
  {
    id: 'tool_call_completed_write',
    pattern: 'Tool call completed\\b.*?\\btool=(?<tool>write_file|edit_file)\\b.*?\\boutcome=Success\\b',
    source: 'beefcake',
    captures: ['tool'],
  },
  { id: 'executed_tool_write', pattern: '\\bexecuted tool (?<tool>write_file|edit_file)\\b', source: 'beefcake', captures: ['tool'] },
];

const WRITE_SIGNALS_RUNBOOK: SignaturePattern[] = [
  {
    id: 'runbook_tool_call_write',
    pattern: '\\btool_call\\b.*?\\b(?<tool>write_file|edit_file)\\b',
    source: 'runbook',
    captures: ['tool'],
    description: 'runbook §3.2 greps tool_call|write_file|edit_file; we require a tool_call line naming a write tool',
  },
];

const TOOL_SIGNALS_BEEFCAKE: SignaturePattern[] = [
  { id: 'tool_call_completed', pattern: 'Tool call completed\\b.*?\\btool=(?<tool>\\S+)', source: 'beefcake', captures: ['tool'] },
  { id: 'executed_tool', pattern: '\\bexecuted tool (?<tool>[\\w.-]+)', source: 'beefcake', captures: ['tool'] },
];

const TOOL_SIGNALS_RUNBOOK: SignaturePattern[] = [{ id: 'runbook_tool_call', pattern: '\\btool_call\\b', source: 'runbook' }];

const ADAPTER_REPORTS: SignaturePattern[] = [
  {
    id: 'runtime_adapter_report',
    pattern: `Runtime adapter report \\(state driver\\)${field('tool_calls', 'tool_calls')}${field('has_written', 'written', 'true|false')}`,
    source: 'beefcake',
    captures: ['tool_calls', 'written'],
  },
];

const SESSION_START_BEEFCAKE: SignaturePattern[] = [{ id: 'processing_cli_issue', pattern: 'Processing CLI issue\\b.*?\\bid=(?<issue>\\S+)', source: 'beefcake', captures: ['issue'] }];
const SESSION_START_RUNBOOK: SignaturePattern[] = [{ id: 'processing_issue', pattern: 'Processing issue[: ]+(?<issue>[\\w.-]+)', source: 'runbook', captures: ['issue'] }];

// -- the job's end (SLURM) ---------------------------------------------------------

// slurmstepd writes these into the job's output file at column 0. The prefix is
// `slurmstepd: error: ` (older releases) or `slurmstepd-<node>: error: ` (newer); the entity
// `JOB <id>` (batch step) or `STEP <id>.<step>`; ` ON <node>` since 17.11 (absent before);
// the time in SLURM's time format. Checked in slurm-wlm 22.05 (test cluster, scancel) and
// in src/slurmd/slurmstepd/req.c + task/cgroup of several releases.
const STEPD = 'slurmstepd(?:-[^\\s:]+)?: error: ';
const ENTITY = '(?:JOB|STEP) (?<job>\\d+)(?:\\.[\\w+]+)?(?: ON (?<node>\\S+))?';
const kill = (reason: string): string => `^${STEPD}\\*\\*\\* ${ENTITY} CANCELLED AT (?<time>.+?) DUE TO ${reason} \\*\\*\\*\\s*$`;

const JOB_END_SLURM: JobEndSignature[] = [
  { id: 'slurm_time_limit', pattern: kill('TIME LIMIT'), cause: 'TIMEOUT', captures: ['job', 'node', 'time'], versions: 'all; " ON <node>" since 17.11' },
  { id: 'slurm_preemption', pattern: kill('PREEMPTION'), cause: 'PREEMPTED', captures: ['job', 'node', 'time'], versions: '17.11+' },
  {
    id: 'slurm_node_failure',
    pattern: kill('NODE FAILURE(?:, SEE SLURMCTLD LOG FOR DETAILS)?'),
    cause: 'NODE_FAIL',
    captures: ['job', 'node', 'time'],
    versions: '", SEE SLURMCTLD LOG FOR DETAILS" since 17.11; plain "DUE TO NODE FAILURE" before',
  },
  { id: 'slurm_requeue', pattern: kill('JOB REQUEUE'), cause: 'REQUEUED', captures: ['job', 'node', 'time'], versions: '18.08+' },
  {
    id: 'slurm_failed',
    pattern: `^${STEPD}\\*\\*\\* ${ENTITY} FAILED \\(non-zero exit code or other failure mode\\) \\*\\*\\*\\s*$`,
    cause: 'FAILED',
    captures: ['job', 'node'],
  },
  {
    id: 'slurm_cancelled',
    pattern: `^${STEPD}\\*\\*\\* ${ENTITY} CANCELLED AT (?<time>(?:(?! DUE TO ).)+?) \\*\\*\\*\\s*$`,
    cause: 'CANCELLED',
    captures: ['job', 'node', 'time'],
    description: 'scancel (or another SIGTERM/SIGKILL from SLURM without a reason)',
  },
  {
    id: 'slurm_oom_kill',
    pattern: `^${STEPD}Detected (?<count>\\d+) oom-kill event\\(s\\) in (?:StepId=|step )(?<job>\\d+)\\.[\\w+]+(?: cgroup)?\\. Some of your processes may have been killed by the cgroup out-of-memory handler\\.\\s*$`,
    cause: 'OUT_OF_MEMORY',
    captures: ['count', 'job'],
    versions: '"in step J.batch cgroup." 17.x–20.02; "in StepId=J.batch cgroup." 20.11; "in StepId=J.batch." 21.08+',
  },
  {
    id: 'slurm_memory_exceeded',
    pattern: `^${STEPD}(?:Job|Step) (?<job>\\d+)(?:\\.[\\w+]+)? exceeded memory limit \\((?<used>\\d+) > (?<limit>\\d+)\\), being killed\\s*$`,
    cause: 'OUT_OF_MEMORY',
    captures: ['job', 'used', 'limit'],
    versions: 'jobacct_gather enforcement (no cgroup), all releases',
  },
  {
    id: 'slurm_memory_exceeded_old',
    pattern: `^${STEPD}Exceeded (?:job|step) memory limit(?: at some point)?\\.?\\s*$`,
    cause: 'OUT_OF_MEMORY',
    versions: 'task/cgroup before 17.11 (no job id in the line)',
  },
];

/** swarmctl's wrapper (slurm/swarm-job.sbatch), whichever orchestrator it runs. */
const SESSION_END_WRAPPER: SignaturePattern[] = [
  { id: 'wrapper_command_exited', pattern: '^swarm-job: command exited with (?<rc>\\d+)', captures: ['rc'], description: 'the wrapped command ended by itself' },
];
const TIMEOUT_WARNING_WRAPPER: SignaturePattern[] = [{ id: 'wrapper_got_usr2', pattern: '^swarm-job: got SIGUSR2\\b', description: 'SLURM warned of the time limit (--signal=B:USR2@120)' }];
const SESSION_END_BEEFCAKE: SignaturePattern[] = [
  { id: 'error_not_resolved', pattern: '^Error: Issue \\S+ NOT resolved', source: 'beefcake', description: "the binary's last line when the issue stays open" },
  { id: 'issue_not_resolved', pattern: '\\bIssue \\S+ NOT resolved\\b', source: 'beefcake' },
];
const SESSION_END_RUNBOOK: SignaturePattern[] = [{ id: 'session_completed', pattern: '"type"\\s*:\\s*"session_completed"', source: 'runbook' }];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The strings seed 001 §3 wrote down, plus llama-server's own messages. */
export const RUNBOOK_CATALOGUE: SignatureCatalogue = clone({
  name: 'runbook',
  version: 1,
  kinds: [
    {
      kind: 'stuck_loop',
      description: 'the agent answers without changing files, again and again',
      evidence: [RUNBOOK_NO_CHANGE],
      rule_out: [],
    },
    {
      kind: 'output_parse_failure',
      description: "llama-server could not parse the model's output (HTTP 500)",
      evidence: [PARSE_RUNBOOK, ...PARSE_GENERIC],
      rule_out: [],
    },
    {
      kind: 'context_overflow',
      description: 'the request is larger than the server context (HTTP 400)',
      evidence: CONTEXT_GENERIC,
      rule_out: [],
    },
    {
      kind: 'cloud_escalation_failed',
      description: 'the cloud manager could not be used',
      evidence: CLOUD_RUNBOOK,
      rule_out: [],
    },
    {
      kind: 'budget_exhausted',
      description: "the orchestrator's own iteration budget ran out",
      evidence: BUDGET_RUNBOOK,
      rule_out: [],
    },
  ],
  resolved: RESOLVED_RUNBOOK,
  payload: PAYLOAD,
  signals: {
    write_tool_calls: WRITE_SIGNALS_RUNBOOK,
    tool_calls: TOOL_SIGNALS_RUNBOOK,
    adapter_reports: [],
    session_start: SESSION_START_RUNBOOK,
    session_end: [...SESSION_END_WRAPPER, ...SESSION_END_RUNBOOK],
    timeout_warning: TIMEOUT_WARNING_WRAPPER,
  },
  job_end: JOB_END_SLURM,
} satisfies SignatureCatalogue);

/** What the real orchestrator (beefcake-swarm, crate swarm-agents) prints, plus the runbook strings. */
export const BEEFCAKE_CATALOGUE: SignatureCatalogue = clone({
  name: 'beefcake',
  version: 1,
  kinds: [
    {
      kind: 'stuck_loop',
      description: 'no-change iterations repeated, the circuit breaker, or the write-deadline stall',
      evidence: [...STUCK_BEEFCAKE, RUNBOOK_NO_CHANGE],
      rule_out: STUCK_RULE_OUT_BEEFCAKE,
    },
    {
      kind: 'output_parse_failure',
      description: "llama.cpp's tool-call output parser failed (HTTP 500); not a context overflow",
      evidence: [...PARSE_GENERIC, PARSE_RUNBOOK, ...PARSE_BEEFCAKE],
      rule_out: ITERATION_SUCCESS_RULE_OUT,
    },
    {
      kind: 'context_overflow',
      description: 'the request is larger than the server context (HTTP 400 exceed_context_size_error)',
      evidence: [...CONTEXT_GENERIC, TRANSIENT_RETRY],
      rule_out: ITERATION_SUCCESS_RULE_OUT,
    },
    {
      kind: 'cloud_escalation_failed',
      description: 'the cloud manager could not be used (key, quota, model, reachability, external review)',
      evidence: [...CLOUD_BEEFCAKE, ...CLOUD_RUNBOOK],
      rule_out: [],
    },
    {
      kind: 'budget_exhausted',
      description: "the orchestrator's own budget ran out",
      evidence: [...BUDGET_BEEFCAKE, ...BUDGET_RUNBOOK],
      rule_out: [],
    },
  ],
  resolved: RESOLVED_BEEFCAKE,
  payload: PAYLOAD,
  signals: {
    write_tool_calls: [...WRITE_SIGNALS_BEEFCAKE, ...WRITE_SIGNALS_RUNBOOK],
    tool_calls: [...TOOL_SIGNALS_BEEFCAKE, ...TOOL_SIGNALS_RUNBOOK],
    adapter_reports: ADAPTER_REPORTS,
    session_start: [...SESSION_START_BEEFCAKE, ...SESSION_START_RUNBOOK],
    session_end: [...SESSION_END_WRAPPER, ...SESSION_END_BEEFCAKE, ...SESSION_END_RUNBOOK],
    timeout_warning: TIMEOUT_WARNING_WRAPPER,
  },
  job_end: JOB_END_SLURM,
} satisfies SignatureCatalogue);

export const DEFAULT_CATALOGUES: Readonly<Record<'runbook' | 'beefcake' | 'python-worker', SignatureCatalogue>> = {
  runbook: RUNBOOK_CATALOGUE,
  beefcake: BEEFCAKE_CATALOGUE,
  // The python worker runs under SLURM too: its jobs end with the same slurmstepd notices.
  'python-worker': {
    ...PYTHON_WORKER_CATALOGUE,
    signals: {
      ...PYTHON_WORKER_CATALOGUE.signals,
      session_end: [...(PYTHON_WORKER_CATALOGUE.signals.session_end ?? []), ...SESSION_END_WRAPPER],
      timeout_warning: TIMEOUT_WARNING_WRAPPER,
    },
    job_end: JOB_END_SLURM,
  },
};
