// Every drill, in the order `swarmctl drill` runs them (cheap and local first, the outage last).
import type { Drill } from './types.js';
import { stuckLoop } from './drills/stuck-loop.js';
import { parseFailure } from './drills/parse-failure.js';
import { cloudFailure } from './drills/cloud-failure.js';
import { staleClaim } from './drills/stale-claim.js';

export const DRILLS: readonly Drill[] = [stuckLoop, parseFailure, cloudFailure, staleClaim];

export function drillNamed(name: string): Drill | undefined {
  return DRILLS.find((d) => d.name === name);
}
