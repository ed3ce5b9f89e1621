// Fans the one live stream out to the screens that show lists.
import { createContext, useContext, useEffect, useRef } from "react";
import type { LiveEvent, LiveStatus } from "./events";

/** A live event, or `resync`: the stream came back after a drop, so fetch lists again. */
export type HubEvent = LiveEvent | { type: "resync" };
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
