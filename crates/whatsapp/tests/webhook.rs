//! The webhook parser against Meta's documented payloads (`tests/fixtures`) and against the
//! malformed and unexpected ones it must survive.
#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use switchboard_whatsapp::webhook::{
    Change, Context, EnvelopeError, InboundMessage, InteractiveReply, Media, MessageContent,
    StatusKind, StatusUpdate, WireError, parse_envelope, verify_subscription,
};

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

/// The messages of a fixture, in order.
fn messages(name: &str) -> Vec<InboundMessage> {
    let envelope = parse_envelope(&fixture_bytes(name)).unwrap();
    envelope
        .messages()
        .map(|(_, _, message)| message.clone())
        .collect()
}

fn statuses(name: &str) -> Vec<StatusUpdate> {
    let envelope = parse_envelope(&fixture_bytes(name)).unwrap();
    envelope
        .statuses()
        .map(|(_, status)| status.clone())
        .collect()
}

/// A body with one `messages` change holding `value` plus the metadata every change carries.
fn envelope_with(value: Value) -> Vec<u8> {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] =
        json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"});
    let envelope = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    });
    serde_json::to_vec(&envelope).unwrap()
}

/// A message of type `kind` with `payload` under the member of that name.
fn message_json(kind: &str, payload: Value) -> Value {
    let mut message = json!({
        "from": "16505551234", "id": "wamid.INLINE", "timestamp": "1750000000", "type": kind,
    });
    message[kind] = payload;
    message
}

fn parse_one(message: Value) -> InboundMessage {
    let body = envelope_with(json!({ "messages": [message] }));
    let envelope = parse_envelope(&body).unwrap();
    let all: Vec<_> = envelope.messages().map(|(_, _, m)| m.clone()).collect();
    assert_eq!(all.len(), 1);
    all.into_iter().next().unwrap()
}

#[test]
fn text_message_is_parsed_with_its_sender_contact_and_number() {
    let envelope = parse_envelope(&fixture_bytes("text_message")).unwrap();
    assert_eq!(envelope.object, "whatsapp_business_account");
    assert_eq!(envelope.entry[0].id, "102290129340398");

    let all: Vec<_> = envelope.messages().collect();
    assert_eq!(all.len(), 1);
    let (metadata, contacts, message) = all[0];
    assert_eq!(metadata.phone_number_id, "106540352242922");
    assert_eq!(metadata.display_phone_number, "15550783881");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].wa_id, "16505551234");
    assert_eq!(contacts[0].profile.as_ref().unwrap().name, "Sheena Nelson");
    assert_eq!(message.from, "16505551234");
    assert_eq!(
        message.id,
        "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    );
    assert_eq!(message.timestamp, 1_749_416_383);
    assert_eq!(message.kind, "text");
    assert_eq!(message.context, None);
    assert_eq!(
        message.content,
        MessageContent::Text {
            body: "Does it come in another color?".into()
        }
    );
}

#[test]
fn message_keeps_its_raw_json_verbatim() {
    let body = fixture_bytes("text_message");
    let document: Value = serde_json::from_slice(&body).unwrap();
    let message = &messages("text_message")[0];
    assert_eq!(
        message.raw,
        document["entry"][0]["changes"][0]["value"]["messages"][0]
    );
}

#[test]
fn image_message_carries_caption_mime_type_and_sha256() {
    let message = &messages("image_message")[0];
    assert_eq!(message.kind, "image");
    assert_eq!(
        message.content,
        MessageContent::Image(Media {
            id: "1003383421387256".into(),
            mime_type: Some("image/jpeg".into()),
            sha256: Some("SfInY4gsNPMhKjSm5Jy0oRA/ZhdXVpTO+cIGmk/cq5Q=".into()),
            caption: Some("This is the one I bought".into()),
            filename: None,
            url: Some(
                "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256&ext=1744344496"
                    .into()
            ),
            voice: false,
            animated: false,
        })
    );
}

