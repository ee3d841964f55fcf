//! Reading condition values as the condition operators read them (semantics §4.4): numbers,
//! dates, IP networks, booleans and base-64 binaries.
//!
//! Every function here takes any text and returns `None` (or an error) on what it does not
//! understand; none of them panics, and only [`decode_base64`] allocates. The same readers serve
//! the policy side and the request side, so a value means the same whichever side it is on.
//!
//! Choices on what the AWS documentation leaves open:
//!
//! - **Numbers** (semantics §7.11): `[+|-]DIGITS[.DIGITS]` — an optional sign, at least one digit
//!   before the point, and at least one digit after it when a point is written (`.5`, `5.` and
//!   `1e3` are not numbers: no exponent notation). Leading zeros are allowed (`007` = `7`).
//!   Comparison is exact decimal comparison, never through `f64`: `0.1` + `0.2`-style rounding
//!   cannot occur, `10` > `9.99`, `1.50` = `1.5`, and `-0` = `0`.
//! - **Dates** (semantics §7.10): the six forms of the W3C ISO 8601 profile, `YYYY`, `YYYY-MM`,
//!   `YYYY-MM-DD`, `YYYY-MM-DDThh:mmTZD`, `YYYY-MM-DDThh:mm:ssTZD` and
//!   `YYYY-MM-DDThh:mm:ss.sTZD` (any number of fraction digits), with `TZD` = `Z` or `±hh:mm`.
//!   The profile is read strictly: upper-case `T` and `Z`, two-digit fields, month `01`–`12`,
//!   a day that exists in that month (leap years included), hour `00`–`23`, minute and second
//!   `00`–`59` (no leap second `60`, as the W3C note says), offsets up to `±23:59`. A reduced
//!   form means the *start* of that period in UTC: `2024` is `2024-01-01T00:00:00Z` and
//!   `2024-03` is `2024-03-01T00:00:00Z`.
//! - **Epoch seconds** (semantics §7.10): `[-]DIGITS[.DIGITS]` is seconds since
//!   1970-01-01T00:00:00Z; negative values are instants before 1970 and a fraction is allowed.
//!   A string of exactly four digits is the W3C year form, not epoch seconds (`2024` is the year
//!   2024). Instants have nanosecond precision: fraction digits past the ninth are ignored.
//! - **IP addresses**: a policy value is a CIDR network or a bare address (a bare IPv4 address
//!   means `/32`, a bare IPv6 address `/128`); host bits after the prefix are allowed and
//!   ignored (`10.1.2.3/8` = `10.0.0.0/8`). A request value must be a bare address. An IPv4
//!   address is never inside an IPv6 network or the reverse (no IPv4-mapped equivalence).
//! - **Booleans**: `true` and `false`, ignoring ASCII case.
//! - **Base 64**: the standard alphabet (`+`, `/`), padding optional but complete when written
//!   (`QQ==` and `QQ` are both the byte `A`; `QQ=` is invalid), no whitespace, and unused trailing bits must be zero so that each byte
//!   string has a single spelling.

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use ipnet::IpNet;

use crate::policy::model::{BaseOperator, OperatorFamily};

/// An exact decimal number read by [`parse_number`], borrowing its digits from the text.
///
/// The digits are kept normalised (no leading zeros before the point, no trailing zeros after
/// it, zero is never negative), so the derived equality is numeric equality and [`Ord`] is
/// exact numeric order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
}

impl Number<'_> {
    /// True for numbers below zero (`-0` is not negative).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// True for zero, however it was written (`0`, `-0.000`, `+00`).
    pub fn is_zero(&self) -> bool {
        self.int.is_empty() && self.frac.is_empty()
    }

    /// Compares magnitudes, ignoring the sign.
    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        // Without leading zeros, a longer integer part is a larger number; equal lengths compare
        // digit by digit. Fraction digits line up from the point, so plain string order is right
        // (a proper prefix is smaller, because trailing zeros were stripped).
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(other.int))
            .then_with(|| self.frac.cmp(other.frac))
    }
}

