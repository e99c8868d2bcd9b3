// Every drill, in the order `swarmctl drill` runs them (cheap and local first, the outage last).
import type { Drill } from './types.js';

export const DRILLS: readonly Drill[] = [];

export function drillNamed(name: string): Drill | undefined {
  return DRILLS.find((d) => d.name === name);
}
