//! The `cloudhalt` command.
#![forbid(unsafe_code)]

mod emulator;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The stop button for two clouds.
#[derive(Parser)]
#[command(name = "cloudhalt", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local emulator of both clouds in the foreground.
    Emulator(emulator::EmulatorArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Emulator(args) => emulator::run(args),
    }
}
