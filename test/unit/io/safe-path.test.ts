import { describe, expect, it } from 'vitest';
import { profileOf, renderTemplate, trackerArgv } from '../../../src/config/profile.js';
import { buildProfile } from '../../../src/config/profile-schema.js';
import { configSchema } from '../../../src/config/schema.js';
import { archivePath, checkUnder, issuePath } from '../../../src/io/safe-path.js';

const vars = { repo: '/s/code/repo', worktrees: '/s/wt', logs: '/s/ai/logs', archive: '/s/ai/archive' };

describe('swarm profile', () => {
  it('has the runbook and real variable names and file locations', () => {
    const rb = buildProfile('runbook');
    const bc = buildProfile('beefcake');
    if (!rb.ok || !bc.ok) throw new Error('defaults must build');
    expect(rb.profile.vars.temperature).toBe('SWARM_WORKER_TEMP');
    expect(bc.profile.vars.temperature).toBe('SWARM_WORKER_TEMPERATURE');
    expect(rb.profile.paths.resume).toBe('{worktrees}/{issue}/.swarm-resume.json');
    expect(bc.profile.paths.resume).toBe('{repo}/.swarm-resume.json');
    expect(bc.profile.tracker.note).toEqual(['bd', 'note', '{issue}', '{text}']);
    expect(bc.profile.catalogue.name).toBe('beefcake');
  });

  it('merges site overrides entry by entry, including the catalogue', () => {
    const r = buildProfile('beefcake', {
      vars: { temperature: 'SITE_TEMP' },
      paths: { metrics: '{worktrees}/{issue}/m.json' },
      catalogue: { kinds: [{ kind: 'stuck_loop', evidence: [{ id: 'site-stuck', pattern: 'SITE STUCK', source: 'site' }] }] },
    });
    if (!r.ok) throw new Error(r.error);
    expect(r.profile.vars).toEqual({ temperature: 'SITE_TEMP', max_turns: 'SWARM_WORKER_MAX_TURNS', use_cloud: 'SWARM_USE_CLOUD', model: null });
    expect(r.profile.paths.metrics).toBe('{worktrees}/{issue}/m.json');
    expect(r.profile.paths.resume).toBe('{repo}/.swarm-resume.json');
    const stuck = r.profile.catalogue.kinds.find((k) => k.kind === 'stuck_loop');
    expect(stuck?.evidence.some((e) => e.id === 'site-stuck')).toBe(true);
    expect(stuck?.evidence.length).toBeGreaterThan(1);
  });

  it('rejects a bad override with the key path', () => {
    const r = buildProfile('runbook', { vars: { temperature: 'BAD NAME' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^profile\.vars\.temperature/);
  });

  it('is read from the config top-level profile: key; a site sbatch script does not forward remedies', () => {
    const raw = configSchema.parse({ paths: { shared_root: '/s' }, swarm: { profile: 'runbook', sbatch_script: '/s/site.sbatch' }, profile: { vars: { max_turns: 'MT' } } });
    const p = profileOf(raw);
    expect(p.base).toBe('runbook');
    expect(p.vars.max_turns).toBe('MT');
    expect(p.wrapper_forwards_env).toBe(false);
    expect(() => configSchema.parse({ paths: { shared_root: '/s' }, profile: { typo: 1 } })).toThrow();
  });

  it('renders templates and refuses empty variables', () => {
    expect(renderTemplate('{logs}/swarm-orch-{jobid}.log', { logs: '/l', jobid: '12' })).toEqual({ ok: true, value: '/l/swarm-orch-12.log' });
    expect(renderTemplate('{worktrees}/{issue}', { worktrees: '/w', issue: '' }).ok).toBe(false);
    expect(trackerArgv(['bd', 'note', '{issue}', '{text}'], 'b-1', 'a; rm -rf /')).toEqual(['bd', 'note', 'b-1', 'a; rm -rf /']);
  });
});

describe('safe paths', () => {
  it('keeps paths strictly under their root', () => {
    expect(checkUnder('/s/wt', 'b-1')).toEqual({ ok: true, path: '/s/wt/b-1', root: '/s/wt' });
    expect(checkUnder('/s/wt', '/s/wt').ok).toBe(false);
    expect(checkUnder('/s/wt', '/s/wt2/x').ok).toBe(false);
    expect(checkUnder('/s/wt', '../x').ok).toBe(false);
    expect(checkUnder('/s/wt/', '/s/wt/a/../../etc').ok).toBe(false);
  });

  it('refuses the empty-id trap and traversal ids before building a path', () => {
    expect(issuePath('{worktrees}/{issue}', vars, '', undefined).ok).toBe(false);
    expect(issuePath('{worktrees}/{issue}', vars, '..', undefined).ok).toBe(false);
    expect(issuePath('{worktrees}/{issue}', vars, 'a/../..', undefined).ok).toBe(false);
    expect(issuePath('{worktrees}/{issue}', vars, '*', undefined).ok).toBe(false);
    const ok = issuePath('{worktrees}/{issue}/.swarm/session.jsonl', vars, 'beefcake-7xjmj');
    expect(ok).toEqual({ ok: true, path: '/s/wt/beefcake-7xjmj/.swarm/session.jsonl', root: '/s/wt' });
  });

  it('refuses templates that do not start at a root, or that escape it', () => {
    expect(issuePath('/tmp/{issue}', vars, 'b-1').ok).toBe(false);
    expect(issuePath('{worktrees}/../{issue}', vars, 'b-1').ok).toBe(false);
    expect(issuePath('{nothing}/{issue}', vars, 'b-1').ok).toBe(false);
  });

  it('builds archive paths under the archive', () => {
    const a = archivePath('/s/ai/archive', 'b-1', 'swarm-resume.json', new Date('2026-04-16T14:14:21.281Z'));
    expect(a).toEqual({ ok: true, path: '/s/ai/archive/b-1/20260416T141421.281Z.swarm-resume.json', root: '/s/ai/archive' });
    expect(archivePath('/s/ai/archive', 'b-1', '../x', new Date()).ok).toBe(false);
  });
});
