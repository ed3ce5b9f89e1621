//! Cloud API error answers mapped onto the domain's gateway error, by Meta's `code`.

use std::time::Duration;

use serde::Deserialize;
use switchboard_domain::outbound::model::{GatewayError, is_transient};

#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: GraphError,
}

#[derive(Debug, Deserialize)]
struct GraphError {
    code: i64,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    error_user_title: Option<String>,
    #[serde(default)]
    error_data: Option<ErrorData>,
}

#[derive(Debug, Deserialize)]
struct ErrorData {
    #[serde(default)]
    details: Option<String>,
}

/// Maps a non-2xx answer onto a [`GatewayError`]: Meta's `code` decides; an answer without a
/// readable error is transient for 429 and 5xx (the service is struggling) and permanent
/// otherwise.
pub fn classify_error(status: u16, body: &[u8], retry_after: Option<Duration>) -> GatewayError {
    let Ok(ErrorEnvelope { error }) = serde_json::from_slice::<ErrorEnvelope>(body) else {
        let text = String::from_utf8_lossy(body)
            .chars()
            .take(200)
            .collect::<String>();
        return if status == 429 || status >= 500 {
            GatewayError::Transient {
                code: None,
                message: format!("the Cloud API answered {status}: {text}"),
                retry_after,
            }
        } else {
            GatewayError::Permanent {
                code: 0,
                title: format!("the Cloud API answered {status}"),
                details: Some(text),
            }
        };
    };
    let title = error
        .error_user_title
        .or(error.message)
        .unwrap_or_else(|| format!("Cloud API error {}", error.code));
    let details = error.error_data.and_then(|d| d.details);
    if is_transient(error.code) {
        GatewayError::Transient {
            code: Some(error.code),
            message: details.map_or_else(|| title.clone(), |d| format!("{title}: {d}")),
            retry_after,
        }
    } else {
        GatewayError::Permanent {
            code: error.code,
            title,
            details,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_error(code: i64) -> Vec<u8> {
        format!(
            r#"{{"error":{{"message":"(#{code}) Something","type":"OAuthException","code":{code},"error_data":{{"messaging_product":"whatsapp","details":"More detail"}},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn metas_transient_codes_are_retryable_with_the_hint() {
        for code in [130429, 131056, 1, 2, 131000, 131016] {
            let error = classify_error(400, &meta_error(code), Some(Duration::from_secs(3)));
            assert_eq!(
                error,
                GatewayError::Transient {
                    code: Some(code),
                    message: format!("(#{code}) Something: More detail"),
                    retry_after: Some(Duration::from_secs(3)),
                }
            );
        }
    }

    #[test]
    fn other_codes_are_permanent_with_title_and_details() {
        for code in [
            131047, 131026, 131051, 132000, 132001, 100, 131008, 131009, 190,
        ] {
            assert_eq!(
                classify_error(400, &meta_error(code), None),
                GatewayError::Permanent {
                    code,
                    title: format!("(#{code}) Something"),
                    details: Some("More detail".into()),
                }
            );
        }
    }

    #[test]
    fn the_code_decides_not_the_http_status() {
        assert!(matches!(
            classify_error(500, &meta_error(131026), None),
            GatewayError::Permanent { .. }
        ));
        assert!(matches!(
            classify_error(400, &meta_error(130429), None),
            GatewayError::Transient { .. }
        ));
    }

    #[test]
    fn unreadable_errors_are_transient_only_for_429_and_5xx() {
        assert!(matches!(
            classify_error(502, b"<html>Bad gateway</html>", None),
            GatewayError::Transient { code: None, .. }
        ));
        assert!(matches!(
            classify_error(429, b"", None),
            GatewayError::Transient { .. }
        ));
        assert!(matches!(
            classify_error(404, b"not found", None),
            GatewayError::Permanent { code: 0, .. }
        ));
    }
}
