import { describe, expect, it } from 'vitest';
import { DEMO_REQUIREMENTS, planDemoSetup, type Machine } from '@/scripts/demo-setup';

const machine = (installed: string[], overrides: Partial<Machine> = {}): Machine => ({
  isInstalled: (binary) => installed.includes(binary),
  isRoot: true,
  hasApt: true,
  hasSudo: false,
  ...overrides,
});
const ALL = DEMO_REQUIREMENTS.flatMap((r) => r.binaries);

describe('npm start: setting up what the demo needs', () => {
  it('does nothing when everything is installed', () => {
    expect(planDemoSetup(machine(ALL))).toEqual({ action: 'none' });
  });

  it('installs exactly what is missing with apt-get, as root', () => {
    const plan = planDemoSetup(machine(['openssl', 'certutil']));
    expect(plan).toMatchObject({ action: 'install', commands: [['apt-get', 'update'], ['apt-get', 'install', '-y', '--no-install-recommends', 'chromium', 'firefox-esr']] });
  });

  it('goes through sudo when not root', () => {
    const plan = planDemoSetup(machine(['/usr/bin/chromium', 'openssl'], { isRoot: false, hasSudo: true }));
    expect(plan).toMatchObject({ action: 'install', commands: [['sudo', 'apt-get', 'update'], ['sudo', 'apt-get', 'install', '-y', '--no-install-recommends', 'firefox-esr', 'libnss3-tools']] });
  });

  it('prints the exact command instead when it cannot install: no sudo, or no apt', () => {
    expect(planDemoSetup(machine([], { isRoot: false, hasSudo: false }))).toMatchObject({
      action: 'instruct',
      command: 'sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium firefox-esr libnss3-tools openssl',
    });
    expect(planDemoSetup(machine(['openssl'], { hasApt: false }))).toMatchObject({ action: 'instruct', reason: expect.stringContaining('no apt-get') });
  });
});
