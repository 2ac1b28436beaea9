//! Timestamps as Kubernetes writes them: RFC 3339 in UTC (`2026-12-03T19:50:01.250Z`).

use crate::policy::Date;
use std::time::{SystemTime, UNIX_EPOCH};

/// `t` in RFC 3339, UTC, to the millisecond.
pub fn rfc3339(t: SystemTime) -> String {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs() as i64;
    let date = Date::from_unix_days(secs.div_euclid(86_400));
    let day = secs.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}.{:03}Z", day / 3600, day / 60 % 60, day % 60, since.subsec_millis())
}

/// Milliseconds since the epoch (as the history store keeps them) in RFC 3339.
pub fn rfc3339_ms(ms: i64) -> String {
    rfc3339(UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64))
}

/// Milliseconds since the epoch as people read them in a table: `2026-12-03 19:50:01` (UTC).
pub fn utc_seconds(ms: i64) -> String {
    rfc3339_ms(ms)[..19].replace('T', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_to_the_millisecond() {
        let t = UNIX_EPOCH + Duration::from_millis(1_796_327_401_250);
        assert_eq!(rfc3339(t), "2026-12-03T19:50:01.250Z");
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(utc_seconds(1_796_327_401_250), "2026-12-03 19:50:01");
        assert_eq!(rfc3339_ms(-5), "1970-01-01T00:00:00.000Z");
    }
}
