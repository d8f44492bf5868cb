//! Durations as users write them: seconds as a number (`45`, `2.5`) or a string with units
//! (`"45s"`, `"3m"`, `"1h30m"`, `"250ms"`, `"1.5h"`, `"2d"`).

/// Parse a TOML value as a duration in seconds. Sign is checked by the caller, which knows
/// whether zero is allowed.
pub fn parse_duration(value: &toml::Value) -> Result<f64, String> {
    match value {
        toml::Value::Integer(i) => Ok(*i as f64),
        toml::Value::Float(f) if f.is_finite() => Ok(*f),
        toml::Value::Float(_) => Err("a duration must be a finite number".into()),
        toml::Value::String(s) => parse_duration_str(s),
        other => Err(format!(
            "a duration is a number of seconds or a string like \"45s\", \"3m\", \"1h30m\"; got a {}",
            other.type_str()
        )),
    }
}

/// Parse `"1h30m"`-style text. A bare number means seconds.
pub fn parse_duration_str(text: &str) -> Result<f64, String> {
    let bad = || {
        format!(
            "cannot read {text:?} as a duration: write seconds (45) or a number with a unit \
             ms, s, m, min, h or d (\"45s\", \"3m\", \"1h30m\")"
        )
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(x) = parse_f64(t) {
        return if x.is_finite() { Ok(x) } else { Err(bad()) };
    }
    let (sign, mut rest) = match t.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, t),
    };
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return Err(bad()),
        };
        rest = rest[unit_len..].trim_start();
        total += number * factor;
    }
    Ok(sign * total)
}

/// `text` as `str::parse::<f64>` reads it, bit for bit, faster for the plain decimals of data
/// files (`30600.5`, `45`): digits with at most one point and at most 19 of them, whose digits
/// without the point make an integer m ≤ 2⁵³ and that have at most 22 decimals, are m / 10ᵏ,
/// both exact in an f64, so the one division is correctly rounded, as `str::parse` always is
/// (Clinger's fast path). Anything else (a sign, an exponent, more digits) goes to
/// `str::parse`.
pub fn parse_f64(text: &str) -> Result<f64, std::num::ParseFloatError> {
    match plain_decimal(text.as_bytes()) {
        Some(x) => Ok(x),
        None => text.parse(),
    }
}

/// The powers of ten an f64 holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The fast path of [`parse_f64`], `None` outside it.
#[inline]
pub(super) fn plain_decimal(bytes: &[u8]) -> Option<f64> {
    let (mut mantissa, mut digits, mut decimals, mut point) = (0u64, 0usize, 0usize, false);
    for &b in bytes {
        match b {
            // 19 digits fit a u64 whatever they are.
            b'0'..=b'9' if digits < 19 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                decimals += usize::from(point);
            }
            b'.' if !point => point = true,
            _ => return None,
        }
    }
    if digits == 0 || mantissa > 1 << 53 || decimals >= EXACT_POWERS_OF_TEN.len() {
        return None;
    }
    // Through i64 (exact: at most 2⁵³): one instruction where u64 takes several.
    Some(mantissa as i64 as f64 / EXACT_POWERS_OF_TEN[decimals])
}

/// Parse a clock time of day, `"08:00"` or `"08:00:30"`, into seconds after midnight.
pub fn parse_clock(text: &str) -> Result<f64, String> {
    clock(text, false)
}

/// Parse a clock time of a run that may last several days, into seconds after the first
/// day's midnight: like [`parse_clock`], but the hours go on past 23 (`"25:30"` is 01:30 the
/// next day), as [`format_clock`] writes them.
pub fn parse_run_clock(text: &str) -> Result<f64, String> {
    clock(text, true)
}

