/**
 * Interactive lab server.
 *
 *   npx tsx lab/serve.ts [--scenario NAME] [--https-port 8443] [--http-port 8080] [--dir PATH]
 *
 * Type a scenario name (and Enter) to switch; "list" shows them, "log" the last requests,
 * "quit" or Ctrl-C stops.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { LAB_HOSTS, SCENARIOS, isScenario, startLab, type Lab, type Scenario } from './server';

interface CliOptions {
  scenario: Scenario;
  httpsPort: number;
  httpPort: number;
  dir: string;
}

function usage(): string {
  return `usage: npx tsx lab/serve.ts [--scenario NAME] [--https-port N] [--http-port N] [--dir PATH]
scenarios: ${SCENARIOS.join(', ')}
defaults: --scenario clean --https-port 8443 --http-port 8080 --dir lab/.run`;
}

function parsePort(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} needs a port number (0-65535), got ${JSON.stringify(value)}`);
  return n;
}

function parseArgs(argv: string[]): CliOptions {
  const here = dirname(fileURLToPath(import.meta.url));
  const opts: CliOptions = { scenario: 'clean', httpsPort: 8443, httpPort: 8080, dir: join(here, '.run') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--scenario': {
        const s = value();
        if (!isScenario(s)) throw new Error(`unknown scenario ${JSON.stringify(s)}`);
        opts.scenario = s;
        break;
      }
      case '--https-port':
        opts.httpsPort = parsePort(flag, value());
        break;
      case '--http-port':
        opts.httpPort = parsePort(flag, value());
        break;
      case '--dir': {
        const d = value();
        if (!d) throw new Error('--dir needs a path');
        opts.dir = resolve(d);
        break;
      }
      case '-h':
      case '--help':
        console.log(usage());
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  return opts;
}

function banner(lab: Lab): string {
  const hostList = Object.values(LAB_HOSTS);
  const ffDomains = hostList.join(',');
  return `
tapguard lab listening on 127.0.0.1 (https ${lab.httpsPort}, http ${lab.httpPort})

  mail      ${lab.url('mail', '/')}
  inbox     ${lab.url('mail', '/?_task=mail')}
  compose   ${lab.url('mail', '/?_task=mail&_action=compose')}
  chat      ${lab.url('chat', '/')}
  injected  ${lab.url('evil', '/inject.js')}
  http      ${lab.url('mail', '/', 'http')}
  self-hosted apps to recognise (and look-alikes, lab/recognition-pages.ts):
            ${lab.url('evil', '/recognition/zulip/login')}, …/zulip/lookalike-blog, …

  lab CA           ${lab.caCertPath}
                   sha256 ${lab.caFingerprintSha256}
  interception CA  ${lab.interceptCaCertPath}
                   sha256 ${lab.interceptCaFingerprintSha256}
  (both are regenerated on every start: re-import them into the test browser profile)

Map the lab host names to 127.0.0.1:
  Chromium:  --host-resolver-rules="MAP *.tapguard.test 127.0.0.1, MAP *.evil-tracker.test 127.0.0.1"
             trust the CAs in the profile's NSS db, e.g.
             certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "Tapguard Lab Root CA" -i ${lab.caCertPath}
  Firefox:   about:config / user.js:
             user_pref("network.dns.localDomains", "${ffDomains}");
             then import the CA(s) under Settings > Certificates > Authorities
             (or certutil -d sql:PROFILE_DIR -A -t C,, -n "Tapguard Lab Root CA" -i ${lab.caCertPath})

Scenarios: ${SCENARIOS.join(', ')}
Type a scenario name to switch, "list", "log", or "quit".
scenario: ${lab.scenario}
`;
}

async function main(): Promise<void> {
  let opts: CliOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage()}`);
    process.exit(2);
  }

  const lab = await startLab({ httpsPort: opts.httpsPort, httpPort: opts.httpPort, dir: opts.dir });
  lab.setScenario(opts.scenario);
  console.log(banner(lab));

  let shuttingDown = false;
  const shutdown = async (code = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    rl.close();
    await lab.close();
    console.log('lab closed');
    process.exit(code);
  };

  const rl = createInterface({ input: process.stdin, terminal: false });
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (!cmd) return;
    if (cmd === 'quit' || cmd === 'exit') return void shutdown(0);
    if (cmd === 'list') return console.log(SCENARIOS.map((s) => (s === lab.scenario ? `* ${s}` : `  ${s}`)).join('\n'));
    if (cmd === 'log') {
      for (const r of lab.requests.slice(-20)) console.log(`${new Date(r.ts).toISOString()} ${r.scheme} ${r.host} ${r.path}`);
      return;
    }
    if (!isScenario(cmd)) return console.log(`unknown scenario ${JSON.stringify(cmd)}; one of: ${SCENARIOS.join(', ')}`);
    lab.setScenario(cmd);
    console.log(`scenario: ${cmd}`);
  });
  // stdin closing (e.g. piped input ran out) does not stop the lab: only quit / signals do.

  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
