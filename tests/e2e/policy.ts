/**
 * Managed policy for the extension in the real browsers, as an administrator deploys it.
 * Firefox reads /usr/lib/firefox-esr/distribution/policies.json once, at start; Chromium reads
 * /etc/chromium/policies/managed/*.json and notices new files while it runs. Both files are
 * removed as soon as possible: other test runs on the machine launch Firefox too, and would
 * read a policies.json left lying around.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const FIREFOX_POLICIES = '/usr/lib/firefox-esr/distribution/policies.json';
export const CHROMIUM_POLICY_DIR = '/etc/chromium/policies/managed';

export interface PolicyFile {
  remove(): Promise<void>;
}

export async function writeFirefoxPolicy(geckoId: string, managed: Record<string, unknown>): Promise<PolicyFile> {
  if (existsSync(FIREFOX_POLICIES)) throw new Error(`${FIREFOX_POLICIES} exists already; refusing to overwrite it`);
  await writeFile(FIREFOX_POLICIES, JSON.stringify({ policies: { '3rdparty': { Extensions: { [geckoId]: managed } } } }));
  return { remove: () => rm(FIREFOX_POLICIES, { force: true }) };
}

export async function writeChromiumPolicy(extensionId: string, managed: Record<string, unknown>): Promise<PolicyFile> {
  // The directories this call creates, deepest first, to be removed again if still empty.
  const created: string[] = [];
  for (let dir = CHROMIUM_POLICY_DIR; !existsSync(dir); dir = path.dirname(dir)) created.push(dir);
  await mkdir(CHROMIUM_POLICY_DIR, { recursive: true });
  const file = path.join(CHROMIUM_POLICY_DIR, `tapguard-e2e-${extensionId}.json`);
  await writeFile(file, JSON.stringify({ '3rdparty': { extensions: { [extensionId]: managed } } }));
  return {
    async remove() {
      await rm(file, { force: true });
      for (const dir of created) await rmdir(dir).catch(() => undefined);
    },
  };
}
