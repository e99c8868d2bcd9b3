// The signature catalogue: which log messages are evidence for which diagnosis kind,
// which rule it out, which parts of a record are tool output (never evidence), and the
// signals used to split a stuck loop (write tool calls). It is DATA — JSON-serialisable,
// validated by `signatureCatalogueSchema` — so a site's config can replace or add an
// entry without a release. The default catalogues are data in signature-catalogue.ts;
// this file holds their shape, the schema a site's override is checked with, and the
// merge. Pure: no I/O; the matcher lives in recovery/signature-match.ts.

import { z } from 'zod';

/** The log-based diagnosis kinds (job_died and friends come from queue/state, not logs). */
export const LOG_DIAGNOSIS_KINDS = ['stuck_loop', 'output_parse_failure', 'context_overflow', 'cloud_escalation_failed', 'budget_exhausted'] as const;
export type LogDiagnosisKind = (typeof LOG_DIAGNOSIS_KINDS)[number];

/** One message pattern. `pattern` is a RegExp source tested against ONE physical line of a
 *  record's message (target + message for tracing records; the line for plain ones), with
 *  tool-output payloads removed. Named groups become evidence captures. */
export interface SignaturePattern {
  id: string;
  pattern: string;
  /** Subset of "imsu"; "g"/"y" are not allowed (matching is stateless). */
  flags?: string;
  /** Named groups reported as captures (documentation; all named groups are reported). */
  captures?: string[];
  /** Where the string comes from: runbook, the real orchestrator, llama-server, a site. */
  source?: 'runbook' | 'beefcake' | 'python-worker' | 'llama-server' | 'site';
  description?: string;
  /** false disables an inherited entry (a site override). */
  enabled?: boolean;
}

export interface EvidenceSignature extends SignaturePattern {
  /** 'trigger' (default) can fire the kind; 'support' is reported as evidence only. */
  role?: 'trigger' | 'support';
  /** Current occurrences needed for this entry to fire the kind (default 1). */
  min_count?: number;
  /** Also fires on a single occurrence whose numeric capture reaches `min` (e.g. consecutive_no_change >= 2). */
  capture_min?: { capture: string; min: number };
  /** Ids of other evidence entries of the same kind that need a current occurrence too (e.g. the write-deadline pair). */
  requires?: string[];
  /** Sub-signature label for the diagnosis layer (e.g. 'no_change', 'circuit_breaker', 'write_deadline'). */
  group?: string;
  /** The record this matches is support only as a whole: no trigger of the kind counts in that
   *  record (a retry line quotes the error it survived). Only with role 'support'. */
  claims_record?: boolean;
}

/** How SLURM says a job ended, as `diagnose` reports it (`cause`); SLURM's own state names. */
export const JOB_END_CAUSES = ['TIMEOUT', 'NODE_FAIL', 'PREEMPTED', 'OUT_OF_MEMORY', 'CANCELLED', 'REQUEUED', 'FAILED'] as const;
export type JobEndCause = (typeof JOB_END_CAUSES)[number];

/** A notice slurmstepd writes into the job's own output when it ends the job. `pattern` is
 *  tested against a WHOLE physical line (ANSI and CR removed) and must be anchored; captures
 *  `job` (checked against the job being diagnosed), `node`, `time`, `count`. */
export interface JobEndSignature extends SignaturePattern {
  cause: JobEndCause;
  /** SLURM releases that print this wording (documentation). */
  versions?: string;
}

export interface KindSignatures {
  kind: string;
  description?: string;
  evidence: EvidenceSignature[];
  /** A match AFTER an occurrence makes that occurrence old (a later successful iteration). */
  rule_out: SignaturePattern[];
}

export interface SignatureCatalogue {
  name: string;
  version: 1;
  kinds: KindSignatures[];
  /** Session resolved: rules out every kind for occurrences before it. */
  resolved: SignaturePattern[];
  /** Tool-output markers: the text after the match, and the record's continuation lines, are
   *  payload (model- or tool-generated) and never count as evidence. */
  payload: SignaturePattern[];
  signals: {
    /** Successful write_file/edit_file calls. Entries log the SAME call in different ways;
     *  the first entry (in order) with any match gives the count. */
    write_tool_calls: SignaturePattern[];
    /** Any tool call (same counting rule). */
    tool_calls: SignaturePattern[];
    /** Per-iteration summaries with a `written` capture ("true"/"false"). */
    adapter_reports: SignaturePattern[];
    /** Start of a session in a job log, with an `issue` capture. */
    session_start: SignaturePattern[];
    /** The job's command or session ended by itself (the log was not cut short by a kill). */
    session_end?: SignaturePattern[];
    /** The time-limit warning the wrapper logs (USR2 from --signal), evidence for TIMEOUT. */
    timeout_warning?: SignaturePattern[];
  };
  /** slurmstepd's death notices: the job's end state when accounting has none. */
  job_end?: JobEndSignature[];
}

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

const flagsSchema = z
  .string()
  .regex(/^[imsu]*$/, 'flags may only use i, m, s, u')
  .optional();

function compiles(p: { pattern: string; flags?: string | undefined }): boolean {
  try {
    new RegExp(p.pattern, p.flags ?? '');
    return true;
  } catch {
    return false;
  }
}

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'ids are lower-case words: a-z 0-9 _ . -');

