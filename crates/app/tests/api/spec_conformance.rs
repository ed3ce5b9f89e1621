//! The server refuses what the OpenAPI document forbids, answers only what it documents, and
//! the document states the rules the server enforces (the mismatches an outside schemathesis
//! run found; `make fuzz` keeps looking for new ones).

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use switchboard_domain::users::model::Role;

use crate::common::{get, login, patch, post, send};
use crate::webhook::app_with_number;

fn spec() -> Value {
    serde_json::to_value(switchboard_http::api_doc()).unwrap()
}

/// The description of `status` on `method path`, or a panic naming what is undocumented.
fn documented(spec: &Value, method: &str, path: &str, status: &str) -> String {
    spec["paths"][path][method]["responses"][status]["description"]
        .as_str()
        .unwrap_or_else(|| panic!("{method} {path} does not document {status}"))
        .to_owned()
}

/// A schema, following one `$ref`.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap();
            &spec["components"]["schemas"][name]
        }
        None => schema,
    }
}

#[actix_web::test]
async fn json_arrays_where_objects_belong_are_refused_with_the_documented_422() {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (token, _) = login(&app, "root").await;
    let spec = spec();
    let cases = [
        (
            "patch",
            "/api/v1/conversations/{id}",
            patch("/api/v1/conversations/1", &token, json!([null, null])),
        ),
        (
            "post",
            "/api/v1/auth/logout",
            post("/api/v1/auth/logout", &token, json!([null])),
        ),
        (
            "post",
            "/api/v1/conversations/{id}/messages",
            post(
                "/api/v1/conversations/1/messages",
                &token,
                json!({"type": "text", "text": ["hello"]}),
            ),
        ),
        (
            "post",
            "/api/v1/conversations",
            post(
                "/api/v1/conversations",
                &token,
                json!({"business_number_id": 1, "to": "+16505551234",
                       "template": {"name": "order_update", "language": ["en_US"]}}),
            ),
        ),
    ];
    for (method, path, request) in cases {
        let reply = send(&app, request).await;
        assert_eq!(reply.error(422), "validation_failed", "{method} {path}");
        assert!(
            documented(&spec, method, path, "422").contains("`validation_failed`"),
            "{method} {path}"
        );
    }
}

#[actix_web::test]
async fn an_integer_written_as_a_whole_float_is_an_integer() {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (token, _) = login(&app, "root").await;
    let numbers = send(&app, get("/api/v1/business-numbers", &token)).await;
    let number = numbers.body["items"][0]["id"].as_i64().unwrap();
    let reply = send(
        &app,
        post(
            "/api/v1/conversations",
            &token,
            json!({"business_number_id": number as f64, "to": "+16505551234",
                   "template": {"name": "order_update", "language": {"code": "en_US"}}}),
        ),
    )
    .await;
    assert_eq!(reply.status.as_u16(), 202, "{}", reply.body);
}

#[actix_web::test]
async fn bad_limits_get_the_answers_the_spec_documents() {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (token, _) = login(&app, "root").await;
    let spec = spec();
    for (path, uri) in [
        ("/api/v1/contacts", "/api/v1/contacts"),
        ("/api/v1/conversations", "/api/v1/conversations"),
        (
            "/api/v1/conversations/{id}/messages",
            "/api/v1/conversations/1/messages",
        ),
    ] {
        let zero = send(&app, get(&format!("{uri}?limit=0"), &token)).await;
        assert_eq!(zero.error(422), "validation_failed", "{uri}?limit=0");
        assert!(documented(&spec, "get", path, "422").contains("`validation_failed`"));
        for bad in ["-1", "abc"] {
            let reply = send(&app, get(&format!("{uri}?limit={bad}"), &token)).await;
            assert_eq!(reply.error(400), "invalid_query", "{uri}?limit={bad}");
        }
        assert!(
            documented(&spec, "get", path, "400").contains("`invalid_query`"),
            "{path}"
        );
    }
}

#[test]
fn every_limit_parameter_states_its_bounds() {
    let spec = spec();
    let mut seen = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["name"] == "limit" {
                    seen += 1;
                    let schema = &parameter["schema"];
                    assert_eq!(schema["minimum"], 1, "{method} {path}: {schema}");
                    assert_eq!(schema["maximum"], 200, "{method} {path}: {schema}");
                }
            }
        }
    }
    assert_eq!(seen, 3, "the three paged lists");
}

