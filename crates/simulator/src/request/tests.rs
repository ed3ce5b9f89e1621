use serde_json::json;

use super::*;

fn code(body: &Value) -> i64 {
    let result = if is_read_receipt(body) {
        parse_mark_read(body).map(drop)
    } else {
        parse_send(body).map(drop)
    };
    result.expect_err("expected a refusal").code
}

fn send(body: &Value) -> SendRequest<'_> {
    parse_send(body).unwrap()
}

fn with(key: &str, kind: &str, payload: Value) -> Value {
    let mut body = json!({"messaging_product": "whatsapp", "to": "+16505551234", "type": kind});
    body[key] = payload;
    body
}

#[test]
fn a_text_send_echoes_to_and_strips_the_plus_for_the_wa_id() {
    let body = with("text", "text", json!({"preview_url": false, "body": "hi"}));

    assert_eq!(
        send(&body),
        SendRequest {
            input: "+16505551234",
            wa_id: "16505551234",
            kind: Kind::FreeForm,
            media_id: None,
        }
    );
}

#[test]
fn type_defaults_to_text_as_on_the_cloud_api() {
    let body =
        json!({"messaging_product": "whatsapp", "to": "16505551234", "text": {"body": "hi"}});

    assert_eq!(send(&body).kind, Kind::FreeForm);
    assert_eq!(
        code(&json!({"messaging_product": "whatsapp", "to": "16505551234"})),
        131008
    );
}

#[test]
fn envelope_faults_are_100_when_wrong_and_131008_when_missing() {
    let text = json!({"body": "hi"});
    assert_eq!(code(&json!([])), 100);
    assert_eq!(code(&json!({"to": "16505551234", "text": text})), 100);
    assert_eq!(
        code(&json!({"messaging_product": "sms", "to": "16505551234", "text": text})),
        100
    );
    assert_eq!(
        code(
            &json!({"messaging_product": "whatsapp", "recipient_type": "group", "to": "16505551234", "text": text})
        ),
        100
    );
    assert_eq!(
        code(&json!({"messaging_product": "whatsapp", "text": text})),
        131008
    );
    assert_eq!(
        code(&json!({"messaging_product": "whatsapp", "to": 16505551234_i64, "text": text})),
        100
    );
    assert_eq!(code(&with("text", "text", json!("hi"))), 100);
    let mut reply = with("text", "text", text);
    reply["context"] = json!({});
    assert_eq!(code(&reply), 131008);
}

#[test]
fn unknown_and_inbound_only_types_are_unsupported() {
    for kind in ["sms", "order", "system", "unsupported", ""] {
        assert_eq!(code(&with(kind, kind, json!({}))), 131051, "{kind}");
    }
}

#[test]
fn templates_need_a_name_a_language_and_array_components() {
    let template = |payload| with("template", "template", payload);

    assert_eq!(
        send(&template(
            json!({"name": "order_update", "language": {"code": "en_US"}})
        ))
        .kind,
        Kind::Template
    );
    assert_eq!(
        code(&template(json!({"language": {"code": "en_US"}}))),
        132001
    );
    assert_eq!(code(&template(json!({"name": "order_update"}))), 100);
    assert_eq!(
        code(&template(
            json!({"name": "x", "language": {"code": "en"}, "components": {}})
        )),
        100
    );
}

#[test]
fn interactive_buttons_are_one_to_three_and_lists_need_sections() {
    let buttons = |count: usize| {
        let buttons: Vec<Value> = (0..count)
            .map(|i| json!({"type": "reply", "reply": {"id": i.to_string(), "title": "Yes"}}))
            .collect();
        with(
            "interactive",
            "interactive",
            json!({"type": "button", "body": {"text": "Pick"}, "action": {"buttons": buttons}}),
        )
    };
    send(&buttons(3));
    assert_eq!(code(&buttons(4)), 131009);
    assert_eq!(code(&buttons(0)), 131009);
    assert_eq!(
        code(&with(
            "interactive",
            "interactive",
            json!({"type": "button", "action": {"buttons": []}})
        )),
        131008
    );

    let list = |sections: Value| {
        with(
            "interactive",
            "interactive",
            json!({"type": "list", "body": {"text": "Pick"},
                   "action": {"button": "Options", "sections": sections}}),
        )
    };
    send(&list(
        json!([{"title": "A", "rows": [{"id": "1", "title": "One"}]}]),
    ));
    assert_eq!(code(&list(json!([]))), 131008);
    let eleven: Vec<Value> = (0..11)
        .map(|i| json!({"id": i.to_string(), "title": "Row"}))
        .collect();
    assert_eq!(code(&list(json!([{"title": "A", "rows": eleven}]))), 131009);
    assert_eq!(
        code(&with(
            "interactive",
            "interactive",
            json!({"type": "carousel"})
        )),
        100
    );
}

#[test]
fn reactions_media_and_locations_need_their_fields() {
    send(&with(
        "reaction",
        "reaction",
        json!({"message_id": "wamid.x", "emoji": "👍"}),
    ));
    send(&with(
        "reaction",
        "reaction",
        json!({"message_id": "wamid.x", "emoji": ""}),
    ));
    assert_eq!(
        code(&with("reaction", "reaction", json!({"emoji": "👍"}))),
        131008
    );

    let image = with(
        "image",
        "image",
        json!({"id": "1037543291543636", "caption": "look"}),
    );
    assert_eq!(
        send(&image).media_id,
        Some((MediaKind::Image, "1037543291543636"))
    );
    let document = with(
        "document",
        "document",
        json!({"link": "https://example.com/a.pdf"}),
    );
    assert_eq!(send(&document).media_id, None);
    assert_eq!(
        code(&with("video", "video", json!({"caption": "x"}))),
        131008
    );
    assert_eq!(
        code(&with(
            "audio",
            "audio",
            json!({"id": "1", "link": "https://example.com/a"})
        )),
        100
    );

    send(&with(
        "location",
        "location",
        json!({"latitude": 1.5, "longitude": -3}),
    ));
    assert_eq!(
        code(&with("location", "location", json!({"latitude": 1.5}))),
        131008
    );
    assert_eq!(code(&with("contacts", "contacts", json!([]))), 100);
}

#[test]
fn mark_read_needs_status_read_and_a_non_empty_message_id() {
    let read = json!({"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.x"});
    assert!(is_read_receipt(&read));
    assert_eq!(parse_mark_read(&read), Ok("wamid.x"));
    assert_eq!(
        code(
            &json!({"messaging_product": "whatsapp", "status": "delivered", "message_id": "wamid.x"})
        ),
        100
    );
    assert_eq!(
        code(&json!({"messaging_product": "whatsapp", "status": "read"})),
        131008
    );
    assert_eq!(
        code(&json!({"messaging_product": "whatsapp", "status": "read", "message_id": ""})),
        100
    );
    assert_eq!(
        code(&json!({"status": "read", "message_id": "wamid.x"})),
        100
    );
}
