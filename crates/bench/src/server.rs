//! The server under test: the release binary started on a free loopback port with a fresh
//! data directory, exactly as an operator would start it, and its memory read from `/proc`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};

/// The Meta app secret the server checks webhook signatures with; the driver signs with it.
pub const APP_SECRET: &str = "bench-meta-app-secret";
pub const ADMIN_PASSWORD: &str = "bench-admin-password";

#[derive(Debug)]
pub struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
}

/// Resident memory of the server process, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub current: u64,
    /// The anonymous part of `current` (`RssAnon`): the heap and stacks, without mapped files.
    pub anonymous: u64,
    /// The high-water mark since the process started (`VmHWM`).
    pub peak: u64,
}

/// How to start the server beyond the defaults.
#[derive(Debug, Default)]
pub struct Launch {
    /// More `SWITCHBOARD_*` variables, set after (and so over) the defaults.
    pub env: Vec<(String, String)>,
    /// A soft `RLIMIT_NOFILE` to start the server with (as a service manager would), set by
    /// `ulimit` in a shell that then execs the server.
    pub open_files: Option<u64>,
}

impl Launch {
    /// A launch that only adds these variables.
    pub fn with_env(vars: &[(&str, String)]) -> Self {
        Self {
            env: vars
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
            open_files: None,
        }
    }
}

impl Server {
    /// Starts `binary serve` on `data_dir` and waits until `/healthz` answers.
    pub async fn start(binary: &Path, data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_with(binary, data_dir, &Launch::default()).await
    }

    /// As [`Server::start`], launched as `launch` says.
    pub async fn start_with(
        binary: &Path,
        data_dir: &Path,
        launch: &Launch,
    ) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let log = data_dir.join("server.log");
        // Appended to, so the log of a killed server survives its successor's start.
        let output = || {
            std::fs::File::options()
                .create(true)
                .append(true)
                .open(&log)
        };
        let mut command = match launch.open_files {
            None => Command::new(binary),
            Some(limit) => {
                let mut shell = Command::new("sh");
                shell
                    .args(["-c", r#"ulimit -Sn "$1" && shift && exec "$@""#, "sh"])
                    .arg(limit.to_string())
                    .arg(binary);
                shell
            }
        };
        let child = command
            .arg("serve")
            // Away from the repository, so no `.env` of the developer's changes the settings.
            .current_dir(data_dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SWITCHBOARD_BIND", format!("127.0.0.1:{port}"))
            .env("SWITCHBOARD_DATA_DIR", data_dir)
            .env("SWITCHBOARD_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("SWITCHBOARD_WHATSAPP_APP_SECRET", APP_SECRET)
            .env("SWITCHBOARD_MOCK_STATUS_DELAYS_MS", "0,0,0")
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(output()?)
            .stderr(output()?)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    async fn wait_until_healthy(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait()? {
                bail!("the server exited with {status}:\n{}", self.log_tail());
            }
            let url = format!("{}/healthz", self.base);
            if client
                .get(&url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the server did not become healthy in 30 s:\n{}",
            self.log_tail()
        )
    }

    /// Kills the server with SIGKILL, as a crash would: no shutdown, nothing flushed beyond
    /// what was committed; returns once the process is gone.
    pub fn kill(mut self) -> anyhow::Result<()> {
        self.child.kill().context("cannot kill the server")?;
        self.child.wait().context("cannot reap the server")?;
        Ok(())
    }

    /// Stops the server with SIGTERM, as an operator or a service manager would, and waits
    /// for it to exit.
    pub fn terminate(mut self) -> anyhow::Result<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .context("cannot run kill")?;
        ensure!(sent.success(), "kill -TERM failed");
        self.child.wait().context("cannot reap the server")
    }

    /// The last lines of the server's output, for error messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// The descriptors the server process has open now.
    pub fn open_descriptors(&self) -> anyhow::Result<usize> {
        Ok(std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))?.count())
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        let field = |name: &str| -> anyhow::Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .with_context(|| format!("no {name} in /proc/PID/status"))?;
            let kib: u64 = line
                .split_whitespace()
                .nth(1)
                .context("malformed /proc/PID/status")?
                .parse()?;
            Ok(kib * 1024)
        };
        Ok(Memory {
            current: field("VmRSS:")?,
            anonymous: field("RssAnon:")?,
            peak: field("VmHWM:")?,
        })
    }
}

/// Stops the server: only the process this harness started, by its handle.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
