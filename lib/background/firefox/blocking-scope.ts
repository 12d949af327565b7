import type { SiteLists } from '../../core/sites';
import { EVERYTHING, wantedBlockingFilters, type BlockingFilters } from './blocking-filters';
import { createBlockingRegistrar, type BlockingEventLike, type BlockingRegistrar, type BlockingRegistrarOptions, type BlockingRequest } from './blocking-registrar';

export interface BlockingScopeDeps {
  /** The site lists, undefined until storage has been read (the built-in services count meanwhile). */
  lists: () => SiteLists | undefined;
  /** The tabs in a messaging session (lib/background/session-scope.ts). */
  sessionTabs: () => Iterable<number>;
  isMessagingUrl: (url: string) => boolean;
  /**
   * Whether the lists and the sessions are known. Given (Chrome), the listeners see every URL until
   * then: a woken MV3 worker gets its waking event only from listeners registered in its first
   * turn, and that event may be a scoped tab's request to any host. Not given (Firefox, whose
   * background never sleeps, and whose blocking listeners would hold every request): the
   * built-in services and the tabs known so far.
   */
  ready?: () => boolean;
}

/**
 * Firefox's blocking listeners, registered only for what is in scope (lib/background/firefox/
 * blocking-filters.ts) and brought up to date whenever the scope changes: the lists, a session
 * starting or ending, a tab navigating to a mail or chat page. Chrome's network listeners use the
 * same scope (entrypoints/background/context.ts): nothing in it is Firefox's but the name, and
 * each listener an ordinary page's request meets wakes the MV3 worker.
 *
 * A tab counts from its top-level navigation's first request (`navigating`), not from the commit
 * that starts its session: the page's own response and the requests it makes right after the
 * commit (the mail's API host) must already meet a listener. It stays counted until it navigates
 * elsewhere and that document commits (its session ends), so no request of its page is missed.
 */
export function createBlockingScope(deps: BlockingScopeDeps) {
  const registrars: BlockingRegistrar[] = [];
  // Tabs whose latest top-level navigation goes to a mail or chat address.
  const navigatingTabs = new Set<number>();
  const wanted = (): BlockingFilters =>
    deps.ready && !deps.ready() ? EVERYTHING : wantedBlockingFilters(deps.lists(), [...deps.sessionTabs(), ...navigatingTabs]);
  const refresh = () => {
    const filters = wanted();
    for (const registrar of registrars) registrar.apply(filters);
  };
  return {
    /** A blocking listener for `event`, registered now (synchronously) for the current scope. */
    register<D extends BlockingRequest>(event: BlockingEventLike<D>, handler: (details: D) => unknown, options: BlockingRegistrarOptions): BlockingRegistrar {
      const registrar = createBlockingRegistrar(event, handler, options);
      registrars.push(registrar);
      registrar.apply(wanted());
      return registrar;
    },
    /** A tab's top-level navigation starts (its main_frame request). */
    navigating(tabId: number, url: string): void {
      if (tabId < 0) return;
      const was = navigatingTabs.has(tabId);
      if (deps.isMessagingUrl(url)) navigatingTabs.add(tabId);
      else navigatingTabs.delete(tabId);
      if (was !== navigatingTabs.has(tabId)) refresh();
    },
    /** The tab was closed. */
    forget(tabId: number): void {
      if (navigatingTabs.delete(tabId)) refresh();
    },
    /** The lists or the sessions changed. */
    refresh,
  };
}

export type BlockingScope = ReturnType<typeof createBlockingScope>;
