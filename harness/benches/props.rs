//! Throughput of the property checks: generated inputs checked per second across all 22
//! properties against the reference evaluator (its in-memory fast path), with and without the
//! cost of generating the inputs. `cargo bench --bench props`.
#![expect(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iam_harness::engine::reference::ReferenceEvaluator;
use iam_harness::gen::{Input, RngChoices, Settings};
use iam_harness::invariants::run::{run, RunConfig};
use iam_harness::invariants::{FastReference, PROPERTIES};
use rayon::prelude::*;

fn bench(c: &mut Criterion) {
    let engine = FastReference(ReferenceEvaluator::new());
    let inputs: Vec<Input> = (0..512)
        .map(|seed| Input::build(&mut RngChoices::new(seed), &Settings::default()))
        .collect();
    let mut group = c.benchmark_group("props");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        (inputs.len() * PROPERTIES.len()) as u64,
    ));
    group.bench_function("check 512 inputs x 22 properties, all cores", |b| {
        b.iter(|| {
            inputs.par_iter().for_each(|input| {
                for p in PROPERTIES.iter() {
                    let _ = std::hint::black_box((p.check)(&engine, input));
                }
            })
        })
    });
    let cases = 1000u64;
    group.throughput(Throughput::Elements(cases * PROPERTIES.len() as u64));
    group.bench_function(
        "generate and check 1000 inputs x 22 properties (props runner)",
        |b| {
            b.iter(|| {
                let report = run(
                    &engine,
                    &RunConfig {
                        cases,
                        ..RunConfig::default()
                    },
                );
                assert!(report.failures.is_empty());
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
