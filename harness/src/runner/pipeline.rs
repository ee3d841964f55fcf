//! The suite run: paths → case files → loaded and evaluated on the thread pool → results handed
//! to a [`Sink`] in file order.
//!
//! The pipeline is bounded: at most a few files per core are in flight (being loaded, being
//! evaluated, or done and waiting for an earlier file), so memory does not grow with the corpus
//! and the first results are written while later files are still unread. Each file is read and
//! parsed once ([`crate::load::load_file`]) and each case judged once. An engine that may be
//! called in parallel ([`Evaluator::supports_parallel_calls`]) evaluates on every core, a large
//! case in slices of [`SLICE`] tests whose results are written slice by slice as they are done
//! (so writing overlaps evaluating); any other engine gets one case at a time on the calling
//! thread while the pool loads the files ahead of it.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc;

use crate::case::{Case, CaseErrors};
use crate::engine::{EngineInfo, Evaluator};
use crate::load::{case_files, load_file, Listed, LoadedCase};

use super::judge::{file_error_result, judge_case, load_error_result, run_case};
use super::known::KnownFailures;
use super::result::{Summary, TestResult};
use super::shard::Shard;
use super::sink::Sink;

/// How many tests of one case a parallel engine is given at a time: a case larger than this is
/// cut into slices evaluated in parallel, so one huge case runs as fast as many small ones.
pub const SLICE: usize = 256;

/// How many files per thread may be in flight at once.
const FILES_PER_THREAD: usize = 4;

/// What a run reads: a case file, or a path that cannot be listed.
enum Source {
    File(PathBuf),
    Unlisted(CaseErrors),
}

impl Source {
    /// The cases of the source, or every problem of its file.
    fn load(&self) -> Result<Vec<LoadedCase>, CaseErrors> {
        match self {
            Source::File(path) => load_file(path),
            Source::Unlisted(errors) => Err(errors.clone()),
        }
    }

    /// The file's name, for the result standing for a file that could not be run.
    fn name(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Unlisted(errors) => errors.file().to_owned(),
        }
    }
}

/// The sources of a listing, in order ([`case_files`]).
fn sources(listed: Vec<Listed>) -> Vec<Source> {
    listed
        .into_iter()
        .map(|entry| match entry {
            Ok(file) => Source::File(file),
            Err(error) => Source::Unlisted(error.into()),
        })
        .collect()
}

/// Runs `work` and turns a panic into its message.
fn catching<U>(work: impl FnOnce() -> U) -> Result<U, String> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|message| (*message).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// Maps `work` over `items` on the thread pool, at most a few items per thread ahead of the
/// one `consume` waits for, and hands each item with its output to `consume` in item order, on
/// the calling thread. A panic in `work` reaches `consume` as `Err(message)`. The first error of
/// `consume` stops the run (work already in flight finishes and is dropped). Called from inside
/// the pool, where waiting would take a worker away from the work, it runs sequentially.
fn in_order<T: Sync, U: Send, E>(
    items: &[T],
    work: impl Fn(&T) -> U + Sync,
    mut consume: impl FnMut(&T, Result<U, String>) -> Result<(), E>,
) -> Result<(), E> {
    if rayon::current_thread_index().is_some() {
        return items
            .iter()
            .try_for_each(|item| consume(item, catching(|| work(item))));
    }
    let window = FILES_PER_THREAD * rayon::current_num_threads().max(1);
    let work = &work;
    let (sender, receiver) = mpsc::channel::<(usize, Result<U, String>)>();
    rayon::in_place_scope(|scope| {
        let mut unstarted = items.iter().enumerate();
        let mut started = 0;
        let mut arrived = BTreeMap::new();
        for (next, item) in items.iter().enumerate() {
            while started < next + window {
                let Some((index, pending)) = unstarted.next() else {
                    break;
                };
                let sender = sender.clone();
                scope.spawn(move |_| {
                    // The receiver is gone only when the run stopped early on a sink error;
                    // this output is then not wanted.
                    let _ = sender.send((index, catching(|| work(pending))));
                });
                started += 1;
            }
            let output = loop {
                if let Some(output) = arrived.remove(&next) {
                    break output;
                }
                match receiver.recv() {
                    Ok((index, output)) => {
                        arrived.insert(index, output);
                    }
                    // Unreachable while this thread holds `sender`; reported, not assumed.
                    Err(mpsc::RecvError) => {
                        break Err("the worker stopped without an answer".into())
                    }
                }
            };
            consume(item, output)?;
        }
        Ok(())
    })
}

