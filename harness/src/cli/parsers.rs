//! `iam-harness parsers`: fuzzes an ARN and wildcard parser speaking the parser protocol against
//! the documented rules (see [`crate::parsers`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::output::{error, outln, Out};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::engine::process::{split_command_line, ProcessOptions};
use crate::engine::CMD_PREFIX;
use crate::parsers::client::ProcessParser;
use crate::parsers::generate::{generated, load_corpus, reference_corpus, CorpusCase};
use crate::parsers::known::KnownDifferences;
use crate::parsers::render::{file_stem, html_page, json_lines, markdown, text};
use crate::parsers::run::run_parser;
use crate::parsers::Parser;

/// Arguments of `iam-harness parsers`.
#[derive(Debug, Args)]
pub struct ParsersArgs {
    /// The parser: `cmd:PROGRAM ARGS…` (a program speaking schema/parser-protocol/).
    #[arg(long, required_unless_present = "write_corpus")]
    engine: Option<String>,
    /// Seconds one answer may take before the input errors and the parser is restarted.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
    /// Restarts allowed after faults over the run.
    #[arg(long, default_value_t = 20)]
    max_restarts: u32,
    /// Write the generated Service Authorization Reference corpus file into this corpus folder
    /// (`arns/service-authorization-reference.json`) and exit.
    #[arg(long)]
    write_corpus: Option<PathBuf>,
    #[command(flatten)]
    run: RunOptions,
}

/// What a parsers run does, whoever the parser is: shared by `iam-harness parsers` and by the
/// programs that drive an in-process parser (`adapters/parsers/rust/`) through
/// [`run_in_process`].
#[derive(Debug, Args)]
pub struct RunOptions {
    /// How many generated inputs to run after the corpus.
    #[arg(long, default_value_t = 2000)]
    pub cases: usize,
    /// The seed of the generated inputs.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The parser corpus folder.
    #[arg(long, default_value = "corpus-parsers")]
    pub corpus: PathBuf,
    /// The adapter's known-differences file (for a program, default: `known-differences.json`
    /// beside it, when there is one).
    #[arg(long)]
    pub known: Option<PathBuf>,
    /// Questions each shrink may ask the parser.
    #[arg(long, default_value_t = crate::parsers::shrink::DEFAULT_BUDGET)]
    pub shrink_budget: usize,
    /// Print JSON Lines: a header, one `disagreement` per root cause, a summary.
    #[arg(long)]
    pub json: bool,
    /// Also write `<parser>.md` and `<parser>.json` into this folder and rebuild its
    /// `index.html` (the parsers page) from every JSON report there.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
}

/// Runs `iam-harness parsers`.
pub fn parsers(args: &ParsersArgs) -> u8 {
    let mut out = Out::new();
    match run(args, &mut out) {
        Ok(code) => out.finish(code),
        Err(message) => {
            error(message);
            out.finish(EXIT_USAGE)
        }
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    crate::files::write_atomic(path, text.as_bytes())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

fn run(args: &ParsersArgs, out: &mut Out) -> Result<u8, String> {
    if let Some(root) = &args.write_corpus {
        let path = root.join("arns/service-authorization-reference.json");
        let text = serde_json::to_string_pretty(&reference_corpus()).map_err(|e| e.to_string())?;
        write(&path, &format!("{text}\n"))?;
        outln!(out, "wrote {}", path.display());
        return Ok(EXIT_OK);
    }
    let spec = args.engine.as_deref().unwrap_or_default();
    let line = spec
        .strip_prefix(CMD_PREFIX)
        .ok_or_else(|| format!("unknown parser `{spec}`: expected `cmd:PROGRAM ARGS…`"))?;
    let command = split_command_line(line)?;
    let beside = Path::new(command.first().map(String::as_str).unwrap_or_default())
        .parent()
        .map(|dir| dir.join("known-differences.json"))
        .filter(|path| path.is_file());
    let timeout = Duration::try_from_secs_f64(args.timeout)
        .map_err(|e| format!("--timeout {}: {e}", args.timeout))?;
    let options = ProcessOptions {
        request_timeout: timeout,
        start_timeout: timeout.max(Duration::from_secs(10)),
        max_restarts: args.max_restarts,
    };
    // The inputs are read before the parser starts: a bad corpus is reported as such.
    let (known, corpus) = read_inputs(&args.run, beside.as_deref())?;
    let parser = ProcessParser::spawn(command, options).map_err(|e| e.to_string())?;
    run_and_report(&parser, &args.run, &known, &corpus, out)
}

/// Runs the corpus and the generated inputs through an in-process parser, prints and writes the
/// results as `iam-harness parsers` does, and returns the exit status (0 when every disagreement
/// is a known difference, 1 otherwise, 2 when the run could not be made).
pub fn run_in_process(parser: &dyn Parser, options: &RunOptions) -> u8 {
    let mut out = Out::new();
    let run = read_inputs(options, None)
        .and_then(|(known, corpus)| run_and_report(parser, options, &known, &corpus, &mut out));
    match run {
        Ok(code) => out.finish(code),
        Err(message) => {
            error(message);
            out.finish(EXIT_USAGE)
        }
    }
}

/// The known differences (`--known`, else `default_known`) and the parser corpus.
fn read_inputs(
    args: &RunOptions,
    default_known: Option<&Path>,
) -> Result<(KnownDifferences, Vec<CorpusCase>), String> {
    let known = match args.known.as_deref().or(default_known) {
        Some(path) => KnownDifferences::load(path).map_err(|e| e.to_string())?,
        None => KnownDifferences::default(),
    };
    let corpus = load_corpus(&args.corpus).map_err(|e| e.to_string())?;
    Ok((known, corpus))
}

/// The run shared by programs and in-process parsers: corpus and generated inputs through
/// `parser`, printed and written as asked.
fn run_and_report(
    parser: &dyn Parser,
    args: &RunOptions,
    known: &KnownDifferences,
    corpus: &[CorpusCase],
    out: &mut Out,
) -> Result<u8, String> {
    let inputs = generated(args.seed, args.cases);
    let result = run_parser(parser, corpus, &inputs, known, args.shrink_budget);
    if args.json {
        for line in json_lines(&result, args.seed) {
            outln!(out, "{line}");
        }
    } else {
        out.line(text(&result).trim_end());
    }
    if let Some(dir) = &args.report_dir {
        let stem = file_stem(&result.parser.name);
        write(
            &dir.join(format!("{stem}.md")),
            &markdown(&result, args.seed, args.cases),
        )?;
        let json = serde_json::to_string_pretty(&result).map_err(|e| e.to_string())?;
        write(&dir.join(format!("{stem}.json")), &format!("{json}\n"))?;
        write(&dir.join("index.html"), &html_page(&read_reports(dir)?))?;
    }
    let summary = &result.summary;
    Ok(if summary.unknown_root_causes > 0 {
        EXIT_FAILED
    } else if summary.agreed + summary.disagreements == 0 {
        error(format_args!(
            "nothing was checked: the parser answered none of the {} inputs ({} skipped)",
            summary.corpus_inputs + summary.generated_inputs,
            summary.skipped
        ));
        EXIT_USAGE
    } else {
        EXIT_OK
    })
}

/// Every `*.json` report in `dir`, sorted by file name.
fn read_reports(dir: &Path) -> Result<Vec<serde_json::Value>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let text = crate::files::read_text(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("`{}`: {e}", path.display()))
        })
        .collect()
}
