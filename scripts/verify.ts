/**
 * `npm run verify -- file.jsonl`: recomputes the hash chain of a tapguard JSONL export.
 * Exit codes (README "Verify"): 0 intact from the log's first record; 3 intact, but the chain
 * starts after removed records or has holes retention left; 1 broken; 2 usage error (no file, a
 * missing or unreadable file). Everything printed from the file has its control characters
 * removed, so a header cannot hide a line with terminal escapes, and header fields are labelled
 * as unverified: the header is not covered by the hash chain.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isPartialChain, streamLines, verifyJsonl } from '../lib/store/export';

const EXIT = { intact: 0, broken: 1, usage: 2, intactAfterRemoved: 3 } as const;

const USAGE = 'usage: npm run verify -- <export.jsonl>\n  Checks the hash chain of a tapguard JSONL export and reports the first broken line.';

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    console.error(USAGE);
    return EXIT.usage;
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
    console.error(`cannot read ${printable(file)}: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return EXIT.usage;
  }

  const stream = handle.createReadStream();
  let readError: unknown;
  stream.on('error', (error) => (readError = error));
  // The same line splitter as the log page: linear, and capped at MAX_LINE_CHARS per line.
  const result = await verifyJsonl(streamLines(Readable.toWeb(stream) as ReadableStream<Uint8Array>));
  if (readError || (!result.ok && result.reason === 'unreadable')) {
    console.error(`cannot read ${printable(file)}: ${readError instanceof Error ? readError.message : result.ok ? '' : result.message}\n${USAGE}`);
    return EXIT.usage;
  }

  if (result.ok) {
    const notes = [
      ...(result.markers ? [`${result.markers} of them ${result.markers === 1 ? 'a log note' : 'log notes'}`] : []),
      ...(result.events ? [`${result.events} ${result.events === 1 ? 'an event' : 'events'} grouping the others`] : []),
    ];
    console.log(`OK: ${result.count} incidents, chain intact${notes.length ? ` (${notes.join('; ')})` : ''}`);
    if (!result.startsAtGenesis) console.log('PARTIAL: the chain starts after older records that are not in this file (retention or a cleared log).');
    if (result.holes > 0)
      console.log(
        `PARTIAL: retention removed low or medium records from ${plural(result.holes, 'place')} in the chain (${plural(result.removedIds, 'id')} missing); what they held cannot be checked.`,
      );
    const h = result.header;
    if (h) console.log(`Header (not covered by the hash chain, NOT verified): tapguard ${shown(h.tapguardVersion)}, browser ${shown(h.browser)}, exported at ${shown(h.exportedAt)}.`);
    return isPartialChain(result) ? EXIT.intactAfterRemoved : EXIT.intact;
  }
  console.log(`BROKEN at line ${result.line}: ${printable(result.message)}`);
  return EXIT.broken;
}

/**
 * Text from the file, made safe for a terminal: C0 and C1 control characters (escape sequences
 * start with ESC or CSI), DEL and bidirectional overrides go, and it is cut to a sane length.
 */
function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(printable(value)) : '(missing)');

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.usage;
  },
);