#[test]
fn voice_note_document_filename_animated_sticker_and_video_caption_are_read() {
    let all = messages("media_messages");
    assert_eq!(all.len(), 4);
    let MessageContent::Audio(audio) = &all[0].content else {
        panic!("expected audio, got {:?}", all[0].content)
    };
    assert!(audio.voice);
    assert_eq!(audio.mime_type.as_deref(), Some("audio/ogg; codecs=opus"));
    let MessageContent::Document(document) = &all[1].content else {
        panic!("expected a document, got {:?}", all[1].content)
    };
    assert_eq!(document.filename.as_deref(), Some("invoice-2025-06.pdf"));
    assert_eq!(document.caption.as_deref(), Some("Invoice attached"));
    let MessageContent::Sticker(sticker) = &all[2].content else {
        panic!("expected a sticker, got {:?}", all[2].content)
    };
    assert!(sticker.animated);
    assert_eq!(sticker.id, "1225463768878542");
    let MessageContent::Video(video) = &all[3].content else {
        panic!("expected a video, got {:?}", all[3].content)
    };
    assert_eq!(video.caption.as_deref(), Some("It makes this noise"));
}

#[test]
fn interactive_button_reply_is_typed() {
    let message = &messages("interactive_replies")[0];
    assert_eq!(
        message.content,
        MessageContent::Interactive(InteractiveReply::ButtonReply {
            id: "change-button".into(),
            title: "Change".into(),
        })
    );
}

#[test]
fn interactive_list_reply_is_typed() {
    let message = &messages("interactive_replies")[1];
    assert_eq!(
        message.content,
        MessageContent::Interactive(InteractiveReply::ListReply {
            id: "priority_express".into(),
            title: "Express Shipping".into(),
            description: Some("Next Day to 2 Days".into()),
        })
    );
}

#[test]
fn reply_context_names_the_message_replied_to() {
    let message = &messages("interactive_replies")[0];
    assert_eq!(
        message.context,
        Some(Context {
            from: Some("15550783881".into()),
            id: Some("wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA".into()),
            forwarded: false,
            frequently_forwarded: false,
        })
    );
}

#[test]
fn forwarded_context_is_read() {
    let mut message = message_json("text", json!({"body": "look at this"}));
    message["context"] = json!({"forwarded": true, "frequently_forwarded": true});
    let context = parse_one(message).context.unwrap();
    assert!(context.forwarded);
    assert!(context.frequently_forwarded);
    assert_eq!(context.id, None);
}

#[test]
fn reaction_carries_the_emoji_and_the_message_reacted_to() {
    let message = &messages("reactions")[0];
    assert_eq!(
        message.content,
        MessageContent::Reaction {
            message_id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MDdEQkEzRTUwMDZFOENDNEYA".into(),
            emoji: Some("👍".into()),
        }
    );
}

#[test]
fn reaction_with_empty_or_absent_emoji_is_a_removal() {
    let all = messages("reactions");
    for removal in &all[1..] {
        let MessageContent::Reaction { message_id, emoji } = &removal.content else {
            panic!("expected a reaction, got {:?}", removal.content)
        };
        assert_eq!(
            message_id,
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MDdEQkEzRTUwMDZFOENDNEYA"
        );
        assert_eq!(emoji, &None, "{}", removal.id);
    }
    assert_eq!(all.len(), 3);
}

#[test]
fn template_quick_reply_button_is_typed() {
    let message = &messages("button_and_location")[0];
    assert_eq!(message.kind, "button");
    assert_eq!(
        message.content,
        MessageContent::Button {
            payload: "Unsubscribe from Promos".into(),
            text: "Unsubscribe from Promos".into(),
        }
    );
    assert!(message.context.is_some());
}

#[test]
fn location_is_typed() {
    let message = &messages("button_and_location")[1];
    assert_eq!(
        message.content,
        MessageContent::Location {
            latitude: 37.483307,
            longitude: -122.148981,
            name: Some("Meta Headquarters".into()),
            address: Some("1 Hacker Way, Menlo Park, CA 94025".into()),
        }
    );
}