const patternFields = {
  id: idSchema,
  pattern: z.string().min(1),
  flags: flagsSchema,
  captures: z.array(z.string()).optional(),
  source: z.enum(['runbook', 'beefcake', 'python-worker', 'llama-server', 'site']).optional(),
  description: z.string().optional(),
  enabled: z.boolean().optional(),
};

export const signaturePatternSchema = z.object(patternFields).refine(compiles, { message: 'pattern is not a valid regular expression', path: ['pattern'] });

export const evidenceSignatureSchema = z
  .object({
    ...patternFields,
    role: z.enum(['trigger', 'support']).optional(),
    min_count: z.number().int().min(1).optional(),
    capture_min: z.object({ capture: z.string(), min: z.number() }).optional(),
    requires: z.array(idSchema).optional(),
    group: z.string().optional(),
    claims_record: z.boolean().optional(),
  })
  .refine(compiles, { message: 'pattern is not a valid regular expression', path: ['pattern'] })
  .refine((e) => e.claims_record !== true || e.role === 'support', { message: 'claims_record needs role: support', path: ['claims_record'] });

export const jobEndSignatureSchema = z
  .object({ ...patternFields, cause: z.enum(JOB_END_CAUSES), versions: z.string().optional() })
  .refine(compiles, { message: 'pattern is not a valid regular expression', path: ['pattern'] })
  .refine((e) => e.pattern.startsWith('^') && e.pattern.endsWith('$'), { message: 'a job_end pattern matches a whole line: start it with ^ and end it with $', path: ['pattern'] });

function uniqueIds(list: { id: string }[], ctx: z.RefinementCtx, path: (string | number)[]): void {
  const seen = new Set<string>();
  list.forEach((e, i) => {
    if (seen.has(e.id)) ctx.addIssue({ code: 'custom', message: `duplicate id "${e.id}"`, path: [...path, i, 'id'] });
    seen.add(e.id);
  });
}

export const kindSignaturesSchema = z
  .object({
    kind: z.string().regex(/^[a-z][a-z0-9_]*$/),
    description: z.string().optional(),
    evidence: z.array(evidenceSignatureSchema),
    rule_out: z.array(signaturePatternSchema).default([]),
  })
  .superRefine((k, ctx) => {
    uniqueIds(k.evidence, ctx, ['evidence']);
    uniqueIds(k.rule_out, ctx, ['rule_out']);
    const ids = new Set(k.evidence.map((e) => e.id));
    k.evidence.forEach((e, i) => {
      for (const r of e.requires ?? []) {
        if (!ids.has(r)) ctx.addIssue({ code: 'custom', message: `requires unknown evidence id "${r}"`, path: ['evidence', i, 'requires'] });
      }
    });
  });

export const signatureCatalogueSchema = z
  .object({
    name: z.string().min(1),
    version: z.literal(1),
    kinds: z.array(kindSignaturesSchema),
    resolved: z.array(signaturePatternSchema).default([]),
    payload: z.array(signaturePatternSchema).default([]),
    signals: z
      .object({
        write_tool_calls: z.array(signaturePatternSchema).default([]),
        tool_calls: z.array(signaturePatternSchema).default([]),
        adapter_reports: z.array(signaturePatternSchema).default([]),
        session_start: z.array(signaturePatternSchema).default([]),
        session_end: z.array(signaturePatternSchema).default([]),
        timeout_warning: z.array(signaturePatternSchema).default([]),
      })
      .default({ write_tool_calls: [], tool_calls: [], adapter_reports: [], session_start: [], session_end: [], timeout_warning: [] }),
    job_end: z.array(jobEndSignatureSchema).default([]),
  })
  .superRefine((c, ctx) => {
    const kinds = new Set<string>();
    c.kinds.forEach((k, i) => {
      if (kinds.has(k.kind)) ctx.addIssue({ code: 'custom', message: `duplicate kind "${k.kind}"`, path: ['kinds', i, 'kind'] });
      kinds.add(k.kind);
    });
  });

/** A site's partial override: entries replace inherited ones with the same id, new ids are added,
 *  `enabled: false` switches an inherited entry off. */
export const signatureCatalogueOverrideSchema = z.object({
  name: z.string().optional(),
  kinds: z
    .array(
      z.object({
        kind: z.string().regex(/^[a-z][a-z0-9_]*$/),
        description: z.string().optional(),
        evidence: z.array(evidenceSignatureSchema).optional(),
        rule_out: z.array(signaturePatternSchema).optional(),
      }),
    )
    .optional(),
  resolved: z.array(signaturePatternSchema).optional(),
  payload: z.array(signaturePatternSchema).optional(),
  signals: z
    .object({
      write_tool_calls: z.array(signaturePatternSchema).optional(),
      tool_calls: z.array(signaturePatternSchema).optional(),
      adapter_reports: z.array(signaturePatternSchema).optional(),
      session_start: z.array(signaturePatternSchema).optional(),
      session_end: z.array(signaturePatternSchema).optional(),
      timeout_warning: z.array(signaturePatternSchema).optional(),
    })
    .optional(),
  job_end: z.array(jobEndSignatureSchema).optional(),
});
export type SignatureCatalogueOverride = z.infer<typeof signatureCatalogueOverrideSchema>;

// The merge is in signatures-merge.ts (no zod: a validated config's profile is built without loading it).
