import { describe, expect, it, vi } from "vitest";
import { LiveStream, backoffMs, type StreamEvent } from "./events";

const enc = new TextEncoder();

/** A response whose SSE body yields the chunks, then ends (or errors, to model a drop). */
function sse(chunks: string[], end: "close" | "error" = "close"): Response {
  const queue = [...chunks];
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = queue.shift();
      if (next !== undefined) c.enqueue(enc.encode(next));
      else if (end === "close") c.close();
      else c.error(new TypeError("network error"));
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

interface Call {
  auth: string | undefined;
  lastEventId: string | undefined;
}

function harness(responses: (() => Response | Promise<Response>)[], opts: { token?: string | null; refreshed?: (string | null)[] } = {}) {
  const calls: Call[] = [];
  const events: StreamEvent[] = [];
  const connected: boolean[] = [];
  let token: string | null = opts.token === undefined ? "t1" : opts.token;
  const refreshed = [...(opts.refreshed ?? [])];
  let stream!: LiveStream;
  const refresh = vi.fn(async () => {
    token = refreshed.length ? refreshed.shift()! : null;
    return token;
  });
  const fetchMock = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
    const h = (init?.headers ?? {}) as Record<string, string>;
    calls.push({ auth: h["Authorization"], lastEventId: h["Last-Event-ID"] });
    const next = responses.shift();
    if (!next) {
      stream.stop();
      throw new DOMException("aborted", "AbortError");
    }
    return next();
  });
  stream = new LiveStream({
    url: "/api/v1/events",
    getToken: () => token,
    refresh,
    onEvent: (e) => events.push(e),
    onConnected: (resumed) => connected.push(resumed),
    fetch: fetchMock as unknown as typeof fetch,
    delayMs: () => 0,
    sleep: async () => undefined,
  });
  return { stream, calls, events, connected, refresh };
}

describe("LiveStream", () => {
  it("parses named events with JSON data, split across chunks, and remembers the last id", async () => {
    const h = harness([
      () =>
        sse([
          ': heartbeat\n\nid: 7\nevent: message.created\ndata: {"id":',
          '1}\n\nid: 8\nevent: conversation.updated\ndata: {"id":2}\n\n',
        ]),
    ]);
    await h.stream.start();
    expect(h.events).toEqual([
      { id: "7", type: "message.created", data: { id: 1 } },
      { id: "8", type: "conversation.updated", data: { id: 2 } },
    ]);
    expect(h.stream.lastEventId).toBe("8");
  });

  it("first connects without Last-Event-ID, then reconnects after a drop with the last id it saw", async () => {
    const h = harness([
      () => sse(["id: 41\nevent: message.created\ndata: {}\n\n"], "error"),
      () => sse(["id: 42\nevent: message.updated\ndata: {}\n\n"]),
    ]);
    await h.stream.start();
    expect(h.calls.map((c) => c.lastEventId)).toEqual([undefined, "41", "42"]);
    expect(h.calls.every((c) => c.auth === "Bearer t1")).toBe(true);
  });

  it("tells the app when it resumed, so the visible lists are fetched again", async () => {
    const h = harness([() => sse([]), () => sse([])]);
    await h.stream.start();
    expect(h.connected).toEqual([false, true]);
  });

  it("after the stream is refused with 401 (token expired) refreshes and resumes from the last id", async () => {
    const h = harness(
      [
        () => sse(["id: 5\nevent: message.created\ndata: {}\n\n"]),
        () => new Response("{}", { status: 401 }),
        () => sse([]),
      ],
      { refreshed: ["t2"] },
    );
    await h.stream.start();
    expect(h.refresh).toHaveBeenCalledTimes(1);
    expect(h.calls).toEqual([
      { auth: "Bearer t1", lastEventId: undefined },
      { auth: "Bearer t1", lastEventId: "5" },
      { auth: "Bearer t2", lastEventId: "5" },
      { auth: "Bearer t2", lastEventId: "5" },
    ]);
  });

  it("refreshes first when it has no valid token", async () => {
    const h = harness([() => sse([])], { token: null, refreshed: ["t9"] });
    await h.stream.start();
    expect(h.calls[0]).toEqual({ auth: "Bearer t9", lastEventId: undefined });
  });

  it("stops when the session is over (refresh refused)", async () => {
    const h = harness([() => new Response("{}", { status: 401 })], { refreshed: [null] });
    await h.stream.start();
    expect(h.calls).toHaveLength(1);
    expect(h.stream.status).toBe("stopped");
  });

  it("keeps retrying after network errors and server errors", async () => {
    const h = harness([
      () => Promise.reject(new TypeError("offline")),
      () => new Response("{}", { status: 503 }),
      () => sse(["id: 1\nevent: x\ndata: 1\n\n"]),
    ]);
    await h.stream.start();
    expect(h.events).toHaveLength(1);
  });

  it("backs off exponentially up to ten seconds", () => {
    expect([1, 2, 3, 4, 10].map(backoffMs)).toEqual([250, 500, 1000, 2000, 10_000]);
  });
});
