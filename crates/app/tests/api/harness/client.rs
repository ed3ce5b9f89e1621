//! A signed-in user's view of the API: the calls tests make most, answering the DTOs the
//! OpenAPI document gives for them.

use reqwest::Method;
use serde_json::{Value, json};
use switchboard_http::dto::{
    BusinessNumberDto, BusinessNumberList, ContactDto, ContactList, ConversationDto,
    ConversationPage, MemberList, MessageDto, MessagePage, StartedConversation, StatsDto, UserDto,
    UserList,
};

use super::reply::Reply;
use super::transport::{ApiRequest, Transport};

/// Requests sent with one bearer token, through `transport`.
pub struct Client<'a, T: ?Sized> {
    transport: &'a T,
    token: String,
}

/// `?query` when there is one.
fn with_query(path: String, query: &str) -> String {
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

impl<'a, T: Transport + ?Sized> Client<'a, T> {
    pub fn new(transport: &'a T, token: &str) -> Self {
        Self {
            transport,
            token: token.to_owned(),
        }
    }

    /// A request carrying this client's token, for the test to finish.
    pub fn request(&self, method: Method, path: &str) -> ApiRequest {
        ApiRequest::new(method, path).bearer(&self.token)
    }

    pub async fn send<R>(&self, request: ApiRequest) -> Reply<R> {
        self.transport.call_as(request).await
    }

    pub async fn get<R>(&self, path: &str) -> Reply<R> {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post<R>(&self, path: &str, body: &Value) -> Reply<R> {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn patch<R>(&self, path: &str, body: &Value) -> Reply<R> {
        self.send(self.request(Method::PATCH, path).json(body))
            .await
    }

    pub async fn put<R>(&self, path: &str) -> Reply<R> {
        self.send(self.request(Method::PUT, path)).await
    }

    pub async fn delete<R>(&self, path: &str) -> Reply<R> {
        self.send(self.request(Method::DELETE, path)).await
    }

    // Accounts.

    pub async fn me(&self) -> Reply<UserDto> {
        self.get("/api/v1/auth/me").await
    }

    pub async fn change_password(&self, current: &str, new: &str) -> Reply<()> {
        let body = json!({"current_password": current, "new_password": new});
        self.post("/api/v1/auth/password", &body).await
    }

    // Conversations and their messages.

    /// The inbox; `query` is a query string without its `?` (`""` for none).
    pub async fn conversations(&self, query: &str) -> Reply<ConversationPage> {
        self.get(&with_query("/api/v1/conversations".into(), query))
            .await
    }

    pub async fn conversation(&self, id: i64) -> Reply<ConversationDto> {
        self.get(&format!("/api/v1/conversations/{id}")).await
    }

    pub async fn update_conversation(&self, id: i64, change: &Value) -> Reply<ConversationDto> {
        self.patch(&format!("/api/v1/conversations/{id}"), change)
            .await
    }

    pub async fn mark_read(&self, id: i64) -> Reply<ConversationDto> {
        self.post(&format!("/api/v1/conversations/{id}/read"), &json!({}))
            .await
    }

    /// A page of the thread; `query` as for [`Self::conversations`].
    pub async fn thread(&self, conversation: i64, query: &str) -> Reply<MessagePage> {
        let path = format!("/api/v1/conversations/{conversation}/messages");
        self.get(&with_query(path, query)).await
    }

    /// Sends any message body (the `type`-tagged JSON of the send operation).
    pub async fn send_message(&self, conversation: i64, body: &Value) -> Reply<MessageDto> {
        self.post(
            &format!("/api/v1/conversations/{conversation}/messages"),
            body,
        )
        .await
    }

    /// As [`Self::send_message`], with an `Idempotency-Key`.
    pub async fn send_message_with_key(
        &self,
        conversation: i64,
        body: &Value,
        key: &str,
    ) -> Reply<MessageDto> {
        let path = format!("/api/v1/conversations/{conversation}/messages");
        let request = self
            .request(Method::POST, &path)
            .header("idempotency-key", key)
            .json(body);
        self.send(request).await
    }

    pub async fn send_text(&self, conversation: i64, text: &str) -> Reply<MessageDto> {
        self.send_message(conversation, &text_body(text)).await
    }

    pub async fn send_template(
        &self,
        conversation: i64,
        name: &str,
        language: &str,
    ) -> Reply<MessageDto> {
        self.send_message(conversation, &template_body(name, language))
            .await
    }

    pub async fn send_reaction(
        &self,
        conversation: i64,
        message_wamid: &str,
        emoji: &str,
    ) -> Reply<MessageDto> {
        let body =
            json!({"type": "reaction", "reaction": {"message_id": message_wamid, "emoji": emoji}});
        self.send_message(conversation, &body).await
    }

    /// Starts a conversation with `to` by the template `name`.
    pub async fn start_conversation(
        &self,
        business_number_id: i64,
        to: &str,
        name: &str,
        language: &str,
    ) -> Reply<StartedConversation> {
        let body = json!({"business_number_id": business_number_id, "to": to,
            "template": {"name": name, "language": {"code": language}}});
        self.post("/api/v1/conversations", &body).await
    }

    pub async fn stats(&self, business_number_id: i64) -> Reply<StatsDto> {
        self.get(&format!(
            "/api/v1/stats?business_number_id={business_number_id}"
        ))
        .await
    }

    // Users.

    pub async fn users(&self) -> Reply<UserList> {
        self.get("/api/v1/users").await
    }

    pub async fn user(&self, id: i64) -> Reply<UserDto> {
        self.get(&format!("/api/v1/users/{id}")).await
    }

    pub async fn create_user(&self, body: &Value) -> Reply<UserDto> {
        self.post("/api/v1/users", body).await
    }

    pub async fn update_user(&self, id: i64, change: &Value) -> Reply<UserDto> {
        self.patch(&format!("/api/v1/users/{id}"), change).await
    }

    // Business numbers and members.

    pub async fn numbers(&self) -> Reply<BusinessNumberList> {
        self.get("/api/v1/business-numbers").await
    }

    pub async fn number(&self, id: i64) -> Reply<BusinessNumberDto> {
        self.get(&format!("/api/v1/business-numbers/{id}")).await
    }

    pub async fn create_number(&self, body: &Value) -> Reply<BusinessNumberDto> {
        self.post("/api/v1/business-numbers", body).await
    }

    pub async fn update_number(&self, id: i64, change: &Value) -> Reply<BusinessNumberDto> {
        self.patch(&format!("/api/v1/business-numbers/{id}"), change)
            .await
    }

    pub async fn members(&self, number: i64) -> Reply<MemberList> {
        self.get(&format!("/api/v1/business-numbers/{number}/members"))
            .await
    }

    /// `201` when added, `204` when the user already was a member.
    pub async fn add_member(&self, number: i64, user: i64) -> Reply<()> {
        self.put(&format!("/api/v1/business-numbers/{number}/members/{user}"))
            .await
    }

    pub async fn remove_member(&self, number: i64, user: i64) -> Reply<()> {
        self.delete(&format!("/api/v1/business-numbers/{number}/members/{user}"))
            .await
    }

    // Contacts.

    /// Contacts matching `query` (a search term, `""` for all).
    pub async fn contacts(&self, query: &str) -> Reply<ContactList> {
        if query.is_empty() {
            self.get("/api/v1/contacts").await
        } else {
            self.get(&format!("/api/v1/contacts?query={query}")).await
        }
    }

    pub async fn contact(&self, id: i64) -> Reply<ContactDto> {
        self.get(&format!("/api/v1/contacts/{id}")).await
    }

    pub async fn update_contact(&self, id: i64, change: &Value) -> Reply<ContactDto> {
        self.patch(&format!("/api/v1/contacts/{id}"), change).await
    }
}

/// The body of a text message.
pub fn text_body(text: &str) -> Value {
    json!({"type": "text", "text": {"body": text}})
}

/// The body of a template message without components.
pub fn template_body(name: &str, language: &str) -> Value {
    json!({"type": "template", "template": {"name": name, "language": {"code": language}, "components": []}})
}
