// Every change the app makes: one TanStack Query mutation each, over the generated client. An
// answer that carries the new state goes straight into the cache (the same writers live events
// use); other changes invalidate the lists they affect. Errors are ApiErrors for ErrorBanner.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { putConversation, putConversationInInboxes, putMessage, queryKeys } from "./queries";
import type {
  Conversation,
  CreateBusinessNumberRequest,
  CreateUserRequest,
  SendMessageRequest,
  SimulatedInboundRequest,
  UpdateBusinessNumberRequest,
  UpdateConversationRequest,
  UpdateUserRequest,
} from "./types";
import { useApp } from "../context";

/** The conversation as an answer gave it: into its detail and every cached inbox list. */
function useConversationWriter(): (c: Conversation) => void {
  const client = useQueryClient();
  const { me } = useApp();
  return (c) => {
    putConversation(client, c);
    putConversationInInboxes(client, c, me.id);
  };
}

/** Clears the unread count of the conversation on screen. */
export function useMarkRead(conversationId: number) {
  const write = useConversationWriter();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST("/api/v1/conversations/{id}/read", { params: { path: { id: conversationId } } })),
    onSuccess: write,
  });
}

/** Status and assignment. */
export function useUpdateConversation(conversationId: number) {
  const write = useConversationWriter();
  return useMutation({
    mutationFn: async (body: UpdateConversationRequest) =>
      unwrap(await api.PATCH("/api/v1/conversations/{id}", { params: { path: { id: conversationId } }, body })),
    onSuccess: write,
  });
}

/** A message to send: JSON (text, template, ...) or a file with an optional caption (multipart). */
export type Outgoing = { json: SendMessageRequest } | { file: File; caption: string };

/** Sends with the draft's Idempotency-Key; the queued message goes into the thread at once. */
export function useSendMessage(conversationId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ key, message }: { key: string; message: Outgoing }) => {
      const params = { path: { id: conversationId }, header: { "Idempotency-Key": key } };
      if ("json" in message) return unwrap(await api.POST("/api/v1/conversations/{id}/messages", { params, body: message.json }));
      // A file goes as multipart/form-data (`file`, and the text as its `caption`).
      const { file, caption } = message;
      return unwrap(
        await api.POST("/api/v1/conversations/{id}/messages", {
          params,
          body: { file: file.name, caption: caption || undefined },
          bodySerializer: () => {
            const form = new FormData();
            form.append("file", file, file.name);
            if (caption) form.append("caption", caption);
            return form;
          },
        }),
      );
    },
    onSuccess: (m) => putMessage(client, m),
  });
}

export type UserChange = { create: CreateUserRequest } | { id: number; patch: UpdateUserRequest };

export function useUserChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (change: UserChange) =>
      "create" in change
        ? unwrap(await api.POST("/api/v1/users", { body: change.create }))
        : unwrap(await api.PATCH("/api/v1/users/{id}", { params: { path: { id: change.id } }, body: change.patch })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users() }),
  });
}

export type NumberChange = { create: CreateBusinessNumberRequest } | { id: number; patch: UpdateBusinessNumberRequest };

export function useNumberChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (change: NumberChange) =>
      "create" in change
        ? unwrap(await api.POST("/api/v1/business-numbers", { body: change.create }))
        : unwrap(await api.PATCH("/api/v1/business-numbers/{id}", { params: { path: { id: change.id } }, body: change.patch })),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.numbers() }),
  });
}

export interface MembershipChange {
  numberId: number;
  userId: number;
  member: boolean;
}

export function useMembershipChange() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ numberId, userId, member }: MembershipChange) => {
      const params = { path: { id: numberId, user_id: userId } };
      if (member) unwrap(await api.PUT("/api/v1/business-numbers/{id}/members/{user_id}", { params }));
      else unwrap(await api.DELETE("/api/v1/business-numbers/{id}/members/{user_id}", { params }));
    },
    onSuccess: (_, { numberId }) => client.invalidateQueries({ queryKey: queryKeys.members(numberId) }),
  });
}

/** Mock mode: a customer message through the signed webhook (it then arrives as live events). */
export function useSimulateInbound() {
  return useMutation({
    mutationFn: async (body: SimulatedInboundRequest) => unwrap(await api.POST("/api/v1/simulator/inbound", { body })),
  });
}
