/**
 * mitmproxy, a real TLS-intercepting proxy, in front of the lab (cert.test.ts for Firefox,
 * deep.test.ts for Chromium with deep inspection).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LAB_HOSTS, startLab, type Lab } from '../../lab/server';
import { launch, type Session } from './browsers';
import { ExtensionProbe } from './scenario-runner';

const MITMDUMP = '/usr/bin/mitmdump';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * mitmproxy in front of the lab. The browser maps the lab names to 127.0.0.1 only inside itself,
 * so a tiny addon sends mitmproxy's upstream connections for those names there too; mitmproxy
 * checks the lab's certificate against the lab CA, as a real interceptor checks the real one.
 */
export async function startMitmproxy(lab: Lab, dir: string): Promise<{ port: number; caPem: string; proc: ChildProcess; log: () => string }> {
  const addon = path.join(dir, 'lab_upstream.py');
  await writeFile(
    addon,
    [
      'LAB_HOSTS = {' + Object.values(LAB_HOSTS).map((h) => `'${h}'`).join(', ') + '}',
      '',
      'class LabUpstream:',
      '    def server_connect(self, data):',
      '        host, port = data.server.address',
      '        if host in LAB_HOSTS:',
      "            data.server.address = ('127.0.0.1', port)",
      '',
      'addons = [LabUpstream()]',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const confdir = path.join(dir, 'conf');
  let output = '';
  const proc = spawn(
    MITMDUMP,
    ['--listen-host', '127.0.0.1', '--listen-port', String(port), '--set', `confdir=${confdir}`, '--set', `ssl_verify_upstream_trusted_ca=${lab.caCertPath}`, '-s', addon, '--flow-detail', '0'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  proc.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const caPath = path.join(confdir, 'mitmproxy-ca-cert.pem');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`mitmdump exited with ${proc.exitCode}: ${output}`);
    if (existsSync(caPath) && /listening at/i.test(output)) break;
    await sleep(200);
  }
  if (!existsSync(caPath)) throw new Error(`mitmdump did not start within 30 s: ${output}`);
  return { port, caPem: await readFile(caPath, 'utf8'), proc, log: () => output };
}

export const HAVE_MITMPROXY = existsSync(MITMDUMP);
if (!HAVE_MITMPROXY) console.warn(`Skipping the mitmproxy e2e test: ${MITMDUMP} is not installed (Debian: apt-get install -y mitmproxy).`);

export interface MitmSession {
  lab: Lab;
  session: Session;
  probe: ExtensionProbe;
  /** mitmproxy's recent output, for a failing assertion's message. */
  log(): string;
  close(): Promise<void>;
}

/**
 * A browser with the extension whose every connection goes through mitmproxy, whose CA the
 * profile trusts (as a user, malware or an administrator would have it), in front of a fresh lab.
 */
export async function launchBehindMitmproxy(name: 'chromium' | 'firefox', extensionDir: string): Promise<MitmSession> {
  const lab = await startLab();
  const dir = await mkdtemp(path.join(os.tmpdir(), `tapguard-mitm-${name}-`));
  let mitm: Awaited<ReturnType<typeof startMitmproxy>> | undefined;
  let session: Session | undefined;
  const close = async () => {
    await session?.close();
    mitm?.proc.kill('SIGTERM');
    await lab.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    mitm = await startMitmproxy(lab, dir);
    session = await launch(name, {
      extensionDir,
      trustCaPems: [lab.caCertPem, mitm.caPem],
      hostMap: Object.values(LAB_HOSTS),
      ...(name === 'chromium'
        ? { extraArgs: [`--proxy-server=http://127.0.0.1:${mitm.port}`] }
        : { extraPrefsFirefox: { 'network.proxy.type': 1, 'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': mitm.port } }),
    });
    const proxy = mitm;
    return { lab, session, probe: await ExtensionProbe.open(session), log: () => proxy.log(), close };
  } catch (error) {
    await close();
    throw error;
  }
}
