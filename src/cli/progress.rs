//! Training and evaluation progress on the terminal: the library's [`Event`]s drawn as an
//! indicatif bar, or, when the bar is hidden (output redirected to a log file, `nohup`, CI),
//! as a plain line every tenth of a phase, so that long runs still show they are alive.

use std::time::Instant;

use burn_colorize::train::{Event, Reporter};
use indicatif::{ProgressBar, ProgressStyle};

/// Prints events: notes to stdout, warnings to stderr, phases as bars or lines.
#[derive(Default)]
pub struct Terminal {
    phase: Option<Phase>,
}

/// The phase in progress.
struct Phase {
    bar: ProgressBar,
    label: String,
    /// The next count of photos at which a plain line is printed.
    next_line: u64,
    started: Instant,
}

impl Reporter for Terminal {
    fn report(&mut self, event: Event) {
        match event {
            Event::Note(sentence) => self.print(|| println!("{sentence}")),
            Event::Warning(sentence) => self.print(|| eprintln!("warning: {sentence}")),
            Event::Begin { label, total } => self.begin(label, total),
            Event::Advance { done, loss } => self.advance(done, loss),
            Event::End => {
                if let Some(phase) = self.phase.take() {
                    phase.bar.finish_and_clear();
                }
            }
            Event::Epoch { epoch, train_loss, validation, images_per_second } => {
                println!("epoch {epoch}: train loss {train_loss:.4} | {validation} | {images_per_second:.1} img/s");
            }
            Event::StoppedEarly { patience } => {
                println!("stopping early: no better validation loss for {patience} epochs");
            }
        }
    }
}

impl Terminal {
    /// Print without tearing the bar.
    fn print(&self, line: impl FnOnce()) {
        match &self.phase {
            Some(phase) => phase.bar.suspend(line),
            None => line(),
        }
    }

    fn begin(&mut self, label: String, total: u64) {
        let style = ProgressStyle::with_template(&format!(
            "{label} {{bar:30}} {{pos}}/{{len}} photos | {{msg}} | {{per_sec}} | ETA {{eta}}"
        ))
        .expect("valid template");
        let bar = ProgressBar::new(total).with_style(style);
        self.phase = Some(Phase { bar, label, next_line: step(total), started: Instant::now() });
    }

    fn advance(&mut self, done: u64, loss: Option<f64>) {
        let Some(phase) = &mut self.phase else { return };
        phase.bar.set_position(done);
        if let Some(loss) = loss {
            phase.bar.set_message(format!("loss {loss:.4}"));
        }
        if !phase.bar.is_hidden() || done < phase.next_line {
            return;
        }
        let total = phase.bar.length().unwrap_or(done);
        phase.next_line = (done / step(total) + 1) * step(total);
        let rate = done as f64 / phase.started.elapsed().as_secs_f64().max(1e-9);
        let eta = total.saturating_sub(done) as f64 / rate.max(1e-9);
        let loss = loss.map(|l| format!(", loss {l:.4}")).unwrap_or_default();
        println!("{}: {done}/{total} photos{loss}, {rate:.1} img/s, ETA {eta:.0} s", phase.label);
    }
}

/// A tenth of a phase, in photos.
fn step(total: u64) -> u64 {
    (total / 10).max(1)
}
