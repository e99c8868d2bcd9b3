/**
 * SLURM job names for swarm jobs: render the configured template for an issue, check the
 * result, and map a job name seen in squeue back to its issue.
 *
 * Pure: string work only.
 *
 * Templates hold exactly one placeholder:
 * - `{issue}`: the whole issue id. Default `swarm-{issue}`, so one exact
 *   `squeue --name=swarm-<id>` finds an issue's job and the mapping back is exact.
 * - `{short}`: the "short id" of the real beefcake-swarm scripts, whose jobs are named
 *   `swarm-<short id>` (../shared/formats/README.md, "job ↔ issue"). The README does not
 *   spell the short id out; beads ids are `<prefix>-<hash>` (`beefcake-7xjmj`), and we
 *   take the part after the LAST `-` (`7xjmj`; `beefcake-7xjmj.1` → `7xjmj.1`; an id
 *   without `-` is its own short id). Different issues can share a short id across
 *   prefixes, so mapping a `{short}` name back needs the list of known issues and gives
 *   up (null) when none or several match.
 *
 * SLURM itself checks almost nothing: 22.05.8 accepted job names with spaces, tabs,
 * commas, `;`, `$(...)`, backticks, a newline, 0x1F and 300 characters (tested with
 * sbatch -J). Our rules are stricter because of what reads the names: `squeue --name`
 * splits on commas (a name with a comma can never be looked up), whitespace and control
 * characters break columns and logs. A name must be 1-128 characters of
 * `A-Z a-z 0-9 . _ -`. Template literals follow the same alphabet, and issue ids are
 * already restricted to it by validate.ts.
 */

import { DEFAULT_ISSUE_ID_PATTERN, validateIssueId, type Validation } from '../config/validate.js';

export const DEFAULT_JOB_NAME_TEMPLATE = 'swarm-{issue}';
export const JOB_NAME_MAX = 128;

const NAME_CHARS = /^[A-Za-z0-9._-]*$/;
const PLACEHOLDER = /\{([^{}]*)\}/g;

export interface ParsedTemplate {
  prefix: string;
  placeholder: 'issue' | 'short';
  suffix: string;
}

export type TemplateResult = { ok: true; template: ParsedTemplate } | { ok: false; reason: string };

export function parseJobNameTemplate(template: string): TemplateResult {
  const found = [...template.matchAll(PLACEHOLDER)];
  if (found.length !== 1) {
    return { ok: false, reason: `job name template ${JSON.stringify(template)} must contain exactly one of {issue} or {short}` };
  }
  const m = found[0]!;
  const key = m[1];
  if (key !== 'issue' && key !== 'short') {
    return { ok: false, reason: `job name template has unknown placeholder {${key}} (use {issue} or {short})` };
  }
  const prefix = template.slice(0, m.index);
  const suffix = template.slice((m.index ?? 0) + m[0].length);
  if (!NAME_CHARS.test(prefix) || !NAME_CHARS.test(suffix)) {
    return { ok: false, reason: `job name template ${JSON.stringify(template)} may only contain A-Z a-z 0-9 . _ - around the placeholder` };
  }
  return { ok: true, template: { prefix, placeholder: key, suffix } };
}

/** Part of the id after the last `-` (the whole id when it has none or ends with `-`). */
export function shortIssueId(issueId: string): string {
  const i = issueId.lastIndexOf('-');
  if (i < 0 || i === issueId.length - 1) return issueId;
  return issueId.slice(i + 1);
}

export function validateJobName(name: unknown): Validation {
  if (typeof name !== 'string' || name === '') return { ok: false, reason: 'job name is empty' };
  if (name.length > JOB_NAME_MAX) {
    return { ok: false, reason: `job name is ${name.length} characters long (at most ${JOB_NAME_MAX})` };
  }
  if (name.includes(',')) return { ok: false, reason: 'job name contains a comma (squeue --name splits on commas)' };
  if (!NAME_CHARS.test(name)) {
    return { ok: false, reason: `job name ${JSON.stringify(name)} may only contain A-Z a-z 0-9 . _ -` };
  }
  if (name.startsWith('-')) return { ok: false, reason: 'job name starts with "-"' };
  return { ok: true };
}

export type JobNameResult = { ok: true; name: string } | { ok: false; reason: string };

/** Render the template for an issue; validates the id (default pattern) and the result. */
export function renderJobName(issueId: string, template: string = DEFAULT_JOB_NAME_TEMPLATE, issuePattern: string = DEFAULT_ISSUE_ID_PATTERN): JobNameResult {
  const id = validateIssueId(issueId, issuePattern);
  if (!id.ok) return id;
  const t = parseJobNameTemplate(template);
  if (!t.ok) return t;
  const value = t.template.placeholder === 'issue' ? issueId : shortIssueId(issueId);
  const name = `${t.template.prefix}${value}${t.template.suffix}`;
  const v = validateJobName(name);
  return v.ok ? { ok: true, name } : v;
}

/**
 * What a job name says about its issue under a template: the issue id (for `{issue}`),
 * or the short id (for `{short}`). null when the name does not fit the template.
 */
export function matchJobName(name: string, template: string = DEFAULT_JOB_NAME_TEMPLATE): { placeholder: 'issue' | 'short'; value: string } | null {
  const t = parseJobNameTemplate(template);
  if (!t.ok) return null;
  const { prefix, suffix, placeholder } = t.template;
  if (name.length <= prefix.length + suffix.length) return null;
  if (!name.startsWith(prefix) || !name.endsWith(suffix)) return null;
  const value = name.slice(prefix.length, name.length - suffix.length);
  if (!NAME_CHARS.test(value)) return null;
  return { placeholder, value };
}

/**
 * The issue a job belongs to, or null. With `{issue}` the name carries the id (checked
 * against the issue id rules; if knownIssues is given it must be one of them). With
 * `{short}` the id is looked up in knownIssues and must match exactly one.
 */
export function issueFromJobName(name: string, template: string = DEFAULT_JOB_NAME_TEMPLATE, knownIssues?: readonly string[]): string | null {
  const m = matchJobName(name, template);
  if (m === null) return null;
  if (m.placeholder === 'issue') {
    if (!validateIssueId(m.value, '[\\s\\S]*').ok) return null;
    if (knownIssues !== undefined && !knownIssues.includes(m.value)) return null;
    return m.value;
  }
  if (knownIssues === undefined) return null;
  const hits = [...new Set(knownIssues)].filter((id) => shortIssueId(id) === m.value);
  return hits.length === 1 ? hits[0]! : null;
}