/// Cuts a case into cases of at most [`SLICE`] tests each (same id, features and policies).
fn slices(case: Case) -> Vec<Case> {
    let Case {
        id,
        description,
        features,
        source,
        policies,
        tests,
    } = case;
    let mut tests = tests.into_iter();
    let mut slices = Vec::new();
    loop {
        let slice: Vec<_> = tests.by_ref().take(SLICE).collect();
        if slice.is_empty() {
            return slices;
        }
        slices.push(Case {
            id: id.clone(),
            description: description.clone(),
            features: features.clone(),
            source: source.clone(),
            policies: policies.clone(),
            tests: slice,
        });
    }
}

/// What the pool hands back for one case of a file: its results, or — for a case larger than
/// [`SLICE`] on an engine that may be called in parallel — the case itself, whose slices the
/// consumer then streams through the pool so that its first results are written while later
/// slices are still being evaluated.
enum Part {
    Judged(Vec<TestResult>),
    Large(Box<LoadedCase>),
}

/// Loads one source and judges its small cases, leaving its large ones to be sliced.
fn judge_source(
    engine: &dyn Evaluator,
    info: &EngineInfo,
    known: &KnownFailures,
    shard: Shard,
    source: &Source,
) -> Vec<Part> {
    match load_shard(source, shard) {
        Ok(cases) => cases
            .into_iter()
            .map(|loaded| {
                if loaded.case.tests.len() > SLICE {
                    Part::Large(Box::new(loaded))
                } else {
                    Part::Judged(apply(
                        known,
                        judge_case(engine, info, &loaded.file, &loaded.case),
                    ))
                }
            })
            .collect(),
        Err(errors) => vec![Part::Judged(vec![load_error_result(&info.name, &errors)])],
    }
}

/// Judges a large case slice by slice on the pool, handing each slice's results to `deliver`
/// in order as soon as it and the slices before it are done.
fn judge_large(
    engine: &dyn Evaluator,
    info: &EngineInfo,
    known: &KnownFailures,
    loaded: LoadedCase,
    deliver: &mut dyn FnMut(Vec<TestResult>) -> io::Result<()>,
) -> io::Result<()> {
    let LoadedCase { file, case } = loaded;
    in_order(
        &slices(case),
        |slice| apply(known, judge_case(engine, info, &file, slice)),
        |_, results| {
            deliver(results.unwrap_or_else(|panic| {
                vec![file_error_result(
                    &info.name,
                    &file.display().to_string(),
                    format!("running this case panicked: {panic}"),
                )]
            }))
        },
    )
}

/// The cases of `source` in `shard`; a file that cannot be read belongs to the shard of its
/// name (its one error result carries the name as its case).
fn load_shard(source: &Source, shard: Shard) -> Result<Vec<LoadedCase>, CaseErrors> {
    match source.load() {
        Ok(mut cases) => {
            cases.retain(|loaded| shard.contains(&loaded.case.id));
            Ok(cases)
        }
        Err(errors) if shard.contains(&source.name()) => Err(errors),
        Err(_) => Ok(Vec::new()),
    }
}

fn apply(known: &KnownFailures, results: Vec<TestResult>) -> Vec<TestResult> {
    if known.0.is_empty() {
        return results;
    }
    results
        .into_iter()
        .map(|result| known.apply(result))
        .collect()
}

/// The result standing for a file whose run panicked.
fn panic_result(info: &EngineInfo, source: &Source, message: &str) -> Vec<TestResult> {
    vec![file_error_result(
        &info.name,
        &source.name(),
        format!("running this file panicked: {message}"),
    )]
}

/// Where a run's results go: the sink, and the summary counting them.
struct Delivery<'a> {
    sink: &'a mut dyn Sink,
    summary: &'a mut Summary,
}

impl Delivery<'_> {
    fn write(&mut self, results: Vec<TestResult>) -> io::Result<()> {
        for result in &results {
            self.summary.add(result);
            self.sink.result(result)?;
        }
        Ok(())
    }
}

