//! The `backupctl` binary: connects the process (arguments, standard streams, the
//! `BACKUP_AUTH_TOKEN` environment variable, the exit status) to [`backupctl::run`].

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let env_token = std::env::var_os(backupctl::TOKEN_ENV);
    let mut io = backupctl::Io::new(&mut stdin, &mut stdout, &mut stderr, env_token);
    backupctl::run(std::env::args_os(), &mut io).into()
}
