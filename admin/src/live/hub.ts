// Fans the one live stream out to the screens that show lists.
import { createContext, useContext, useEffect, useRef } from "react";
import type { LiveEvent } from "../api/types";
import type { LiveStatus, StreamEvent } from "./events";

/** A live event, or `resync`: the stream came back after a drop, so fetch lists again. */
export type HubEvent = LiveEvent | { type: "resync" };

const KINDS: ReadonlySet<string> = new Set<LiveEvent["type"]>([
  "conversation.created",
  "conversation.updated",
  "message.created",
  "message.updated",
]);

/**
 * The stream's event as the spec's `LiveEvent` (one of its kinds, with the resource as `data`),
 * or `null` for anything else: an event kind this app does not know yet is skipped.
 */
export function toLiveEvent(e: StreamEvent): LiveEvent | null {
  if (!KINDS.has(e.type) || e.id === undefined || typeof e.data !== "object" || e.data === null) return null;
  return { type: e.type, id: e.id, data: e.data } as LiveEvent;
}
export type HubListener = (e: HubEvent) => void;

export class LiveHub {
  #listeners = new Set<HubListener>();
  subscribe(l: HubListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
  emit(e: HubEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }
}

export const LiveContext = createContext<{ hub: LiveHub; status: LiveStatus }>({
  hub: new LiveHub(),
  status: "stopped",
});

/** Calls the latest `handler` for each hub event while mounted. */
export function useLive(handler: HubListener): void {
  const { hub } = useContext(LiveContext);
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => hub.subscribe((e) => ref.current(e)), [hub]);
}
