//! The analysis thread: one long-lived thread that runs every analysis the server does, in the
//! order they were asked for, while the protocol task keeps answering.
//!
//! Why one thread: the thread owns the analysis memo (`analysis::Memo`: what each
//! technique-section run says, per rule pack) and hands it to every job, so a re-analysis after a
//! keystroke only works out the runs that changed. And queued analyses of versions that are
//! already stale when their turn comes are skipped by the jobs themselves, so a burst of edits
//! costs one analysis, not one per edit.
//!
//! Owns no server state besides the memo; jobs bring what they need. A job that panics is
//! reported to its caller as `None`, and the thread goes on with the next one (with a fresh memo:
//! a panic may have left the old one half updated).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

use crate::analysis::Memo;

/// A job; true when its work panicked.
type Job = Box<dyn FnOnce(&mut Memo) -> bool + Send>;

pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    pub fn start() -> Worker {
        let (jobs, queue) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("noteplate-analysis".to_string())
            .spawn(move || {
                let mut memo = Memo::new();
                while let Ok(job) = queue.recv() {
                    // The job reports its own panic to its caller (see `run`).
                    if job(&mut memo) {
                        memo = Memo::new();
                    }
                }
            });
        if let Err(error) = started {
            // Without the thread, `run` answers `None` and the server says so in its log.
            eprintln!("noteplate lsp: cannot start the analysis thread: {error}");
        }
        Worker { jobs }
    }

    /// Queues `work` on the analysis thread now, after the jobs queued before it; it gets the
    /// thread's memo. The future gives its result, or `None` if it panicked or the thread is gone.
    pub fn run<T, F>(&self, work: F) -> impl Future<Output = Option<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&mut Memo) -> T + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memo: &mut Memo| {
            let outcome = catch_unwind(AssertUnwindSafe(|| work(memo)));
            let panicked = outcome.is_err();
            let _ = answer.send(outcome.ok());
            panicked
        });
        let queued = self.jobs.send(job).is_ok();
        async move {
            if !queued {
                return None;
            }
            answered.await.ok().flatten()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_in_order_on_one_thread_and_survives_panics() {
        let worker = Worker::start();
        let first = worker.run(|_| std::thread::current().id()).await;
        let panicked: Option<()> = worker.run(|_| panic!("a job that panics")).await;
        let second = worker.run(|_| std::thread::current().id()).await;
        assert!(panicked.is_none());
        assert_eq!(first, second);
        assert_ne!(first, Some(std::thread::current().id()));
        // Queued jobs run in the order they were queued.
        let order = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let runs: Vec<_> = (0..20)
            .map(|index| {
                let order = order.clone();
                worker.run(move |_| order.lock().unwrap().push(index))
            })
            .collect();
        for run in runs {
            run.await;
        }
        assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
    }
}