impl Ord for Number<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Number<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number<'_> {
    /// Writes the normalised spelling: `-1.5`, `0`, `0.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Reads a decimal number: `[+|-]DIGITS[.DIGITS]`, no exponent (semantics §7.11).
///
/// ```
/// use iam_harness::policy::values::parse_number;
/// assert!(parse_number("10") > parse_number("9.99"));
/// assert_eq!(parse_number("-0"), parse_number("0.000"));
/// assert_eq!(parse_number("1e3"), None);
/// ```
pub fn parse_number(text: &str) -> Option<Number<'_>> {
    let (negative, unsigned) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => {
            if !is_digits(frac) {
                return None;
            }
            (int, frac)
        }
        None => (unsigned, ""),
    };
    if !is_digits(int) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let negative = negative && !(int.is_empty() && frac.is_empty());
    Some(Number {
        negative,
        int,
        frac,
    })
}

/// An instant on the UTC time line, with nanosecond precision, read by [`parse_date`].
///
/// Ordered by time: `seconds` since 1970-01-01T00:00:00Z (negative before), then `nanos`
/// (always `0..1_000_000_000`, counted forwards even for negative seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    seconds: i64,
    nanos: u32,
}

impl Instant {
    /// The instant `seconds` + `nanos`/10⁹ after the Unix epoch, or `None` when `nanos` is not
    /// below one second.
    pub fn from_unix(seconds: i64, nanos: u32) -> Option<Instant> {
        (nanos < NANOS_PER_SECOND).then_some(Instant { seconds, nanos })
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds after [`Instant::seconds`].
    pub fn nanos(&self) -> u32 {
        self.nanos
    }
}

const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// Reads up to nine fraction digits as nanoseconds; further digits must be digits but are
/// ignored. `None` unless `digits` is one or more ASCII digits.
fn fraction_nanos(digits: &str) -> Option<u32> {
    if !is_digits(digits) {
        return None;
    }
    let mut nanos: u32 = 0;
    let mut scale: u32 = NANOS_PER_SECOND;
    for b in digits.bytes().take(9) {
        scale /= 10;
        nanos += u32::from(b - b'0') * scale;
    }
    Some(nanos)
}

/// Reads `[-]DIGITS[.DIGITS]` as seconds since the epoch.
fn parse_epoch(text: &str) -> Option<Instant> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    if !is_digits(int) {
        return None;
    }
    // The magnitude is read as an `i128` so that `-9223372036854775808` (`i64::MIN`), whose
    // magnitude is no `i64`, is still read.
    let mut magnitude: i128 = 0;
    for b in int.bytes() {
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    let nanos = match frac {
        Some(frac) => fraction_nanos(frac)?,
        None => 0,
    };
    let (seconds, nanos) = match (negative, nanos) {
        (false, _) => (magnitude, nanos),
        (true, 0) => (-magnitude, 0),
        (true, _) => (-magnitude - 1, NANOS_PER_SECOND - nanos),
    };
    Some(Instant {
        seconds: i64::try_from(seconds).ok()?,
        nanos,
    })
}

/// A cursor over the bytes of a W3C date-time.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Reads exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.at.checked_add(n)?;
        let field = self.bytes.get(self.at..end)?;
        let mut value: u32 = 0;
        for &b in field {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.at = end;
        Some(value)
    }

    /// Consumes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn at_end(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

/// Days from 1970-01-01 to the given calendar date, if the date exists.
fn days_since_epoch(year: u32, month: u32, day: u32) -> Option<i64> {
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?)
            .ok()?;
    // Julian day number of 1970-01-01.
    Some(i64::from(date.to_julian_day()) - 2_440_588)
}

