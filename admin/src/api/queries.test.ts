import { describe, expect, it } from "vitest";
import { InfiniteQueryObserver } from "@tanstack/react-query";
import {
  createQueryClient,
  inboxQuery,
  putConversation,
  putConversationInInboxes,
  putMessage,
  queryKeys,
  retryDelay,
  shouldRetry,
  threadQuery,
} from "./queries";
import { ApiError } from "./errors";
import type { Conversation, ConversationPage, Message, MessagePage } from "./types";
import { inboxItems, threadMessages, type InboxFilter, type InboxPages, type ThreadPages } from "../lib/inbox";
import { conv } from "../testing/fixtures";

function msg(id: number, status: Message["status"], conversation_id = 1): Message {
  const ts = `2025-01-01T00:00:${String(id).padStart(2, "0")}Z`;
  return { id, conversation_id, direction: "outbound", type: "text", payload: { type: "text", text: { body: "hi" } }, timestamp: ts, status, status_times: {}, created_at: ts };
}
const all: InboxFilter = { assignee: "all", status: "any", businessNumberId: null };
const openOnly: InboxFilter = { ...all, status: "open" };
const page = (items: Conversation[], next_cursor: string | null = null): ConversationPage => ({ items, next_cursor });
const cached = (items: Conversation[]): InboxPages => ({ pages: [page(items)], pageParams: [null] });

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("live events in the cache", () => {
  it("a changed conversation updates every cached inbox list by that list's own filter", () => {
    const client = createQueryClient();
    client.setQueryData(queryKeys.inbox(all), cached([conv(2), conv(1)]));
    client.setQueryData(queryKeys.inbox(openOnly), cached([conv(2), conv(1)]));
    putConversationInInboxes(client, conv(1, { status: "resolved" }), 7);
    expect(inboxItems(client.getQueryData(queryKeys.inbox(all))).map((c) => [c.id, c.status])).toEqual([
      [2, "open"],
      [1, "resolved"],
    ]);
    expect(inboxItems(client.getQueryData(queryKeys.inbox(openOnly))).map((c) => c.id)).toEqual([2]);
  });

  it("a new conversation assigned to me appears in 'mine' and not in 'unassigned'", () => {
    const client = createQueryClient();
    const mine: InboxFilter = { ...all, assignee: "me" };
    const unassigned: InboxFilter = { ...all, assignee: "unassigned" };
    client.setQueryData(queryKeys.inbox(mine), cached([]));
    client.setQueryData(queryKeys.inbox(unassigned), cached([conv(1)]));
    putConversationInInboxes(client, conv(3, { assignee_id: 7 }), 7);
    expect(inboxItems(client.getQueryData(queryKeys.inbox(mine))).map((c) => c.id)).toEqual([3]);
    expect(inboxItems(client.getQueryData(queryKeys.inbox(unassigned))).map((c) => c.id)).toEqual([1]);
  });

  it("a conversation or message nobody has loaded creates no cache entry", () => {
    const client = createQueryClient();
    putConversation(client, conv(5));
    putMessage(client, msg(1, "sent", 5));
    expect(client.getQueryData(queryKeys.conversation(5))).toBeUndefined();
    expect(client.getQueryData(queryKeys.thread(5))).toBeUndefined();
  });

  it("a message event goes into its own conversation's thread only", () => {
    const client = createQueryClient();
    const thread = (m: Message[]): ThreadPages => ({ pages: [{ items: m, next_cursor: null }], pageParams: [null] });
    client.setQueryData(queryKeys.thread(1), thread([msg(1, "sent")]));
    client.setQueryData(queryKeys.thread(2), thread([msg(2, "sent", 2)]));
    putMessage(client, msg(1, "delivered"));
    expect(threadMessages(client.getQueryData(queryKeys.thread(1))).map((m) => m.status)).toEqual(["delivered"]);
    expect(threadMessages(client.getQueryData(queryKeys.thread(2))).map((m) => m.status)).toEqual(["sent"]);
  });

  it("'Load more' keeps a conversation that arrived live while the next page was loading", async () => {
    const client = createQueryClient();
    const second = deferred<ConversationPage>();
    const options = {
      ...inboxQuery(all),
      queryFn: ({ pageParam }: { pageParam: string | null }) => (pageParam ? second.promise : Promise.resolve(page([conv(5), conv(4)], "c1"))),
    };
    const observer = new InfiniteQueryObserver(client, options);
    const stop = observer.subscribe(() => undefined);
    await client.fetchInfiniteQuery(options);
    const more = observer.fetchNextPage();
    putConversationInInboxes(client, conv(9), 7);
    second.resolve(page([conv(2), conv(1)]));
    await more;
    expect(inboxItems(client.getQueryData(queryKeys.inbox(all))).map((c) => c.id)).toEqual([9, 5, 4, 2, 1]);
    stop();
  });

  it("a thread refetch that answers with an older status keeps the one a live event brought meanwhile", async () => {
    const client = createQueryClient();
    const refetched = deferred<MessagePage>();
    let calls = 0;
    const options = {
      ...threadQuery(1),
      queryFn: () => (++calls === 1 ? Promise.resolve({ items: [msg(1, "sent")], next_cursor: null }) : refetched.promise),
    };
    await client.fetchInfiniteQuery(options);
    const refetch = client.refetchQueries({ queryKey: queryKeys.thread(1) });
    putMessage(client, msg(1, "read"));
    refetched.resolve({ items: [msg(1, "delivered")], next_cursor: null });
    await refetch;
    expect(threadMessages(client.getQueryData(queryKeys.thread(1))).map((m) => m.status)).toEqual(["read"]);
  });
});

describe("retries", () => {
  it("retries network failures, 5xx and 429 twice, and nothing else", () => {
    expect(shouldRetry(0, new TypeError("Failed to fetch"))).toBe(true);
    expect(shouldRetry(1, new ApiError(503, undefined))).toBe(true);
    expect(shouldRetry(0, new ApiError(429, undefined, "2"))).toBe(true);
    expect(shouldRetry(2, new ApiError(503, undefined))).toBe(false);
    expect(shouldRetry(0, new ApiError(404, undefined))).toBe(false);
    expect(shouldRetry(0, new ApiError(403, undefined))).toBe(false);
  });

  it("waits for Retry-After when the backend names it, else backs off", () => {
    expect(retryDelay(0, new ApiError(429, undefined, "3"))).toBe(3000);
    expect(retryDelay(0, new ApiError(429, undefined, "120"))).toBe(10_000);
    expect(retryDelay(0, new ApiError(503, undefined))).toBe(1000);
    expect(retryDelay(1, new TypeError("x"))).toBe(2000);
  });
});
