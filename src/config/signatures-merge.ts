// Applies a site's catalogue override (already validated by signatures.ts's schema) to a
// catalogue. Pure, and free of zod so that a command with a validated config (diagnose, from
// the config cache) does not load the schema library to build its profile.
import type { KindSignatures, SignatureCatalogue, SignatureCatalogueOverride } from './signatures.js';

function mergeById<T extends { id: string }>(base: readonly T[], over: readonly T[] | undefined): T[] {
  if (!over) return base.map((e) => ({ ...e }));
  const out = base.map((e) => ({ ...e }));
  for (const o of over) {
    const i = out.findIndex((e) => e.id === o.id);
    if (i >= 0) out[i] = { ...o };
    else out.push({ ...o });
  }
  return out;
}

/** Applies a site override to a catalogue (pure; returns a new catalogue). */
export function mergeCatalogue(base: SignatureCatalogue, over: SignatureCatalogueOverride): SignatureCatalogue {
  const kinds: KindSignatures[] = base.kinds.map((k) => ({
    ...k,
    evidence: k.evidence.map((e) => ({ ...e })),
    rule_out: k.rule_out.map((e) => ({ ...e })),
  }));
  for (const ok of over.kinds ?? []) {
    const i = kinds.findIndex((k) => k.kind === ok.kind);
    if (i < 0) {
      const fresh: KindSignatures = { kind: ok.kind, evidence: ok.evidence ?? [], rule_out: ok.rule_out ?? [] };
      if (ok.description !== undefined) fresh.description = ok.description;
      kinds.push(fresh);
      continue;
    }
    const cur = kinds[i] as KindSignatures;
    const merged: KindSignatures = {
      ...cur,
      evidence: mergeById(cur.evidence, ok.evidence),
      rule_out: mergeById(cur.rule_out, ok.rule_out),
    };
    if (ok.description !== undefined) merged.description = ok.description;
    kinds[i] = merged;
  }
  return {
    name: over.name ?? base.name,
    version: 1,
    kinds,
    resolved: mergeById(base.resolved, over.resolved),
    payload: mergeById(base.payload, over.payload),
    signals: {
      write_tool_calls: mergeById(base.signals.write_tool_calls, over.signals?.write_tool_calls),
      tool_calls: mergeById(base.signals.tool_calls, over.signals?.tool_calls),
      adapter_reports: mergeById(base.signals.adapter_reports, over.signals?.adapter_reports),
      session_start: mergeById(base.signals.session_start, over.signals?.session_start),
      session_end: mergeById(base.signals.session_end ?? [], over.signals?.session_end),
      timeout_warning: mergeById(base.signals.timeout_warning ?? [], over.signals?.timeout_warning),
    },
    job_end: mergeById(base.job_end ?? [], over.job_end),
  };
}