/// Reads one of the six W3C profile forms.
fn parse_w3c(text: &str) -> Option<Instant> {
    let mut cur = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    let year = cur.digits(4)?;
    let (mut month, mut day) = (1, 1);
    let (mut hour, mut minute, mut second, mut nanos) = (0, 0, 0, 0);
    let mut offset: i64 = 0;
    if cur.eat(b'-') {
        month = cur.digits(2)?;
        if cur.eat(b'-') {
            day = cur.digits(2)?;
            if cur.eat(b'T') {
                hour = cur.digits(2)?;
                if !cur.eat(b':') {
                    return None;
                }
                minute = cur.digits(2)?;
                if cur.eat(b':') {
                    second = cur.digits(2)?;
                    if cur.eat(b'.') {
                        let start = cur.at;
                        while cur.peek().is_some_and(|b| b.is_ascii_digit()) {
                            cur.at += 1;
                        }
                        nanos = fraction_nanos(text.get(start..cur.at)?)?;
                    }
                }
                offset = match cur.peek()? {
                    b'Z' => {
                        cur.at += 1;
                        0
                    }
                    sign @ (b'+' | b'-') => {
                        cur.at += 1;
                        let oh = cur.digits(2)?;
                        if !cur.eat(b':') {
                            return None;
                        }
                        let om = cur.digits(2)?;
                        if oh > 23 || om > 59 {
                            return None;
                        }
                        let magnitude = i64::from(oh * 3600 + om * 60);
                        if sign == b'-' {
                            -magnitude
                        } else {
                            magnitude
                        }
                    }
                    _ => return None,
                };
            }
        }
    }
    if !cur.at_end() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_since_epoch(year, month, day)?;
    let local = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    Some(Instant {
        seconds: local - offset,
        nanos,
    })
}

/// Reads a date: a W3C ISO 8601 profile form or epoch seconds (semantics §4.4, choices in §7.10
/// listed in the module docs).
///
/// ```
/// use iam_harness::policy::values::parse_date;
/// assert_eq!(parse_date("2024"), parse_date("2024-01-01T00:00:00Z"));
/// assert_eq!(parse_date("1970-01-01T01:00+01:00"), parse_date("0"));
/// assert_eq!(parse_date("2023-02-29"), None);
/// ```
pub fn parse_date(text: &str) -> Option<Instant> {
    let bytes = text.as_bytes();
    let looks_like_w3c = bytes.len() >= 4
        && bytes.iter().take(4).all(u8::is_ascii_digit)
        && matches!(bytes.get(4), None | Some(b'-'));
    if looks_like_w3c {
        parse_w3c(text)
    } else {
        parse_epoch(text)
    }
}

/// Reads a policy IP value: a CIDR network, or a bare address meaning `/32` (IPv4) or `/128`
/// (IPv6).
///
/// ```
/// use iam_harness::policy::values::{parse_ip_addr, parse_ip_network};
/// let net = parse_ip_network("203.0.113.0/24").unwrap();
/// assert!(net.contains(&parse_ip_addr("203.0.113.9").unwrap()));
/// assert_eq!(parse_ip_network("10.0.0.1").unwrap().prefix_len(), 32);
/// ```
pub fn parse_ip_network(text: &str) -> Option<IpNet> {
    if text.contains('/') {
        text.parse::<IpNet>().ok()
    } else {
        parse_ip_addr(text).map(IpNet::from)
    }
}

/// Reads a bare IPv4 or IPv6 address (a request value of `aws:SourceIp`).
pub fn parse_ip_addr(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>().ok()
}

/// Reads `true` or `false`, ignoring ASCII case.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Standard alphabet, padding optional, non-zero trailing bits rejected.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes standard base 64, padded or not (the module docs give the exact rules).
///
/// ```
/// use iam_harness::policy::values::decode_base64;
/// assert_eq!(decode_base64("QQ=="), Some(b"A".to_vec()));
/// assert_eq!(decode_base64("QQ"), Some(b"A".to_vec()));
/// assert_eq!(decode_base64("Q"), None);
/// ```
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    // The engine would also take partial padding (`QQ=`); padding, when written, is complete.
    if text.ends_with('=') && text.len() % 4 != 0 {
        return None;
    }
    BASE64.decode(text).ok()
}

