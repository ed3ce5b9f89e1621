//! The committed spec is the generated one, and it documents what the conventions promise.

use utoipa::openapi::RefOr;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::SecurityRequirement;

const COMMITTED: &str = include_str!("../../../../openapi/openapi.json");

#[test]
fn the_committed_openapi_json_matches_the_code() {
    let generated = serde_json::to_value(switchboard_http::api_doc()).unwrap();
    let committed: serde_json::Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(
        generated == committed,
        "openapi/openapi.json is out of date with the handlers: run `make openapi` and commit it"
    );
}

fn operations() -> Vec<(String, &'static str, Operation)> {
    let doc = switchboard_http::api_doc();
    let mut all = Vec::new();
    for (path, item) in doc.paths.paths {
        for (method, op) in [
            ("get", item.get),
            ("post", item.post),
            ("put", item.put),
            ("patch", item.patch),
            ("delete", item.delete),
        ] {
            if let Some(op) = op {
                all.push((path.clone(), method, op));
            }
        }
    }
    all
}

/// Public operations declare the empty requirement (`security(())`), so that none is public by
/// having forgotten its `security`.
fn requires_a_token(op: &Operation) -> bool {
    let declared = op
        .security
        .as_ref()
        .expect("every operation declares its security");
    declared
        .iter()
        .any(|requirement| *requirement != SecurityRequirement::default())
}

#[test]
fn every_operation_documents_its_error_responses() {
    let ops = operations();
    assert!(ops.len() >= 18, "{} operations", ops.len());
    for (path, method, op) in ops {
        let codes: Vec<&str> = op.responses.responses.keys().map(String::as_str).collect();
        let secured = requires_a_token(&op);
        assert!(codes.contains(&"500"), "{method} {path}: {codes:?}");
        for (status, response) in &op.responses.responses {
            let RefOr::T(response) = response else {
                continue;
            };
            assert!(
                !response.description.is_empty(),
                "{method} {path} {status} has no description"
            );
        }
        if secured {
            assert!(codes.contains(&"401"), "{method} {path}: {codes:?}");
        }
        if op.request_body.is_some() && path.starts_with("/api/") {
            for code in ["400", "413", "415", "422"] {
                assert!(
                    codes.contains(&code),
                    "{method} {path} lacks {code}: {codes:?}"
                );
            }
        }
        if path.contains("{id}") {
            assert!(
                codes.contains(&"404"),
                "{method} {path} lacks 404: {codes:?}"
            );
        }
        assert!(
            op.summary.is_some() || op.description.is_some(),
            "{method} {path} is undocumented"
        );
    }
}

#[test]
fn every_api_route_but_sign_in_requires_the_bearer_scheme() {
    let doc = switchboard_http::api_doc();
    let schemes = &doc.components.as_ref().unwrap().security_schemes;
    assert!(schemes.contains_key("bearer"));
    let public = [
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/healthz",
        "/readyz",
        "/webhooks/whatsapp",
    ];
    for (path, method, op) in operations() {
        let secured = requires_a_token(&op);
        assert_eq!(secured, !public.contains(&path.as_str()), "{method} {path}");
    }
}

#[test]
fn every_error_code_is_documented_where_it_can_be_answered() {
    let doc = serde_json::to_value(switchboard_http::api_doc()).unwrap();
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("the ErrorCode schema lists the codes")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert!(codes.len() >= 40, "{codes:?}");
    let answers = doc["paths"].to_string();
    let general = doc["info"]["description"].as_str().unwrap();
    // The API cannot reach it: the one route that starts conversations takes only a template.
    let unreachable = ["template_required"];
    for code in &codes {
        let named = format!("`{code}`");
        assert!(
            answers.contains(&named)
                || general.contains(&named)
                || unreachable.contains(&code.as_str()),
            "`{code}` is in ErrorCode but no operation (nor the API's description) says when it is answered"
        );
    }
}

#[test]
fn the_live_event_schema_lists_every_kind_the_stream_sends() {
    let doc = serde_json::to_value(switchboard_http::api_doc()).unwrap();
    let variants = doc["components"]["schemas"]["LiveEvent"]["oneOf"]
        .as_array()
        .expect("LiveEvent is a oneOf of the event kinds");
    let documented: Vec<&str> = variants
        .iter()
        .map(|v| v["properties"]["type"]["enum"][0].as_str().unwrap())
        .collect();
    let sent: Vec<&str> = switchboard_domain::live::model::EventKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(documented, sent);
    for variant in variants {
        let data = variant["properties"]["data"]["$ref"].as_str().unwrap();
        let kind = variant["properties"]["type"]["enum"][0].as_str().unwrap();
        let expected = if kind.starts_with("message.") {
            "#/components/schemas/MessageDto"
        } else {
            "#/components/schemas/ConversationDto"
        };
        assert_eq!(data, expected, "{kind}");
    }
}
