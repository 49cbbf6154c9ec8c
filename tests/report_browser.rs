//! report.html in a real browser: headless Chromium renders it offline, the verdict is there in
//! the rendered DOM, and a screenshot is taken.
//!
//! Chromium is a test dependency of this repository: `.ci/run` installs Debian's `chromium`
//! package when it is missing. Without it this test fails (it does not skip): a skipped browser
//! test would let a broken report.html through unnoticed.

mod common;
mod report_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use conform::report::Format;

const INSTALL: &str =
    "install Chromium first: `sudo apt-get update && sudo apt-get install -y chromium` \
     (Debian/Ubuntu; .ci/run does this), or set CONFORM_CHROMIUM to a Chromium or Chrome binary";

/// The browser: `$CONFORM_CHROMIUM`, else /usr/bin/chromium, else `chromium` or
/// `chromium-browser` on the PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CONFORM_CHROMIUM") {
        return PathBuf::from(p);
    }
    let system = Path::new("/usr/bin/chromium");
    if system.is_file() {
        return system.to_path_buf();
    }
    for name in ["chromium", "chromium-browser"] {
        if let Some(dir) = std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .find(|d| d.join(name).is_file())
        {
            return dir.join(name);
        }
    }
    panic!("Chromium is not installed, and the report.html browser test needs it: {INSTALL}");
}

/// Runs headless Chromium with `extra` on `page`, killed after a minute; returns its stdout.
fn headless(browser: &Path, profile: &Path, extra: &[String], page: &Path) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("failed to start {}: {e}; {INSTALL}", browser.display()));
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(
                status.success(),
                "{} exited with {status}",
                browser.display()
            );
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not finish within 60 s", browser.display());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let browser = chromium();
    let tmp = tempfile::tempdir().unwrap();
    let report = report_support::faulted_run();
    let page = tmp.path().join("report.html");
    std::fs::write(&page, Format::Html.render(&report).unwrap()).unwrap();

    let dom = headless(
        &browser,
        &tmp.path().join("profile-dom"),
        &["--dump-dom".to_string()],
        &page,
    );
    assert!(
        dom.contains("<h1 id=\"verdict\">FAILED</h1>"),
        "the verdict is not in the rendered DOM:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(
        dom.contains("tenpay::status::1003"),
        "failures are rendered"
    );
    // Each failure group and each advisory is an element of its own section, in that order.
    for g in &report.failure_groups {
        assert!(
            dom.contains(&format!("<article class=\"failure\" id=\"{}\">", g.id)),
            "failure group {} is not rendered",
            g.id
        );
    }
    let failures = dom
        .find("<section id=\"failures\">")
        .expect("a failures section");
    let advisories = dom
        .find("<section id=\"advisories\">")
        .expect("an advisories section");
    assert!(failures < advisories, "advisories come after the failures");
    for g in &report.advisories {
        assert!(
            dom[advisories..].contains(&format!("<article class=\"advisory\" id=\"{}\">", g.id)),
            "advisory {} is not rendered in its section",
            g.id
        );
    }

    let shot = tmp.path().join("report.png");
    headless(
        &browser,
        &tmp.path().join("profile-shot"),
        &[format!("--screenshot={}", shot.display())],
        &page,
    );
    let png = std::fs::read(&shot).expect("Chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 10_000, "a blank page? {} bytes", png.len());
    // Keep it for a human to look at when asked.
    if let Some(dir) = std::env::var_os("CONFORM_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&dir).join("report.png")).unwrap();
    }
}
