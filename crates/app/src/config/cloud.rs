//! Which WhatsApp provider the server talks to, and the Cloud API settings `cloud` mode
//! requires.

use super::{ConfigError, bad};

/// Which WhatsApp Cloud API client sends messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhatsAppProvider {
    /// The in-process mock: answers like the Cloud API, sends nothing anywhere.
    Mock,
    /// Meta's WhatsApp Cloud API (or anything speaking it, such as the simulator).
    Cloud(CloudApi),
}

/// How to reach the Cloud API.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudApi {
    pub base_url: String,
    pub api_version: String,
    pub access_token: String,
}

impl std::fmt::Debug for CloudApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudApi")
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("access_token", &"**redacted**")
            .finish()
    }
}

pub const DEFAULT_API_BASE_URL: &str = "https://graph.facebook.com";
pub const DEFAULT_API_VERSION: &str = "v23.0";

/// The Cloud API settings, all required in `cloud` mode: a forgotten secret would otherwise
/// only show as every webhook refused.
pub(super) fn cloud_api(get: &impl Fn(&str) -> Option<String>) -> Result<CloudApi, ConfigError> {
    let required = |var: &'static str| {
        get(var).ok_or_else(|| {
            bad(
                var,
                "is required with SWITCHBOARD_WHATSAPP_PROVIDER=cloud (see the README, Going live)",
            )
        })
    };
    let access_token = required("SWITCHBOARD_WHATSAPP_ACCESS_TOKEN")?;
    required("SWITCHBOARD_WHATSAPP_APP_SECRET")?;
    required("SWITCHBOARD_WHATSAPP_VERIFY_TOKEN")?;
    let base_url = get("SWITCHBOARD_WHATSAPP_API_BASE_URL")
        .unwrap_or_else(|| DEFAULT_API_BASE_URL.to_owned())
        .trim()
        .trim_end_matches('/')
        .to_owned();
    let host = base_url
        .strip_prefix("https://")
        .or_else(|| base_url.strip_prefix("http://"))
        .unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(bad(
            "SWITCHBOARD_WHATSAPP_API_BASE_URL",
            format!("{base_url:?} is not an http(s) URL such as https://graph.facebook.com"),
        ));
    }
    let api_version = get("SWITCHBOARD_WHATSAPP_API_VERSION")
        .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned())
        .trim()
        .to_owned();
    let valid_version = api_version.strip_prefix('v').is_some_and(|rest| {
        rest.split_once('.').is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major
                    .bytes()
                    .chain(minor.bytes())
                    .all(|b| b.is_ascii_digit())
        })
    });
    if !valid_version {
        return Err(bad(
            "SWITCHBOARD_WHATSAPP_API_VERSION",
            format!("{api_version:?} is not a Graph API version such as v23.0"),
        ));
    }
    Ok(CloudApi {
        base_url,
        api_version,
        access_token,
    })
}
