use clap::Parser;
use postpurchase_server::cli::{self, Cli, Command};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tune_malloc();
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

/// glibc's allocator, tuned for a server that runs for long:
/// - without its "fast bins": small blocks still come from each thread's cache, and the
///   server no longer spends time merging freed fast-bin blocks whenever a larger one is
///   asked for (a profile of order views showed that at 3 %; mimalloc was faster still
///   but held 50 % more memory);
/// - with fixed thresholds for handing memory back. Left to itself glibc raises them to
///   the largest block ever freed: after argon2's 19 MiB (a password hashed or checked)
///   it kept blocks that large in every thread's heap and gave nothing back below 38 MiB
///   free, and 64 sign-ins took the server to 484 MB although only two ran at once.
///   Blocks from 1 MiB up are mapped and unmapped on their own, and a heap hands back
///   what is free at its top beyond 4 MiB (`bench/abuse.sh`: 69 MB at most).
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets parameters of the allocator, each to a valid value.
    unsafe {
        libc::mallopt(libc::M_MXFAST, 0);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 4 << 20);
    }
}
