import type { Session } from './browsers';

interface BidiConnection {
  send(method: string, params: unknown): Promise<{ result: unknown }>;
}

/**
 * Runs `expression` in Firefox's privileged (chrome) context over WebDriver BiDi, where
 * `Services`, `Cc` and `Ci` are at hand (the harness launches Firefox with
 * --remote-allow-system-access), and returns its value, which must be a string. The context's
 * global lives as long as the browser window, so one call can leave state for a later one.
 */
export async function evaluateInFirefoxChrome(session: Session, expression: string, what: string): Promise<string> {
  if (session.name !== 'firefox') throw new Error('evaluateInFirefoxChrome needs Firefox');
  const connection = (session.browser as unknown as { connection: BidiConnection }).connection;
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' })).result as { contexts: { context: string }[] };
  const chrome = tree.contexts[0]?.context;
  if (!chrome) throw new Error('Firefox gave no privileged browsing context (needs --remote-allow-system-access)');
  const evaluated = (await connection.send('script.evaluate', { expression, target: { context: chrome }, awaitPromise: true })).result as {
    type: string;
    result?: { value?: unknown };
  };
  if (evaluated.type !== 'success' || typeof evaluated.result?.value !== 'string') throw new Error(`${what} failed in Firefox's chrome context: ${JSON.stringify(evaluated).slice(0, 300)}`);
  return evaluated.result.value;
}
