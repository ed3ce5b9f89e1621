//! The server refuses what the OpenAPI document forbids, answers only what it documents, and
//! the document states the rules the server enforces (the mismatches an outside schemathesis
//! run found; `make fuzz` keeps looking for new ones).

use actix_web::test::TestRequest;
use serde_json::{Value, json};
use switchboard_domain::users::model::Role;

use crate::common::{get, login, patch, post, send};
use crate::webhook::{PHONE_NUMBER_ID, app_with_number, envelope, signed};

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

/// A validator for the document's schema `name`, with the whole document as its root so that
/// every `$ref` resolves (the document's other members are keywords JSON Schema ignores).
fn validator(spec: &Value, name: &str) -> jsonschema::Validator {
    let mut root = spec.clone();
    root["$ref"] = json!(format!("#/components/schemas/{name}"));
    jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn assert_valid(validator: &jsonschema::Validator, name: &str, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{name} refuses {value}: {errors:?}");
}

/// Inbound messages of every type Meta documents, as its webhooks deliver them, plus what the
/// desk stores as `unsupported`: Meta's own type, a type it adds later, a known type with an
/// unreadable content.
fn inbound_messages() -> Vec<(Value, &'static str)> {
    let message = |n: u32, kind: &str, content: Value| {
        let mut m = json!({"from": "16505551234", "id": format!("wamid.spec{n}"),
                           "timestamp": format!("{}", 1_750_000_000 + n), "type": kind});
        if let Value::Object(content) = content {
            m.as_object_mut().unwrap().extend(content);
        }
        m
    };
    let media = json!({"id": "1037543291543636", "mime_type": "image/jpeg",
                       "sha256": "Zm9v", "caption": "The invoice"});
    vec![
        (
            message(1, "text", json!({"text": {"body": "Hello"}})),
            "text",
        ),
        (
            message(2, "image", json!({"image": media.clone()})),
            "image",
        ),
        (
            message(
                3,
                "video",
                json!({"video": {"id": "1", "mime_type": "video/mp4", "sha256": "Zm9v"}}),
            ),
            "video",
        ),
        (
            message(
                4,
                "audio",
                json!({"audio": {"id": "2", "mime_type": "audio/ogg; codecs=opus", "sha256": "Zm9v", "voice": true}}),
            ),
            "audio",
        ),
        (
            message(
                5,
                "document",
                json!({"document": {"id": "3", "mime_type": "application/pdf", "sha256": "Zm9v", "filename": "invoice.pdf", "caption": "Invoice"}}),
            ),
            "document",
        ),
        (
            message(
                6,
                "sticker",
                json!({"sticker": {"id": "4", "mime_type": "image/webp", "sha256": "Zm9v", "animated": false}}),
            ),
            "sticker",
        ),
        (
            message(
                7,
                "location",
                json!({"location": {"latitude": 37.483_307, "longitude": -122.148_981, "name": "Philz Coffee", "address": "101 Forest Ave, Palo Alto"}}),
            ),
            "location",
        ),
        (
            message(
                8,
                "contacts",
                json!({"contacts": [{"name": {"formatted_name": "Ana Ruiz", "first_name": "Ana"}, "phones": [{"phone": "+1 650 555 1234", "wa_id": "16505551234", "type": "CELL"}]}]}),
            ),
            "contacts",
        ),
        (
            message(
                9,
                "interactive",
                json!({"context": {"from": "15550783881", "id": "wamid.question"}, "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}}}),
            ),
            "interactive",
        ),
        (
            message(
                10,
                "interactive",
                json!({"interactive": {"type": "list_reply", "list_reply": {"id": "row-1", "title": "Blue", "description": "The blue one"}}}),
            ),
            "interactive",
        ),
        (
            message(
                11,
                "button",
                json!({"context": {"from": "15550783881", "id": "wamid.template"}, "button": {"payload": "TRACK", "text": "Track my order"}}),
            ),
            "button",
        ),
        (
            message(
                12,
                "reaction",
                json!({"reaction": {"message_id": "wamid.earlier", "emoji": "\u{1f44d}"}}),
            ),
            "reaction",
        ),
        (
            message(
                13,
                "reaction",
                json!({"reaction": {"message_id": "wamid.earlier"}}),
            ),
            "reaction",
        ),
        (
            message(
                14,
                "order",
                json!({"order": {"catalog_id": "c1", "text": "For Friday", "product_items": [{"product_retailer_id": "sku-1", "quantity": 2, "item_price": 9.99, "currency": "USD"}]}}),
            ),
            "order",
        ),
        (
            message(
                15,
                "system",
                json!({"system": {"body": "Ana changed her number", "type": "user_changed_number", "wa_id": "16505559999"}}),
            ),
            "system",
        ),
        (
            message(
                16,
                "text",
                json!({"context": {"forwarded": true}, "text": {"body": "Forwarded"}}),
            ),
            "text",
        ),
        (
            message(
                17,
                "unsupported",
                json!({"errors": [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown", "error_data": {"details": "Message type is currently not supported."}}]}),
            ),
            "unsupported",
        ),
        (
            message(18, "ephemeral", json!({"ephemeral": {"body": "gone"}})),
            "unsupported",
        ),
        (
            message(19, "text", json!({"text": {"no_body": true}})),
            "unsupported",
        ),
    ]
}

#[actix_web::test]
async fn every_inbound_message_answers_within_its_documented_schema_and_typed_content() {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (token, _) = login(&app, "root").await;
    let cases = inbound_messages();
    let messages: Vec<Value> = cases.iter().map(|(m, _)| m.clone()).collect();
    let body = envelope(PHONE_NUMBER_ID, json!(messages), json!([])).to_string();
    let delivered = send(&app, signed(body.as_bytes())).await;
    assert_eq!(delivered.status.as_u16(), 200, "{}", delivered.body);
    let spec = spec();
    assert_valid(
        &validator(&spec, "WebhookEnvelope"),
        "WebhookEnvelope",
        &serde_json::from_str(&body).unwrap(),
    );

    let conversations = send(&app, get("/api/v1/conversations", &token)).await;
    let id = conversations.body["items"][0]["id"].as_i64().unwrap();
    let thread = send(
        &app,
        get(
            &format!("/api/v1/conversations/{id}/messages?limit=100"),
            &token,
        ),
    )
    .await;
    assert_eq!(thread.status.as_u16(), 200, "{}", thread.body);
    assert_valid(
        &validator(&spec, "MessagePage"),
        "MessagePage",
        &thread.body,
    );
    let items = thread.body["items"].as_array().unwrap();
    assert_eq!(items.len(), cases.len(), "{}", thread.body);
    let known = validator(&spec, "KnownMessagePayload");
    for (item, (sent, kind)) in items.iter().zip(&cases) {
        assert_eq!(
            item["payload"], *sent,
            "the payload is answered exactly as delivered"
        );
        assert_eq!(item["type"], *kind, "{item}");
        // A message of a type the desk reads has the typed content the schema names; only what
        // it stores as `unsupported` relies on the catch-all (Meta's own type still matches).
        if *kind != "unsupported" || sent["type"] == "unsupported" {
            assert_valid(&known, "KnownMessagePayload", &item["payload"]);
        } else {
            assert!(!known.is_valid(&item["payload"]), "{}", item["payload"]);
        }
    }
}

#[actix_web::test]
async fn every_outbound_message_answers_within_its_documented_schema_and_typed_content() {
    let t = app_with_number().await;
    t.user("root", Role::Admin).await;
    let app = t.service().await;
    let (token, _) = login(&app, "root").await;
    // Just now, so that the customer service window is open.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let mut hello = crate::webhook::text("wamid.in1", "Hi");
    hello["timestamp"] = json!(now.to_string());
    let inbound = envelope(PHONE_NUMBER_ID, json!([hello]), json!([])).to_string();
    assert_eq!(
        send(&app, signed(inbound.as_bytes())).await.status.as_u16(),
        200
    );
    let conversations = send(&app, get("/api/v1/conversations", &token)).await;
    let id = conversations.body["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/conversations/{id}/messages");
    let template = json!({"type": "template", "template": {"name": "order_update", "language": {"code": "en_US"}, "components": [
        {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://example.com/box.jpg"}}]},
        {"type": "body", "parameters": [
            {"type": "text", "text": "Ana"},
            {"type": "currency", "currency": {"fallback_value": "$100.99", "code": "USD", "amount_1000": 100_990}},
            {"type": "date_time", "date_time": {"fallback_value": "February 25, 1977"}},
        ]},
        {"type": "button", "sub_type": "quick_reply", "index": "0", "parameters": [{"type": "payload", "payload": "TRACK"}]},
        {"type": "button", "sub_type": "url", "index": 1, "parameters": [{"type": "text", "text": "orders/42"}]},
        {"type": "button", "sub_type": "copy_code", "index": 2, "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]},
    ]}});
    let spec = spec();
    let request = validator(&spec, "SendMessageRequest");
    let requests = [
        json!({"type": "text", "text": {"body": "Hello"}}),
        json!({"type": "reaction", "reaction": {"message_id": "wamid.in1", "emoji": "\u{1f44d}"}}),
        template.clone(),
    ];
    for body in &requests {
        assert_valid(&request, "SendMessageRequest", body);
        let queued = send(&app, post(&path, &token, body.clone())).await;
        assert_eq!(queued.status.as_u16(), 202, "{}", queued.body);
    }
    let uploaded = send(
        &app,
        crate::outbound_media::multipart(
            TestRequest::post()
                .uri(&path)
                .insert_header(("authorization", format!("Bearer {token}"))),
            &[
                crate::outbound_media::file("photo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
                crate::outbound_media::caption("The box"),
            ],
        ),
    )
    .await;
    assert_eq!(uploaded.status.as_u16(), 202, "{}", uploaded.body);
    t.dispatch().await;

    let thread = send(&app, get(&format!("{path}?limit=100"), &token)).await;
    assert_valid(
        &validator(&spec, "MessagePage"),
        "MessagePage",
        &thread.body,
    );
    let known = validator(&spec, "KnownMessagePayload");
    let outbound: Vec<&Value> = thread.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["direction"] == "outbound")
        .collect();
    let kinds: Vec<&str> = outbound
        .iter()
        .map(|m| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["text", "reaction", "template", "image"]);
    for message in &outbound {
        assert_valid(&known, "KnownMessagePayload", &message["payload"]);
    }
    assert_eq!(
        outbound[2]["payload"]["template"]["components"], template["template"]["components"],
        "the components are stored as sent"
    );
}

#[test]
fn an_object_the_schemas_do_not_model_is_still_a_payload_and_a_component() {
    let spec = spec();
    assert_valid(
        &validator(&spec, "MessagePayload"),
        "MessagePayload",
        &json!({"type": "ephemeral", "ephemeral": {"body": "gone"}}),
    );
    let component = validator(&spec, "TemplateComponent");
    for value in [json!({"type": "carousel", "cards": []}), json!({})] {
        assert_valid(&component, "TemplateComponent", &value);
    }
    assert!(
        !validator(&spec, "KnownTemplateComponent")
            .is_valid(&json!({"type": "body", "parameters": "Ana"})),
        "the typed shapes are not a catch-all themselves"
    );
}
