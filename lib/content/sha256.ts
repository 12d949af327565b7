/**
 * The content scripts' SHA-256 of inline scripts. It moved to lib/core/sha256.ts, where the
 * background uses it too (for the incident chain and fingerprints, instead of @noble/hashes); it
 * still sets nothing up until it is called.
 */
export { sha256HexOfText } from '../core/sha256';
