/**
 * `npm run verify -- file.jsonl`: recomputes the hash chain of a tapguard JSONL export.
 * Prints `OK: N incidents, chain intact` (exit 0) or `BROKEN at line L: reason` (exit 1);
 * a missing or unreadable file, or no file, is a usage error (exit 2).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { verifyJsonl } from '../lib/export';

const USAGE = 'usage: npm run verify -- <export.jsonl>\n  Checks the hash chain of a tapguard JSONL export and reports the first broken line.';

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    console.error(USAGE);
    return 2;
  }
  const file = args[0]!;
  let handle: FileHandle;
  try {
    // Opening (not just stat) proves the file is readable before anything is reported about it.
    handle = await open(file, 'r');
    if (!(await handle.stat()).isFile()) {
      await handle.close();
      throw new Error('not a regular file');
    }
  } catch (error) {
    console.error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }

  const stream = handle.createReadStream({ encoding: 'utf8' });
  let readError: unknown;
  stream.on('error', (error) => (readError = error));
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  const result = await verifyJsonl(lines);
  if (readError || (!result.ok && result.reason === 'unreadable')) {
    console.error(`cannot read ${file}: ${readError instanceof Error ? readError.message : result.ok ? '' : result.message}\n${USAGE}`);
    return 2;
  }

  if (result.ok) {
    const notes = [
      ...(result.markers ? [`${result.markers} of them ${result.markers === 1 ? 'a log note' : 'log notes'}`] : []),
      ...(result.events ? [`${result.events} ${result.events === 1 ? 'an event' : 'events'} grouping the others`] : []),
    ];
    console.log(`OK: ${result.count} incidents, chain intact${notes.length ? ` (${notes.join('; ')})` : ''}`);
    if (!result.startsAtGenesis) console.log('The chain starts after older records that are not in this file (retention or a cleared log).');
    const h = result.header;
    if (h && typeof h.browser === 'string') console.log(`Exported by tapguard ${String(h.tapguardVersion)} in ${h.browser} at ${String(h.exportedAt)}.`);
    return 0;
  }
  console.log(`BROKEN at line ${result.line}: ${result.message}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
