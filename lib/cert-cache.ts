/**
 * Certificates are judged once per connection, not per request: a chat opens hundreds of requests
 * over one connection, and each would read the same chain. Keyed by host and leaf fingerprint, so
 * a changed certificate on the same host (an interceptor switched on mid-session) is judged again.
 * In memory only: it holds no findings, and forgetting it costs one more judgement, nothing else.
 */
export function createJudgedCertificates(capacity = 2000) {
  const judged = new Set<string>();
  const keyOf = (host: string, leafSha256: string) => `${host}|${leafSha256}`;
  return {
    has(host: string, leafSha256: string | undefined): boolean {
      return Boolean(leafSha256) && judged.has(keyOf(host, leafSha256!));
    },
    add(host: string, leafSha256: string | undefined): void {
      if (!leafSha256) return;
      if (judged.size >= capacity) judged.clear();
      judged.add(keyOf(host, leafSha256));
    },
  };
}
