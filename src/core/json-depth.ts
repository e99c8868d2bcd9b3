// How deeply a JSON text nests, found by one pass over its characters, before it is
// parsed: JSON.parse itself copes with 100,000 levels, but everything after it that
// walks the value (JSON.stringify for --json, normalisers) recurses and overflows the
// stack. No file swarmctl reads nests anywhere near MAX_JSON_DEPTH. Pure.

export const MAX_JSON_DEPTH = 64;

/** true when `text` opens more than `max` nested arrays/objects at some point. */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  if (text.length <= max) return false; // each level needs a bracket
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}
