// Every path swarmctl builds from an issue id goes through here before it is read,
// moved or handed to git. The runbook's `rm -rf /cluster/shared/wt/beefcake-XXXX*`
// with an empty id deletes every worktree; a `../` in an id walks out of the share.
// So: the id is validated (validate.ts), the template is rendered with no empty
// variable, the result is `path.resolve`d and must lie strictly UNDER its root (a
// prefix check with a trailing separator: `/wt2` is not under `/wt`, and the root
// itself is refused). Pure: path arithmetic only, no file system access.
import { resolve, sep } from 'node:path';
import { renderTemplate, templateRoot } from '../config/profile.js';
import { validateIssueId } from '../config/validate.js';

export type SafePath = { ok: true; path: string; root: string } | { ok: false; reason: string };

/** `p` resolved, strictly below `root` resolved. */
export function checkUnder(root: string, p: string): SafePath {
  if (!root || !root.startsWith('/')) return { ok: false, reason: `root ${JSON.stringify(root)} is not an absolute path` };
  const r = resolve(root);
  const abs = resolve(r, p);
  const prefix = r.endsWith(sep) ? r : r + sep;
  if (abs === r) return { ok: false, reason: `${abs} is the root itself, not a path under it` };
  if (!abs.startsWith(prefix)) return { ok: false, reason: `${abs} is outside ${r}` };
  return { ok: true, path: abs, root: r };
}

export interface PathVars {
  repo: string;
  worktrees: string;
  logs: string;
  archive: string;
  [k: string]: string;
}

/**
 * Renders a profile path template for one issue and checks it. The template must start
 * with a root variable (`{worktrees}/…`, `{repo}/…`); the result must stay under it.
 */
export function issuePath(template: string, vars: PathVars, issue: string, idPattern?: string, extra: Record<string, string> = {}): SafePath {
  const v = validateIssueId(issue, idPattern);
  if (!v.ok) return { ok: false, reason: v.reason };
  const rootVar = templateRoot(template);
  if (rootVar === null) return { ok: false, reason: `path template ${template} must start with a root such as {worktrees}/ or {repo}/` };
  const root = vars[rootVar];
  if (root === undefined || root === '') return { ok: false, reason: `path template ${template}: root {${rootVar}} is not configured` };
  const r = renderTemplate(template, { ...vars, ...extra, issue });
  if (!r.ok) return { ok: false, reason: r.error };
  return checkUnder(root, r.value);
}

/** `<archive>/<issue>/<stamp>.<name>`, checked to stay under the archive root. */
export function archivePath(archiveRoot: string, issue: string, name: string, now: Date, idPattern?: string): SafePath {
  const v = validateIssueId(issue, idPattern);
  if (!v.ok) return { ok: false, reason: v.reason };
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name.includes('..')) return { ok: false, reason: `archive name ${JSON.stringify(name)} is not a plain file name` };
  return checkUnder(archiveRoot, `${issue}/${archiveStamp(now)}.${name.replace(/^\./, '')}`);
}

/** 20260416T141421.281Z: sortable, no ':' (portable file names). */
export function archiveStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '');
}
