//! `cloudhalt completions` and `cloudhalt man`: generated from the same clap definition as the
//! parser, so a new flag is completed and documented without anyone remembering to.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, CommandFactory, ValueEnum};

use crate::Cli;

/// The shells `cloudhalt completions` writes a script for.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash: `source <(cloudhalt completions bash)`, or save it in
    /// /usr/share/bash-completion/completions/cloudhalt.
    Bash,
    /// zsh: save it as `_cloudhalt` in a directory of $fpath.
    Zsh,
    /// fish: save it in ~/.config/fish/completions/cloudhalt.fish.
    Fish,
}

/// Arguments of `cloudhalt completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the completion script for `args.shell` to stdout.
pub fn completions(args: CompletionsArgs) -> ExitCode {
    let mut cmd = Cli::command();
    let shell = match args.shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "cloudhalt", &mut out);
    write_stdout(&out)
}

/// Writes the man page (roff, section 1) to stdout: `cloudhalt man | man -l -`.
pub fn man() -> ExitCode {
    match render_man() {
        Ok(page) => write_stdout(&page),
        Err(err) => {
            eprintln!("cloudhalt: could not render the man page: {err}");
            ExitCode::from(1)
        }
    }
}

/// The whole manual in one page: the top-level page, then a section per operation with its
/// synopsis and options, because `man cloudhalt` is where a user looks for
/// `stop-instances --stopped-mode`, not in a page per subcommand.
fn render_man() -> std::io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut top)?;
    let mut page = Vec::new();
    for line in String::from_utf8_lossy(&top).lines() {
        // clap_mangen titles the `--help` epilogue "EXTRA"; ours is the exit codes (the part of
        // the interface scripts rely on) and the environment, so say so where man readers look.
        if line == ".SH EXTRA" {
            writeln!(page, ".SH \"EXIT STATUS AND ENVIRONMENT\"")?;
        } else {
            writeln!(page, "{line}")?;
        }
    }
    let mut leaves = Vec::new();
    collect_leaves(&cmd, &mut leaves);
    for sub in leaves {
        let title = sub
            .get_bin_name()
            .unwrap_or_else(|| sub.get_name())
            .to_uppercase();
        writeln!(page, ".SH \"{}\"", title.replace('"', ""))?;
        let man = clap_mangen::Man::new(sub.clone());
        let mut body = Vec::new();
        man.render_description_section(&mut body)?;
        man.render_synopsis_section(&mut body)?;
        man.render_options_section(&mut body)?;
        // Demote the rendered sections to subsections of this operation's section.
        for line in String::from_utf8_lossy(&body).lines() {
            match line.strip_prefix(".SH ") {
                Some(heading) => writeln!(page, ".SS {heading}")?,
                None => writeln!(page, "{line}")?,
            }
        }
    }
    Ok(page)
}

fn collect_leaves(cmd: &clap::Command, leaves: &mut Vec<clap::Command>) {
    // clap's generated `help` subcommands only repeat the operations' text.
    for sub in cmd.get_subcommands().filter(|sub| sub.get_name() != "help") {
        if sub.has_subcommands() {
            collect_leaves(sub, leaves);
        } else {
            leaves.push(sub.clone());
        }
    }
}

fn write_stdout(bytes: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`| head`) is the reader's choice, not an error worth a message.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cloudhalt: could not write to stdout: {err}");
            ExitCode::from(1)
        }
    }
}
