// Keeping the cached inbox pages and the open thread's pages current from live events and from
// the answers to this user's own changes. The pages are TanStack Query's infinite-query data.
import type { InfiniteData } from "@tanstack/react-query";
import type { Conversation, ConversationPage, ConversationStatus, Message, MessagePage } from "../api/types";
import { newerMessage } from "./status";

export type AssigneeFilter = "all" | "me" | "unassigned";

export interface InboxFilter {
  assignee: AssigneeFilter;
  status: ConversationStatus | "any";
  businessNumberId: number | null;
}

/** The inbox's pages, newest activity first; each page param is the `cursor` that fetched it. */
export type InboxPages = InfiniteData<ConversationPage>;
/** The thread's pages, newest page first; each page param is the `before` cursor that fetched it. */
export type ThreadPages = InfiniteData<MessagePage>;

/** Whether a conversation belongs in the list the filter asked the backend for. */
export function matchesFilter(c: Conversation, f: InboxFilter, meId: number | null): boolean {
  if (f.status !== "any" && c.status !== f.status) return false;
  if (f.businessNumberId !== null && c.business_number_id !== f.businessNumberId) return false;
  if (f.assignee === "me" && (meId === null || c.assignee_id !== meId)) return false;
  if (f.assignee === "unassigned" && c.assignee_id != null) return false;
  return true;
}

function byActivity(a: Conversation, b: Conversation): number {
  const d = Date.parse(b.last_message_at) - Date.parse(a.last_message_at);
  return d !== 0 ? d : b.id - a.id;
}

/** The loaded conversations in list order, each once (a later page may repeat one that moved). */
export function inboxItems(data: InboxPages | undefined): Conversation[] {
  if (!data) return [];
  const seen = new Set<number>();
  const items: Conversation[] = [];
  for (const page of data.pages) {
    for (const c of page.items) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      items.push(c);
    }
  }
  return items;
}

/**
 * The inbox pages after a conversation changed (`conversation.created`/`updated`, or the answer to
 * a change made here): its old copy goes, and if it still matches the filter the new copy goes
 * into the page its activity sorts into (the last loaded page when it sorts after all of them),
 * so the pages read in one order, newest activity first.
 */
export function upsertConversation(data: InboxPages, c: Conversation, f: InboxFilter, meId: number | null): InboxPages {
  let removed = false;
  const pages = data.pages.map((page) => {
    if (!page.items.some((x) => x.id === c.id)) return page;
    removed = true;
    return { ...page, items: page.items.filter((x) => x.id !== c.id) };
  });
  if (!matchesFilter(c, f, meId)) return removed ? { ...data, pages } : data;
  if (pages.length === 0) return data;
  // The first page followed by a page that starts after it (or by none): there it sorts in.
  let target = 0;
  while (target < pages.length - 1) {
    const nextFirst = pages[target + 1]!.items[0];
    if (nextFirst !== undefined && byActivity(c, nextFirst) < 0) break;
    target += 1;
  }
  const page = pages[target]!;
  pages[target] = { ...page, items: [...page.items, c].sort(byActivity) };
  return { ...data, pages };
}

function byThreadOrder(a: Message, b: Message): number {
  const d = Date.parse(a.timestamp) - Date.parse(b.timestamp);
  return d !== 0 ? d : a.id - b.id;
}

/** The thread after messages arrive (live or a page): deduplicated by id, in thread order. */
export function mergeMessages(thread: Message[], incoming: Message[]): Message[] {
  const byId = new Map(thread.map((m) => [m.id, m] as const));
  for (const m of incoming) {
    const current = byId.get(m.id);
    byId.set(m.id, current ? newerMessage(current, m) : m);
  }
  return [...byId.values()].sort(byThreadOrder);
}

/** The loaded messages of a thread, each once, oldest first. */
export function threadMessages(data: ThreadPages | undefined): Message[] {
  return data ? mergeMessages([], data.pages.flatMap((p) => p.items)) : [];
}

/**
 * The thread pages after a message arrived or changed (`message.created`/`updated`, or a send's
 * answer): merged into the page that holds it (a status never goes back), else into the newest page.
 */
export function mergeMessageIntoPages(data: ThreadPages, m: Message): ThreadPages {
  if (data.pages.length === 0) return data;
  const holder = data.pages.findIndex((p) => p.items.some((x) => x.id === m.id));
  const target = holder === -1 ? 0 : holder;
  const pages = data.pages.map((p, i) => (i === target ? { ...p, items: mergeMessages(p.items, [m]) } : p));
  return { ...data, pages };
}

/**
 * What the cache keeps when a fetch answers (TanStack Query's `structuralSharing`). A "load more"
 * answer is built from the pages as they were when it started, so live changes that came in
 * meanwhile would be lost: the cached pages stay and only the new page is taken. Any other answer
 * (the first load, or a refetch of every page) is taken as it is.
 */
export function appendPage<T>(cached: InfiniteData<T> | undefined, fetched: InfiniteData<T>): InfiniteData<T> {
  if (!cached || fetched.pages.length !== cached.pages.length + 1) return fetched;
  return { pages: [...cached.pages, fetched.pages[fetched.pages.length - 1]!], pageParams: fetched.pageParams };
}

/**
 * The thread's `structuralSharing`: as `appendPage`, and a refetch keeps what live events brought
 * while it ran, because an event and a page fetched at about the same time arrive in either
 * order: a status never goes back, and a message newer than every refetched one stays.
 */
export function reconcileThread(cached: ThreadPages | undefined, fetched: ThreadPages): ThreadPages {
  if (!cached) return fetched;
  if (fetched.pages.length === cached.pages.length + 1) return appendPage(cached, fetched);
  const known = new Map(cached.pages.flatMap((p) => p.items).map((m) => [m.id, m] as const));
  let newest: Message | undefined;
  const pages = fetched.pages.map((p) => ({
    ...p,
    items: p.items.map((m) => {
      if (!newest || byThreadOrder(m, newest) > 0) newest = m;
      const current = known.get(m.id);
      known.delete(m.id);
      return current ? newerMessage(current, m) : m;
    }),
  }));
  const later = [...known.values()].filter((m) => !newest || byThreadOrder(m, newest) > 0);
  if (later.length > 0 && pages[0]) pages[0] = { ...pages[0], items: mergeMessages(pages[0].items, later) };
  return { pages, pageParams: fetched.pageParams };
}
