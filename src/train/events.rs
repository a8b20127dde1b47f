//! How training and evaluation tell their caller what they are doing. The library never prints:
//! it sends [`Event`]s to the [`Reporter`] it is given. The command-line tool draws progress
//! bars and lines from them (`src/cli/progress.rs`); tests and applications record them or
//! pass [`Silent`].

use super::validate::Validation;

/// One thing a run reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A sentence about what the run does: its device, its photo counts, where it starts from.
    Note(String),
    /// Something went wrong and the run goes on without it (an unreadable photo, a damaged
    /// checkpoint replaced by the one before).
    Warning(String),
    /// A long phase begins: `total` photos, `label` says which phase (e.g. "epoch 2/8").
    Begin { label: String, total: u64 },
    /// `done` photos of the current phase are finished; `loss` is the phase's mean loss so far
    /// (training only).
    Advance { done: u64, loss: Option<f64> },
    /// The current phase is over.
    End,
    /// An epoch is trained and validated (`epoch` counts from 1).
    Epoch { epoch: usize, train_loss: f64, validation: Validation, images_per_second: f64 },
    /// The run stops before its last epoch: validation has not improved for `patience` epochs.
    StoppedEarly { patience: usize },
}

/// Receives a run's [`Event`]s as they happen.
pub trait Reporter {
    fn report(&mut self, event: Event);

    fn note(&mut self, sentence: String) {
        self.report(Event::Note(sentence));
    }

    fn warn(&mut self, sentence: String) {
        self.report(Event::Warning(sentence));
    }
}

/// Reports nothing.
pub struct Silent;

impl Reporter for Silent {
    fn report(&mut self, _event: Event) {}
}

/// Keeps every event, in order (for tests and for callers that show them later).
#[derive(Debug, Default)]
pub struct Recorder(pub Vec<Event>);

impl Reporter for Recorder {
    fn report(&mut self, event: Event) {
        self.0.push(event);
    }
}
