//! Export progress: a bar when stdout is a terminal, a plain line on
//! stderr every tenth of the way otherwise (CI logs, pipes).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

pub enum Progress {
    Bar(ProgressBar),
    Lines { total: AtomicU64, done: AtomicU64 },
}

impl Progress {
    pub fn new() -> Progress {
        if !std::io::stdout().is_terminal() {
            return Progress::Lines {
                total: AtomicU64::new(0),
                done: AtomicU64::new(0),
            };
        }
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("reading the workspace");
        Progress::Bar(bar)
    }

    /// The workspace was listed: `n` objects to read.
    pub fn listed(&self, n: usize) {
        match self {
            Progress::Bar(bar) => bar.set_length(n as u64),
            Progress::Lines { total, .. } => {
                total.store(n as u64, Ordering::Relaxed);
                eprintln!("segment-gitops: {n} objects in the workspace");
            }
        }
    }

    /// One object was read.
    pub fn read_one(&self) {
        match self {
            Progress::Bar(bar) => bar.inc(1),
            Progress::Lines { total, done } => {
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                let total = total.load(Ordering::Relaxed);
                let step = (total / 10).max(1);
                if done % step == 0 || done == total {
                    eprintln!("segment-gitops: read {done}/{total}");
                }
            }
        }
    }

    pub fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::new()
    }
}
