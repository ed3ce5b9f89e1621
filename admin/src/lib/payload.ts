import type { KnownMessagePayload, Message, TemplateComponent } from "../api/types";

/**
 * The typed content of a message whose `type` is `kind`. The server stores a known type only
 * when its content has the documented shape (anything else is `unsupported`, with Meta's payload
 * kept as sent), so the message's `type` is what licenses narrowing the open payload union.
 */
export function contentOf<K extends KnownMessagePayload["type"]>(m: Message, kind: K): Extract<KnownMessagePayload, { type: K }> | null {
  return m.type === kind && m.payload.type === kind ? (m.payload as Extract<KnownMessagePayload, { type: K }>) : null;
}

/** The text values among a template's parameters: components are passed on as the sender wrote them, so each is checked. */
export function textParameters(components: TemplateComponent[]): string[] {
  return components
    .flatMap((c) => (Array.isArray(c.parameters) ? (c.parameters as unknown[]) : []))
    .flatMap((p) => (typeof p === "object" && p !== null && "text" in p && typeof p.text === "string" && p.text ? [p.text] : []));
}
