// llama-server's own messages, which every orchestrator's logs carry whatever it prints itself:
// shared by the default catalogues (signature-catalogue.ts, signatures-pyworker.ts). Pure data.
import type { EvidenceSignature } from './signatures.js';

export const LLAMA_PARSE_INPUT_POS: EvidenceSignature = {
  id: 'parse_input_pos',
  pattern: 'Failed to parse input at pos (?<pos>\\d+)',
  source: 'llama-server',
  captures: ['pos'],
  description: "llama.cpp's tool-call output parser failed (HTTP 500), often after max_tokens truncation",
};

export const LLAMA_EXCEEDS_CONTEXT: EvidenceSignature = {
  id: 'exceeds_context_size',
  pattern: 'request \\((?<requested>\\d+) tokens\\) exceeds the available context size \\((?<available>\\d+) tokens\\)',
  source: 'llama-server',
  captures: ['requested', 'available'],
};
