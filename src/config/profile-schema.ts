// The schema of the config's top-level `profile:` key (a site's overrides of its swarm profile),
// and buildProfile for a value not yet validated. Split from profile.ts so that building the
// profile of an already validated config (profileOf) does not load zod.
import { z } from 'zod';
import { signatureCatalogueOverrideSchema } from './signatures.js';
import { buildProfileFrom, type ProfileName, type ProfileOverride, type SwarmProfile } from './profile.js';

const template = z.string().min(1);
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env name is letters, digits and _');
const argvTemplate = z.array(z.string().min(1)).min(1);
// A tracker argv word may be '' (`--assignee ""` clears the claim).
const trackerArgvTemplate = z.array(z.string()).min(1);

/** The config's `profile:` key (every entry optional; merged over the base profile). */
export const profileOverrideSchema = z.strictObject({
  name: z.string().optional(),
  paths: z
    .strictObject({
      resume: template.nullable().optional(),
      session_log: template.nullable().optional(),
      checkpoint: template.nullable().optional(),
      metrics: template.nullable().optional(),
      job_log: template.optional(),
      worktree: template.optional(),
      run_summary: z.array(template).optional(),
    })
    .optional(),
  job_name_template: template.optional(),
  branch_template: template.optional(),
  vars: z
    .strictObject({
      temperature: envName.nullable().optional(),
      max_turns: envName.nullable().optional(),
      use_cloud: envName.nullable().optional(),
      model: envName.nullable().optional(),
    })
    .optional(),
  tracker: z.strictObject({ reopen: trackerArgvTemplate.optional(), note: argvTemplate.optional(), show: argvTemplate.optional() }).optional(),
  wrapper_forwards_env: z.boolean().optional(),
  flags: z.strictObject({ architect: argvTemplate.nullable().optional() }).optional(),
  job_log_command: z
    .strictObject({ argv: argvTemplate, host: z.string().min(1).nullable().default(null), format: z.enum(['lines', 'journal-json']).optional() })
    .nullable()
    .optional(),
  silent_worker_s: z.number().positive().nullable().optional(),
  worktrees: z
    .strictObject({
      location: z.enum(['shared', 'run_host']).optional(),
      archive_dir: z
        .string()
        .regex(/^(\/|\{worktrees\})/, 'an absolute path, or one starting with {worktrees}')
        .nullable()
        .optional(),
    })
    .optional(),
  catalogue: signatureCatalogueOverrideSchema.optional(),
});
// What the schema accepts must be what profile.ts's ProfileOverride says (checked by the compiler).
type Parsed = z.infer<typeof profileOverrideSchema>;
type SameShape = Parsed extends ProfileOverride ? true : never;
const sameShape: SameShape = true;
void sameShape;

/** The effective profile from an unvalidated override: checked here, so a bad entry is an error naming its key. */
export function buildProfile(base: ProfileName, override?: unknown, jobNameTemplate?: string): { ok: true; profile: SwarmProfile } | { ok: false; error: string } {
  let over: ProfileOverride = {};
  if (override !== undefined && override !== null) {
    const p = profileOverrideSchema.safeParse(override);
    if (!p.success) {
      const first = p.error.issues[0];
      return { ok: false, error: `profile.${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}` };
    }
    over = p.data;
  }
  return { ok: true, profile: buildProfileFrom(base, over, jobNameTemplate) };
}
