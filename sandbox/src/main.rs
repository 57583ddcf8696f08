//! `scalingo-sandbox`: parses flags, starts the server, prints where it listens.

use std::io::Write;
use std::process::ExitCode;

use scalingo_sandbox::config::{CliError, HELP};
use scalingo_sandbox::Config;

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(CliError::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("scalingo-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    let token = config.token.clone();
    let dist = config.dist.is_some().then(|| config.dist_path.clone());
    let server = match scalingo_sandbox::serve(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("scalingo-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("scalingo-sandbox listening on {}", server.url());
    println!("demo API token: {token}");
    if let Some(path) = dist {
        println!("dashboard: {}{path}", server.url());
    }
    let _ = std::io::stdout().flush();
    // Runs until interrupted; a kill at any moment is safe because state writes are atomic.
    let _ = tokio::signal::ctrl_c().await;
    server.stop().await;
    ExitCode::SUCCESS
}
