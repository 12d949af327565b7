/**
 * Runs before `npm start`: makes sure what the demo needs from the system is there — Debian's
 * Chromium and Firefox ESR (nothing is downloaded from elsewhere), NSS certutil (to trust the lab's
 * CA in each throwaway profile) and openssl (to make the lab's certificates). What is missing is
 * installed with apt-get, through sudo when not root, after saying what and why. Where that cannot
 * be done, it prints the exact command and exits non-zero, so the demo never "passes" unseen.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface Requirement {
  /** What the demo uses it for, in a few words. */
  why: string;
  /** Executables that prove it is installed (any one of them). */
  binaries: string[];
  /** The Debian package that provides it. */
  debianPackage: string;
}

export const DEMO_REQUIREMENTS: Requirement[] = [
  { why: 'runs the demo in Chromium', binaries: ['/usr/bin/chromium'], debianPackage: 'chromium' },
  { why: 'runs the demo in Firefox ESR', binaries: ['/usr/bin/firefox-esr'], debianPackage: 'firefox-esr' },
  { why: "trusts the lab's CA in each browser profile", binaries: ['certutil'], debianPackage: 'libnss3-tools' },
  { why: "makes the lab's certificates", binaries: ['openssl'], debianPackage: 'openssl' },
];

export interface Machine {
  isInstalled(binary: string): boolean;
  isRoot: boolean;
  hasApt: boolean;
  hasSudo: boolean;
}

export type SetupPlan =
  | { action: 'none' }
  | { action: 'install'; missing: Requirement[]; commands: string[][] }
  | { action: 'instruct'; missing: Requirement[]; command: string; reason: string };

/** What to do on this machine: a pure function of what it has, so every branch is unit-tested. */
export function planDemoSetup(machine: Machine, requirements: Requirement[] = DEMO_REQUIREMENTS): SetupPlan {
  const missing = requirements.filter((r) => !r.binaries.some((b) => machine.isInstalled(b)));
  if (missing.length === 0) return { action: 'none' };
  const packages = missing.map((r) => r.debianPackage);
  const prefix = machine.isRoot ? [] : ['sudo'];
  const install = [...prefix, 'apt-get', 'install', '-y', '--no-install-recommends', ...packages];
  const command = `${machine.isRoot ? '' : 'sudo '}apt-get update && ${install.join(' ')}`;
  if (!machine.hasApt) return { action: 'instruct', missing, command, reason: 'this machine has no apt-get (the demo expects Debian or Ubuntu)' };
  if (!machine.isRoot && !machine.hasSudo) return { action: 'instruct', missing, command, reason: 'installing needs root, and sudo is not installed' };
  return { action: 'install', missing, commands: [[...prefix, 'apt-get', 'update'], install] };
}

function isInstalled(binary: string): boolean {
  const candidates = binary.includes('/') ? [binary] : [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'].map((dir) => path.join(dir, binary));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function main(): number {
  const machine: Machine = { isInstalled, isRoot: process.getuid?.() === 0, hasApt: isInstalled('apt-get'), hasSudo: isInstalled('sudo') };
  const plan = planDemoSetup(machine);
  if (plan.action === 'none') return 0;
  const list = plan.missing.map((r) => `  - ${r.debianPackage}: ${r.why}`).join('\n');
  if (plan.action === 'instruct') {
    console.error(`The demo needs these packages, which are not installed:\n${list}\nI cannot install them: ${plan.reason}.\nInstall them with:\n  ${plan.command}\nthen run \`npm start\` again.`);
    return 1;
  }
  console.log(`The demo needs these packages, which are not installed; installing them from Debian's archive now:\n${list}`);
  for (const command of plan.commands) {
    console.log(`$ ${command.join(' ')}`);
    const result = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) {
      console.error(`That failed (${result.error?.message ?? `exit ${result.status}`}). Install the packages yourself with:\n  ${plan.commands.map((c) => c.join(' ')).join(' && ')}\nthen run \`npm start\` again.`);
      return 1;
    }
  }
  const still = plan.missing.filter((r) => !r.binaries.some(isInstalled));
  if (still.length > 0) {
    console.error(`apt-get finished, but these are still missing: ${still.map((r) => r.debianPackage).join(', ')} (on Ubuntu, Chromium and Firefox ESR are not in the main archive as Debian builds). Install them, then run \`npm start\` again.`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(main());
