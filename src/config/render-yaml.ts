// The YAML text of a value, for `config show`. A module of ours so the command can
// load it lazily: a dynamic import('yaml') itself breaks in the bundle (yaml is
// CommonJS; esbuild's chunk for a dynamic import of it exports only `default`, so
// `const { stringify } = await import('yaml')` gave undefined). A static import gets
// esbuild's named-export interop.
import { stringify } from 'yaml';

export function renderYaml(value: unknown): string {
  return stringify(value);
}
