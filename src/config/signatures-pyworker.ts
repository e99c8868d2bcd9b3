// The `python-worker` signature catalogue: what beefcake-swarm's Python worker (run.py,
// dogfood.py, mini-SWE-agent, TensorZero, llama.cpp) prints, from
// shared/formats/pyworker/FORMATS.md §5.2. Every Python line is a plain record (`[HH:MM:SSZ] msg`,
// no date), so patterns are anchored on that prefix where the worker prints one. mini-SWE logs
// no steps: there are no write-tool signals; the run summary's files_modified stands in.
// Pure data: no I/O.
import type { EvidenceSignature, SignatureCatalogue, SignaturePattern } from './signatures.js';
import { LLAMA_EXCEEDS_CONTEXT, LLAMA_PARSE_INPUT_POS } from './signatures-llama.js';

const T = '^\\[\\d\\d:\\d\\d:\\d\\dZ\\] ';

const STUCK: EvidenceSignature[] = [
  { id: 'py_done_no_change', pattern: `${T}DONE status=no_change wall=(?<wall>[\\d.]+)s`, source: 'python-worker', captures: ['wall'], description: 'run.py:451' },
  { id: 'py_dogfood_no_change', pattern: `${T}  → (?<issue>\\S+): no_change wall=`, source: 'python-worker', captures: ['issue'], description: 'dogfood.py:118,128' },
  { id: 'py_row_no_change', pattern: '^  "status": "no_change",$', role: 'support', source: 'python-worker', description: 'the pretty-printed row, top level (2 spaces)' },
  // mini-SWE's 60-call step limit used up without a change: the model flailed (a stuck run, retried), not the orchestrator's budget.
  { id: 'py_limits_exceeded', pattern: '^\\s*"exit_status": "LimitsExceeded",$', role: 'support', source: 'python-worker', description: 'mini-SWE step limit (60 calls)' },
];

const BUDGET: EvidenceSignature[] = [
  { id: 'py_architect_max_iters', pattern: 'exhausted max_iters=(?<max>\\d+)', source: 'python-worker', captures: ['max'], description: 'arch.py:530,761' },
  {
    id: 'py_sepl_rollback',
    pattern: 'rollback_no_progress: (?<n>\\d+) consecutive (?<category>\\w+) failures',
    source: 'python-worker',
    captures: ['n', 'category'],
    description: 'arch.py:751-752',
  },
];

const PARSE: EvidenceSignature[] = [
  LLAMA_PARSE_INPUT_POS,
  {
    id: 'py_retry_line',
    pattern: '^Retrying <unknown> in (?<sleep>[\\d.]+) seconds as it raised ',
    role: 'support',
    source: 'python-worker',
    captures: ['sleep'],
    description: 'tenacity, through mini-SWE (retry.py:19-25); the error it quotes is payload (a retry the run may survive)',
  },
  { id: 'tz_all_variants_failed', pattern: 'All variants failed with errors: (?<variant>[\\w.-]+): ', role: 'support', source: 'python-worker', captures: ['variant'] },
  { id: 'py_architect_call_failed', pattern: 'architect call failed: (?<exc>\\w+): |"note": "call_failed: (?<exc2>\\w+): ', source: 'python-worker', captures: ['exc'] },
];

// TZ escapes the llama.cpp body once, the pretty-printed row twice: allow any backslashes before a quote.
const CONTEXT: EvidenceSignature[] = [
  LLAMA_EXCEEDS_CONTEXT,
  {
    id: 'exceed_context_size_error',
    pattern: 'exceed_context_size_error(?:.*?\\\\*"n_prompt_tokens\\\\*"\\s*:\\s*(?<requested>\\d+))?(?:.*?\\\\*"n_ctx\\\\*"\\s*:\\s*(?<available>\\d+))?',
    source: 'llama-server',
    captures: ['requested', 'available'],
  },
  { id: 'py_context_window_exc', pattern: '\\bContextWindowExceededError\\b', role: 'support', source: 'python-worker' },
];

const CLOUD: EvidenceSignature[] = [
  {
    id: 'py_cloud_without_flag',
    pattern: "^WARN build_model: cloud model '(?<model>[^']+)' requested without SWARM_USE_CLOUD=1",
    source: 'python-worker',
    captures: ['model'],
    description: 'sw.py:74-78: the run silently falls back to local variants',
  },
  { id: 'py_cloud_key_missing', pattern: 'SWARM_CLOUD_API_KEY: SWARM_CLOUD_API_KEY must be set for SWARM_USE_CLOUD=1', source: 'python-worker', description: 'run-swarm.sh:26' },
  {
    id: 'py_cloud_auth_quota',
    pattern: '\\b(?<exc>AuthenticationError|PermissionDeniedError|RateLimitError)\\b|Error (?<http>401|403|429) [A-Za-z ]+ from openai client',
    source: 'python-worker',
    captures: ['exc', 'http'],
  },
];

const RESOLVED: SignaturePattern[] = [
  { id: 'py_done_resolved', pattern: `${T}DONE status=resolved\\b`, source: 'python-worker' },
  { id: 'py_dogfood_resolved', pattern: `${T}  → (?<issue>\\S+): resolved\\b`, source: 'python-worker' },
];

const PAYLOAD: SignaturePattern[] = [
  { id: 'wrapper_diagnose_json', pattern: '^swarm-job: diagnose: ', description: "the failure hook's own diagnosis, quoted in the job log (slurm/swarm-job.sbatch)" },
  { id: 'py_retry_error', pattern: '^Retrying <unknown> in [\\d.]+ seconds as it raised ', description: 'a retried error decides nothing; the final exit_status does' },
  { id: 'py_stderr_tail', pattern: '"stderr_tail": ', description: 'compiler output inside the row' },
  { id: 'py_preview', pattern: '; preview: ', description: "the architect's model reply" },
  { id: 'py_git_diff', pattern: '"git_diff": ' },
  { id: 'py_submission', pattern: '"submission": ' },
];

const SESSION_START: SignaturePattern[] = [{ id: 'py_process_issue', pattern: `${T}process_issue: id=(?<issue>\\S+) title=`, source: 'python-worker', captures: ['issue'] }];

export const PYTHON_WORKER_CATALOGUE: SignatureCatalogue = {
  name: 'python-worker',
  version: 1,
  kinds: [
    { kind: 'stuck_loop', description: 'the worker changed nothing (DONE status=no_change)', evidence: STUCK, rule_out: [] },
    { kind: 'output_parse_failure', description: "llama.cpp could not parse the model's output (HTTP 500 through TensorZero)", evidence: PARSE, rule_out: [] },
    { kind: 'context_overflow', description: 'the request is larger than the model context (HTTP 400)', evidence: CONTEXT, rule_out: [] },
    { kind: 'cloud_escalation_failed', description: 'a cloud model was refused, or silently replaced by local variants', evidence: CLOUD, rule_out: [] },
    { kind: 'budget_exhausted', description: "mini-SWE's step limit, or the architect's iterations, ran out", evidence: BUDGET, rule_out: [] },
  ],
  resolved: RESOLVED,
  payload: PAYLOAD,
  signals: {
    write_tool_calls: [],
    tool_calls: [],
    adapter_reports: [],
    session_start: SESSION_START,
    // run.py's last line of a run, and dogfood's per-issue result line.
    session_end: [
      { id: 'py_done', pattern: `${T}DONE status=`, source: 'python-worker' },
      { id: 'py_dogfood_result', pattern: `${T}  → \\S+: \\w+ wall=`, source: 'python-worker' },
    ],
  },
};
