//! SVG badges, as `report engines` writes them: one per engine (its name, its pass rate on the
//! tests of non-ambiguous cases, the corpus revision) and one per engine and feature. The pass
//! rate counts the tests the engine decided or failed on — passed / (passed + failed + errored);
//! skipped tests (unclaimed features) are not counted, nor are ambiguous cases (semantics §7).
//! Flat badges in the shields.io style, standalone SVG with no external asset.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::runner::{Status, TestResult};

use super::escape::markup;

/// Passed and counted tests of non-ambiguous cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    /// Tests that passed.
    pub passed: usize,
    /// Tests that passed, failed or errored.
    pub counted: usize,
}

impl Rate {
    fn add(&mut self, result: &TestResult) {
        if result.ambiguous || result.status == Status::Skip {
            return;
        }
        self.counted += 1;
        self.passed += usize::from(result.status == Status::Pass);
    }

    /// The rate as badges show it (`97.5%`), or `no tests` when nothing was counted.
    pub fn text(self) -> String {
        if self.counted == 0 {
            return "no tests".to_owned();
        }
        // Counts of a corpus are far below 2^52: exact as f64.
        #[expect(clippy::cast_precision_loss, reason = "test counts are small")]
        let percent = 100.0 * self.passed as f64 / self.counted as f64;
        if self.passed == self.counted {
            "100%".to_owned()
        } else {
            // Never rounded up to 100%: a failing engine does not show full marks.
            format!("{:.1}%", (percent * 10.0).floor() / 10.0)
        }
    }

    fn color(self) -> &'static str {
        if self.counted == 0 {
            return "#9f9f9f";
        }
        match self.passed * 100 / self.counted {
            100 => "#4c1",
            90..=99 => "#97ca00",
            75..=89 => "#dfb317",
            50..=74 => "#fe7d37",
            _ => "#e05d44",
        }
    }
}

/// The rate of `results`.
pub fn rate<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> Rate {
    let mut rate = Rate::default();
    for r in results {
        rate.add(r);
    }
    rate
}

/// A name as a file name: ASCII letters, digits, `-` and `_` kept, anything else `-`.
pub fn file_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The width in pixels of `text` in 11px Verdana, near enough for a badge.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ' ' | '|' | '\'' | '!' => 4,
            'm' | 'w' | 'M' | 'W' | '%' => 11,
            c if c.is_ascii_uppercase() || c.is_ascii_digit() => 8,
            _ => 7,
        })
        .sum::<usize>()
        + 10
}

/// A flat two-part badge: `label` on grey, `message` on `color`.
pub fn svg(label: &str, message: &str, color: &str) -> String {
    let (left, right) = (width(label), width(message));
    let total = left + right;
    let (label, message) = (markup(label), markup(message));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"20\" role=\"img\" aria-label=\"{label}: {message}\">\
<title>{label}: {message}</title>\
<linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/><stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>\
<clipPath id=\"r\"><rect width=\"{total}\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>\
<g clip-path=\"url(#r)\"><rect width=\"{left}\" height=\"20\" fill=\"#555\"/><rect x=\"{left}\" width=\"{right}\" height=\"20\" fill=\"{color}\"/><rect width=\"{total}\" height=\"20\" fill=\"url(#s)\"/></g>\
<g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">\
<text x=\"{lx}\" y=\"14\">{label}</text><text x=\"{mx}\" y=\"14\">{message}</text></g></svg>",
        lx = left / 2,
        mx = left + right / 2,
    );
    out
}

/// The engine's badge: its name; its pass rate and the corpus revision.
pub fn engine_badge(engine: &str, results: &[TestResult], revision: &str) -> String {
    let rate = rate(results);
    svg(
        engine,
        &format!("{} · corpus {revision}", rate.text()),
        rate.color(),
    )
}

/// The engine's badge for each feature of its results, by feature name: the feature, and the
/// engine's pass rate on that feature's tests.
pub fn feature_badges(results: &[TestResult]) -> BTreeMap<String, String> {
    let mut rates: BTreeMap<&str, Rate> = BTreeMap::new();
    for r in results {
        for f in r.features.iter() {
            rates.entry(f).or_default().add(r);
        }
    }
    rates
        .into_iter()
        .map(|(f, rate)| (f.to_owned(), svg(f, &rate.text(), rate.color())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Decision;

    fn result(status: Status, ambiguous: bool) -> TestResult {
        TestResult {
            engine: "e".into(),
            case: "c".into(),
            file: "c.json".into(),
            test: "t".into(),
            expect: Some(Decision::Allow),
            got: Some(Decision::Allow),
            status,
            features: vec!["a<b".to_owned()].into(),
            ambiguous,
            message: None,
            explanation: None,
        }
    }

    #[test]
    fn rates_count_decided_non_ambiguous_tests() {
        let mut results = vec![result(Status::Skip, false), result(Status::Fail, true)];
        assert_eq!(rate(&results).text(), "no tests");
        results.extend((0..199).map(|_| result(Status::Pass, false)));
        assert_eq!(rate(&results).text(), "100%");
        results.push(result(Status::Error, false));
        assert_eq!(
            rate(&results),
            Rate {
                passed: 199,
                counted: 200
            }
        );
        assert_eq!(rate(&results).text(), "99.5%");
        results.extend((0..1800).map(|_| result(Status::Pass, false)));
        assert_eq!(rate(&results).text(), "99.9%", "never rounded up to 100%");
        let badge = engine_badge("e&\"", &results, "3 cases, abc");
        assert!(badge.contains("<title>e&amp;&quot;: 99.9% · corpus 3 cases, abc</title>"));
        let features = feature_badges(&results);
        assert!(features.get("a<b").unwrap().contains(">a&lt;b</text>"));
        assert_eq!(
            file_name("condition:String Equals"),
            "condition-String-Equals"
        );
    }
}
