// Every read of server data goes through TanStack Query: one key per resource, one queryFn over
// the generated client (`api`), failures as ApiError (shown by ErrorBanner). Live events and the
// answers to this user's changes write into the same cache (see the writers below and
// ./mutations.ts). Nothing here decides a rule; the backend does.
import {
  infiniteQueryOptions,
  keepPreviousData,
  QueryClient,
  queryOptions,
  useQuery,
  type QueryKey,
} from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { ApiError } from "./errors";
import type { Conversation, Message } from "./types";
import {
  appendPage,
  mergeMessageIntoPages,
  reconcileThread,
  upsertConversation,
  type InboxFilter,
  type InboxPages,
  type ThreadPages,
} from "../lib/inbox";

/** A page of the inbox or of a thread. */
export const PAGE_SIZE = 50;

export const queryKeys = {
  about: () => ["about"] as const,
  numbers: () => ["business-numbers"] as const,
  members: (numberId: number) => ["members", numberId] as const,
  users: () => ["users"] as const,
  /** Every number's figures (the prefix of `stats`). */
  allStats: () => ["stats"] as const,
  stats: (numberId: number) => ["stats", numberId] as const,
  /** Every cached inbox list, whatever its filter (the prefix of `inbox`). */
  inboxes: () => ["inbox"] as const,
  inbox: (filter: InboxFilter) => ["inbox", filter] as const,
  conversation: (id: number) => ["conversation", id] as const,
  thread: (conversationId: number) => ["thread", conversationId] as const,
  media: (messageId: number) => ["media", messageId] as const,
};

/**
 * Network failures, 5xx and 429 (the per-address cap, with its Retry-After) are tried twice more;
 * any other answer (401 is already refreshed and retried by the fetch wrapper, 403, 404, 4xx) is final.
 */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  if (!(error instanceof ApiError)) return true;
  return error.status >= 500 || error.status === 429;
}

/** Retry-After when the backend gave one (at most 10 s), else 1 s, 2 s, ... (at most 10 s). */
export function retryDelay(failureCount: number, error: unknown): number {
  if (error instanceof ApiError && error.retryAfterSeconds !== undefined) return Math.min(10_000, error.retryAfterSeconds * 1000);
  return Math.min(10_000, 1000 * 2 ** failureCount);
}

/**
 * The app's one QueryClient. Data is refetched when a screen mounts (as each screen loaded it
 * before); focus and the browser's online event do not refetch, because the live stream keeps
 * the lists current and its `resync` refetches them after a reconnect.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, retryDelay, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}

export const aboutQuery = () =>
  queryOptions({
    queryKey: queryKeys.about(),
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/about", { signal })),
    staleTime: Infinity,
  });

export const numbersQuery = () =>
  queryOptions({
    queryKey: queryKeys.numbers(),
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/business-numbers", { signal })).items,
  });

export const membersQuery = (numberId: number) =>
  queryOptions({
    queryKey: queryKeys.members(numberId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/business-numbers/{id}/members", { params: { path: { id: numberId } }, signal })).items,
  });

export const usersQuery = () =>
  queryOptions({
    queryKey: queryKeys.users(),
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/users", { signal })).items,
  });

/** A number's figures; while another number's load, the last figures stay on screen. */
export const statsQuery = (numberId: number) =>
  queryOptions({
    queryKey: queryKeys.stats(numberId),
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/stats", { params: { query: { business_number_id: numberId } }, signal })),
    placeholderData: keepPreviousData,
  });

/** The inbox for a filter, `PAGE_SIZE` at a time by `cursor`; a new filter keeps the old list until its first page. */
export const inboxQuery = (filter: InboxFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.inbox(filter),
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET("/api/v1/conversations", {
          params: {
            query: {
              limit: PAGE_SIZE,
              cursor: pageParam ?? undefined,
              status: filter.status === "any" ? undefined : filter.status,
              assignee: filter.assignee === "all" ? undefined : filter.assignee,
              business_number_id: filter.businessNumberId ?? undefined,
            },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
    structuralSharing: (cached, fetched) => appendPage(cached as InboxPages | undefined, fetched as InboxPages),
    placeholderData: keepPreviousData,
  });

export const conversationQuery = (id: number) =>
  queryOptions({
    queryKey: queryKeys.conversation(id),
    queryFn: async ({ signal }) => unwrap(await api.GET("/api/v1/conversations/{id}", { params: { path: { id } }, signal })),
  });

/** A thread, newest `PAGE_SIZE` first, older pages by `before`. */
export const threadQuery = (conversationId: number) =>
  infiniteQueryOptions({
    queryKey: queryKeys.thread(conversationId),
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET("/api/v1/conversations/{id}/messages", {
          params: { path: { id: conversationId }, query: { limit: PAGE_SIZE, before: pageParam ?? undefined } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? null,
    structuralSharing: (cached, fetched) => reconcileThread(cached as ThreadPages | undefined, fetched as ThreadPages),
  });

/** A stored attachment's bytes (they never change once stored). */
export const mediaQuery = (messageId: number) =>
  queryOptions({
    queryKey: queryKeys.media(messageId),
    queryFn: async ({ signal }) =>
      unwrap(await api.GET("/api/v1/messages/{id}/media", { params: { path: { id: messageId } }, parseAs: "blob", signal })) as unknown as Blob,
    staleTime: Infinity,
  });

/** The business numbers the user may see (admins: all), loaded once and shared by every screen. */
export function useNumbers() {
  return useQuery(numbersQuery());
}

// Cache writers: live events and the answers to this user's changes go through these.

/** A conversation as the backend now has it, into every cached inbox list (each by its own filter). */
export function putConversationInInboxes(client: QueryClient, c: Conversation, meId: number): void {
  for (const [key] of client.getQueriesData<InboxPages>({ queryKey: queryKeys.inboxes() })) {
    const filter = inboxFilterOf(key);
    if (filter) client.setQueryData<InboxPages>(key, (data) => data && upsertConversation(data, c, filter, meId));
  }
}

/** A conversation as the backend now has it, into its cached detail (when it is cached). */
export function putConversation(client: QueryClient, c: Conversation): void {
  client.setQueryData<Conversation>(queryKeys.conversation(c.id), (old) => (old === undefined ? undefined : c));
}

/** A new or changed message, into its conversation's cached thread (when it is cached). */
export function putMessage(client: QueryClient, m: Message): void {
  client.setQueryData<ThreadPages>(queryKeys.thread(m.conversation_id), (data) => data && mergeMessageIntoPages(data, m));
}

function inboxFilterOf(key: QueryKey): InboxFilter | undefined {
  return key[0] === "inbox" && typeof key[1] === "object" && key[1] !== null ? (key[1] as InboxFilter) : undefined;
}
