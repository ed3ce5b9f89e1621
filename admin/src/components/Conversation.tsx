import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMarkRead, useUpdateConversation } from "../api/mutations";
import { conversationQuery, membersQuery, putConversation, putMessage, queryKeys, threadQuery, useNumbers } from "../api/queries";
import type { ConversationStatus } from "../api/types";
import { canWork, useApp } from "../context";
import { threadMessages } from "../lib/inbox";
import { contactName } from "../lib/format";
import { windowLabel, windowState } from "../lib/window";
import { useLive } from "../live/hub";
import { numberLabel } from "./BusinessNumberPicker";
import { ErrorBanner } from "./common";
import { MessageBubble } from "./MessageBubble";
import { Composer } from "./Composer";
import { TemplatePicker } from "./TemplatePicker";

export function ConversationView({ id }: { id: number }) {
  const { me } = useApp();
  const numbers = useNumbers().data ?? [];
  const queryClient = useQueryClient();
  const worker = canWork(me);
  const detail = useQuery(conversationQuery(id));
  const conversation = detail.data;
  const thread = useInfiniteQuery(threadQuery(id));
  const messages = useMemo(() => threadMessages(thread.data), [thread.data]);
  const numberId = conversation?.business_number_id;
  const members = useQuery({ ...membersQuery(numberId ?? 0), enabled: worker && numberId !== undefined }).data ?? [];
  const markRead = useMarkRead(id);
  const update = useUpdateConversation(id);
  const [now, setNow] = useState(() => new Date());
  const threadRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const fromBottom = useRef(0);
  const oldestId = useRef<number | undefined>(undefined);

  // Whenever the open conversation has unread messages (on load, and as customer messages
  // arrive), it is marked read; its answer clears the badge in the inbox.
  const unread = conversation?.unread_count ?? 0;
  const { mutate: markReadNow } = markRead;
  useEffect(() => {
    if (worker && unread > 0) markReadNow();
  }, [worker, unread, markReadNow]);

  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);

  useLive((e) => {
    if (e.type === "resync") {
      void queryClient.invalidateQueries({ queryKey: queryKeys.conversation(id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.thread(id) });
    } else if (e.type === "message.created" || e.type === "message.updated") {
      if (e.data.conversation_id === id) putMessage(queryClient, e.data);
    } else if (e.type === "conversation.updated" || e.type === "conversation.created") {
      if (e.data.id === id) putConversation(queryClient, e.data);
    }
  });

  function loadOlder() {
    if (!thread.hasNextPage || thread.isFetchingNextPage) return;
    void thread.fetchNextPage();
  }

  // Keep the view at the bottom for new messages, and in place when older ones come in above.
  const ready = conversation !== undefined && thread.data !== undefined;
  useLayoutEffect(() => {
    const el = threadRef.current;
    if (!el) return;
    const oldest = messages[0]?.id;
    if (oldestId.current !== undefined && oldest !== oldestId.current) {
      el.scrollTop = el.scrollHeight - fromBottom.current;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    oldestId.current = oldest;
    fromBottom.current = el.scrollHeight - el.scrollTop;
  }, [messages, ready]);

  function onScroll() {
    const el = threadRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    fromBottom.current = el.scrollHeight - el.scrollTop;
    if (el.scrollTop < 60) loadOlder();
  }

  const error = update.error ?? detail.error ?? thread.error;
  if (!conversation || !ready) {
    return (
      <div className="conversation">
        <ErrorBanner error={error} />
        {!error && <p className="empty">Loading…</p>}
      </div>
    );
  }

  const win = windowState(conversation, now);
  const number = numbers.find((n) => n.id === conversation.business_number_id);
  const assignee = members.find((m) => m.user.id === conversation.assignee_id)?.user;

  return (
    <div className="conversation" data-testid="conversation" data-conversation-id={id}>
      <header className="conv-header">
        <div>
          <h2 data-testid="conversation-title">{contactName(conversation.contact)}</h2>
          <p className="muted">
            {conversation.contact.phone} · {number ? numberLabel(number) : `number #${conversation.business_number_id}`}
          </p>
          <p className={`window ${win.open ? "window-open" : "window-closed"}`} data-testid="window-state">
            {windowLabel(win)}
          </p>
        </div>
        <div className="conv-actions">
          {worker ? (
            <>
              <label>
                Conversation status
                <select value={conversation.status} onChange={(e) => update.mutate({ status: e.target.value as ConversationStatus })}>
                  <option value="open">Open</option>
                  <option value="pending">Pending</option>
                  <option value="resolved">Resolved</option>
                </select>
              </label>
              <label>
                Assignee
                <select
                  value={conversation.assignee_id ?? ""}
                  onChange={(e) => update.mutate({ assignee_id: e.target.value ? Number(e.target.value) : null })}
                >
                  <option value="">Unassigned</option>
                  {conversation.assignee_id != null && !members.some((m) => m.user.id === conversation.assignee_id) && (
                    <option value={conversation.assignee_id}>{conversation.assignee_id === me.id ? me.display_name : `user #${conversation.assignee_id}`}</option>
                  )}
                  {members.map((m) => (
                    <option key={m.user.id} value={m.user.id}>
                      {m.user.display_name} ({m.user.role})
                    </option>
                  ))}
                </select>
              </label>
              {conversation.assignee_id !== me.id && (
                <button type="button" onClick={() => update.mutate({ assignee_id: me.id })}>
                  Assign to me
                </button>
              )}
            </>
          ) : (
            <p className="muted" data-testid="read-only">
              {conversation.status} · {assignee ? `assigned to ${assignee.display_name}` : conversation.assignee_id ? "assigned" : "unassigned"} · read-only
            </p>
          )}
        </div>
      </header>
      <ErrorBanner error={error} />
      <div className="thread" ref={threadRef} onScroll={onScroll} data-testid="thread" aria-label="Conversation thread" role="log">
        {thread.hasNextPage ? (
          <button type="button" className="more" onClick={loadOlder} disabled={thread.isFetchingNextPage}>
            {thread.isFetchingNextPage ? "Loading…" : "Load older messages"}
          </button>
        ) : (
          <p className="thread-start muted">Start of the conversation</p>
        )}
        {messages.map((m) => (
          <MessageBubble key={m.id} message={m} />
        ))}
      </div>
      {worker &&
        (win.open ? (
          <Composer conversationId={id} />
        ) : (
          <TemplatePicker conversationId={id} />
        ))}
    </div>
  );
}