#[test]
fn every_operation_with_query_parameters_documents_invalid_query() {
    let spec = spec();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let has_query = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "query");
            if has_query {
                assert!(
                    documented(&spec, method, path, "400").contains("`invalid_query`"),
                    "{method} {path}"
                );
            }
        }
    }
}

#[test]
fn the_live_event_stream_is_declared_as_server_sent_events() {
    let spec = spec();
    let content = &spec["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"];
    let stream = &content["text/event-stream"]["schema"];
    assert!(
        stream.is_object(),
        "no text/event-stream response: {content}"
    );
    let event = resolve(&spec, stream);
    assert_eq!(
        event["type"], "object",
        "one event, not a plain string: {event}"
    );
    for field in ["event", "id", "data"] {
        assert!(
            event["required"]
                .as_array()
                .unwrap()
                .contains(&json!(field)),
            "{field}: {event}"
        );
    }
    let kinds = resolve(&spec, &event["properties"]["event"]);
    assert!(
        kinds["enum"]
            .as_array()
            .unwrap()
            .contains(&json!("message.created")),
        "{kinds}"
    );
    assert_eq!(
        event["properties"]["data"]["contentMediaType"],
        "application/json"
    );
}

#[test]
fn request_schemas_state_the_rules_the_parsers_enforce() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let field = |schema: &str, name: &str| schemas[schema]["properties"][name].clone();
    let username = field("CreateUserRequest", "username");
    assert_eq!(username["minLength"], 3, "{username}");
    assert!(
        username["pattern"]
            .as_str()
            .unwrap()
            .contains("[A-Za-z0-9._@-]{3,64}"),
        "{username}"
    );
    let password = field("CreateUserRequest", "password");
    assert_eq!(
        (password["minLength"].clone(), password["maxLength"].clone()),
        (json!(8), json!(256))
    );
    for (schema, name) in [
        ("CreateBusinessNumberRequest", "display_phone_number"),
        ("StartConversationRequest", "to"),
        ("SimulatedInboundRequest", "from"),
    ] {
        let phone = field(schema, name);
        assert!(
            phone["pattern"].as_str().unwrap().contains(r"\+"),
            "{schema}.{name}: {phone}"
        );
    }
    for (schema, name) in [
        ("CreateBusinessNumberRequest", "name"),
        ("CreateUserRequest", "display_name"),
        ("UpdateUserRequest", "display_name"),
    ] {
        let text = field(schema, name);
        assert_eq!(text["minLength"], 1, "{schema}.{name}: {text}");
        // Control characters are outside the pattern's classes.
        assert!(
            text["pattern"].as_str().unwrap().contains(r"\u0000-\u001f"),
            "{schema}.{name}"
        );
    }
    let body = field("TextBody", "body");
    assert_eq!(
        (body["minLength"].clone(), body["maxLength"].clone()),
        (json!(1), json!(4096))
    );
    let role = &schemas["RoleDto"]["enum"];
    assert_eq!(role, &json!(["admin", "agent", "viewer"]));
    // Multipart files must be of a type WhatsApp takes, and forms take no other parts.
    let upload = &spec["paths"]["/api/v1/attachments"]["post"]["requestBody"]["content"]["multipart/form-data"];
    assert!(
        upload["encoding"]["file"]["contentType"]
            .as_str()
            .unwrap()
            .contains("image/jpeg"),
        "{upload}"
    );
    assert_eq!(schemas["AttachmentForm"]["additionalProperties"], false);
}

#[actix_web::test]
async fn an_over_long_caption_is_refused_before_the_conversation_or_its_key_is_looked_up() {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (token, _) = login(&app, "root").await;
    let long = "x".repeat(2000);
    let reply = send(
        &app,
        TestRequest::post()
            .uri("/api/v1/conversations/1/messages")
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("idempotency-key", "k-1"))
            .set_json(json!({"type": "media", "media": {"attachment_id": 1, "caption": long}})),
    )
    .await;
    assert_eq!(reply.error(422), "validation_failed");
}
