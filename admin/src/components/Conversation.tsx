import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { api, unwrap } from "../api/client";
import type { Conversation, ConversationStatus, Member, Message } from "../api/types";
import { canWork, useApp } from "../context";
import { mergeMessages } from "../lib/inbox";
import { contactName } from "../lib/format";
import { windowLabel, windowState } from "../lib/window";
import { useLive } from "../live/hub";
import { ErrorBanner } from "./common";
import { MessageBubble } from "./MessageBubble";
import { Composer } from "./Composer";
import { TemplatePicker } from "./TemplatePicker";

export function ConversationView({ id }: { id: number }) {
  const { me, numbers } = useApp();
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(() => new Date());
  const threadRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const keepOffset = useRef<number | null>(null);
  const worker = canWork(me);

  const markRead = useCallback(() => {
    if (!worker) return;
    api
      .POST("/api/v1/conversations/{id}/read", { params: { path: { id } } })
      .then((r) => setConversation(unwrap(r)))
      .catch(() => undefined);
  }, [id, worker]);

  const loadLatest = useCallback(async () => {
    try {
      const [c, page] = await Promise.all([
        api.GET("/api/v1/conversations/{id}", { params: { path: { id } } }).then(unwrap),
        api.GET("/api/v1/conversations/{id}/messages", { params: { path: { id }, query: { limit: 50 } } }).then(unwrap),
      ]);
      setConversation(c);
      setMessages((prev) => mergeMessages(prev, page.items));
      setOlderCursor((prev) => prev ?? page.next_cursor ?? null);
      setError(null);
      if (c.unread_count > 0) markRead();
    } catch (e) {
      setError(e);
    }
  }, [id, markRead]);

  useEffect(() => {
    void loadLatest();
  }, [loadLatest]);

  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);

  const numberId = conversation?.business_number_id;
  useEffect(() => {
    if (numberId === undefined || !worker) return;
    api
      .GET("/api/v1/business-numbers/{id}/members", { params: { path: { id: numberId } } })
      .then((r) => setMembers(unwrap(r).items))
      .catch(() => setMembers([]));
  }, [numberId, worker]);

  useLive((e) => {
    if (e.type === "resync") return void loadLatest();
    if (e.type === "message.created" || e.type === "message.updated") {
      const m = e.data as Message;
      if (m.conversation_id !== id) return;
      setMessages((prev) => mergeMessages(prev, [m]));
      if (e.type === "message.created" && m.direction === "inbound") markRead();
    } else if (e.type === "conversation.updated" || e.type === "conversation.created") {
      const c = e.data as Conversation;
      if (c.id === id) setConversation(c);
    }
  });

  async function loadOlder() {
    if (!olderCursor || loadingOlder) return;
    setLoadingOlder(true);
    try {
      const page = unwrap(
        await api.GET("/api/v1/conversations/{id}/messages", { params: { path: { id }, query: { before: olderCursor, limit: 50 } } }),
      );
      const el = threadRef.current;
      keepOffset.current = el ? el.scrollHeight - el.scrollTop : null;
      setMessages((prev) => mergeMessages(prev, page.items));
      setOlderCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingOlder(false);
    }
  }

  // Keep the view at the bottom for new messages, and in place when older ones come in above.
  useLayoutEffect(() => {
    const el = threadRef.current;
    if (!el) return;
    if (keepOffset.current !== null) {
      el.scrollTop = el.scrollHeight - keepOffset.current;
      keepOffset.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages]);

  function onScroll() {
    const el = threadRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 60) void loadOlder();
  }

  async function update(body: { status?: ConversationStatus; assignee_id?: number | null }) {
    try {
      setConversation(unwrap(await api.PATCH("/api/v1/conversations/{id}", { params: { path: { id } }, body })));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }

  if (!conversation) {
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
            {conversation.contact.phone} · {number ? `${number.name} (${number.display_phone_number})` : `number #${conversation.business_number_id}`}
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
                <select value={conversation.status} onChange={(e) => void update({ status: e.target.value as ConversationStatus })}>
                  <option value="open">Open</option>
                  <option value="pending">Pending</option>
                  <option value="resolved">Resolved</option>
                </select>
              </label>
              <label>
                Assignee
                <select
                  value={conversation.assignee_id ?? ""}
                  onChange={(e) => void update({ assignee_id: e.target.value ? Number(e.target.value) : null })}
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
                <button type="button" onClick={() => void update({ assignee_id: me.id })}>
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
        {olderCursor ? (
          <button type="button" className="more" onClick={() => void loadOlder()} disabled={loadingOlder}>
            {loadingOlder ? "Loading…" : "Load older messages"}
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
          <Composer conversationId={id} onSent={(m) => setMessages((prev) => mergeMessages(prev, [m]))} />
        ) : (
          <TemplatePicker conversationId={id} onSent={(m) => setMessages((prev) => mergeMessages(prev, [m]))} />
        ))}
    </div>
  );
}