/// Checks that `text` is a valid policy value for operator `base`: a number for Numeric, a date
/// for Date, `true`/`false` for Bool and Null, a network or address for IP, base 64 for
/// BinaryEquals; any text for String and ARN operators.
pub fn check_policy_value(base: BaseOperator, text: &str) -> Result<(), String> {
    let (ok, what) = match base.family() {
        OperatorFamily::String | OperatorFamily::Arn => (true, ""),
        OperatorFamily::Numeric => (
            parse_number(text).is_some(),
            "a decimal number (no exponent)",
        ),
        OperatorFamily::Date => (
            parse_date(text).is_some(),
            "a W3C date (such as `2024-01-31T12:00:00Z`) or epoch seconds",
        ),
        OperatorFamily::Bool | OperatorFamily::Null => {
            (parse_bool(text).is_some(), "`true` or `false`")
        }
        OperatorFamily::Ip => (
            parse_ip_network(text).is_some(),
            "an IPv4 or IPv6 address or CIDR block",
        ),
        OperatorFamily::Binary => (decode_base64(text).is_some(), "base64 data"),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {what}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn num(text: &str) -> Number<'_> {
        parse_number(text).unwrap()
    }

    #[rstest]
    #[case("0", "0")]
    #[case("-0", "0")]
    #[case("+0.000", "0")]
    #[case("007", "7")]
    #[case("1.50", "1.5")]
    #[case("-1.50", "-1.5")]
    #[case("+3", "3")]
    #[case("0.10", "0.1")]
    #[case(
        "123456789012345678901234567890.000000000000000000001",
        "123456789012345678901234567890.000000000000000000001"
    )]
    fn numbers_normalise(#[case] text: &str, #[case] normal: &str) {
        assert_eq!(num(text).to_string(), normal);
    }

    #[rstest]
    #[case("")]
    #[case("-")]
    #[case("+")]
    #[case(".5")]
    #[case("5.")]
    #[case("1e3")]
    #[case("1E3")]
    #[case("1.2.3")]
    #[case(" 1")]
    #[case("1 ")]
    #[case("--1")]
    #[case("0x10")]
    #[case("NaN")]
    #[case("Infinity")]
    #[case("١")]
    fn non_numbers(#[case] text: &str) {
        assert_eq!(parse_number(text), None);
    }

    #[rstest]
    #[case("10", "9.99", Ordering::Greater)]
    #[case("-0", "0", Ordering::Equal)]
    #[case("0.1", "0.10000000000000001", Ordering::Less)]
    #[case("0.30000000000000004", "0.3", Ordering::Greater)]
    #[case("9007199254740993", "9007199254740992", Ordering::Greater)]
    #[case("-1", "-2", Ordering::Greater)]
    #[case("-1.5", "-1.25", Ordering::Less)]
    #[case("-0.5", "0.5", Ordering::Less)]
    #[case("0.05", "0.5", Ordering::Less)]
    #[case("0.5", "0.51", Ordering::Less)]
    #[case("100", "99.999", Ordering::Greater)]
    #[case("1.000", "1", Ordering::Equal)]
    #[case("-0.0001", "0", Ordering::Less)]
    fn numbers_compare_exactly(#[case] a: &str, #[case] b: &str, #[case] order: Ordering) {
        assert_eq!(num(a).cmp(&num(b)), order);
        assert_eq!(num(b).cmp(&num(a)), order.reverse());
        assert_eq!(num(a) == num(b), order == Ordering::Equal);
    }

    /// `mantissa / 10^scale` written as a decimal.
    fn decimal(mantissa: i64, scale: u32) -> String {
        let digits = mantissa.unsigned_abs().to_string();
        let scale = scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        let sign = if mantissa < 0 { "-" } else { "" };
        if frac.is_empty() {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac}")
        }
    }

    proptest::proptest! {
        #[test]
        fn number_order_is_exact(a in proptest::num::i64::ANY, sa in 0u32..12, b in proptest::num::i64::ANY, sb in 0u32..12) {
            // a/10^sa vs b/10^sb, cross-multiplied exactly in i128 arithmetic.
            let left = i128::from(a) * 10i128.pow(sb);
            let right = i128::from(b) * 10i128.pow(sa);
            let (ta, tb) = (decimal(a, sa), decimal(b, sb));
            proptest::prop_assert_eq!(num(&ta).cmp(&num(&tb)), left.cmp(&right), "{} vs {}", ta, tb);
        }

        #[test]
        fn numbers_round_trip_through_display(text in "[+-]?[0-9]{0,4}(\\.[0-9]{0,4})?|\\PC{0,8}") {
            if let Some(n) = parse_number(&text) {
                let shown = n.to_string();
                proptest::prop_assert_eq!(parse_number(&shown), Some(n));
            }
            // The other readers take any text without panicking.
            let _ = (parse_date(&text), parse_ip_network(&text), decode_base64(&text));
        }
    }

    fn at(seconds: i64, nanos: u32) -> Option<Instant> {
        Instant::from_unix(seconds, nanos)
    }

    #[rstest]
    #[case("2024", at(1_704_067_200, 0))]
    #[case("2024-03", at(1_709_251_200, 0))]
    #[case("2024-03-15", at(1_710_460_800, 0))]
    #[case("2024-03-15T12:30Z", at(1_710_505_800, 0))]
    #[case("2024-03-15T12:30:45Z", at(1_710_505_845, 0))]
    #[case("2024-03-15T12:30:45.5Z", at(1_710_505_845, 500_000_000))]
    #[case("2024-03-15T12:30:45.123456789123Z", at(1_710_505_845, 123_456_789))]
    #[case("2024-03-15T13:30:45+01:00", at(1_710_505_845, 0))]
    #[case("2024-03-15T07:00:45-05:30", at(1_710_505_845, 0))]
    #[case("1970-01-01T00:00:00Z", at(0, 0))]
    #[case("1969-12-31T23:59:59.75Z", at(-1, 750_000_000))]
    #[case("2024-02-29", at(1_709_164_800, 0))]
    #[case("2000-02-29", at(951_782_400, 0))]
    #[case("0", at(0, 0))]
    #[case("1710505845", at(1_710_505_845, 0))]
    #[case("1710505845.25", at(1_710_505_845, 250_000_000))]
    #[case("-1", at(-1, 0))]
    #[case("-1.25", at(-2, 750_000_000))]
    #[case("123", at(123, 0))]
    #[case("12345", at(12_345, 0))]
    #[case("9223372036854775807.999999999", at(i64::MAX, 999_999_999))]
    #[case("-9223372036854775808", at(i64::MIN, 0))] // found by the `condition_values` fuzz target
    #[case("-9223372036854775807.5", at(i64::MIN, 500_000_000))]
    fn dates(#[case] text: &str, #[case] instant: Option<Instant>) {
        assert!(instant.is_some());
        assert_eq!(parse_date(text), instant, "{text}");
    }

    #[rstest]
    #[case("")]
    #[case("24-01")]
    #[case("2024-1")]
    #[case("2024-13")]
    #[case("2024-00")]
    #[case("2023-02-29")]
    #[case("1900-02-29")]
    #[case("2024-04-31")]
    #[case("2024-03-15T")]
    #[case("2024-03-15T12:30")]
    #[case("2024-03-15T12Z")]
    #[case("2024-03-15T24:00Z")]
    #[case("2024-03-15T12:60Z")]
    #[case("2024-03-15T12:30:60Z")]
    #[case("2024-03-15T12:30:45.Z")]
    #[case("2024-03-15t12:30:45z")]
    #[case("2024-03-15 12:30:45Z")]
    #[case("2024-03-15T12:30:45+0100")]
    #[case("2024-03-15T12:30:45+24:00")]
    #[case("2024-03-15Z")]
    #[case("2024-03-15T12:30:45ZZ")]
    #[case("+1710505845")]
    #[case("1.")]
    #[case("99999999999999999999")]
    #[case("9223372036854775808")]
    #[case("-9223372036854775808.5")]
    #[case("-")]
    #[case("2024x")]
    fn non_dates(#[case] text: &str) {
        assert_eq!(parse_date(text), None, "{text}");
    }

    #[test]
    fn w3c_forms_order_by_instant() {
        let a = parse_date("2024-03-15T12:30:45.000000001Z").unwrap();
        let b = parse_date("2024-03-15T12:30:45Z").unwrap();
        assert!(a > b);
        assert!(parse_date("2024").unwrap() < parse_date("2024-01-01T00:00:00.1Z").unwrap());
    }

    #[rstest]
    #[case("10.0.0.0/8", "10.255.1.2", true)]
    #[case("10.0.0.0/8", "11.0.0.1", false)]
    #[case("10.1.2.3/8", "10.9.9.9", true)]
    #[case("203.0.113.7", "203.0.113.7", true)]
    #[case("203.0.113.7", "203.0.113.8", false)]
    #[case("2001:db8::/32", "2001:db8:1::5", true)]
    #[case("2001:db8::/32", "2001:db9::5", false)]
    #[case("2001:db8::1", "2001:db8::1", true)]
    #[case("0.0.0.0/0", "192.0.2.1", true)]
    #[case("::/0", "192.0.2.1", false)]
    #[case("::ffff:0:0/96", "10.0.0.1", false)]
    fn ip_containment(#[case] net: &str, #[case] addr: &str, #[case] inside: bool) {
        let net = parse_ip_network(net).unwrap();
        assert_eq!(net.contains(&parse_ip_addr(addr).unwrap()), inside);
    }

    #[rstest]
    #[case("10.0.0.0/33")]
    #[case("10.0.0/8")]
    #[case("010.0.0.1")]
    #[case("10.0.0.1/")]
    #[case("2001:db8::/129")]
    #[case("host.example.com")]
    #[case("")]
    fn non_networks(#[case] text: &str) {
        assert_eq!(parse_ip_network(text), None);
    }

    #[test]
    fn bare_addresses_are_full_prefixes() {
        assert_eq!(parse_ip_network("10.0.0.1").unwrap().prefix_len(), 32);
        assert_eq!(parse_ip_network("::1").unwrap().prefix_len(), 128);
        assert_eq!(parse_ip_addr("10.0.0.0/8"), None);
    }

    #[rstest]
    #[case("true", Some(true))]
    #[case("TRUE", Some(true))]
    #[case("False", Some(false))]
    #[case("yes", None)]
    #[case("1", None)]
    #[case(" true", None)]
    #[case("", None)]
    fn bools(#[case] text: &str, #[case] value: Option<bool>) {
        assert_eq!(parse_bool(text), value);
    }

    #[rstest]
    #[case("QUJD", Some(b"ABC".to_vec()))]
    #[case("QUI=", Some(b"AB".to_vec()))]
    #[case("QUI", Some(b"AB".to_vec()))]
    #[case("QQ==", Some(b"A".to_vec()))]
    #[case("QQ", Some(b"A".to_vec()))]
    #[case("", Some(Vec::new()))]
    #[case("+/8=", Some(vec![0xfb, 0xff]))]
    #[case("-_8=", None)]
    #[case("QR==", None)]
    #[case("Q", None)]
    #[case("QQ=", None)]
    #[case("QU JD", None)]
    #[case("QUJD\n", None)]
    fn base64(#[case] text: &str, #[case] bytes: Option<Vec<u8>>) {
        assert_eq!(decode_base64(text), bytes);
    }

    #[rstest]
    #[case(BaseOperator::NumericEquals, "1.5", true)]
    #[case(BaseOperator::NumericLessThan, "1e3", false)]
    #[case(BaseOperator::DateLessThan, "2024-01-01", true)]
    #[case(BaseOperator::DateEquals, "yesterday", false)]
    #[case(BaseOperator::Bool, "TRUE", true)]
    #[case(BaseOperator::Null, "maybe", false)]
    #[case(BaseOperator::IpAddress, "10.0.0.0/8", true)]
    #[case(BaseOperator::NotIpAddress, "10.0.0.0/99", false)]
    #[case(BaseOperator::BinaryEquals, "QUJD", true)]
    #[case(BaseOperator::BinaryEquals, "not base64!", false)]
    #[case(BaseOperator::StringLike, "anything ${at} all*", true)]
    #[case(BaseOperator::ArnLike, "not an arn", true)]
    fn policy_values(#[case] base: BaseOperator, #[case] text: &str, #[case] valid: bool) {
        let checked = check_policy_value(base, text);
        assert_eq!(checked.is_ok(), valid, "{checked:?}");
        if let Err(message) = checked {
            assert!(message.starts_with("expected "), "{message}");
        }
    }
}