#[test]
fn contacts_order_and_system_payloads_are_kept_as_sent() {
    let body = fixture_bytes("structured_messages");
    let document: Value = serde_json::from_slice(&body).unwrap();
    let sent = &document["entry"][0]["changes"][0]["value"]["messages"];
    let all = messages("structured_messages");
    assert_eq!(
        all[0].content,
        MessageContent::Contacts(sent[0]["contacts"].clone())
    );
    assert_eq!(
        all[1].content,
        MessageContent::Order(sent[1]["order"].clone())
    );
    assert_eq!(
        all[2].content,
        MessageContent::System(sent[2]["system"].clone())
    );
    assert!(
        matches!(&all[0].content, MessageContent::Contacts(Value::Array(cards)) if cards.len() == 1)
    );
}

#[test]
fn sent_delivered_and_read_statuses_carry_their_timestamps_pricing_and_conversation() {
    let all = statuses("statuses");
    let kinds: Vec<_> = all
        .iter()
        .map(|s| (s.status.clone(), s.timestamp))
        .collect();
    assert_eq!(
        kinds,
        [
            (StatusKind::Sent, 1_750_263_773),
            (StatusKind::Delivered, 1_750_263_774),
            (StatusKind::Read, 1_750_263_790),
        ]
    );
    for status in &all {
        assert_eq!(
            status.id,
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA"
        );
        assert_eq!(status.recipient_id, "16505551234");
        assert_eq!(status.pricing.as_ref().unwrap()["category"], "service");
        assert!(status.errors.is_empty());
    }
    assert_eq!(
        all[0].conversation.as_ref().unwrap()["id"],
        "6ceb9d929c9e5be6a2bdaa8d1ba5c8a0"
    );
    assert_eq!(all[2].conversation, None);
}

#[test]
fn failed_status_carries_error_code_and_details() {
    let all = statuses("status_failed");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, StatusKind::Failed);
    assert_eq!(
        all[0].errors,
        [WireError {
            code: 131047,
            title: Some("Re-engagement message".into()),
            message: Some("Re-engagement message".into()),
            details: Some(
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
                    .into()
            ),
        }]
    );
}

#[test]
fn error_details_beside_the_code_are_read_too() {
    let body = envelope_with(json!({
        "errors": [{"code": 131051, "title": "Unsupported message type", "details": "Message type is not currently supported"}],
    }));
    let envelope = parse_envelope(&body).unwrap();
    let (_, error) = envelope.errors().next().unwrap();
    assert_eq!(
        error.details.as_deref(),
        Some("Message type is not currently supported")
    );
    assert_eq!(error.message, None);
}

#[test]
fn played_and_unknown_status_kinds_are_kept() {
    let status = |kind: &str| json!({"id": "wamid.X", "status": kind, "timestamp": "1", "recipient_id": "1"});
    let body = envelope_with(json!({ "statuses": [status("played"), status("held_for_review")] }));
    let envelope = parse_envelope(&body).unwrap();
    let kinds: Vec<_> = envelope.statuses().map(|(_, s)| s.status.clone()).collect();
    assert_eq!(
        kinds,
        [
            StatusKind::Played,
            StatusKind::Other("held_for_review".into())
        ]
    );
}

