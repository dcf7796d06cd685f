//! Shared by the `pay` binary's tests: a `pay sandbox` child process, killed when the test ends.
#![allow(clippy::panic, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running `pay sandbox --port 0` child, killed (and reaped) when dropped, even on a failed
/// assertion.
pub struct SandboxProcess {
    child: Child,
    /// What it printed on standard output up to its `Ctrl-C` line.
    pub banner: Vec<String>,
}

impl SandboxProcess {
    /// Spawns `pay sandbox --port 0 <args>` with the environment `configure` sets, and reads its
    /// banner (on a thread, so a silent child cannot hang the test; at most 60 s a line).
    pub fn start(args: &[&str], configure: impl FnOnce(&mut Command)) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pay"));
        command.args(["sandbox", "--port", "0"]).args(args);
        configure(&mut command);
        let child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut process = Self {
            child,
            banner: Vec::new(),
        };
        let stdout = process.child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|e| panic!("no banner ({e}); so far: {:?}", process.banner));
            let last = line.contains("Ctrl-C");
            process.banner.push(line);
            if last {
                return process;
            }
        }
    }

    /// The value the banner prints after `label` (`"admin API:"`), if it does.
    pub fn banner_value(&self, label: &str) -> Option<String> {
        self.banner
            .iter()
            .find_map(|line| line.trim().strip_prefix(label))
            .map(|value| value.trim().to_owned())
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
