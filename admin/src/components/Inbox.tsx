import { useState } from "react";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { inboxQuery, putConversationInInboxes, queryKeys, useNumbers } from "../api/queries";
import type { ConversationStatus } from "../api/types";
import { useApp } from "../context";
import { inboxItems, type AssigneeFilter, type InboxFilter } from "../lib/inbox";
import { contactName, previewText, shortTime } from "../lib/format";
import { windowState } from "../lib/window";
import { useLive } from "../live/hub";
import { navigate } from "../router";
import { BusinessNumberPicker } from "./BusinessNumberPicker";
import { ErrorBanner, Empty } from "./common";
import { ConversationView } from "./Conversation";

export function Inbox({ selectedId }: { selectedId: number | null }) {
  const { me } = useApp();
  const numbers = useNumbers().data ?? [];
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<InboxFilter>({ assignee: "all", status: "any", businessNumberId: null });
  const inbox = useInfiniteQuery(inboxQuery(filter));
  const items = inboxItems(inbox.data);

  useLive((e) => {
    if (e.type === "resync") return void queryClient.invalidateQueries({ queryKey: queryKeys.inboxes() });
    if (e.type === "conversation.created" || e.type === "conversation.updated") {
      putConversationInInboxes(queryClient, e.data, me.id);
    }
  });

  const numberName = (id: number) => numbers.find((n) => n.id === id)?.name ?? `#${id}`;

  return (
    <div className="inbox">
      <section className="inbox-list" aria-label="Conversations">
        <div className="filters">
          <label>
            Assignee
            <select value={filter.assignee} onChange={(e) => setFilter({ ...filter, assignee: e.target.value as AssigneeFilter })}>
              <option value="all">All</option>
              <option value="me">Mine</option>
              <option value="unassigned">Unassigned</option>
            </select>
          </label>
          <label>
            Status
            <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value as ConversationStatus | "any" })}>
              <option value="any">Any</option>
              <option value="open">Open</option>
              <option value="pending">Pending</option>
              <option value="resolved">Resolved</option>
            </select>
          </label>
          <BusinessNumberPicker
            label="Business number"
            allLabel="All numbers"
            value={filter.businessNumberId}
            onChange={(businessNumberId) => setFilter({ ...filter, businessNumberId })}
          />
        </div>
        <ErrorBanner error={inbox.error} />
        <ul data-testid="inbox-list">
          {items.map((c) => {
            const open = windowState(c).open;
            return (
              <li key={c.id}>
                <a
                  href={`/inbox/${c.id}`}
                  className={`conv-item${c.id === selectedId ? " selected" : ""}`}
                  data-testid="conversation-item"
                  data-conversation-id={c.id}
                  aria-current={c.id === selectedId ? "true" : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(`/inbox/${c.id}`);
                  }}
                >
                  <span className="conv-top">
                    <span className="conv-name">{contactName(c.contact)}</span>
                    <time dateTime={c.last_message_at}>{shortTime(c.last_message_at)}</time>
                  </span>
                  <span className="conv-preview" data-testid="conversation-preview">
                    {previewText(c)}
                  </span>
                  <span className="conv-meta">
                    <span className={`chip status-${c.status}`}>{c.status}</span>
                    <span className={`chip ${open ? "window-open" : "window-closed"}`} title={open ? "24-hour window open" : "24-hour window closed: templates only"}>
                      {open ? "window open" : "window closed"}
                    </span>
                    <span className="chip number">{numberName(c.business_number_id)}</span>
                    {c.unread_count > 0 && (
                      <span className="badge" data-testid="unread-badge" aria-label={`${c.unread_count} unread`}>
                        {c.unread_count}
                      </span>
                    )}
                  </span>
                </a>
              </li>
            );
          })}
        </ul>
        {!inbox.isFetching && items.length === 0 && !inbox.error && <Empty>No conversations here.</Empty>}
        {inbox.hasNextPage && (
          <button type="button" className="more" disabled={inbox.isFetching} onClick={() => void inbox.fetchNextPage()}>
            Load more
          </button>
        )}
      </section>
      <section className="pane" aria-label="Conversation">
        {selectedId === null ? <Empty>Select a conversation.</Empty> : <ConversationView key={selectedId} id={selectedId} />}
      </section>
    </div>
  );
}
