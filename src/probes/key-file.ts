// Reads an API key file at the moment of use (never cached, never logged) and
// checks its mode: a key readable by group/others is used but flagged. The key
// only ever travels in memory, into an HTTP header. Kept in one place so every
// probe that needs a key words the same problems the same way.
import { stat } from 'node:fs/promises';
import { KiB, readRegularFile, SafeReadError } from '../core/safe-read.js';

export interface KeyRead {
  /** The key, trimmed; undefined when it could not be read. */
  key?: string;
  /** Why there is no key ("key file ... missing"). */
  problem?: string;
  /** Set when the file mode lets others read it ("key file mode 0644, want 0600"). */
  warning?: string;
}

export async function readKeyForRequest(path: string): Promise<KeyRead> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `key file ${path} is missing` : `key file ${path} unreadable (${code ?? 'error'})` };
  }
  let text: string;
  try {
    text = (await readRegularFile(path, { what: 'key file', limit: 64 * KiB })).toString('utf8');
  } catch (e) {
    if (e instanceof SafeReadError) return { problem: e.message };
    return { problem: `key file ${path} unreadable (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const key = text.trim();
  if (key === '') return { problem: `key file ${path} is empty` };
  const out: KeyRead = { key };
  if ((mode & 0o077) !== 0) out.warning = `key file ${path} has mode 0${mode.toString(8)}, want 0600`;
  return out;
}
