import type { SiteLists } from '../../core/sites';
import { EVERYTHING, wantedScopeFilters, type ScopeFilters } from './filters';
import { createListenerRegistrar, type RequestEventLike, type ListenerRegistrar, type ListenerRegistrarOptions, type ScopedRequest } from './registrar';

export interface RequestScopeDeps {
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
 * tapguard's network listeners, registered only for what is in scope (filters.ts) and brought up
 * to date whenever the scope changes: the lists, a session starting or ending, a tab navigating
 * to a mail or chat page. Firefox's blocking listeners hold every request they match; Chrome's
 * non-blocking ones wake the MV3 worker for it (entrypoints/background/context.ts): either way an
 * ordinary page's request must meet none.
 *
 * A tab counts from its top-level navigation's first request (`navigating`), not from the commit
 * that starts its session: the page's own response and the requests it makes right after the
 * commit (the mail's API host) must already meet a listener. It stays counted until it navigates
 * elsewhere and that document commits (its session ends), so no request of its page is missed.
 */
export function createRequestScope(deps: RequestScopeDeps) {
  const registrars: ListenerRegistrar[] = [];
  // Tabs whose latest top-level navigation goes to a mail or chat address.
  const navigatingTabs = new Set<number>();
  const wanted = (): ScopeFilters =>
    deps.ready && !deps.ready() ? EVERYTHING : wantedScopeFilters(deps.lists(), [...deps.sessionTabs(), ...navigatingTabs]);
  const refresh = () => {
    const filters = wanted();
    for (const registrar of registrars) registrar.apply(filters);
  };
  return {
    /** A listener for `event`, registered now (synchronously) for the current scope. */
    register<D extends ScopedRequest>(event: RequestEventLike<D>, handler: (details: D) => unknown, options: ListenerRegistrarOptions): ListenerRegistrar {
      const registrar = createListenerRegistrar(event, handler, options);
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

export type BlockingScope = ReturnType<typeof createRequestScope>;
