//! Wildcard matching benchmarks: the worst case stays linear, the common cases stay cheap.
#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use iam_harness::arn::resource_matches;
use iam_harness::glob::{action_matches, matches, CaseSensitivity};

fn pathological(c: &mut Criterion) {
    let text = "a".repeat(64 * 1024);
    // `*a*a*…*b`: 100 stars; a backtracking matcher explores every way to place the `a`s.
    let anchored = format!("{}*b", "*a".repeat(99));
    // `*a*a*…*b*`: the `b` must be searched for through the whole text.
    let floating = format!("{anchored}*");
    let mut group = c.benchmark_group("pathological_64k");
    group.bench_function("star_a_x99_star_b", |b| {
        b.iter(|| {
            matches(
                black_box(&anchored),
                black_box(&text),
                CaseSensitivity::Sensitive,
            )
        });
    });
    group.bench_function("star_a_x99_star_b_star", |b| {
        b.iter(|| {
            matches(
                black_box(&floating),
                black_box(&text),
                CaseSensitivity::Sensitive,
            )
        });
    });
    group.bench_function("star_a_x99_star_b_star_ci", |b| {
        b.iter(|| {
            matches(
                black_box(&floating),
                black_box(&text),
                CaseSensitivity::Insensitive,
            )
        });
    });
    group.finish();
}

fn typical(c: &mut Criterion) {
    c.bench_function("action_s3_get_star", |b| {
        b.iter(|| action_matches(black_box("s3:Get*"), black_box("s3:GetObject")));
    });
    c.bench_function("resource_s3_bucket_test", |b| {
        b.iter(|| {
            resource_matches(
                black_box("arn:aws:s3:::bucket/*/test/*"),
                black_box("arn:aws:s3:::bucket/1/2/test/3/object.jpg"),
                false,
            )
        });
    });
    c.bench_function("resource_iam_incomplete", |b| {
        b.iter(|| {
            resource_matches(
                black_box("arn:aws:iam::123456789012"),
                black_box("arn:aws:iam::123456789012:role/path/my-role"),
                false,
            )
        });
    });
}

criterion_group!(benches, pathological, typical);
criterion_main!(benches);
