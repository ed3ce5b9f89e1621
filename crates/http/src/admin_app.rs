//! The built admin app (a single-page app) at `/`: its files as they are, and `index.html` for
//! every other page path so the app's own router can take deep links and reloads.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};

/// Paths that belong to the backend: an unknown one is a JSON 404, never the app.
const BACKEND_PREFIXES: [&str; 6] = [
    "/api/",
    "/webhooks/",
    "/docs",
    "/openapi.json",
    "/healthz",
    "/readyz",
];

/// The app loads nothing from elsewhere and is never framed; `blob:` is for media the app
/// fetches with its token and shows from memory.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' blob: data:; \
     media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The app's answer to `req`, or `None` when the request is not for the app (a backend path,
/// a method other than GET/HEAD, a missing file with an extension, or no built app).
pub(crate) async fn serve(req: &HttpRequest, dir: &Path) -> Option<HttpResponse> {
    if !matches!(*req.method(), Method::GET | Method::HEAD)
        || BACKEND_PREFIXES.iter().any(|p| req.path().starts_with(p))
    {
        return None;
    }
    let asset = match file_under(dir, req.path()) {
        Some(path) if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_file()) => Some(path),
        // A missing script or image must fail as such, not arrive as the app's HTML.
        _ if looks_like_a_file(req.path()) => return None,
        _ => None,
    };
    let is_page = asset.is_none() || req.path() == "/index.html";
    let file = NamedFile::open_async(asset.unwrap_or_else(|| dir.join("index.html")))
        .await
        .ok()?;
    let mut response = file.into_response(req);
    let headers = response.headers_mut();
    // Vite names bundles by content hash, so they never change; the page must be revalidated
    // so a new release is picked up at once.
    let cache = if !is_page && req.path().starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_page {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    Some(response)
}

/// `path` as a file under `dir`, refusing anything that could climb out of it or reach a
/// hidden file. Percent-escapes are refused rather than decoded: the build has none.
fn file_under(dir: &Path, path: &str) -> Option<PathBuf> {
    let relative = path.trim_start_matches('/');
    if relative.is_empty() {
        return None;
    }
    let mut file = dir.to_path_buf();
    for segment in relative.split('/') {
        if segment.is_empty()
            || segment.starts_with('.')
            || segment.contains(['\\', '%', ':', '\0'])
        {
            return None;
        }
        file.push(segment);
    }
    Some(file)
}

fn looks_like_a_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_app_directory_are_refused() {
        let dir = Path::new("/srv/app");
        assert_eq!(
            file_under(dir, "/assets/index-abc.js"),
            Some(PathBuf::from("/srv/app/assets/index-abc.js"))
        );
        for path in [
            "/",
            "/../etc/passwd",
            "/assets/../../x",
            "/.env",
            "/a//b",
            "/%2e%2e/x",
            "/a\\..\\b",
            "/C:/x",
        ] {
            assert_eq!(file_under(dir, path), None, "{path}");
        }
    }

    #[test]
    fn only_names_with_an_extension_count_as_files() {
        assert!(looks_like_a_file("/assets/app.js"));
        assert!(looks_like_a_file("/favicon.svg"));
        assert!(!looks_like_a_file("/conversations/12"));
        assert!(!looks_like_a_file("/"));
    }
}
