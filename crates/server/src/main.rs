use clap::Parser;
use postpurchase_server::cli::{self, Cli, Command};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        None => postpurchase_server::run(cli.serve).await,
        Some(Command::Serve(config)) => postpurchase_server::run(config).await,
        Some(Command::Shops(shops)) => cli::shops(shops).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("postpurchase-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
