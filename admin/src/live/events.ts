// The live stream of `/api/v1/events`. EventSource cannot send `Authorization`, so this reads
// the SSE body from fetch with eventsource-parser, remembers the last event id, and reconnects
// with `Last-Event-ID` after a drop or when the backend ends the stream (token expiry).
import { createParser, type EventSourceMessage } from "eventsource-parser";

/** One event as it came off the stream: its name, id and parsed data, not yet checked. */
export interface StreamEvent {
  id: string | undefined;
  type: string;
  data: unknown;
}

export type LiveStatus = "connecting" | "live" | "reconnecting" | "stopped";

export interface LiveStreamOptions {
  url: string;
  /** A valid access token, or `null` when it must be refreshed first. */
  getToken(): string | null;
  /** A fresh access token; `null` when the session is over (the stream then stops). */
  refresh(): Promise<string | null>;
  onEvent(event: StreamEvent): void;
  /** After every successful connection; `resumed` is false only for the first one. */
  onConnected?(resumed: boolean): void;
  onStatus?(status: LiveStatus): void;
  fetch?: typeof fetch;
  /** Wait before reconnection attempt `attempt` (1, 2, ...). */
  delayMs?(attempt: number): number;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

export function backoffMs(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** Math.max(0, attempt - 1));
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

export class LiveStream {
  #lastEventId: string | null = null;
  #controller: AbortController | null = null;
  #status: LiveStatus = "stopped";
  readonly #o: LiveStreamOptions;

  constructor(options: LiveStreamOptions) {
    this.#o = options;
  }

  get lastEventId(): string | null {
    return this.#lastEventId;
  }

  get status(): LiveStatus {
    return this.#status;
  }

  /** Starts the connect/read/reconnect loop; resolves when stopped. */
  start(): Promise<void> {
    if (this.#controller) return Promise.resolve();
    const controller = new AbortController();
    this.#controller = controller;
    return this.#run(controller.signal);
  }

  stop(): void {
    this.#controller?.abort();
    this.#controller = null;
    this.#setStatus("stopped");
  }

  #setStatus(s: LiveStatus): void {
    if (this.#status === s) return;
    this.#status = s;
    this.#o.onStatus?.(s);
  }

  async #run(signal: AbortSignal): Promise<void> {
    const doFetch = this.#o.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
    const delay = this.#o.delayMs ?? backoffMs;
    const sleep = this.#o.sleep ?? abortableSleep;
    let connectedBefore = false;
    let attempt = 0;
    let rejectedToken: string | null = null;
    this.#setStatus("connecting");
    while (!signal.aborted) {
      if (attempt > 0) {
        this.#setStatus("reconnecting");
        await sleep(delay(attempt), signal);
        if (signal.aborted) break;
      }
      attempt += 1;
      let token = this.#o.getToken();
      if (!token || token === rejectedToken) {
        try {
          token = await this.#o.refresh();
        } catch {
          continue; // network trouble: back off and try again
        }
        if (!token) break; // the session is over
      }
      const headers: Record<string, string> = {
        Accept: "text/event-stream",
        Authorization: `Bearer ${token}`,
      };
      if (this.#lastEventId !== null) headers["Last-Event-ID"] = this.#lastEventId;
      let response: Response;
      try {
        response = await doFetch(this.#o.url, { headers, signal, cache: "no-store" });
      } catch {
        continue;
      }
      if (response.status === 401) {
        rejectedToken = token;
        await response.body?.cancel().catch(() => undefined);
        continue;
      }
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        continue;
      }
      rejectedToken = null;
      attempt = 1; // a later drop reconnects after the shortest wait
      this.#setStatus("live");
      this.#o.onConnected?.(connectedBefore);
      connectedBefore = true;
      try {
        await this.#read(response.body, signal);
      } catch {
        // a dropped connection: reconnect below
      }
    }
    if (this.#controller?.signal === signal) this.#controller = null;
    this.#setStatus("stopped");
  }

  async #read(body: ReadableStream<Uint8Array>, signal: AbortSignal): Promise<void> {
    const parser = createParser({
      onEvent: (message: EventSourceMessage) => {
        if (message.id !== undefined) this.#lastEventId = message.id;
        this.#o.onEvent({ id: message.id, type: message.event ?? "message", data: parseData(message.data) });
      },
    });
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const onAbort = () => void reader.cancel().catch(() => undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }
}