/// Runs every case file under `paths` (files or folders, in order; each folder's files sorted)
/// through `engine`, applies its `known` failures, and hands each result to `sink` as its file
/// is done. An unreadable file, or a path that cannot be listed, is one error result (its
/// message lists every problem). Returns the summary, or the sink's first error.
pub fn run_suite(
    engine: &dyn Evaluator,
    paths: &[PathBuf],
    known: &KnownFailures,
    sink: &mut dyn Sink,
) -> io::Result<Summary> {
    run_suite_sharded(engine, paths, known, Shard::ALL, sink)
}

/// [`run_suite`] on the cases of one [`Shard`] only (by case id): the shards of a run, merged
/// with `report merge`, are the whole run.
pub fn run_suite_sharded(
    engine: &dyn Evaluator,
    paths: &[PathBuf],
    known: &KnownFailures,
    shard: Shard,
    sink: &mut dyn Sink,
) -> io::Result<Summary> {
    run_listed(engine, case_files(paths, &[]), known, shard, sink)
}

/// [`run_suite_sharded`] on files already listed ([`case_files`], which can leave folders
/// out): each `Err` entry is one error result.
pub fn run_listed(
    engine: &dyn Evaluator,
    listed: Vec<Listed>,
    known: &KnownFailures,
    shard: Shard,
    sink: &mut dyn Sink,
) -> io::Result<Summary> {
    let info = engine.info();
    let sources = sources(listed);
    sink.start(&info, sources.len())?;
    let mut summary = Summary::default();
    let mut out = Delivery {
        sink,
        summary: &mut summary,
    };
    if engine.supports_parallel_calls() {
        in_order(
            &sources,
            |source| judge_source(engine, &info, known, shard, source),
            |source, parts| {
                match parts {
                    Ok(parts) => {
                        for part in parts {
                            match part {
                                Part::Judged(results) => out.write(results)?,
                                Part::Large(loaded) => {
                                    judge_large(engine, &info, known, *loaded, &mut |r| {
                                        out.write(r)
                                    })?;
                                }
                            }
                        }
                    }
                    Err(panic) => out.write(panic_result(&info, source, &panic))?,
                }
                out.sink.file_done()
            },
        )?;
    } else {
        in_order(
            &sources,
            |source| load_shard(source, shard),
            |source, loaded| {
                let results = match loaded {
                    Ok(Ok(cases)) => catching(|| {
                        cases
                            .iter()
                            .flat_map(|loaded| run_case(engine, &info, loaded))
                            .collect()
                    }),
                    Ok(Err(errors)) => Ok(vec![load_error_result(&info.name, &errors)]),
                    Err(panic) => Err(panic),
                };
                let results = results.unwrap_or_else(|panic| panic_result(&info, source, &panic));
                out.write(apply(known, results))?;
                out.sink.file_done()
            },
        )?;
    }
    sink.finish(&summary)?;
    Ok(summary)
}

