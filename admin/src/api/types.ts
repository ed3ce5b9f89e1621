// Names for the generated schema types: aliases only, never hand-written shapes.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];
export type User = Schemas["UserDto"];
export type Role = Schemas["RoleDto"];
export type TokenResponse = Schemas["TokenResponse"];
export type Conversation = Schemas["ConversationDto"];
export type ConversationStatus = Schemas["ConversationStatusDto"];
export type Message = Schemas["MessageDto"];
export type BusinessNumber = Schemas["BusinessNumberDto"];
export type Member = Schemas["MemberDto"];
export type Stats = Schemas["StatsDto"];
export type About = Schemas["AboutDto"];
export type ErrorBody = Schemas["ErrorBody"];
export type ErrorCode = Schemas["ErrorCode"];
export type LiveEvent = Schemas["LiveEvent"];
export type TemplateBody = Schemas["TemplateBody"];
export type SendMessageRequest = Schemas["SendMessageRequest"];
export type InboxQuery = NonNullable<paths["/api/v1/conversations"]["get"]["parameters"]["query"]>;
export type ConversationPage = Schemas["ConversationPage"];
export type MessagePage = Schemas["MessagePage"];
export type CreateUserRequest = Schemas["CreateUserRequest"];
export type UpdateUserRequest = Schemas["UpdateUserRequest"];
export type CreateBusinessNumberRequest = Schemas["CreateBusinessNumberRequest"];
export type UpdateBusinessNumberRequest = Schemas["UpdateBusinessNumberRequest"];
export type SimulatedInboundRequest = Schemas["SimulatedInboundRequest"];
export type UpdateConversationRequest = Schemas["UpdateConversationRequest"];
