import { describe, expect, it } from "vitest";
import {
  appendPage,
  inboxItems,
  matchesFilter,
  mergeMessageIntoPages,
  mergeMessages,
  reconcileThread,
  threadMessages,
  upsertConversation,
  type InboxFilter,
  type InboxPages,
  type ThreadPages,
} from "./inbox";
import type { Message } from "../api/types";
import { conv } from "../testing/fixtures";

const all: InboxFilter = { assignee: "all", status: "any", businessNumberId: null };

/** Inbox pages of the given conversation ids (newest activity first), `more` when the server has further pages. */
function inbox(pages: number[][], more = false): InboxPages {
  return {
    pages: pages.map((ids, i) => ({ items: ids.map((id) => conv(id)), next_cursor: i < pages.length - 1 || more ? `c${i + 1}` : null })),
    pageParams: pages.map((_, i) => (i === 0 ? null : `c${i}`)),
  };
}
const ids = (data: InboxPages) => data.pages.map((p) => p.items.map((c) => c.id));

describe("inbox live updates", () => {
  it("puts a new conversation on top (newest activity first)", () => {
    expect(ids(upsertConversation(inbox([[2, 1]]), conv(3), all, 1))).toEqual([[3, 2, 1]]);
  });

  it("replaces an updated conversation in place of the old copy", () => {
    const updated = conv(1, { unread_count: 3, last_message_at: "2025-01-01T00:00:09Z" });
    const next = upsertConversation(inbox([[2, 1]]), updated, all, 1);
    expect(next.pages[0]!.items.map((c) => [c.id, c.unread_count])).toEqual([
      [1, 3],
      [2, 0],
    ]);
  });

  it("moves a conversation with new activity from a later page to the top of the first", () => {
    const next = upsertConversation(inbox([[9, 8], [5, 4]]), conv(4, { last_message_at: "2025-01-01T00:00:59Z" }), all, 1);
    expect(ids(next)).toEqual([[4, 9, 8], [5]]);
  });

  it("keeps a changed conversation in the page its activity sorts into", () => {
    const next = upsertConversation(inbox([[9, 8], [5, 4], [2, 1]]), conv(4, { status: "pending" }), all, 1);
    expect(ids(next)).toEqual([[9, 8], [5, 4], [2, 1]]);
    expect(next.pages[1]!.items[1]!.status).toBe("pending");
  });

  it("puts a conversation older than every loaded one at the end of the last loaded page", () => {
    expect(ids(upsertConversation(inbox([[9, 8]], true), conv(3), all, 1))).toEqual([[9, 8, 3]]);
  });

  it("drops a conversation that no longer matches the filter (resolved while viewing open)", () => {
    const f: InboxFilter = { ...all, status: "open" };
    const next = upsertConversation(inbox([[2], [1]]), conv(1, { status: "resolved" }), f, 1);
    expect(ids(next)).toEqual([[2], []]);
  });

  it("leaves the pages as they are for a conversation that neither was in them nor matches", () => {
    const data = inbox([[2, 1]]);
    expect(upsertConversation(data, conv(3, { status: "resolved" }), { ...all, status: "open" }, 1)).toBe(data);
  });

  it("matches mine / unassigned / number filters", () => {
    const mine = conv(1, { assignee_id: 7 });
    expect(matchesFilter(mine, { ...all, assignee: "me" }, 7)).toBe(true);
    expect(matchesFilter(mine, { ...all, assignee: "me" }, 8)).toBe(false);
    expect(matchesFilter(mine, { ...all, assignee: "unassigned" }, 7)).toBe(false);
    expect(matchesFilter(conv(2), { ...all, assignee: "unassigned" }, 7)).toBe(true);
    expect(matchesFilter(conv(2), { ...all, businessNumberId: 2 }, 7)).toBe(false);
  });

  it("lists each loaded conversation once, even when a later page repeats one that moved", () => {
    expect(inboxItems(inbox([[3, 2], [2, 1]])).map((c) => c.id)).toEqual([3, 2, 1]);
    expect(inboxItems(undefined)).toEqual([]);
  });
});

const m = (id: number, ts: string, status: Message["status"] = "queued"): Message => ({
  id,
  conversation_id: 1,
  direction: "outbound",
  type: "text",
  payload: { type: "text", text: { body: "hi" } },
  timestamp: ts,
  status,
  status_times: {},
  created_at: ts,
});
const at = (s: number) => `2025-01-01T00:00:${String(s).padStart(2, "0")}Z`;

