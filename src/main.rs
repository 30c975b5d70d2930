//! The `sunshine` command line: parse the arguments, run the command
//! ([`sunshine::cli`]), and turn its error into an exit code.

use std::process::ExitCode;

use clap::Parser;
use sunshine::cli::Cli;
use sunshine::Error;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            cli.print_error(&e);
            ExitCode::from(exit_code(&e))
        }
    }
}

/// 2 for bad input or a bad command-line value (nothing was written; the
/// planner can fix it and run again), as for clap's own parse errors;
/// 1 for anything else, such as an output that cannot be written (README,
/// "Command-line bounds and exit codes").
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Input(_) | Error::Usage(_) => 2,
        Error::Io { .. } | Error::Other(_) => 1,
    }
}
