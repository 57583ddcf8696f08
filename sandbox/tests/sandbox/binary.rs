use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::{get, temp_dir};

const BIN: &str = env!("CARGO_BIN_EXE_scalingo-sandbox");

#[tokio::test]
async fn the_binary_prints_its_address_and_token_when_ready() {
    let data = temp_dir().join("state.json");
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--data",
            &data.display().to_string(),
            "--token",
            "tk-us-custom",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut out = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = out.next().expect("a line").expect("text");
    let second = out.next().expect("a line").expect("text");
    let url = first
        .strip_prefix("scalingo-sandbox listening on ")
        .expect("the ready line")
        .to_string();
    assert_eq!(second, "demo API token: tk-us-custom");
    let regions = get(&format!("{url}/auth/v1/regions")).await;
    assert_eq!(regions.status, 200);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn help_lists_every_flag() {
    let out = Command::new(BIN).arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen",
        "--dist",
        "--data",
        "--token",
        "--log-rate",
        "--ping-interval",
        "--rate-limit",
        "--cors-origin",
        "--csp",
    ] {
        assert!(text.contains(flag), "{flag}");
    }
}

#[test]
fn a_corrupt_state_file_makes_the_binary_exit_with_an_error() {
    let data = temp_dir().join("state.json");
    std::fs::write(&data, "garbage").expect("write");
    let out = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--data",
            &data.display().to_string(),
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupt"));
}