/** Thread pages (newest page first) of [id, status] pairs; message n is at second n. */
function thread(pages: [number, Message["status"]][][]): ThreadPages {
  return {
    pages: pages.map((items, i) => ({ items: items.map(([id, status]) => m(id, at(id), status)), next_cursor: i < pages.length - 1 ? `b${i + 1}` : null })),
    pageParams: pages.map((_, i) => (i === 0 ? null : `b${i}`)),
  };
}
const statuses = (data: ThreadPages) => threadMessages(data).map((x) => [x.id, x.status]);

describe("mergeMessages", () => {
  it("deduplicates by id and keeps thread order by timestamp, then id", () => {
    const list = [m(1, "2025-01-01T00:00:01Z"), m(3, "2025-01-01T00:00:03Z")];
    const merged = mergeMessages(list, [m(2, "2025-01-01T00:00:03Z"), m(1, "2025-01-01T00:00:01Z", "sent")]);
    expect(merged.map((x) => [x.id, x.status])).toEqual([
      [1, "sent"],
      [2, "queued"],
      [3, "queued"],
    ]);
  });

  it("prepends an older page", () => {
    const merged = mergeMessages([m(5, "2025-01-01T00:00:05Z")], [m(4, "2025-01-01T00:00:04Z")]);
    expect(merged.map((x) => x.id)).toEqual([4, 5]);
  });
});

describe("thread live updates", () => {
  it("adds a new message to the newest page and shows the thread oldest first", () => {
    const next = mergeMessageIntoPages(thread([[[3, "sent"]], [[1, "read"]]]), m(4, at(4)));
    expect(next.pages.map((p) => p.items.map((x) => x.id))).toEqual([[3, 4], [1]]);
    expect(statuses(next)).toEqual([
      [1, "read"],
      [3, "sent"],
      [4, "queued"],
    ]);
  });

  it("advances a status in the older page that holds the message", () => {
    const next = mergeMessageIntoPages(thread([[[3, "sent"]], [[1, "sent"]]]), m(1, at(1), "delivered"));
    expect(next.pages[1]!.items.map((x) => [x.id, x.status])).toEqual([[1, "delivered"]]);
    expect(next.pages[0]!.items).toHaveLength(1);
  });

  it("never takes a status back when a late event carries an older one", () => {
    const next = mergeMessageIntoPages(thread([[[3, "read"]]]), m(3, at(3), "sent"));
    expect(statuses(next)).toEqual([[3, "read"]]);
  });
});

describe("what a fetch answer leaves in the cache", () => {
  it("a 'load more' answer keeps the cached pages, with the live changes made while it loaded, and adds the new page", () => {
    const atStart = inbox([[2, 1]], true);
    const live = upsertConversation(atStart, conv(3), all, 1);
    const answer: InboxPages = {
      pages: [...atStart.pages, { items: [conv(0)], next_cursor: null }],
      pageParams: [null, "c1"],
    };
    const kept = appendPage(live, answer);
    expect(ids(kept)).toEqual([[3, 2, 1], [0]]);
    expect(kept.pageParams).toEqual([null, "c1"]);
  });

  it("a refetch of every page is taken as the backend answers it", () => {
    const answer = inbox([[5, 4]]);
    expect(appendPage(inbox([[3, 2]]), answer)).toBe(answer);
    expect(appendPage(undefined, answer)).toBe(answer);
  });

  it("a thread refetch does not take back a status that a live event advanced while it ran", () => {
    const cached = thread([[[1, "read"], [2, "delivered"]]]);
    const answer = thread([[[1, "sent"], [2, "read"]]]);
    expect(statuses(reconcileThread(cached, answer))).toEqual([
      [1, "read"],
      [2, "read"],
    ]);
  });

  it("a thread refetch keeps a live message newer than every refetched one", () => {
    const cached = thread([[[1, "read"], [2, "queued"]]]);
    const answer = thread([[[1, "read"]]]);
    expect(statuses(reconcileThread(cached, answer))).toEqual([
      [1, "read"],
      [2, "queued"],
    ]);
  });

  it("a thread refetch drops what the backend no longer lists among the refetched messages", () => {
    const cached = thread([[[1, "read"], [2, "read"], [3, "read"]]]);
    const answer = thread([[[1, "read"], [3, "read"]]]);
    expect(statuses(reconcileThread(cached, answer)).map(([id]) => id)).toEqual([1, 3]);
  });

  it("a thread 'load older' answer keeps the live changes made while it loaded", () => {
    const atStart = thread([[[5, "sent"]]]);
    const live = mergeMessageIntoPages(atStart, m(6, at(6)));
    const answer: ThreadPages = { pages: [...atStart.pages, thread([[[1, "read"]]]).pages[0]!], pageParams: [null, "b1"] };
    expect(statuses(reconcileThread(live, answer))).toEqual([
      [1, "read"],
      [5, "sent"],
      [6, "queued"],
    ]);
  });
});
