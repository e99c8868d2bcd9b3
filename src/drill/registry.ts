// Every drill, in the order `swarmctl drill` runs them (cheap and local first, the outage last).
import { controllerDown } from './drills/controller-down.js';
import { endpointDown } from './drills/endpoint-down.js';
import { outageRestart } from './drills/outage-restart.js';
import { staleDiscovery } from './drills/stale-discovery.js';
import { twoOperators } from './drills/two-operators.js';
import { stuckLoop } from './drills/stuck-loop.js';
import { parseFailure } from './drills/parse-failure.js';
import { cloudFailure } from './drills/cloud-failure.js';
import { staleClaim } from './drills/stale-claim.js';
import type { Drill } from './types.js';

export const DRILLS: readonly Drill[] = [staleDiscovery, twoOperators, endpointDown, stuckLoop, parseFailure, cloudFailure, staleClaim, controllerDown, outageRestart];

export function drillNamed(name: string): Drill | undefined {
  return DRILLS.find((d) => d.name === name);
}
