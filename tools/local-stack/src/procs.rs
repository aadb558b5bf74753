//! Child processes that never outlive the stack.
//!
//! Every child starts in its own process group, so Ctrl-C in the terminal reaches only
//! the supervisor, which then stops the children in order. Three backstops make sure
//! nothing is left behind even when something goes wrong:
//! - each child asks the kernel for SIGTERM when the supervisor dies (`PR_SET_PDEATHSIG`),
//!   so a `kill -9` of the supervisor still takes the servers and functions down;
//! - the supervisor is a child subreaper (`PR_SET_CHILD_SUBREAPER`), so grandchildren
//!   whose parent died are re-parented to it instead of to init;
//! - shutdown signals whole process groups, then sweeps up any remaining children.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

/// Makes this process adopt orphaned descendants, so none escapes the final sweep.
pub fn become_subreaper() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Spawns `cmd` in a new process group that receives SIGTERM if we die.
pub fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    cmd.process_group(0).stdin(Stdio::null()).kill_on_drop(true);
    // SAFETY: the closure runs in the forked child before exec and calls only
    // async-signal-safe functions (prctl, getppid).
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0);
            // The parent may have died between fork and prctl: then nobody will signal us.
            if libc::getppid() == 1 {
                return Err(std::io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Sends `signal` to the process group led by `pid`.
pub fn signal_group(pid: u32, signal: i32) {
    if let Ok(pid) = i32::try_from(pid) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
        unsafe {
            libc::kill(-pid, signal);
        }
    }
}

/// SIGTERM to the child's group, SIGKILL after `grace`, then reaps it.
pub async fn stop(child: &mut Child, grace: Duration) {
    let Some(pid) = child.id() else { return };
    signal_group(pid, libc::SIGTERM);
    if tokio::time::timeout(grace, child.wait()).await.is_err() {
        signal_group(pid, libc::SIGKILL);
        let _ = child.wait().await;
    }
    // Anything the child left in its group (it may have spawned helpers) goes too.
    signal_group(pid, libc::SIGKILL);
}

/// Kills and reaps every remaining child of this process (adopted orphans included).
pub fn sweep_children() {
    let me = std::process::id();
    for _ in 0..3 {
        let children = children_of(me);
        if children.is_empty() {
            return;
        }
        for pid in children {
            if let Ok(p) = i32::try_from(pid) {
                // SAFETY: signals and reaps a process whose parent is this process.
                unsafe {
                    libc::kill(p, libc::SIGKILL);
                    libc::waitpid(p, std::ptr::null_mut(), 0);
                }
            }
        }
    }
}

fn children_of(parent: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| s.lines().find_map(|l| l.strip_prefix("PPid:").map(|v| v.trim().parse::<u32>())))
                .is_some_and(|ppid| ppid == Ok(parent))
        })
        .collect()
}

/// Copies a child's output into `log` line by line; lines `echo` picks are also
/// printed (prefixed) on the console.
pub fn capture_output(child: &mut Child, log: &Path, prefix: String, echo: fn(&str) -> bool) {
    let log = log.to_path_buf();
    let streams: Vec<Box<dyn tokio::io::AsyncRead + Unpin + Send>> = [
        child.stdout.take().map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        child.stderr.take().map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    for stream in streams {
        let log = log.clone();
        let prefix = prefix.clone();
        tokio::spawn(async move {
            let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(&log).await.ok();
            let mut lines = BufReader::new(stream).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(f) = file.as_mut() {
                    let _ = f.write_all(format!("{line}\n").as_bytes()).await;
                }
                if echo(&line) {
                    crate::console::child_line(&prefix, &line);
                }
            }
        });
    }
}

/// Whether anything answers on a loopback TCP port.
pub async fn port_open(port: u16) -> bool {
    tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
}

pub async fn wait_for_port(port: u16, timeout: Duration, child: &mut Child) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + timeout;
    while !port_open(port).await {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited with {status} before listening on port {port}"));
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("did not listen on port {port} within {} s", timeout.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

pub fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")?.local_addr().map(|a| a.port())
}
