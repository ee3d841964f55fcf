//! The `condition_values` target: the readers of [`crate::policy::values`] as the operators use them.

use std::cmp::Ordering;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use arbitrary::Unstructured;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;

use super::{ensure, split_input, Violation};
use crate::policy::model::{BaseOperator, OperatorFamily};
use crate::policy::values::{
    check_policy_value, decode_base64, parse_bool, parse_date, parse_ip_addr, parse_ip_network,
    parse_number, Instant, Number,
};

const TARGET: &str = "condition_values";

/// `condition_values`: texts: up to three values; the whole input also seeds structured values.
///
/// For each text: no reader panics; [`check_policy_value`] accepts exactly what the operator
/// family's reader accepts; a number prints in a normal form that parses back to itself; a bare
/// address read as a network is that single address; a network holds its own address; booleans
/// are `true`/`false` in any ASCII case; decoded base 64 re-encodes to the text (one spelling).
///
/// For pairs and triples of numbers: comparison is antisymmetric and transitive, equal exactly
/// when the printed forms are equal, and agrees with `f64` when both have at most 15 digits.
///
/// Structured values built from the input bytes: epoch seconds printed from `(seconds, nanos)`
/// parse to [`Instant::from_unix`]; a W3C date printed from its fields parses to the instant the
/// `time` crate computes (or is rejected exactly when a field is out of range); a CIDR printed
/// from an address and a prefix contains exactly the addresses sharing that prefix; base 64
/// written by the `base64` crate, padded or not, decodes to its bytes.
pub fn check_condition_values(data: &[u8]) -> Result<(), Violation> {
    let (_, texts) = split_input(data);
    let texts: Vec<&str> = texts.iter().take(3).map(|t| t.as_ref()).collect();
    for text in &texts {
        check_text(text)?;
    }
    let numbers: Vec<(&str, Number<'_>)> = texts
        .iter()
        .filter_map(|text| parse_number(text).map(|n| (*text, n)))
        .collect();
    for (a, x) in &numbers {
        for (b, y) in &numbers {
            check_number_pair(a, *x, b, *y)?;
            for (c, z) in &numbers {
                let transitive = !(x <= y && y <= z) || x <= z;
                ensure(transitive, TARGET, || {
                    format!("numbers {a:?} <= {b:?} <= {c:?} but not {a:?} <= {c:?}")
                })?;
            }
        }
    }
    let mut u = Unstructured::new(data);
    check_epoch(&mut u)?;
    check_w3c(&mut u)?;
    check_cidr(&mut u)?;
    check_base64(&mut u)
}

fn check_text(text: &str) -> Result<(), Violation> {
    let number = parse_number(text);
    if let Some(n) = number {
        let printed = n.to_string();
        let again = parse_number(&printed);
        ensure(again == Some(n), TARGET, || {
            format!("number {text:?} = {n:?} prints as {printed:?}, which reads as {again:?}")
        })?;
        let normal = again.map(|a| a.to_string()) == Some(printed.clone());
        ensure(normal && !(n.is_zero() && n.is_negative()), TARGET, || {
            format!("number {text:?} prints as {printed:?}, which is not its own normal form")
        })?;
    }
    let date = parse_date(text);
    ensure(
        date.is_none_or(|d| d.nanos() < 1_000_000_000),
        TARGET,
        || format!("date {text:?} read as {date:?}"),
    )?;
    let network = parse_ip_network(text);
    if let Some(addr) = parse_ip_addr(text) {
        let full = if addr.is_ipv4() { 32 } else { 128 };
        ensure(
            network.is_some_and(|n| n.contains(&addr) && n.prefix_len() == full),
            TARGET,
            || format!("address {text:?} read as network {network:?}"),
        )?;
    }
    if let Some(net) = network {
        ensure(
            net.contains(&net.addr())
                && net.contains(&net.network())
                && net.contains(&net.broadcast()),
            TARGET,
            || format!("network {text:?} = {net:?} does not contain its own addresses"),
        )?;
    }
    let boolean = parse_bool(text);
    let want = match text.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    ensure(boolean == want, TARGET, || {
        format!("bool {text:?} read as {boolean:?}")
    })?;
    let bytes = decode_base64(text);
    if let Some(bytes) = &bytes {
        let padded = STANDARD.encode(bytes);
        ensure(
            text == padded || text == padded.trim_end_matches('='),
            TARGET,
            || format!("base64 {text:?} decodes to {bytes:?}, whose spelling is {padded:?}"),
        )?;
    }
    for base in BaseOperator::ALL {
        let reader_accepts = match base.family() {
            OperatorFamily::String | OperatorFamily::Arn => true,
            OperatorFamily::Numeric => number.is_some(),
            OperatorFamily::Date => date.is_some(),
            OperatorFamily::Bool | OperatorFamily::Null => boolean.is_some(),
            OperatorFamily::Ip => network.is_some(),
            OperatorFamily::Binary => bytes.is_some(),
        };
        let checked = check_policy_value(base, text);
        ensure(checked.is_ok() == reader_accepts, TARGET, || {
            format!(
                "{} value {text:?}: check_policy_value says {checked:?}, the reader {reader_accepts}",
                base.as_str()
            )
        })?;
    }
    Ok(())
}

fn check_number_pair(a: &str, x: Number<'_>, b: &str, y: Number<'_>) -> Result<(), Violation> {
    let (forward, backward) = (x.cmp(&y), y.cmp(&x));
    ensure(forward == backward.reverse(), TARGET, || {
        format!("numbers {a:?} and {b:?} compare {forward:?} one way, {backward:?} the other")
    })?;
    let same_print = x.to_string() == y.to_string();
    ensure((forward == Ordering::Equal) == same_print, TARGET, || {
        format!("numbers {a:?} and {b:?} compare {forward:?}, printed {x} and {y}")
    })?;
    let (px, py) = (x.to_string(), y.to_string());
    let digits = |s: &str| s.bytes().filter(u8::is_ascii_digit).count();
    if digits(&px) <= 15 && digits(&py) <= 15 {
        // Decimals of at most 15 significant digits round to distinct, equally ordered doubles.
        if let (Ok(fx), Ok(fy)) = (px.parse::<f64>(), py.parse::<f64>()) {
            let float = fx.partial_cmp(&fy);
            ensure(float == Some(forward), TARGET, || {
                format!("numbers {a:?} and {b:?} compare {forward:?}, as f64 {float:?}")
            })?;
        }
    }
    Ok(())
}

/// Epoch seconds: `(seconds, nanos)` printed as a decimal reads back as that instant.
fn check_epoch(u: &mut Unstructured<'_>) -> Result<(), Violation> {
    let seconds: i64 = u.arbitrary().unwrap_or(0);
    let nanos = u.arbitrary::<u32>().unwrap_or(0) % 1_000_000_000;
    let extra: u8 = u.arbitrary().unwrap_or(0);
    let want = Instant::from_unix(seconds, nanos);
    let mut texts = Vec::new();
    if seconds >= 0 {
        texts.push(format!("{seconds}.{nanos:09}"));
        texts.push(format!("{seconds}.{nanos:09}{extra}"));
        let whole = seconds.to_string();
        if nanos == 0 && whole.len() != 4 {
            texts.push(whole);
        }
    } else if nanos == 0 {
        texts.push(seconds.to_string());
    } else {
        // seconds + nanos/1e9 = -((-(seconds + 1)) + (1e9 - nanos)/1e9)
        let magnitude = -(seconds + 1);
        let fraction = 1_000_000_000 - nanos;
        texts.push(format!("-{magnitude}.{fraction:09}"));
        texts.push(format!("-{magnitude}.{fraction:09}{extra}"));
    }
    for text in texts {
        let got = parse_date(&text);
        ensure(got == want, TARGET, || {
            format!("epoch {text:?} read as {got:?}, want {want:?} (from_unix({seconds}, {nanos}))")
        })?;
    }
    Ok(())
}

/// The fields of a W3C date, possibly out of range.
struct W3c {
    form: u8,
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    fraction: String,
    /// `None` for `Z`, else (negative, hours, minutes).
    offset: Option<(bool, u8, u8)>,
}

impl W3c {
    fn text(&self) -> String {
        let mut text = format!("{:04}", self.year);
        if self.form >= 1 {
            text.push_str(&format!("-{:02}", self.month));
        }
        if self.form >= 2 {
            text.push_str(&format!("-{:02}", self.day));
        }
        if self.form >= 3 {
            text.push_str(&format!("T{:02}:{:02}", self.hour, self.minute));
            if self.form >= 4 {
                text.push_str(&format!(":{:02}", self.second));
            }
            if self.form >= 5 {
                text.push('.');
                text.push_str(&self.fraction);
            }
            match self.offset {
                None => text.push('Z'),
                Some((negative, h, m)) => {
                    let sign = if negative { '-' } else { '+' };
                    text.push_str(&format!("{sign}{h:02}:{m:02}"));
                }
            }
        }
        text
    }

    /// The instant the `time` crate computes, or `None` when a field is out of range.
    fn instant(&self) -> Option<Instant> {
        let month = if self.form >= 1 { self.month } else { 1 };
        let day = if self.form >= 2 { self.day } else { 1 };
        let (hour, minute) = if self.form >= 3 {
            (self.hour, self.minute)
        } else {
            (0, 0)
        };
        let second = if self.form >= 4 { self.second } else { 0 };
        let nanos = if self.form >= 5 {
            let digits: String = self
                .fraction
                .chars()
                .chain("000000000".chars())
                .take(9)
                .collect();
            digits.parse::<u32>().ok()?
        } else {
            0
        };
        let date = time::Date::from_calendar_date(
            i32::from(self.year),
            time::Month::try_from(month).ok()?,
            day,
        )
        .ok()?;
        let clock = time::Time::from_hms_nano(hour, minute, second, nanos).ok()?;
        let offset = match (self.form >= 3).then_some(self.offset).flatten() {
            None => time::UtcOffset::UTC,
            Some((negative, h, m)) => {
                if h > 23 || m > 59 {
                    return None;
                }
                let (h, m) = (i8::try_from(h).ok()?, i8::try_from(m).ok()?);
                if negative {
                    time::UtcOffset::from_hms(-h, -m, 0).ok()?
                } else {
                    time::UtcOffset::from_hms(h, m, 0).ok()?
                }
            }
        };
        let at = time::PrimitiveDateTime::new(date, clock).assume_offset(offset);
        Instant::from_unix(at.unix_timestamp(), at.nanosecond())
    }
}

/// W3C dates printed from fields read as the `time` crate computes them.
fn check_w3c(u: &mut Unstructured<'_>) -> Result<(), Violation> {
    let mut byte = |modulo: u8| u.arbitrary::<u8>().map_or(0, |b| b % modulo);
    let form = byte(6);
    let month = byte(14);
    let day = byte(33);
    let hour = byte(26);
    let minute = byte(62);
    let second = byte(62);
    let fraction_len = 1 + usize::from(byte(12));
    let offset = match byte(3) {
        0 => None,
        sign => Some((sign == 2, byte(26), byte(62))),
    };
    let year = u.arbitrary::<u16>().unwrap_or(0) % 10_000;
    let fraction: String = (0..fraction_len)
        .map(|_| char::from(b'0' + u.arbitrary::<u8>().unwrap_or(0) % 10))
        .collect();
    let date = W3c {
        form,
        year,
        month,
        day,
        hour,
        minute,
        second,
        fraction,
        offset,
    };
    let text = date.text();
    let (got, want) = (parse_date(&text), date.instant());
    ensure(got == want, TARGET, || {
        format!("date {text:?} read as {got:?}, the time crate says {want:?}")
    })
}

/// CIDR blocks printed from an address and a prefix hold exactly the addresses that share the
/// prefix; a bare address is a block of one.
fn check_cidr(u: &mut Unstructured<'_>) -> Result<(), Violation> {
    let v4: u32 = u.arbitrary().unwrap_or(0);
    let other4: u32 = u.arbitrary().unwrap_or(0);
    let v6: u128 = u.arbitrary().unwrap_or(0);
    let other6: u128 = u.arbitrary().unwrap_or(0);
    let prefix4 = u.arbitrary::<u8>().unwrap_or(0) % 34;
    let prefix6 = u.arbitrary::<u8>().unwrap_or(0) % 130;
    let share = |a: u128, b: u128, bits: u32, prefix: u8| {
        let prefix = u32::from(prefix);
        prefix == 0 || (a ^ b) >> (bits - prefix.min(bits)) == 0
    };
    let cases = [
        (
            IpAddr::V4(Ipv4Addr::from(v4)),
            IpAddr::V4(Ipv4Addr::from(other4)),
            u128::from(v4),
            u128::from(other4),
            32,
            prefix4,
        ),
        (
            IpAddr::V6(Ipv6Addr::from(v6)),
            IpAddr::V6(Ipv6Addr::from(v6 ^ (other6 >> (other6 % 128)))),
            v6,
            v6 ^ (other6 >> (other6 % 128)),
            128,
            prefix6,
        ),
    ];
    for (addr, other, a, b, bits, prefix) in cases {
        let text = format!("{addr}/{prefix}");
        let net = parse_ip_network(&text);
        let valid = u32::from(prefix) <= bits;
        ensure(net.is_some() == valid, TARGET, || {
            format!("network {text:?} read as {net:?}")
        })?;
        if let Some(net) = net {
            let want = share(a, b, bits, prefix);
            let got = net.contains(&other);
            ensure(got == want && net.contains(&addr), TARGET, || {
                format!("network {text:?} contains {other}: {got}, want {want}")
            })?;
            let cross = match other {
                IpAddr::V4(v4) => IpAddr::V6(v4.to_ipv6_mapped()),
                IpAddr::V6(_) => IpAddr::V4(Ipv4Addr::from(other4)),
            };
            ensure(!net.contains(&cross), TARGET, || {
                format!("network {text:?} contains {cross} of the other IP version")
            })?;
        }
        let bare = addr.to_string();
        let single = parse_ip_network(&bare);
        ensure(
            single.is_some_and(|n| n.contains(&addr) && n.contains(&other) == (addr == other)),
            TARGET,
            || format!("address {bare:?} read as network {single:?}"),
        )?;
    }
    Ok(())
}

/// Base 64 written by the `base64` crate, padded or not, decodes to its bytes; a padded spelling
/// missing one `=` does not.
fn check_base64(u: &mut Unstructured<'_>) -> Result<(), Violation> {
    let len = u.arbitrary::<u8>().map_or(0, usize::from) % 48;
    let bytes = u.bytes(len.min(u.len())).unwrap_or_default();
    let padded = STANDARD.encode(bytes);
    let unpadded = STANDARD_NO_PAD.encode(bytes);
    for text in [&padded, &unpadded] {
        let got = decode_base64(text);
        ensure(got.as_deref() == Some(bytes), TARGET, || {
            format!("base64 {text:?} of {bytes:?} decodes to {got:?}")
        })?;
    }
    if let Some(short) = padded.strip_suffix('=') {
        if short.ends_with('=') {
            let got = decode_base64(short);
            ensure(got.is_none(), TARGET, || {
                format!("base64 {short:?} with partial padding decodes to {got:?}")
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(b"x10\xff9.99\xff-0".as_slice())]
    #[case(b"x2024-01-31T12:00:00Z\xff1706702400\xff-1.5".as_slice())]
    #[case(b"x10.0.0.0/8\xff::1\xff203.0.113.9".as_slice())]
    #[case(b"xQQ==\xffTrue\xffQQ".as_slice())]
    #[case(b"".as_slice())]
    #[case(&[0xAB; 200])]
    fn values_check_passes(#[case] data: &[u8]) {
        assert_eq!(check_condition_values(data), Ok(()));
    }

    #[test]
    fn w3c_oracle_reads_reduced_forms_as_period_starts() {
        let date = W3c {
            form: 1,
            year: 2024,
            month: 2,
            day: 31,
            hour: 25,
            minute: 0,
            second: 0,
            fraction: "5".into(),
            offset: Some((true, 1, 0)),
        };
        assert_eq!(date.text(), "2024-02");
        assert_eq!(date.instant(), parse_date("2024-02-01T00:00:00Z"));
        let full = W3c { form: 5, ..date };
        assert_eq!(full.text(), "2024-02-31T25:00:00.5-01:00");
        assert_eq!(full.instant(), None);
    }
}
