//! `iam-harness completions SHELL` and `iam-harness man`: the shell completion script and the
//! man page (roff), generated from the command line's own definition by clap's companion crates
//! (`clap_complete`, `clap_mangen`), so they never fall behind the commands.

use std::io::{self, Write};

use clap::{Args, CommandFactory};

use super::output::output_failed;
use super::{Cli, EXIT_OK};

/// Arguments of `iam-harness completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: clap_complete::Shell,
}

/// Arguments of `iam-harness man`.
#[derive(Debug, Args)]
pub struct ManArgs {}

fn print(bytes: &[u8]) -> u8 {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(error) => output_failed(&error),
    }
}

/// Prints the completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "iam-harness", &mut script);
    print(&script)
}

/// Prints the man page.
pub fn man(_args: &ManArgs) -> u8 {
    let mut page = Vec::new();
    match clap_mangen::Man::new(Cli::command()).render(&mut page) {
        Ok(()) => print(&page),
        Err(error) => output_failed(&error),
    }
}