#[test]
fn batch_yields_every_message_status_and_error_across_entries_and_changes() {
    let envelope = parse_envelope(&fixture_bytes("batch")).unwrap();
    assert_eq!(envelope.entry.len(), 2);
    assert_eq!(envelope.entry[0].changes.len(), 3);

    let messages: Vec<_> = envelope
        .messages()
        .map(|(metadata, contacts, message)| {
            let sender = contacts.iter().find(|c| c.wa_id == message.from).unwrap();
            let name = sender.profile.as_ref().unwrap().name.as_str();
            (metadata.phone_number_id.as_str(), name, message.id.as_str())
        })
        .collect();
    assert_eq!(
        messages,
        [
            ("106540352242922", "Sheena Nelson", "wamid.BATCH-M1"),
            ("106540352242922", "José García", "wamid.BATCH-M2"),
            ("100000000000002", "Ana Souza", "wamid.BATCH-M3"),
        ]
    );

    let statuses: Vec<_> = envelope
        .statuses()
        .map(|(metadata, status)| {
            (
                metadata.phone_number_id.as_str(),
                status.id.as_str(),
                status.status.clone(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("106540352242922", "wamid.BATCH-S1", StatusKind::Delivered),
            ("106540352242922", "wamid.BATCH-S2", StatusKind::Read),
            ("100000000000002", "wamid.BATCH-S3", StatusKind::Failed),
        ]
    );

    let errors: Vec<_> = envelope
        .errors()
        .map(|(m, e)| (m.phone_number_id.as_str(), e.code))
        .collect();
    assert_eq!(errors, [("100000000000002", 131000)]);
}

#[test]
fn meta_unsupported_message_becomes_unsupported_with_its_errors() {
    let message = &messages("unsupported_messages")[0];
    assert_eq!(message.kind, "unsupported");
    let MessageContent::Unsupported { kind, errors } = &message.content else {
        panic!("expected unsupported, got {:?}", message.content)
    };
    assert_eq!(kind, "unsupported");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, 131051);
    assert_eq!(
        errors[0].details.as_deref(),
        Some("Message type is currently not supported.")
    );
}

#[test]
fn unknown_message_type_becomes_unsupported_with_its_type_name() {
    let message = &messages("unsupported_messages")[1];
    assert_eq!(message.id, "wamid.EPHEMERAL");
    assert_eq!(
        message.content,
        MessageContent::Unsupported {
            kind: "ephemeral_thing".into(),
            errors: vec![]
        }
    );
    assert_eq!(message.raw["ephemeral_thing"]["seconds"], 10);
}

#[test]
fn known_type_with_malformed_payload_becomes_unsupported() {
    let malformed = [
        message_json("image", json!({"caption": "no media id"})),
        message_json("text", json!("a string, not an object")),
        message_json("location", json!({"latitude": "north"})),
        message_json("reaction", json!({"emoji": "👍"})),
        message_json(
            "interactive",
            json!({"type": "nfm_reply", "nfm_reply": {"response_json": "{}"}}),
        ),
        json!({"from": "16505551234", "id": "wamid.NO-PAYLOAD", "timestamp": "1750000000", "type": "order"}),
    ];
    for message in malformed {
        let kind = message["type"].as_str().unwrap().to_owned();
        let parsed = parse_one(message);
        assert_eq!(
            parsed.content,
            MessageContent::Unsupported {
                kind,
                errors: vec![]
            }
        );
    }
}

#[test]
fn non_messages_field_change_is_kept_and_does_not_fail() {
    let envelope = parse_envelope(&fixture_bytes("account_update")).unwrap();
    let change = &envelope.entry[0].changes[0];
    assert_eq!(change.field(), "account_update");
    let Change::Other { value, .. } = change else {
        panic!("expected another field, got {change:?}")
    };
    assert_eq!(value["event"], "VERIFIED_ACCOUNT");
    assert_eq!(envelope.messages().count(), 0);
    assert_eq!(envelope.statuses().count(), 0);
}

#[test]
fn text_preview_shows_body_caption_button_text_and_reply_title() {
    let previews = |name: &str| -> Vec<Option<String>> {
        messages(name)
            .iter()
            .map(|m| m.content.text_preview().map(str::to_owned))
            .collect()
    };
    assert_eq!(
        previews("text_message"),
        [Some("Does it come in another color?".into())]
    );
    assert_eq!(
        previews("image_message"),
        [Some("This is the one I bought".into())]
    );
    assert_eq!(
        previews("interactive_replies"),
        [Some("Change".into()), Some("Express Shipping".into())]
    );
    assert_eq!(
        previews("button_and_location"),
        [Some("Unsubscribe from Promos".into()), None]
    );
    assert_eq!(previews("reactions"), [None, None, None]);
}

#[test]
fn invalid_json_is_not_json() {
    for body in [
        &b"{\"object\": "[..],
        b"not json at all",
        b"",
        b"{\"entry\": [] } trailing",
    ] {
        assert!(
            matches!(parse_envelope(body), Err(EnvelopeError::NotJson(_))),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn shape_error_before_a_syntax_error_is_still_not_json() {
    let body = br#"{"object": 42, "entry": [ oops"#;
    assert!(matches!(
        parse_envelope(body),
        Err(EnvelopeError::NotJson(_))
    ));
}

#[test]
fn json_that_is_not_an_envelope_is_not_an_envelope() {
    let bodies = [
        json!([1, 2, 3]),
        json!({"object": "whatsapp_business_account"}),
        json!({"object": "page", "entry": []}),
        json!({"entry": []}),
        json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp"}}
        ]}]}),
    ];
    for body in bodies {
        let result = parse_envelope(&serde_json::to_vec(&body).unwrap());
        assert!(
            matches!(result, Err(EnvelopeError::NotAnEnvelope(_))),
            "{body}: {result:?}"
        );
    }
}

