//! `securebase serve` as a test starts it: the real binary on a loopback port, its
//! bootstrap admin key, and plain HTTP/1.1 requests to it (tests/serve.rs, tests/portal.rs).

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The bootstrap admin key of a first start whose stderr is not a terminal (as here):
/// never in the output, written to a file only its owner may read, whose path is.
pub fn bootstrap_key(before: &[String], cwd: &std::path::Path) -> String {
    assert!(!before.iter().any(|l| l.contains("sb_k_")), "the key went to stderr (a log): {before:#?}");
    let path = before
        .iter()
        .find_map(|l| l.strip_prefix("Bootstrap admin key written to ").and_then(|r| r.split(" (mode 0600").next()))
        .unwrap_or_else(|| panic!("the first start says where the bootstrap admin key is: {before:#?}"));
    let file = cwd.join(path);
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "only its owner may read the key file");
    let token = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(token.starts_with("sb_k_"), "{token}");
    token
}

/// A running `securebase serve`, killed on drop if a failed assertion left it running.
pub struct Server {
    /// `None` once stopped; a server left running by a failed assertion is killed on drop.
    child: Option<Child>,
    /// `host:port` it listens on.
    pub addr: String,
    /// What it prints after its listening line.
    pub stderr: mpsc::Receiver<String>,
}

impl Server {
    /// Starts the binary and waits for its "listening" line; returns it with the lines before.
    pub fn start(args: &[&str], cache: &std::path::Path, cwd: &std::path::Path) -> (Self, Vec<String>) {
        Self::start_with(args, cache, cwd, &[])
    }

    /// Like [`Server::start`], with environment variables set for the process.
    pub fn start_with(args: &[&str], cache: &std::path::Path, cwd: &std::path::Path, envs: &[(&str, &str)]) -> (Self, Vec<String>) {
        let mut child = Command::new(crate::binary())
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("SECUREBASE_CACHE_DIR", cache)
            .env_remove("SECUREBASE_ADMIN_KEY")
            .env_remove("SECUREBASE_DATABASE_URL")
            .env_remove("SECUREBASE_MIGRATION_DATABASE_URL")
            .env_remove("SECUREBASE_SECRET_KEY")
            // Static credentials and no instance metadata: a scan never waits on this
            // machine's credential chain (a test's own `envs` may say otherwise).
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .envs(envs.iter().copied())
            .current_dir(cwd)
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let rx = stderr_lines(&mut child);
        let mut before = vec![];
        loop {
            let Ok(line) = rx.recv_timeout(Duration::from_secs(300)) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no listening line; got {before:#?}");
            };
            if let Some(rest) = line.strip_prefix("SecureBase API on http://") {
                let addr = rest.split_whitespace().next().unwrap().to_string();
                return (Self { child: Some(child), addr, stderr: rx }, before);
            }
            before.push(line);
        }
    }

    /// One HTTP/1.1 request; returns the status, the headers (lowercased names) and the body.
    pub fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, String, Vec<u8>) {
        request(&self.addr, method, path, token, body)
    }

    /// A request with a key; the status and the JSON answer.
    pub fn json(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
        let (status, _, bytes) = self.request(method, path, Some(token), body);
        (status, serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}: {}", String::from_utf8_lossy(&bytes))))
    }

    /// SIGTERM, then the exit status and what it printed on the way out.
    pub fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let mut child = self.child.take().unwrap();
        let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(ok.success());
        let status = child.wait().unwrap();
        (status, self.stderr.try_iter().collect())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One HTTP/1.1 request to `addr` (`host:port`); returns the status, the headers
/// (lowercased names) and the body.
pub fn request(addr: &str, method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(300))).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = vec![];
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    (status, head, body)
}

/// The lines a child process writes to its piped stderr, as they come.
pub fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stderr = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The body of a chunked HTTP/1.1 answer.
pub fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = vec![];
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 2 + n + 2..];
    }
}