fn clock(text: &str, past_midnight: bool) -> Result<f64, String> {
    let bad = || {
        let more = if past_midnight {
            " (past midnight the hours go on: \"25:30\" is 01:30 the next day)"
        } else {
            ""
        };
        format!(
            "cannot read {text:?} as a clock time: write HH:MM, like \"08:00\" or \"13:30\"{more}"
        )
    };
    // Read on bytes, without collecting the fields: a trace replays a million of these.
    let mut fields = [0u32; 3];
    let mut count = 0;
    for (i, p) in text.trim().as_bytes().split(|&b| b == b':').enumerate() {
        // Hours of a run clock may take more digits (a run of up to about three years).
        let max_len = if i == 0 && past_midnight { 5 } else { 2 };
        if i >= 3 || p.is_empty() || p.len() > max_len {
            return Err(bad());
        }
        fields[i] = digits(p).ok_or_else(bad)? as u32;
        count = i + 1;
    }
    if count < 2 {
        return Err(bad());
    }
    let [h, m, s] = fields;
    if (h > 23 && !past_midnight) || m > 59 || s > 59 {
        return Err(bad());
    }
    Ok(f64::from(h) * 3600.0 + f64::from(m * 60 + s))
}

/// The number a run of ASCII digits writes (`None` if a byte is not a digit); the callers
/// bound the length, so it never overflows.
fn digits(bytes: &[u8]) -> Option<u64> {
    bytes.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// Parse a date and time, `"2026-03-02 08:30"` (or with `T` between, and optional seconds),
/// into a day number (days since 1970-01-01) and seconds after that day's midnight; `None`
/// when the text does not start with a date (it may be a plain clock time).
pub fn parse_date_time(text: &str) -> Option<Result<(i64, f64), String>> {
    let t = text.trim();
    let bytes = t.as_bytes();
    if bytes.len() < 11 || bytes[4] != b'-' || !bytes[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let bad = || {
        format!(
            "cannot read {text:?} as a date and time: write YYYY-MM-DD HH:MM, like \
             \"2026-03-02 08:30\""
        )
    };
    // The date is exactly `YYYY-MM-DD`, then a space or `T` (the first one of the text).
    let (Some(y), Some(m), Some(d)) = (
        digits(&bytes[..4]),
        digits(&bytes[5..7]),
        digits(&bytes[8..10]),
    ) else {
        return Some(Err(bad()));
    };
    if bytes[7] != b'-' || !matches!(bytes[10], b' ' | b'T') {
        return Some(Err(bad()));
    }
    let (y, m, d) = (y as i64, m as i64, d as i64);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return Some(Err(bad()));
    }
    let seconds = match parse_clock(&t[11..]) {
        Ok(s) => s,
        Err(_) => return Some(Err(bad())),
    };
    Some(Ok((days_from_civil(y, m, d), seconds)))
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The clock time (`"08:30"`, or `"08:30:15"` off the minute) of run time `seconds` for a run
/// that starts at `day_start` seconds after midnight. Past midnight the hours go on counting
/// (`"25:30"` is 01:30 the next day), so labels stay in order over a run of several days.
pub fn format_clock(day_start: f64, seconds: f64) -> String {
    let t = (day_start + seconds).max(0.0).round() as u64;
    let (h, m, s) = (t / 3600, t / 60 % 60, t % 60);
    if s == 0 {
        format!("{h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

/// Render seconds the way a user would write them (`"30m"`, `"45s"`, `"1.5s"`).
pub fn format_duration(seconds: f64) -> String {
    let units = [(86400.0, "d"), (3600.0, "h"), (60.0, "m")];
    for (size, unit) in units {
        if seconds >= size && (seconds / size).fract() == 0.0 {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse_duration_str("45s"), Ok(45.0));
        assert_eq!(parse_duration_str("3m"), Ok(180.0));
        assert_eq!(parse_duration_str("1h"), Ok(3600.0));
        assert_eq!(parse_duration_str("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration_str("250ms"), Ok(0.25));
        assert_eq!(parse_duration_str("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration_str("90"), Ok(90.0));
        assert_eq!(parse_duration_str("0s"), Ok(0.0));
        assert_eq!(parse_duration_str("-5s"), Ok(-5.0));
        assert_eq!(parse_duration(&toml::Value::Integer(12)), Ok(12.0));
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        for bad in ["", "abc", "5 parsecs", "s", "1h30", "inf", "1..2s"] {
            let err = parse_duration_str(bad).unwrap_err();
            assert!(err.contains("\"45s\""), "{bad}: {err}");
        }
        assert!(parse_duration(&toml::Value::Boolean(true)).is_err());
    }

    #[test]
    fn clock_times_parse_and_print() {
        assert_eq!(parse_clock("08:00"), Ok(28_800.0));
        assert_eq!(parse_clock("13:30:15"), Ok(48_615.0));
        for bad in [
            "8",
            "24:00",
            "08:60",
            "08-00",
            "",
            "08:00:00:00",
            "+8:00",
            "08:",
        ] {
            assert!(parse_clock(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_run_clock("25:30"), Ok(91_800.0));
        assert_eq!(parse_run_clock("08:00:30"), Ok(28_830.0));
        assert!(parse_run_clock("25:60").is_err() && parse_run_clock("x:00").is_err());
        assert_eq!(format_clock(28_800.0, 1800.0), "08:30");
        assert_eq!(format_clock(0.0, 90.0), "00:01:30");
        assert_eq!(format_clock(82_800.0, 5400.0), "24:30");
    }

    #[test]
    fn dates_and_times_parse_to_days_and_seconds() {
        assert_eq!(parse_date_time("1970-01-01 00:00"), Some(Ok((0, 0.0))));
        assert_eq!(
            parse_date_time("2026-03-02T08:30"),
            Some(Ok((20_514, 30_600.0)))
        );
        // Across a leap day: 2024-02-28 to 2024-03-01 is two days.
        let day = |t: &str| parse_date_time(t).unwrap().unwrap().0;
        assert_eq!(day("2024-03-01 00:00") - day("2024-02-28 00:00"), 2);
        assert_eq!(parse_date_time("08:30"), None);
        for bad in [
            "2026-02-30 08:00",
            "2026-13-01 08:00",
            "2026-03-02 25:00",
            "2026-3-02 08:00",
        ] {
            assert!(matches!(parse_date_time(bad), Some(Err(_))), "{bad}");
        }
    }

    #[test]
    fn formats_round_values_with_units() {
        assert_eq!(format_duration(1800.0), "30m");
        assert_eq!(format_duration(45.0), "45s");
        assert_eq!(format_duration(7200.0), "2h");
        assert_eq!(format_duration(2.5), "2.5s");
    }

    /// `parse_f64` is `str::parse::<f64>` bit for bit (or the same refusal).
    fn same_as_std(text: &str) {
        let ours = parse_f64(text).map(f64::to_bits).ok();
        let std = text.parse::<f64>().map(f64::to_bits).ok();
        assert_eq!(ours, std, "{text:?}");
    }

    #[test]
    fn plain_decimals_read_as_str_parse_does() {
        for text in [
            "0",
            "0.0",
            "00",
            "5.",
            ".5",
            ".",
            "",
            "-1.5",
            "+2",
            "1e3",
            "inf",
            "NaN",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "0.1",
            "0.3",
            "30600.5",
            "3158281.123",
            "9007199254740992",
            "9007199254740993",
            "900719925474099.3",
            "1234567890123456789",
            "12345678901234567890",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "4503599627370496.5",
            "2.2250738585072014e-308",
            "0000000000000000000001",
            "99999999999999999999",
            "1.7976931348623157",
            "٣",
        ] {
            same_as_std(text);
        }
        assert_eq!(parse_f64("3158281.123"), Ok(3_158_281.123));
    }

    proptest::proptest! {
        #[test]
        fn random_decimals_read_as_str_parse_does(
            int in "[0-9]{0,20}",
            frac in proptest::option::of("[0-9]{0,24}"),
        ) {
            let text = match frac {
                Some(f) => format!("{int}.{f}"),
                None => int,
            };
            same_as_std(&text);
        }

        #[test]
        fn random_seconds_read_as_str_parse_does(x in 0.0f64..1e9, decimals in 0usize..10) {
            same_as_std(&format!("{x:.decimals$}"));
            same_as_std(&format!("{x}"));
        }

        #[test]
        fn random_text_reads_as_str_parse_does(text in "[0-9.eE+-]{0,12}") {
            same_as_std(&text);
        }
    }
}
