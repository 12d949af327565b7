import { bytesToHex, createSha256 } from '../../core/sha256';

/** The part of Firefox's StreamFilter that tapguard uses. */
export interface StreamFilterLike {
  ondata: ((event: { data: ArrayBuffer }) => void) | null;
  onstop: (() => void) | null;
  onerror: (() => void) | null;
  write(data: ArrayBuffer): void;
  close(): void;
  disconnect(): void;
}

/** Bytes beyond this are passed through unhashed: a script that large is not worth the delay. */
export const MAX_HASHED_BYTES = 8 * 1024 * 1024;

/**
 * Hashes a response while passing every chunk straight on, so the page gets its script with no
 * added buffering; the digest arrives when the stream ends. A body past the bound is released
 * unhashed, and says so (`onTooLarge`): padding a script past it must not be a way to hide a
 * change. A failed stream reports nothing.
 */
export function hashStream(filter: StreamFilterLike, onDigest: (sha256Hex: string) => void, onTooLarge: () => void = () => undefined): void {
  const hasher = createSha256();
  let size = 0;
  filter.ondata = (event) => {
    size += event.data.byteLength;
    if (size > MAX_HASHED_BYTES) {
      filter.write(event.data);
      filter.disconnect();
      onTooLarge();
      return;
    }
    hasher.update(new Uint8Array(event.data));
    filter.write(event.data);
  };
  filter.onstop = () => {
    filter.close();
    onDigest(bytesToHex(hasher.digest()));
  };
  filter.onerror = () => undefined;
}