/// Runs cases already loaded through `engine`, calling `sink` with each result in case order.
/// With `parallel` (and an engine that may be called in parallel) cases are evaluated on the
/// thread pool; otherwise one at a time on this thread.
pub fn run_cases(
    engine: &dyn Evaluator,
    cases: &[LoadedCase],
    parallel: bool,
    sink: &mut dyn FnMut(TestResult),
) -> Summary {
    let info = engine.info();
    let mut summary = Summary::default();
    let mut deliver = |results: Vec<TestResult>| {
        for result in results {
            summary.add(&result);
            sink(result);
        }
    };
    if parallel && engine.supports_parallel_calls() {
        let outcome: Result<(), Infallible> = in_order(
            cases,
            |loaded| run_case(engine, &info, loaded),
            |loaded, results| {
                deliver(results.unwrap_or_else(|panic| {
                    vec![file_error_result(
                        &info.name,
                        &loaded.file.display().to_string(),
                        format!("running this case panicked: {panic}"),
                    )]
                }));
                Ok(())
            },
        );
        let Ok(()) = outcome;
    } else {
        for loaded in cases {
            deliver(run_case(engine, &info, loaded));
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::thread::ThreadId;

    use super::*;
    use crate::engine::reference::ReferenceEvaluator;
    use crate::engine::Outcome;
    use crate::runner::{Discard, Status};

    fn case_text(id: &str, tests: usize) -> String {
        let tests: Vec<String> = (0..tests)
            .map(|i| {
                format!(
                    r#"{{"name":"t{i}","request":{{"principal":"arn:aws:iam::111122223333:user/a",
                    "action":"s3:GetObject","resource":"arn:aws:s3:::b/k{i}"}},"expect":"implicit_deny"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"id":"{id}","features":["identity"],"tests":[{}]}}"#,
            tests.join(",")
        )
    }

    /// A folder of case files `c00` … with the given numbers of tests, plus one broken file.
    fn corpus(sizes: &[usize]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (index, tests) in sizes.iter().enumerate() {
            let id = format!("c{index:02}");
            std::fs::write(
                dir.path().join(format!("{id}.json")),
                case_text(&id, *tests),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("c50-broken.json"), "{").unwrap();
        dir
    }

    /// An engine that decides implicit deny, answering late on early cases (so later files are
    /// done first), panicking on case `c03`, and noting the threads it ran on.
    struct Slow {
        parallel: bool,
        threads: Mutex<Vec<ThreadId>>,
        calls: AtomicUsize,
    }

    impl Evaluator for Slow {
        fn info(&self) -> EngineInfo {
            ReferenceEvaluator::new().info()
        }

        fn evaluate(&self, case: &Case) -> Vec<Outcome> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.threads
                .lock()
                .unwrap()
                .push(std::thread::current().id());
            if case.id == "c03" {
                panic!("boom");
            }
            if case.id.as_str() < "c02" {
                std::thread::sleep(std::time::Duration::from_millis(30));
            }
            let decided = Outcome::Decided {
                decision: crate::decision::Decision::ImplicitDeny,
                explanation: None,
            };
            vec![decided; case.tests.len()]
        }

        fn supports_parallel_calls(&self) -> bool {
            self.parallel
        }
    }

    fn run(engine: &dyn Evaluator, sizes: &[usize]) -> (Summary, Vec<TestResult>) {
        let dir = corpus(sizes);
        let mut results = Vec::new();
        let summary = run_suite(
            engine,
            &[dir.path().to_owned()],
            &KnownFailures::default(),
            &mut results,
        )
        .unwrap();
        (summary, results)
    }

    fn order(results: &[TestResult]) -> Vec<String> {
        results
            .iter()
            .map(|r| format!("{}/{}", r.case.rsplit('/').next().unwrap(), r.test))
            .collect()
    }

    #[test]
    fn results_come_in_file_order_whatever_finishes_first() {
        let sizes = [2, 1, 3, 1, 600, 2];
        for parallel in [true, false] {
            let engine = Slow {
                parallel,
                threads: Mutex::default(),
                calls: AtomicUsize::new(0),
            };
            let (summary, results) = run(&engine, &sizes);
            let names = order(&results);
            assert_eq!(names[..4], ["c00/t0", "c00/t1", "c01/t0", "c02/t0"]);
            let panicked = results
                .iter()
                .find(|r| r.test.is_empty() && r.case.ends_with("c03.json"));
            let panicked = panicked.expect("the panicking case is one error result");
            assert_eq!(panicked.status, Status::Error);
            assert!(panicked.message.as_deref().unwrap().contains("boom"));
            let big: Vec<&String> = names.iter().filter(|n| n.starts_with("c04/")).collect();
            let expected: Vec<String> = (0..600).map(|i| format!("c04/t{i}")).collect();
            assert_eq!(
                big,
                expected.iter().collect::<Vec<_>>(),
                "slices keep test order"
            );
            assert!(names[names.len() - 3..]
                .iter()
                .all(|n| n.starts_with("c05/") || n.ends_with("c50-broken.json/")));
            assert_eq!(summary.errored, 2, "the panic and the broken file");
            assert_eq!(summary.passed, 2 + 1 + 3 + 600 + 2);
            let calls = engine.calls.load(Ordering::SeqCst);
            let threads = engine.threads.lock().unwrap();
            if parallel {
                assert_eq!(calls, 5 + 3, "the 600-test case in three slices");
            } else {
                assert_eq!(calls, 6, "one call per case");
                assert!(threads.iter().all(|t| *t == std::thread::current().id()));
            }
        }
    }

    #[test]
    fn the_reference_runs_the_suite_with_a_discarding_sink() {
        let dir = corpus(&[3, 300]);
        let engine = ReferenceEvaluator::new();
        let summary = run_suite(
            &engine,
            &[dir.path().to_owned(), dir.path().join("missing")],
            &KnownFailures::default(),
            &mut Discard,
        )
        .unwrap();
        assert_eq!(summary.passed, 303);
        assert_eq!(summary.errored, 2, "the broken file and the missing path");
    }
}