#[test]
fn non_numeric_message_timestamp_is_rejected() {
    let mut message = message_json("text", json!({"body": "hi"}));
    message["timestamp"] = json!("yesterday");
    let error = parse_envelope(&envelope_with(json!({ "messages": [message] }))).unwrap_err();
    let EnvelopeError::NotAnEnvelope(reason) = error else {
        panic!("expected NotAnEnvelope, got {error:?}")
    };
    assert!(
        reason.contains(r#"timestamp "yesterday" is not a string of Unix seconds"#),
        "{reason}"
    );
}

#[test]
fn non_numeric_status_timestamp_is_rejected() {
    let status =
        json!({"id": "wamid.X", "status": "sent", "timestamp": "12:30", "recipient_id": "1"});
    let error = parse_envelope(&envelope_with(json!({ "statuses": [status] }))).unwrap_err();
    assert!(
        matches!(&error, EnvelopeError::NotAnEnvelope(reason) if reason.contains("\"12:30\"")),
        "{error:?}"
    );
}

#[test]
fn message_without_an_id_is_not_an_envelope() {
    let mut message = message_json("text", json!({"body": "hi"}));
    message.as_object_mut().unwrap().remove("id");
    let error = parse_envelope(&envelope_with(json!({ "messages": [message] }))).unwrap_err();
    assert!(
        matches!(&error, EnvelopeError::NotAnEnvelope(reason) if reason.contains("`id`")),
        "{error:?}"
    );
}

#[test]
fn subscription_handshake_echoes_the_challenge_for_our_token() {
    assert_eq!(
        verify_subscription(
            Some("subscribe"),
            Some("s3cret"),
            Some("1158201444"),
            "s3cret"
        ),
        Some("1158201444".into())
    );
}

#[test]
fn subscription_handshake_refuses_anything_else() {
    let refused = [
        (
            Some("subscribe"),
            Some("wrong"),
            Some("1158201444"),
            "s3cret",
        ),
        (
            Some("subscribe"),
            Some("s3cre"),
            Some("1158201444"),
            "s3cret",
        ),
        (Some("subscribe"), None, Some("1158201444"), "s3cret"),
        (
            Some("unsubscribe"),
            Some("s3cret"),
            Some("1158201444"),
            "s3cret",
        ),
        (None, Some("s3cret"), Some("1158201444"), "s3cret"),
        (Some("subscribe"), Some("s3cret"), None, "s3cret"),
        (Some("subscribe"), Some(""), Some("1158201444"), ""),
    ];
    for (mode, token, challenge, expected) in refused {
        assert_eq!(
            verify_subscription(mode, token, challenge, expected),
            None,
            "{mode:?} {token:?} {challenge:?} {expected:?}"
        );
    }
}

// --- Translation into the domain's batch ---

use switchboard_domain::message::MessageStatus;

#[test]
fn a_batch_translates_every_message_and_status_of_every_entry() {
    let batch = parse_envelope(&fixture_bytes("batch"))
        .unwrap()
        .to_batch()
        .unwrap();
    let wamids: Vec<_> = batch.messages.iter().map(|m| m.wamid.as_str()).collect();
    assert_eq!(
        wamids,
        ["wamid.BATCH-M1", "wamid.BATCH-M2", "wamid.BATCH-M3"]
    );
    let statuses: Vec<_> = batch
        .statuses
        .iter()
        .map(|s| (s.wamid.as_str(), s.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("wamid.BATCH-S1", MessageStatus::Delivered),
            ("wamid.BATCH-S2", MessageStatus::Read),
            ("wamid.BATCH-S3", MessageStatus::Failed),
        ]
    );
    assert_eq!(batch.messages[2].phone_number_id, "100000000000002");
    assert_eq!(
        batch.messages[1].profile_name.as_deref(),
        Some("José García")
    );
}

#[test]
fn a_translated_message_keeps_sender_time_text_and_raw_payload() {
    let bytes = fixture_bytes("text_message");
    let envelope = parse_envelope(&bytes).unwrap();
    let raw = envelope.messages().next().unwrap().2.raw.clone();
    let message = envelope.to_batch().unwrap().messages.remove(0);
    assert_eq!(message.phone_number_id, "106540352242922");
    assert_eq!(message.profile_name.as_deref(), Some("Sheena Nelson"));
    assert_eq!(message.kind, "text");
    assert!(message.text.is_some());
    assert_eq!(
        serde_json::from_str::<Value>(&message.payload).unwrap(),
        raw
    );
    assert_eq!(
        message.sent_at.timestamp(),
        raw["timestamp"].as_str().unwrap().parse::<i64>().unwrap()
    );
}

#[test]
fn a_translated_failure_carries_meta_error_code() {
    let batch = parse_envelope(&fixture_bytes("status_failed"))
        .unwrap()
        .to_batch()
        .unwrap();
    let error = batch.statuses[0]
        .error
        .clone()
        .expect("a failed status carries its error");
    assert!(error.code > 0);
    assert!(error.title.is_some() || error.details.is_some());
}

#[test]
fn a_reply_translates_to_the_wamid_it_answers() {
    let mut message = message_json("text", json!({"body": "yes"}));
    message["context"] = json!({"from": "15550783881", "id": "wamid.ORIGINAL"});
    let body = envelope_with(json!({ "messages": [message] }));
    let batch = parse_envelope(&body).unwrap().to_batch().unwrap();
    assert_eq!(
        batch.messages[0].reply_to.as_deref(),
        Some("wamid.ORIGINAL")
    );
}

#[test]
fn an_unknown_message_type_translates_to_unsupported_keeping_metas_payload() {
    let body =
        envelope_with(json!({ "messages": [message_json("ephemeral_thing", json!({"x": 1}))] }));
    let batch = parse_envelope(&body).unwrap().to_batch().unwrap();
    assert_eq!(batch.messages[0].kind, "unsupported");
    let payload: Value = serde_json::from_str(&batch.messages[0].payload).unwrap();
    assert_eq!(payload["type"], "ephemeral_thing");
}

#[test]
fn a_nul_character_in_a_customers_message_is_replaced_not_refused() {
    let body = envelope_with(json!({
        "contacts": [{"profile": {"name": "Ana\u{0}"}, "wa_id": "16505551234"}],
        "messages": [message_json("text", json!({"body": "hi\u{0}there"}))],
    }));
    let message = parse_envelope(&body)
        .unwrap()
        .to_batch()
        .unwrap()
        .messages
        .remove(0);
    assert_eq!(message.text.as_deref(), Some("hi\u{FFFD}there"));
    assert_eq!(message.profile_name.as_deref(), Some("Ana\u{FFFD}"));
    assert!(!message.payload.contains("\\u0000"), "{}", message.payload);
    let payload: Value = serde_json::from_str(&message.payload).unwrap();
    assert_eq!(payload["text"]["body"], "hi\u{FFFD}there");
}
