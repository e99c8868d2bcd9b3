// `systemctl is-active` words → probe status (pure).
import { describe, expect, it } from 'vitest';
import { classifyIsActive } from '../../../src/probes/systemd-classify.js';

describe('classifyIsActive', () => {
  it.each([
    ['active\n', '', 0, 'up'],
    ['activating\n', '', 3, 'loading'],
    ['reloading\n', '', 3, 'loading'],
    ['deactivating\n', '', 3, 'degraded'],
    ['inactive\n', '', 3, 'down'],
    ['failed\n', '', 3, 'down'],
    ['', "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down", 1, 'unknown'],
    ['', '', null, 'unknown'],
  ] as const)('%j %j exit %s → %s', (out, err, code, status) => {
    expect(classifyIsActive(out, err, code, 'dogfood-loop').status).toBe(status);
  });

  it('active with a non-zero exit is not up', () => {
    expect(classifyIsActive('active\n', '', 1, 'u').status).not.toBe('up');
  });
});
