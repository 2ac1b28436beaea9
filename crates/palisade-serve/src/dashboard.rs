//! The dashboard over HTTP: read-only pages the caller renders (`GET` and `HEAD` only; any
//! other method is 405), each off the async threads. With a token, every page but
//! `/healthz` wants it: as `Authorization: Bearer TOKEN`, or from a browser once as
//! `?token=TOKEN`, which sets a cookie (HttpOnly, SameSite=Strict) and sends the browser on
//! to the same address without it, so the token stays out of history and links. Pages are
//! sent with the report's Content-Security-Policy (nothing loads from anywhere) and are not
//! cached.

use palisade_core::encoding::unescape_query;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// A page: `path` and the query's `(name, value)` pairs → the page's HTML, or a status and
/// the words to say why not.
pub type Pages = Arc<dyn Fn(&str, &[(String, String)]) -> Result<String, (u16, String)> + Send + Sync>;

const COOKIE: &str = "palisade_token";

/// The query's pairs, decoded.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (unescape_query(k), unescape_query(v))
        })
        .collect()
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The token the request carries, from its Authorization header or its cookie.
fn presented(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")) {
        return Some(bearer.trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE).and_then(|rest| rest.strip_prefix('=')).map(str::to_string))
}

fn text(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}

/// The router: `/healthz` answers `ok`; everything else is `pages`, behind the token when
/// there is one.
pub fn router(pages: Pages, token: Option<String>, csp: &'static str) -> axum::Router {
    let token: Option<Arc<str>> = token.map(Into::into);
    let handler = move |method: Method, uri: Uri, headers: HeaderMap| {
        let (pages, token) = (pages.clone(), token.clone());
        async move {
            if method != Method::GET && method != Method::HEAD {
                let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "the dashboard is read-only: GET only\n".into());
                r.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
                return r;
            }
            let path = uri.path().to_string();
            let mut query = query_pairs(uri.query().unwrap_or(""));
            if let Some(token) = &token {
                if let Some(i) = query.iter().position(|(k, _)| k == "token") {
                    let (_, given) = query.remove(i);
                    if !same(given.as_bytes(), token.as_bytes()) {
                        return text(StatusCode::UNAUTHORIZED, "wrong token\n".into());
                    }
                    // On to the same address without the token, which a cookie now carries.
                    let rest: Vec<String> = uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty() && !p.starts_with("token=")).map(str::to_string).collect();
                    let to = if rest.is_empty() { path.clone() } else { format!("{path}?{}", rest.join("&")) };
                    let mut r = StatusCode::SEE_OTHER.into_response();
                    if let Ok(v) = HeaderValue::from_str(&to) {
                        r.headers_mut().insert(header::LOCATION, v);
                    }
                    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={given}; Path=/; HttpOnly; SameSite=Strict")) {
                        r.headers_mut().insert(header::SET_COOKIE, v);
                    }
                    return r;
                }
                if !presented(&headers).is_some_and(|p| same(p.as_bytes(), token.as_bytes())) {
                    let mut r = text(StatusCode::UNAUTHORIZED, "this dashboard wants its token: send `Authorization: Bearer TOKEN`, or open it once with ?token=TOKEN\n".into());
                    r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                    return r;
                }
            }
            let page = tokio::task::spawn_blocking(move || pages(&path, &query)).await;
            let mut r = match page {
                Ok(Ok(html)) => {
                    let mut r = html.into_response();
                    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                    r
                }
                Ok(Err((status, why))) => text(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), format!("{why}\n")),
                Err(_) => text(StatusCode::INTERNAL_SERVER_ERROR, "the page could not be drawn\n".into()),
            };
            let h = r.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
            h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
            r
        }
    };
    axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" })).fallback(handler)
}

/// Serves `app` over plain HTTP on `listener` until the runtime stops.
pub async fn serve(listener: tokio::net::TcpListener, app: axum::Router) {
    let _ = axum::serve(listener, app).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_decoded() {
        assert_eq!(query_pairs("from=a%2Fb&to=x+y&empty=&flag"), [("from".into(), "a/b".into()), ("to".into(), "x y".into()), ("empty".into(), String::new()), ("flag".into(), String::new())]);
        assert_eq!(query_pairs("bad=%zz%4"), [("bad".to_string(), "%zz%4".to_string())]);
    }

    #[test]
    fn tokens_come_from_the_header_or_the_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; palisade_token=s3cret"));
        assert_eq!(presented(&h).as_deref(), Some("s3cret"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer t0ken"));
        assert_eq!(presented(&h).as_deref(), Some("t0ken"));
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"abc", b"ab"));
    }
}
